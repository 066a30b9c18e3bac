// frontends/grpc/node_host_p2p.hpp — NodeService's NodeHost over the libp2p
// host and the a2a binding (card exchange after ConnectPeer).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "a2a/p2p_binding.hpp"
#include "frontends/grpc/node_service.hpp"
#include "p2p/host/host.hpp"

namespace frontends::grpc {

class NodeHostP2p final : public NodeHost {
 public:
  // `started_unix_ns`: when the daemon started (NodeInfo.started_at).
  NodeHostP2p(p2p::Host& host, a2a::P2pBinding& binding, int64_t started_unix_ns, std::string version);
  ~NodeHostP2p() override = default;
  NodeHostP2p(const NodeHostP2p&) = delete;
  NodeHostP2p& operator=(const NodeHostP2p&) = delete;

  v1::NodeInfo node_info() const override;
  std::vector<v1::PeerInfo> peers() const override;
  // A dial answered after this object is gone is dropped.
  void connect(const p2p::PeerId& peer, std::vector<p2p::Multiaddr> addrs,
               net::SmallFn<void(net::Status)> done) override;

 private:
  p2p::Host& host_;
  a2a::P2pBinding& binding_;
  int64_t started_unix_ns_;
  std::string version_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace frontends::grpc
