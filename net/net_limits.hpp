// net/net_limits.hpp — every limit and timing constant of net/ (STYLE.md §6).
// All are our policy (no spec governs them); sources noted per line.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace net {

// Loop fairness (STYLE.md §9): bytes read from one fd per turn; the loop's
// shared read buffer has this size.
inline constexpr size_t kReadCapPerTurn = 64 * 1024;
// Connections accepted from one listening socket per turn.
inline constexpr size_t kAcceptsPerTurn = 64;
// After EMFILE/ENFILE/ENOBUFS/ENOMEM from accept4: stop accepting for this
// long (pending connections wait in the kernel backlog) and retry.
inline constexpr uint64_t kAcceptBackoffNs = 100 * kMillisecond;
// listen(2) backlog: go-libp2p/yamux AcceptBacklog (hardening.md) and
// somaxconn's default.
inline constexpr int kListenBacklog = 256;

// TcpStream defaults (TcpStreamOptions).
inline constexpr size_t kTcpOutLimit = 4 * 1024 * 1024;  // bytes queued for the kernel, hard cap
inline constexpr size_t kTcpHighWater = 256 * 1024;      // owner stops producing above this
inline constexpr size_t kTcpLowWater = 64 * 1024;        // on_drain when back at or below this
inline constexpr uint64_t kTcpConnectTimeoutNs = 10 * kSecond;  // go-libp2p dials time out at 10 s
inline constexpr uint64_t kTcpCloseTimeoutNs = 5 * kSecond;     // flush + wait for peer EOF

// UDP datagrams (mDNS packets fit in 9000 bytes, RFC 6762 §17).
inline constexpr size_t kUdpMaxDatagram = 65535;

}  // namespace net
