// p2p/services/ping_service.hpp — /ipfs/ping/1.0.0 on the host (specs.md §7):
// the responder for every inbound stream (at most kMaxInboundStreamsPerPeer
// per peer; more are reset) and a client that pings a peer N times on one
// stream and reports each RTT.
#pragma once

#include <functional>
#include <unordered_map>
#include <vector>

#include "p2p/host/host.hpp"
#include "p2p/ping/ping.hpp"

namespace p2p::services {

class PingService {
 public:
  explicit PingService(Host& host);
  ~PingService();

  // Pings `peer` `count` times, one after the other on one stream. on_rtt
  // gets each RTT (ns) as it comes; done gets the final status.
  using OnRtt = std::function<void(uint64_t seq, uint64_t rtt_ns)>;
  using OnDone = std::function<void(net::Status)>;
  void ping(const PeerId& peer, uint64_t count, OnRtt on_rtt, OnDone done);

  size_t inbound_streams(const PeerId& peer) const;

 private:
  struct InStream;
  struct OutRun;
  void serve(Stream& s);

  Host& host_;
  std::unordered_map<PeerId, size_t> inbound_;
};

}  // namespace p2p::services
