// frontends/mcp_proxy/mcp_proxy_limits.hpp — limits and timeouts of the MCP
// proxy (-mcp-proxy). The 60 s tool-call timeout is the original's
// (upstream.md §8.3); every other value is ours (the MCP spec sets none).
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/clock.hpp"

namespace frontends::mcp_proxy {

// Longest line (one JSON-RPC message) read from the server's stdout. A
// longer one cannot be matched to its call: every pending call fails.
inline constexpr size_t kMaxLineLen = 4 * 1024 * 1024;
// Longest stderr line copied into our log (the rest of the line is cut).
inline constexpr size_t kMaxStderrLineLen = 8 * 1024;
// Tool calls waiting for their answer; one more is failed at once.
inline constexpr size_t kMaxPendingCalls = 64;
// Bytes queued for the server's stdin; a server that stops reading makes
// further calls fail instead of growing memory.
inline constexpr size_t kMaxStdinQueued = 16 * 1024 * 1024;
// Tool arguments (the task's first text part, re-serialized).
inline constexpr size_t kMaxArgumentsLen = 1024 * 1024;
// One tools/call (original: 60 s).
inline constexpr uint64_t kCallTimeoutNs = 60 * net::kSecond;
// initialize + every tools/list page, from the spawn.
inline constexpr uint64_t kHandshakeTimeoutNs = 30 * net::kSecond;
// Tools offered as skills (the rest are ignored, logged), tools/list pages
// followed, and the size of one tool's input schema kept on the card.
inline constexpr size_t kMaxTools = 1024;
inline constexpr size_t kMaxListPages = 64;
inline constexpr size_t kMaxSchemaLen = 64 * 1024;
// Nesting accepted in the server's messages (results are re-serialized
// recursively, so this bounds our stack).
inline constexpr size_t kMaxJsonDepth = 128;
// Tool name length (MCP 2025-11-25 guidance: 1..128 characters).
inline constexpr size_t kMaxToolNameLen = 128;
// Restart back-off after the server exits or fails its handshake: 1 s
// doubling to 60 s; back to 1 s once a handshake succeeds.
inline constexpr uint64_t kRestartMinNs = 1 * net::kSecond;
inline constexpr uint64_t kRestartMaxNs = 60 * net::kSecond;
// Shutdown (specs.md §16.1 stdio): stdin closed, then SIGTERM after this
// grace, then SIGKILL after the same grace again.
inline constexpr uint64_t kStopGraceNs = 500 * net::kMillisecond;
// A command line: words and total length.
inline constexpr size_t kMaxCommandWords = 256;
inline constexpr size_t kMaxCommandLen = 64 * 1024;

}  // namespace frontends::mcp_proxy
