// frontends/grpc/grpc_limits.hpp — every limit and timing constant of the
// gRPC server (STYLE.md §6). Sources: specs.md §18 (grpc doc/PROTOCOL-HTTP2.md,
// doc/keepalive.md, grpc-go defaults) and RFC 9113. "spec" marks a value a
// spec or the reference implementations fix; "ours" marks our policy.
// Runtime-tunable ones are the defaults of frontends::grpc::Limits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace frontends::grpc {

// ---- messages ----
// spec (grpc C++/Go/Python default): largest request message we accept;
// over it the call ends with RESOURCE_EXHAUSTED.
inline constexpr uint32_t kMaxRecvMessageLen = 4 * 1024 * 1024;
// ours (grpc's default is unlimited): largest response we queue. 16 MiB is
// the A2A envelope cap, so a task that crossed the network always fits. Note
// that grpc clients refuse responses above their own 4 MiB default.
inline constexpr uint32_t kMaxSendMessageLen = 16 * 1024 * 1024;
// spec: the Length-Prefixed-Message header (flag u8 + length u32 BE).
inline constexpr size_t kMessagePrefixLen = 5;
// spec: grpc-timeout is at most 8 ASCII digits and a unit letter.
inline constexpr size_t kMaxTimeoutDigits = 8;
// ours: grpc-message is truncated to this many bytes (after percent-encoding)
// so a long error text never exceeds a client's header list limit.
inline constexpr size_t kMaxStatusMessageLen = 1024;

// ---- HTTP/2 (SETTINGS we send) ----
// ours (grpc-go: unlimited, grpc C++: unlimited, Python SDK needs ~3): streams
// a client may have open at once. nghttp2 refuses the excess (RST_STREAM
// REFUSED_STREAM before our SETTINGS are acknowledged, a connection error
// after).
inline constexpr uint32_t kMaxConcurrentStreams = 128;
// spec (grpc C++ GRPC_ARG_MAX_METADATA_SIZE default): request header list
// size (RFC 9113 §6.5.2: sum of name + value + 32 per field). Over it the
// call ends with RESOURCE_EXHAUSTED.
inline constexpr uint32_t kMaxHeaderListLen = 8 * 1024;
// ours: SETTINGS_INITIAL_WINDOW_SIZE. Bytes a client may send on one stream
// beyond what the handler has taken; it is what a paused client-streaming
// reader buffers at most (plus the message being assembled).
inline constexpr uint32_t kStreamWindow = 256 * 1024;
// ours: connection receive window (WINDOW_UPDATE on stream 0 at start).
// Connection-level data is acknowledged as it arrives, so this only paces
// throughput; kConnRecvBufferLimit bounds the memory.
inline constexpr uint32_t kConnWindow = 1024 * 1024;
// ours: RST_STREAM rate limit (token bucket: burst, per second; nghttp2's
// CVE-2023-44487 defaults are 1000 and 33/s). gRPC clients cancel server
// streams as normal operation — the SDKs end each task's
// SubscribeTaskUpdates with RST_STREAM(CANCEL) — so nghttp2's default sent
// GOAWAY to a client after ~1000 tasks at more than 33 tasks/s (task_bench
// found it). The budget is above the API's task rate; what a reset stream
// can cost stays bounded by kMaxConcurrentStreams and the one loop thread.
inline constexpr uint64_t kStreamResetBurst = 20000;
inline constexpr uint64_t kStreamResetRate = 10000;
// spec (nghttp2 default, Debian's CVE-2024-28182 patch): CONTINUATION
// frames per header block.
inline constexpr size_t kMaxContinuations = 8;
// spec (nghttp2 default): queued SETTINGS/PING acks before the connection
// is dropped (a client flooding PINGs without reading our acks).
inline constexpr size_t kMaxOutboundAck = 1000;

// ---- memory per connection / per stream ----
// ours: request bytes buffered over all streams of one connection (messages
// being assembled + messages a paused reader has not taken). The stream
// whose data would cross it ends with RESOURCE_EXHAUSTED.
inline constexpr size_t kConnRecvBufferLimit = 32 * 1024 * 1024;
// ours: a stream's queue of framed response messages. write() reports
// Flow::blocked above it and refuses (Flow::full) once it is exceeded, so a
// stream holds at most this plus one message. A client that never reads
// stops the producer at this mark.
inline constexpr size_t kStreamOutHighWater = 64 * 1024;
// ours: on_writable fires when a blocked stream's queue is back at or below this.
inline constexpr size_t kStreamOutLowWater = 16 * 1024;
// ours: memory nghttp2 itself may allocate for one connection (HPACK tables,
// stream objects, queued control frames); an allocation beyond it fails and
// the connection is dropped. An idle connection uses ~10 KiB (README).
inline constexpr size_t kSessionMemLimit = 2 * 1024 * 1024;
// ours: accepted connections per Server; more are closed at once.
inline constexpr size_t kMaxConnections = 256;

// ---- keepalive (doc/keepalive.md, grpc-go ServerParameters / EnforcementPolicy) ----
// spec: the server pings after this long without receiving anything.
inline constexpr uint64_t kKeepaliveTimeNs = 2 * 3600 * net::kSecond;
// spec: ... and drops the connection if nothing arrives within this.
inline constexpr uint64_t kKeepaliveTimeoutNs = 20 * net::kSecond;
// spec (GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS): a client
// PING sooner than this after the previous one, while calls are open and
// without us sending HEADERS/DATA in between, is a strike.
inline constexpr uint64_t kMinRecvPingIntervalNs = 5 * 60 * net::kSecond;
// spec (grpc-go, permit_without_stream = false): same with no call open.
inline constexpr uint64_t kMinRecvPingIntervalIdleNs = 2 * 3600 * net::kSecond;
// spec (GRPC_ARG_HTTP2_MAX_PING_STRIKES): more strikes than this ->
// GOAWAY ENHANCE_YOUR_CALM "too_many_pings".
inline constexpr uint32_t kMaxPingStrikes = 2;

// ---- connection lifecycle ----
// ours: the client preface and first SETTINGS must arrive within this.
inline constexpr uint64_t kPrefaceTimeoutNs = 10 * net::kSecond;
// spec (doc/PROTOCOL-HTTP2.md graceful shutdown): after the first GOAWAY
// (last-stream-id 2^31-1) and a PING, the final GOAWAY follows the PING ack
// or this timeout.
inline constexpr uint64_t kShutdownPingTimeoutNs = 1 * net::kSecond;
// ours: open calls get this long to finish after the final GOAWAY; then they
// are cancelled (UNAVAILABLE) and the connection closes. The SDKs SIGKILL
// the daemon 5 s after SIGTERM.
inline constexpr uint64_t kShutdownGraceNs = 2 * net::kSecond;

}  // namespace frontends::grpc
