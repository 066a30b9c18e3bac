#include "p2p/peer_id.hpp"

#include "p2p/multiformats/multiformats_limits.hpp"

namespace p2p {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;

PeerId PeerId::from_public_key_proto(BytesView pubkey_proto) {
  // specs.md §2: identity if the proto is at most 42 bytes, else sha2-256.
  const Multihash m = pubkey_proto.size() <= kMaxInlineKeyLen ? multihash_identity(pubkey_proto)
                                                              : multihash_sha256(pubkey_proto);
  return PeerId(m.bytes());
}

Result<PeerId> PeerId::from_bytes(BytesView b) {
  if (b.empty()) return {Err::proto, "peerid: empty input"};
  auto m = Multihash::from_bytes(b);
  if (!m) return {m.err(), "peerid: " + m.what()};
  if (m->code == mh::kIdentity) {
    if (m->digest.size() > kMaxInlineKeyLen)
      return {Err::proto, "peerid: identity digest of " + std::to_string(m->digest.size()) +
                              " bytes exceeds " + std::to_string(kMaxInlineKeyLen)};
  } else if (m->code != mh::kSha2_256) {
    // (Multihash already checked that a sha2-256 digest is 32 bytes.)
    return {Err::proto, "peerid: unsupported multihash " + multihash_name(m->code) +
                            ", expected identity or sha2-256"};
  }
  return PeerId(Bytes(b.begin(), b.end()));
}

Result<PeerId> PeerId::parse(std::string_view text) {
  if (text.empty()) return {Err::proto, "peerid: empty input"};
  if (text.size() > kMaxPeerIdTextLen)
    return {Err::limit, "peerid: " + std::to_string(text.size()) + " characters exceed the limit of " +
                            std::to_string(kMaxPeerIdTextLen)};
  // peer-ids.md "Decoding": '1' or "Qm" means a bare base58btc multihash.
  if (text[0] == '1' || text.substr(0, 2) == "Qm") {
    auto b = multibase::base58btc_decode(text, kMaxPeerIdTextLen);
    if (!b) return {b.err(), "peerid: " + b.what()};
    auto id = from_bytes(*b);
    // base58btc is one-to-one (leading '1's are the leading zero bytes), so
    // the text is what to_base58() would print: keep it.
    if (id) id->base58_ = std::string(text);
    return id;
  }
  auto c = Cid::parse(text);
  if (!c) return {c.err(), "peerid: " + c.what()};
  if (c->version != 1 || c->codec != multicodec::kLibp2pKey)
    return {Err::proto, "peerid: CID codec " + codec_name(c->codec) + " (" + multicodec_hex(c->codec) +
                            ") is not libp2p-key (0x72)"};
  return from_bytes(c->hash.bytes());
}

std::string PeerId::to_base58() const {
  if (base58_.empty() && !mh_.empty()) base58_ = multibase::base58btc_encode(mh_);
  return base58_;
}

Cid PeerId::to_cid() const {
  auto m = Multihash::from_bytes(mh_);
  return Cid::v1(multicodec::kLibp2pKey, m ? m.take() : Multihash{});
}

std::string PeerId::to_cid_string() const { return to_cid().to_string(multibase::Base::base32); }

std::string PeerId::short_string() const {
  const std::string s = to_base58();
  constexpr size_t kShown = 6;
  return s.size() <= kShown ? s : "\xe2\x80\xa6" + s.substr(s.size() - kShown);  // U+2026 "…"
}

BytesView PeerId::extract_public_key_proto() const {
  if (!is_identity()) return {};
  net::Reader r(mh_);
  uint64_t code = 0, len = 0;
  BytesView digest;
  if (!r.uvarint(code) || !r.uvarint(len) || !r.take(len, digest)) return {};
  return digest;
}

}  // namespace p2p
