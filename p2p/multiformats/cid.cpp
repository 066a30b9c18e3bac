#include "p2p/multiformats/cid.hpp"

namespace p2p {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;

namespace {
constexpr size_t kCidV0Len = 34;     // 12 20 <32-byte sha2-256 digest>
constexpr size_t kCidV0TextLen = 46;  // base58btc of the 34 bytes
}  // namespace

std::string codec_name(uint64_t codec) {
  switch (codec) {
    case multicodec::kRaw: return "raw";
    case multicodec::kDagPb: return "dag-pb";
    case multicodec::kDagCbor: return "dag-cbor";
    case multicodec::kLibp2pKey: return "libp2p-key";
    case multicodec::kDagJson: return "dag-json";
    case multicodec::kJson: return "json";
    default: return multicodec_hex(codec);
  }
}

Cid Cid::v0(Multihash sha256) { return Cid{0, multicodec::kDagPb, std::move(sha256)}; }
Cid Cid::v1(uint64_t codec, Multihash hash) { return Cid{1, codec, std::move(hash)}; }

Result<Cid> Cid::from_bytes(BytesView b) {
  if (b.empty()) return {Err::proto, "cid: empty input"};
  // CIDv0: a bare sha2-256 multihash.
  if (b.size() == kCidV0Len && b[0] == 0x12 && b[1] == 0x20) {
    auto m = Multihash::from_bytes(b);
    if (!m) return {m.err(), "cid: " + m.what()};
    return v0(m.take());
  }
  net::Reader r(b);
  uint64_t version = 0, codec = 0;
  net::VarintStatus why;
  if (!r.uvarint(version, &why))
    return {Err::proto, std::string("cid: ") + net::varint_status_name(why) + " for version at byte 0"};
  if (version == 2 || version == 3)
    return {Err::proto, "cid: reserved version " + std::to_string(version) + " at byte 0"};
  if (version != 1)
    return {Err::proto, "cid: invalid version " + std::to_string(version) + " at byte 0"};
  const size_t codec_at = r.pos();
  if (!r.uvarint(codec, &why))
    return {Err::proto, std::string("cid: ") + net::varint_status_name(why) + " for codec at byte " +
                            std::to_string(codec_at)};
  // Multihash::read reports offsets from the reader's start: the CID's.
  auto m = Multihash::read(r);
  if (!m) return {m.err(), "cid: " + m.what()};
  if (!r.empty())
    return {Err::proto, "cid: trailing bytes after the multihash at byte " + std::to_string(r.pos())};
  return v1(codec, m.take());
}

Result<Cid> Cid::parse(std::string_view text) {
  if (text.empty()) return {Err::proto, "cid: empty input"};
  if (text.size() > kMaxCidTextLen)
    return {Err::limit, "cid: " + std::to_string(text.size()) + " characters exceed the limit of " +
                            std::to_string(kMaxCidTextLen)};
  if (text.size() == kCidV0TextLen && text.substr(0, 2) == "Qm") {
    auto b = multibase::base58btc_decode(text);
    if (!b) return {b.err(), "cid: " + b.what()};
    if (b->size() != kCidV0Len || (*b)[0] != 0x12 || (*b)[1] != 0x20)
      return {Err::proto, "cid: CIDv0 text is not a sha2-256 multihash"};
    return from_bytes(*b);
  }
  auto d = multibase::decode(text, kMaxCidTextLen);
  if (!d) return {d.err(), "cid: " + d.what()};
  if (!d->bytes.empty() && d->bytes[0] == 0x12)
    return {Err::proto, "cid: multibase-encoded CIDv0 is not allowed"};
  return from_bytes(d->bytes);
}

Bytes Cid::bytes() const {
  if (version == 0) return hash.bytes();
  Bytes out;
  net::Writer w(out);
  w.varint(version);
  w.varint(codec);
  hash.write(w);
  return out;
}

std::string Cid::to_string(multibase::Base base) const {
  if (version == 0) return multibase::base58btc_encode(bytes());
  return multibase::encode(base, bytes());
}

Cid cid_for_dht_key(BytesView data) { return Cid::v1(multicodec::kRaw, multihash_sha256(data)); }

}  // namespace p2p
