// p2p/host/host_limits.hpp — every limit of the libp2p host: connections,
// handshakes, dials, the peer store. Sources: DESIGN.md §Limits, hardening.md
// §1 (go resource manager, js connection manager defaults). "impl" marks what
// go/js do; "ours" our policy. HostLimits holds the runtime-tunable ones.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace p2p {

// impl (js inbound upgrade timeout 10 s, go accept timeout 15 s): security +
// muxer negotiation of a connection must finish within this.
inline constexpr uint64_t kUpgradeTimeoutNs = 10 * net::kSecond;
// ours: raw bytes queued before Noise takes over (a multistream header and
// one proposal or echo: well under 2 KiB).
inline constexpr size_t kMaxPreNoiseOutput = 4096;

// ours: connections in total. go's system scope is 128 + 128/GiB; we hold
// ~10 KiB per idle connection, so a higher number is affordable.
inline constexpr size_t kMaxConnections = 4096;
// impl (go peer scope: 8 inbound + 16 outbound).
inline constexpr size_t kMaxConnectionsPerPeer = 8;
// impl (go transient scope 64, js maxIncomingPendingConnections 10): inbound
// connections still negotiating; more are closed at accept.
inline constexpr size_t kMaxInboundHandshakes = 64;
// ours: outbound dials in flight (js maxParallelDials 100).
inline constexpr size_t kMaxDialsInFlight = 128;
// impl (js per-address dial timeout 6 s, dial timeout 10 s): TCP connect +
// upgrade of one address, and the whole dial of a peer.
inline constexpr uint64_t kDialAddrTimeoutNs = 6 * net::kSecond;
inline constexpr uint64_t kDialTimeoutNs = 10 * net::kSecond;
// impl (js MAX_PEER_ADDRS_TO_DIAL 25): addresses tried per dial.
inline constexpr size_t kMaxAddrsPerDial = 25;

// ours: streams per connection negotiating their protocol at once (rust
// max_negotiating_inbound_streams 128).
inline constexpr size_t kMaxNegotiatingStreams = 128;

// Peer store (hardening.md row 5 and 7: go caps addrs and protocols per peer).
inline constexpr size_t kMaxPeers = 10000;            // ours: then forget the stalest disconnected
inline constexpr size_t kMaxAddrsPerPeer = 64;        // ours
inline constexpr size_t kMaxProtocolsPerPeer = 256;   // impl (go 0.49 identify cap)
inline constexpr size_t kMaxAgentVersionLen = 256;    // ours

// Bootstrap peers: re-dialed with exponential back-off while disconnected.
inline constexpr uint64_t kBootstrapBackoffMinNs = 1 * net::kSecond;
inline constexpr uint64_t kBootstrapBackoffMaxNs = 5 * 60 * net::kSecond;

// ours: a graceful close waits this long for the GoAway and buffered bytes to
// flush before the socket is reset.
inline constexpr uint64_t kCloseFlushTimeoutNs = 2 * net::kSecond;

struct HostLimits {
  size_t max_connections = kMaxConnections;
  size_t max_connections_per_peer = kMaxConnectionsPerPeer;
  size_t max_inbound_handshakes = kMaxInboundHandshakes;
  size_t max_dials_in_flight = kMaxDialsInFlight;
  size_t max_negotiating_streams = kMaxNegotiatingStreams;
  uint64_t upgrade_timeout_ns = kUpgradeTimeoutNs;
  uint64_t dial_addr_timeout_ns = kDialAddrTimeoutNs;
  uint64_t dial_timeout_ns = kDialTimeoutNs;
};

}  // namespace p2p
