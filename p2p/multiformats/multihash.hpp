// p2p/multiformats/multihash.hpp — <uvarint code><uvarint len><digest>
// (specs.md §1.3).
#pragma once

#include <cstdint>
#include <string>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/multiformats/multiformats_limits.hpp"

namespace p2p {

// Hash function codes (multicodec table.csv, tag "multihash").
namespace mh {
inline constexpr uint64_t kIdentity = 0x00;
inline constexpr uint64_t kSha2_256 = 0x12;
inline constexpr uint64_t kSha2_512 = 0x13;
inline constexpr uint64_t kBlake2b256 = 0xb220;
}  // namespace mh

struct Multihash {
  uint64_t code = mh::kIdentity;
  net::Bytes digest;

  // Exactly one multihash filling all of `b`. Errors (Err::proto unless
  // noted), offsets are bytes into `b`:
  //   "multihash: truncated varint for code at byte 0"
  //   "multihash: non-minimal varint for length at byte 1"
  //   "multihash: digest length 32 but 31 bytes follow at byte 2"
  //   "multihash: sha2-256 digest length 31, expected 32 at byte 1"
  //   "multihash: trailing bytes after the digest at byte 34"
  //   Err::limit "multihash: digest length 200 exceeds the limit of 128 at byte 1"
  static net::Result<Multihash> from_bytes(net::BytesView b);
  // One multihash at the reader's position (the rest is left for the caller);
  // error offsets are r.pos() based. Nothing is consumed on error.
  static net::Result<Multihash> read(net::Reader& r);

  net::Bytes bytes() const;
  void write(net::Writer& w) const;
  size_t encoded_len() const;

  friend bool operator==(const Multihash&, const Multihash&) = default;
};

// "0x72": a multicodec code in hex, for messages.
std::string multicodec_hex(uint64_t code);
// "identity", "sha2-256", ... or "0x..." for codes we do not name.
std::string multihash_name(uint64_t code);

Multihash multihash_identity(net::BytesView data);
Multihash multihash_sha256(net::BytesView data);

}  // namespace p2p
