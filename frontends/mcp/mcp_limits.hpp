// frontends/mcp/mcp_limits.hpp — limits of the MCP transports (all ours:
// the MCP spec sets none).
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace frontends::mcp {

// Largest JSON-RPC message accepted (a stdio line, an HTTP POST body).
// Tool arguments are short texts; 4 MiB leaves room for a long message.
inline constexpr size_t kMaxMessageLen = 4 * 1024 * 1024;
// stdio: answers queued for a client that does not read stdout. Above the
// high-water mark stdin is not read (no new requests); at the limit the
// answer is dropped (logged once).
inline constexpr size_t kStdoutHighWater = 1024 * 1024;
inline constexpr size_t kStdoutLimit = 64 * 1024 * 1024;
// Streamable HTTP: live sessions; the least recently used one is dropped
// past this (its client gets 404 and re-initializes, as the spec says).
inline constexpr size_t kMaxSessions = 256;
// Streamable HTTP: a session unused this long is dropped.
inline constexpr uint64_t kSessionIdleNs = 3600 * net::kSecond;

}  // namespace frontends::mcp
