// frontends/json/json_limits.hpp — every limit of the JSON parse helpers and
// writer (STYLE.md §6). No JSON spec bounds depth or size (RFC 8259 §9 lets
// a parser set limits); all values here are our policy.
#pragma once

#include <cstddef>

namespace frontends::json {

// ours: deepest nesting of arrays/objects a parse accepts; the outermost
// container is depth 1, so "[[1]]" has depth 2. simdjson's default (1024)
// is far beyond any A2A, MCP or ANP message (the deepest real shapes are
// ~10: request > params > message > parts > part > data > user JSON), and
// every level costs the consumer a recursion frame when it walks the tree.
inline constexpr size_t kMaxDepth = 64;
// ours: largest JSON text a parse accepts by default. The bridge's body limit
// (upstream.md §8.1: 16 MiB) passes its own, larger, limit.
inline constexpr size_t kMaxDocumentLen = 1024 * 1024;
// ours: hard ceiling for any configured limit (simdjson's own maximum is
// 4 GiB; we never hold more than one bridge body).
inline constexpr size_t kMaxDocumentLenCeiling = 64 * 1024 * 1024;
// ours: simdjson buffers a Parser keeps between documents; after a larger
// one it shrinks back to this, so one 16 MiB bridge body does not pin
// ~50 MiB of tape for the life of the process.
inline constexpr size_t kParserKeepCapacity = 1024 * 1024;
// ours: the writer's container stack (our own code nests; a bound turns a
// runaway recursion into a sticky error instead of a crash).
inline constexpr size_t kMaxWriteDepth = 256;

}  // namespace frontends::json
