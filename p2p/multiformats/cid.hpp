// p2p/multiformats/cid.hpp — content identifiers (specs.md §1.4,
// multiformats/cid README "Decoding Algorithm").
//
// CIDv1 binary: <uvarint 1><uvarint codec><multihash>; text: multibase,
// base32 `b` by default. CIDv0: a bare sha2-256 multihash (34 bytes), text
// `Qm…` bare base58btc, codec implicitly dag-pb.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/multiformats/multibase.hpp"
#include "p2p/multiformats/multihash.hpp"

namespace p2p {

// Content codecs (multicodec table.csv).
namespace multicodec {
inline constexpr uint64_t kRaw = 0x55;
inline constexpr uint64_t kDagPb = 0x70;
inline constexpr uint64_t kDagCbor = 0x71;
inline constexpr uint64_t kLibp2pKey = 0x72;
inline constexpr uint64_t kDagJson = 0x0129;
inline constexpr uint64_t kJson = 0x0200;
}  // namespace multicodec

// "raw", "dag-pb", "libp2p-key", ... or "0x..." for codes we do not name.
std::string codec_name(uint64_t codec);

struct Cid {
  uint64_t version = 1;  // 0 or 1
  uint64_t codec = multicodec::kRaw;
  Multihash hash;

  static Cid v0(Multihash sha256);  // caller passes a sha2-256 multihash
  static Cid v1(uint64_t codec, Multihash hash);

  // Binary CID, v0 (34 bytes 12 20 …) or v1. Errors (Err::proto), offsets in
  // bytes: "cid: empty input", "cid: reserved version 2 at byte 0",
  // "cid: invalid version 5 at byte 0", "cid: truncated varint for codec at
  // byte 1", and multihash errors prefixed "cid: " with CID-relative offsets.
  static net::Result<Cid> from_bytes(net::BytesView b);
  // Text CID: 46 chars starting "Qm" is v0 (bare base58btc); anything else is
  // multibase. "cid: multibase-encoded CIDv0 is not allowed" when the decoded
  // bytes start with 0x12. Err::limit beyond kMaxCidTextLen characters.
  static net::Result<Cid> parse(std::string_view text);

  net::Bytes bytes() const;
  // v0: bare base58btc (its only text form); v1: multibase in `base`.
  std::string to_string(multibase::Base base = multibase::Base::base32) const;

  friend bool operator==(const Cid&, const Cid&) = default;
};

// The CID the DHT uses for a content key: CIDv1(raw, sha2-256(data)).
// (specs.md §1.4: go-libp2p-kad-dht then sends only cid.hash.bytes().)
Cid cid_for_dht_key(net::BytesView data);

}  // namespace p2p
