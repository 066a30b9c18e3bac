// frontends/http/http_limits.hpp — every limit and timer of the HTTP/1.1
// server (STYLE.md §6). RFC 9110/9112 set no sizes ("a server ought to be
// able to handle ... at least 8000 octets" of request line, RFC 9112 §3);
// everything here is our policy unless marked "upstream" (the original
// daemon's Go http.Server settings, upstream.md §8.1: read 30 s, write 60 s,
// idle 120 s, bridge body 16 MiB).
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace frontends::http {

// ---- request head ----
// ours: request line + header lines + CRLFs, counted in raw bytes. nginx
// answers 400/431 past 4 x 8 KiB; Go's default is 1 MiB. Our clients (A2A,
// MCP, Prometheus, curl, browsers) send under 2 KiB.
inline constexpr size_t kMaxHeadLen = 16 * 1024;
// ours: request-target length (RFC 9112 §3 recommends supporting >= 8000).
inline constexpr size_t kMaxUrlLen = 8 * 1024;
// ours: header fields per request (Node.js default maxHeadersCount 2000 is
// far more than any client sends; browsers send ~20).
inline constexpr size_t kMaxHeaders = 100;

// ---- request body ----
// ours: default body limit of a listener; the bridge raises it to 16 MiB
// (upstream), metrics and health take no body at all.
inline constexpr size_t kMaxBodyLen = 1024 * 1024;
// ceiling for any configured body limit.
inline constexpr size_t kMaxBodyLenCeiling = 64 * 1024 * 1024;

// ---- connection ----
// ours: requests served on one connection before we answer with
// "Connection: close" (nginx keepalive_requests 1000).
inline constexpr size_t kMaxRequestsPerConn = 1000;
// ours: bytes of input buffered while a request is being answered
// (pipelined requests wait here, parsed one at a time, in order). Above
// kInputPauseLen the driver stops reading the socket; a read turn adds at
// most 64 KiB (net::kReadCapPerTurn), so the buffer never needs more.
inline constexpr size_t kInputPauseLen = 64 * 1024;
inline constexpr size_t kMaxInputLen = 192 * 1024;
// ours: output queued in the core. Streaming writers (SSE) see writable()
// false above the high-water mark and wait for the driver to drain; a whole
// response larger than kMaxOutputLen is refused (our bug, answered 500).
inline constexpr size_t kOutputHighWater = 256 * 1024;
inline constexpr size_t kMaxOutputLen = 32 * 1024 * 1024;
// ours: connections per listener; past it new connections are closed at
// once (the kernel backlog holds the rest).
inline constexpr size_t kMaxConnections = 1024;

// ---- timers ----
// ours: from the first byte of a request to the end of its head. This, not
// an idle timer, defeats slowloris: a client trickling one header byte per
// second still loses the connection after 10 s.
inline constexpr uint64_t kHeadTimeoutNs = 10 * net::kSecond;
// upstream (ReadTimeout 30 s): from the first byte of a request to the end
// of its body.
inline constexpr uint64_t kReadTimeoutNs = 30 * net::kSecond;
// upstream (WriteTimeout 60 s), applied as "no write progress for 60 s"
// while output is queued, so a long SSE stream to a reading client lives on.
inline constexpr uint64_t kWriteStallTimeoutNs = 60 * net::kSecond;
// upstream (IdleTimeout 120 s): a kept-alive connection with no request.
inline constexpr uint64_t kIdleTimeoutNs = 120 * net::kSecond;

}  // namespace frontends::http
