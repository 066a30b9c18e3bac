// net/varint.hpp — the one varint of the project (STYLE.md §0).
//
// Two decoders share one encoder:
//  * uvarint: the multiformats unsigned-varint (specs.md §1.1): at most 9
//    bytes, minimal encoding only. Used by multiaddr, multihash, CID and every
//    libp2p length prefix.
//  * pb_varint: protobuf base-128 varints (specs.md §18): at most 10 bytes,
//    non-minimal encodings accepted as protobuf parsers must.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace net {

inline constexpr size_t kMaxUvarintLen = 9;    // multiformats: 63 bits
inline constexpr size_t kMaxPbVarintLen = 10;  // protobuf: 64 bits

enum class VarintStatus : uint8_t {
  ok,
  need_more,    // input ended inside the varint
  too_long,     // more bytes than allowed (or bits beyond 64 / 63)
  non_minimal,  // multiformats only: a trailing 0x00 group
};

const char* varint_status_name(VarintStatus s);

// Number of bytes uvarint_encode writes for v.
constexpr size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) { v >>= 7; ++n; }
  return n;
}

// Writes v into out (which must hold varint_len(v) bytes); returns bytes written.
inline size_t varint_encode(uint64_t v, uint8_t* out) {
  size_t n = 0;
  while (v >= 0x80) { out[n++] = static_cast<uint8_t>(v | 0x80); v >>= 7; }
  out[n++] = static_cast<uint8_t>(v);
  return n;
}

// Multiformats unsigned-varint. On ok, *value and *consumed are set.
VarintStatus uvarint_decode(std::span<const uint8_t> in, uint64_t* value, size_t* consumed);

// Protobuf varint (10 bytes max, non-minimal allowed, bits beyond 64 rejected).
VarintStatus pb_varint_decode(std::span<const uint8_t> in, uint64_t* value, size_t* consumed);

}  // namespace net
