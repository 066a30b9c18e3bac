// proto/runtime/pb_limits.hpp — every limit of the protobuf decoder.
//
// Protobuf itself only caps a message at 2 GiB and field numbers at 2^29-1
// (protobuf.dev "Encoding"); everything else here is our policy, chosen so
// that a hostile input cannot make a decode allocate much more than its own
// size or recurse deeply. Protocols pass tighter limits (identify 8 KiB,
// relay 4 KiB, …) through pb::Limits; crossing one gives Err::limit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pb {

inline constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;  // spec

// ours: the largest frame any caller takes (A2A envelope, upstream.md §3.2).
inline constexpr size_t kMaxMessageLen = 16 * 1024 * 1024;
// ours: nested messages (map entries and groups count) below the top level.
// protobuf C++ allows 100; 64 leaves room on a 64 KiB coroutine stack.
inline constexpr uint32_t kMaxDepth = 64;
// ours: elements of one repeated or map field (packed values count one each).
inline constexpr uint32_t kMaxRepeated = 16384;
// ours: repeated elements + map entries + sub-messages in one decode. An
// empty sub-message costs 2 bytes on the wire and up to a few hundred in
// memory, so this bounds the allocation amplification.
inline constexpr uint32_t kMaxElements = 65536;

struct Limits {
  size_t max_message_len = kMaxMessageLen;
  uint32_t max_depth = kMaxDepth;
  uint32_t max_repeated = kMaxRepeated;
  uint32_t max_elements = kMaxElements;
};

}  // namespace pb
