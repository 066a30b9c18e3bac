// frontends/bridge/bridge_limits.hpp — the HTTP bridge's bounds.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace frontends::bridge {

// upstream (http.MaxBytesReader 16 MiB on POST /).
inline constexpr size_t kMaxBodyLen = 16 * 1024 * 1024;
// ours: JSON nesting of a request (messages, data parts, metadata).
inline constexpr size_t kMaxJsonDepth = 64;
// ours: parts in one message; history entries in one answer when the client
// asks for no limit (historyLength absent).
inline constexpr size_t kMaxParts = 256;
// ours: a blocking SendMessage / message/send waits this long for a
// terminal or interrupted state, then answers with the task as it is
// (within upstream's 60 s WriteTimeout, minus a margin).
inline constexpr uint64_t kBlockingWaitNs = 55 * net::kSecond;
// ours: open SSE streams and blocking waits per bridge (each holds one or
// two engine subscriptions; the engine allows 4096 in all).
inline constexpr size_t kMaxWaiters = 1024;
// ours: an SSE comment is sent on an idle stream this often, so proxies and
// clients see the connection alive.
inline constexpr uint64_t kKeepAliveNs = 15 * net::kSecond;

}  // namespace frontends::bridge
