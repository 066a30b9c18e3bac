// frontends/a2a_client/a2a_client_limits.hpp — every limit and timer of the
// outbound A2A client (routing SendTask{url} to external HTTP(S) agents).
// All ours: the A2A specs set no sizes; the original's outbound bridge used
// Go's http.Client defaults (no response limit, no timeout).
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace frontends::a2a_client {

// ---- URL ----
// The agent's URL as given to SendTask (browsers accept ~2 MB; agents'
// endpoints are short).
inline constexpr size_t kMaxUrlLen = 2048;

// ---- response ----
// Status line + header lines, raw bytes (as our server's request head).
inline constexpr size_t kMaxHeadLen = 64 * 1024;
inline constexpr size_t kMaxHeaders = 100;
// JSON-RPC response body: the bridge accepts 16 MiB requests (upstream), so
// an agent's task with its artifacts is allowed as much.
inline constexpr size_t kMaxResponseLen = 16 * 1024 * 1024;
// Bytes of an error body quoted in a message ("agent answered HTTP 502: ...").
inline constexpr size_t kQuotedBodyLen = 200;

// ---- timers ----
// TCP connect to the agent.
inline constexpr uint64_t kConnectTimeoutNs = 10 * net::kSecond;
// From the TCP connection to the end of the TLS handshake.
inline constexpr uint64_t kTlsHandshakeTimeoutNs = 10 * net::kSecond;
// From the request written to the whole response read. message/send is
// sent non-blocking, so an agent answers at once; 60 s is the bridge's
// write timeout (upstream).
inline constexpr uint64_t kResponseTimeoutNs = 60 * net::kSecond;
// Following a task (tasks/get): first poll after kPollFirstNs, doubling up
// to kPollMaxIntervalNs; after kMaxPollDurationNs without a terminal state
// the local task fails ("agent ... did not finish within 24h").
inline constexpr uint64_t kPollFirstNs = 200 * net::kMillisecond;
inline constexpr uint64_t kPollMaxIntervalNs = 30 * net::kSecond;
inline constexpr uint64_t kMaxPollDurationNs = 24 * 3600 * net::kSecond;
// Consecutive failed polls (connection refused, timeout, bad answer)
// before the local task fails: with the back-off, about 2 min of an agent
// that is down.
inline constexpr int kMaxPollFailures = 8;

// ---- concurrency ----
// URL tasks followed at once (each holds at most one connection at a time);
// SendTask{url} beyond it answers RESOURCE_EXHAUSTED.
inline constexpr size_t kMaxActiveTasks = 1024;

}  // namespace frontends::a2a_client
