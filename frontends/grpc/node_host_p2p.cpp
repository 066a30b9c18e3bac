// frontends/grpc/node_host_p2p.cpp — see node_host_p2p.hpp.
#include "frontends/grpc/node_host_p2p.hpp"

#include <algorithm>
#include <set>

#include "a2a/envelope.hpp"
#include "net/clock.hpp"

namespace frontends::grpc {

NodeHostP2p::NodeHostP2p(p2p::Host& host, a2a::P2pBinding& binding, int64_t started_unix_ns, std::string version)
    : host_(host), binding_(binding), started_unix_ns_(started_unix_ns), version_(std::move(version)) {}

v1::NodeInfo NodeHostP2p::node_info() const {
  v1::NodeInfo n;
  n.peer_id = host_.peer_id().to_base58();
  for (const auto& a : host_.listen_addrs()) n.listen_addresses.push_back(a.to_string());
  n.connected_peers = static_cast<int32_t>(host_.connected_peers().size());
  n.started_at = a2a::timestamp_from_unix_ns(started_unix_ns_);
  n.version = version_;
  // nat_type stays UNSPECIFIED until AutoNAT exists (the original never set it).
  return n;
}

std::vector<v1::PeerInfo> NodeHostP2p::peers() const {
  // connections() may list a peer more than once; the first (oldest) counts.
  const auto mono = static_cast<int64_t>(host_.loop().now() ? host_.loop().now() : net::monotonic_now());
  const auto wall = static_cast<int64_t>(net::unix_now_ns());
  std::vector<v1::PeerInfo> out;
  std::set<p2p::PeerId> seen;
  auto conns = host_.connections();
  std::sort(conns.begin(), conns.end(), [](const p2p::ConnInfo& a, const p2p::ConnInfo& b) { return a.id < b.id; });
  for (const auto& c : conns) {
    if (c.peer.empty() || !host_.is_connected(c.peer) || !seen.insert(c.peer).second) continue;
    v1::PeerInfo p;
    p.peer_id = c.peer.to_base58();
    p.addresses.push_back(c.remote_addr.to_string());
    // No relay transport yet: every connection is direct.
    p.connection_type = v1::ConnectionType::CONNECTION_TYPE_DIRECT;
    p.connected_at = a2a::timestamp_from_unix_ns(wall - (mono - static_cast<int64_t>(c.opened_at)));
    out.push_back(std::move(p));
  }
  return out;
}

void NodeHostP2p::connect(const p2p::PeerId& peer, std::vector<p2p::Multiaddr> addrs,
                          net::SmallFn<void(net::Status)> done) {
  std::weak_ptr<bool> alive = alive_;
  host_.connect(peer, addrs, [this, alive, peer, done = std::move(done)](net::Result<p2p::ConnId> r) mutable {
    if (alive.expired()) return;
    if (!r) return done(r.take_error());
    // As the original: the card exchange follows the connect (also run by
    // the binding on a new connection; one at a time per peer).
    binding_.exchange_card(peer);
    done({});
  });
}

}  // namespace frontends::grpc
