#include "p2p/multiformats/multihash.hpp"

#include "crypto/hash.hpp"

namespace p2p {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;

namespace {

// Digest lengths fixed by the hash function.
size_t fixed_digest_len(uint64_t code) {
  switch (code) {
    case mh::kSha2_256: return 32;
    case mh::kSha2_512: return 64;
    case mh::kBlake2b256: return 32;
    default: return 0;
  }
}

Result<uint64_t> read_varint(net::Reader& r, const char* what) {
  const size_t at = r.pos();
  uint64_t v = 0;
  net::VarintStatus why;
  if (!r.uvarint(v, &why))
    return {Err::proto, std::string("multihash: ") + net::varint_status_name(why) + " for " + what +
                            " at byte " + std::to_string(at)};
  return v;
}

}  // namespace

std::string multicodec_hex(uint64_t v) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kHex[v & 15]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

std::string multihash_name(uint64_t code) {
  switch (code) {
    case mh::kIdentity: return "identity";
    case mh::kSha2_256: return "sha2-256";
    case mh::kSha2_512: return "sha2-512";
    case mh::kBlake2b256: return "blake2b-256";
    default: return multicodec_hex(code);
  }
}

Result<Multihash> Multihash::read(net::Reader& r) {
  net::Reader probe = r;  // commit only on success
  auto code = read_varint(probe, "code");
  if (!code) return code.take_error();
  const size_t len_at = probe.pos();
  auto len = read_varint(probe, "length");
  if (!len) return len.take_error();
  if (*len > kMaxMultihashDigestLen)
    return {Err::limit, "multihash: digest length " + std::to_string(*len) + " exceeds the limit of " +
                            std::to_string(kMaxMultihashDigestLen) + " at byte " + std::to_string(len_at)};
  if (const size_t want = fixed_digest_len(*code); want != 0 && *len != want)
    return {Err::proto, "multihash: " + multihash_name(*code) + " digest length " + std::to_string(*len) +
                            ", expected " + std::to_string(want) + " at byte " + std::to_string(len_at)};
  BytesView digest;
  if (!probe.take(*len, digest))
    return {Err::proto, "multihash: digest length " + std::to_string(*len) + " but " +
                            std::to_string(probe.left()) + " bytes follow at byte " +
                            std::to_string(probe.pos())};
  r = probe;
  return Multihash{*code, Bytes(digest.begin(), digest.end())};
}

Result<Multihash> Multihash::from_bytes(BytesView b) {
  net::Reader r(b);
  auto m = read(r);
  if (!m) return m;
  if (!r.empty())
    return {Err::proto, "multihash: trailing bytes after the digest at byte " + std::to_string(r.pos())};
  return m;
}

size_t Multihash::encoded_len() const {
  return net::varint_len(code) + net::varint_len(digest.size()) + digest.size();
}

void Multihash::write(net::Writer& w) const {
  w.varint(code);
  w.lp_bytes(digest);
}

Bytes Multihash::bytes() const {
  Bytes out;
  out.reserve(encoded_len());
  net::Writer w(out);
  write(w);
  return out;
}

Multihash multihash_identity(BytesView data) { return Multihash{mh::kIdentity, Bytes(data.begin(), data.end())}; }

Multihash multihash_sha256(BytesView data) {
  const auto d = crypto::sha256(data);
  return Multihash{mh::kSha2_256, Bytes(d.begin(), d.end())};
}

}  // namespace p2p
