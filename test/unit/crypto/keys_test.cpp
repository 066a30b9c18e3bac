#include <doctest/doctest.h>

#include <string>

#include "crypto/keys.hpp"
#include "crypto/keys_limits.hpp"
#include "crypto/key_vectors.hpp"
#include "net/bytes.hpp"
#include "proto/libp2p/crypto.pb.hpp"

using namespace crypto;
using namespace keyvec;

namespace {

net::Bytes H(const std::string& hex) {
  net::Bytes b;
  REQUIRE(net::from_hex(hex, &b));
  return b;
}

net::Bytes msg() { return net::to_bytes(kGoMessage); }

// Decodes `hex` and expects the exact error.
void expect_refused(const net::Bytes& in, net::Err code, const std::string& what) {
  auto r = unmarshal_public_key(in);
  REQUIRE_FALSE(r);
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

net::Bytes proto(uint8_t type, const net::Bytes& data) {
  return marshal_public_key(PublicKey{static_cast<KeyType>(type), data});
}

// --- a tiny DER writer, to build RSA keys of chosen sizes --------------------
net::Bytes der(uint8_t tag, const net::Bytes& content) {
  net::Bytes out{tag};
  const size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else if (n < 0x100) {
    out.insert(out.end(), {0x81, static_cast<uint8_t>(n)});
  } else {
    out.insert(out.end(), {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)});
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}
net::Bytes cat(std::initializer_list<net::Bytes> parts) {
  net::Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
// SubjectPublicKeyInfo of an RSA "key" whose modulus is 2^(bits-1) + 1 (not
// a real key: parsing and the size check do not care), e = 65537.
net::Bytes rsa_spki_of_bits(int bits) {
  net::Bytes n((bits + 7) / 8, 0);
  n[0] = static_cast<uint8_t>(1u << ((bits - 1) % 8));
  n.back() |= 1;
  if (n[0] & 0x80) n.insert(n.begin(), 0);
  const net::Bytes rsa_pub = der(0x30, cat({der(0x02, n), der(0x02, {0x01, 0x00, 0x01})}));
  net::Bytes bitstr{0x00};
  bitstr.insert(bitstr.end(), rsa_pub.begin(), rsa_pub.end());
  const net::Bytes alg = H("300d06092a864886f70d0101010500");
  return der(0x30, cat({alg, der(0x03, bitstr)}));
}

}  // namespace

// ---- spec and go-libp2p vectors ---------------------------------------------

TEST_CASE("keys: spec public key vectors decode and re-encode byte for byte") {
  struct V {
    const char* hex;
    KeyType type;
    size_t data_len;
  } vs[] = {
      {kSpecEd25519Pub, KeyType::ed25519, 32}, {kSpecSecp256k1Pub, KeyType::secp256k1, 33},
      {kSpecEcdsaPub, KeyType::ecdsa, 91},     {kSpecRsaPub, KeyType::rsa, 550},
      {kGoRsaPub, KeyType::rsa, 294},          {kGoSecp256k1Pub, KeyType::secp256k1, 33},
      {kGoEcdsaPub, KeyType::ecdsa, 91},
  };
  for (const auto& v : vs) {
    CAPTURE(v.hex);
    const net::Bytes in = H(v.hex);
    auto k = unmarshal_public_key(in);
    REQUIRE_MESSAGE(k, k.what());
    CHECK(k->type == v.type);
    CHECK(k->data.size() == v.data_len);
    CHECK(marshal_public_key(*k) == in);
    // The generated protobuf codec (proto/libp2p/crypto.proto) agrees.
    pb::crypto::PublicKey g;
    g.Type = static_cast<pb::crypto::KeyType>(k->type);
    g.Data = k->data;
    CHECK(g.encode() == in);
  }
}

TEST_CASE("keys: Ed25519 spec public key is 08 01 12 20 <32 raw bytes> (36 bytes)") {
  auto k = unmarshal_public_key(H(kSpecEd25519Pub));
  REQUIRE(k);
  CHECK(net::to_hex(k->data) == "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  CHECK(marshal_public_key(*k).size() == 36);
}

TEST_CASE("keys: a signature does not verify under another key of the same type") {
  auto k = unmarshal_public_key(H(kSpecRsaPub));
  REQUIRE(k);
  // Both 4096 and 2048 bits: the go signature has the wrong length here.
  CHECK(verify(*k, msg(), H(kGoRsaSig)).what() == "RSA signature is 256 bytes, want 512");
  auto e = unmarshal_public_key(H(kSpecEcdsaPub));
  REQUIRE(e);
  CHECK(verify(*e, msg(), H(kGoEcdsaSig)).what() == "bad ECDSA signature");
  auto s = unmarshal_public_key(H(kSpecSecp256k1Pub));
  REQUIRE(s);
  CHECK(verify(*s, msg(), H(kGoSecp256k1Sig)).what() == "bad secp256k1 signature");
}

TEST_CASE("keys: go-libp2p fixture signatures verify (RSA 2048, secp256k1, ECDSA P-256)") {
  for (const auto& v : {std::pair{kGoRsaPub, kGoRsaSig}, std::pair{kGoSecp256k1Pub, kGoSecp256k1Sig},
                        std::pair{kGoEcdsaPub, kGoEcdsaSig}}) {
    CAPTURE(v.first);
    auto k = unmarshal_public_key(H(v.first));
    REQUIRE(k);
    auto st = verify(*k, msg(), H(v.second));
    CHECK_MESSAGE(st, st.what());
  }
}

TEST_CASE("keys: openssl signatures with the spec private keys verify (RSA 4096, secp256k1, ECDSA)") {
  for (const auto& v : {std::pair{kSpecRsaPub, kSpecRsaSig},
                        std::pair{kSpecSecp256k1Pub, kSpecSecp256k1Sig},
                        std::pair{kSpecEcdsaPub, kSpecEcdsaSig}}) {
    CAPTURE(v.first);
    auto k = unmarshal_public_key(H(v.first));
    REQUIRE(k);
    auto st = verify(*k, msg(), H(v.second));
    CHECK_MESSAGE(st, st.what());
  }
}

TEST_CASE("keys: a flipped bit in message or signature fails, with the type's message") {
  struct V {
    const char* pub;
    const char* sig;
    const char* bad;
  } vs[] = {{kGoRsaPub, kGoRsaSig, "bad RSA signature"},
            {kGoSecp256k1Pub, kGoSecp256k1Sig, "bad secp256k1 signature"},
            {kGoEcdsaPub, kGoEcdsaSig, "bad ECDSA signature"}};
  for (const auto& v : vs) {
    CAPTURE(v.bad);
    auto k = unmarshal_public_key(H(v.pub));
    REQUIRE(k);
    net::Bytes m = msg(), s = H(v.sig);
    m[3] ^= 1;
    auto st = verify(*k, m, s);
    REQUIRE_FALSE(st);
    CHECK(st.err() == net::Err::crypto);
    CHECK(st.what() == v.bad);
    m[3] ^= 1;
    s[s.size() - 2] ^= 0x10;
    st = verify(*k, m, s);
    REQUIRE_FALSE(st);
    CHECK(st.what() == v.bad);
  }
}

// RFC 8032 §7.1 TEST 1-3 (secret key, public key, message, signature).
TEST_CASE("keys: Ed25519 RFC 8032 vectors verify; wrong message, length and key fail") {
  struct V {
    const char* pub;
    const char* msg;
    const char* sig;
  } vs[] = {
      {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
       "cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d"
       "0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7609"
       "84dc6594a7c15e9716ed28dc027beceea1ec40a"},
  };
  for (const auto& v : vs) {
    CAPTURE(v.pub);
    const PublicKey k{KeyType::ed25519, H(v.pub)};
    const net::Bytes m = H(v.msg), s = H(v.sig);
    CHECK(verify(k, m, s));
    net::Bytes m2 = m;
    m2.push_back(0);
    auto st = verify(k, m2, s);
    REQUIRE_FALSE(st);
    CHECK(st.err() == net::Err::crypto);
    CHECK(st.what() == "bad Ed25519 signature");
    st = verify(k, m, net::BytesView(s).first(63));
    REQUIRE_FALSE(st);
    CHECK(st.what() == "Ed25519 signature is 63 bytes, want 64");
    net::Bytes s65 = s;
    s65.push_back(0);
    CHECK(verify(k, m, s65).what() == "Ed25519 signature is 65 bytes, want 64");
  }
}

TEST_CASE("keys: key_type_name uses the spec's spelling") {
  CHECK(std::string(key_type_name(KeyType::rsa)) == "RSA");
  CHECK(std::string(key_type_name(KeyType::ed25519)) == "Ed25519");
  CHECK(std::string(key_type_name(KeyType::secp256k1)) == "secp256k1");
  CHECK(std::string(key_type_name(KeyType::ecdsa)) == "ECDSA");
}

// ---- the protobuf frame -----------------------------------------------------

TEST_CASE("keys: frame: empty input") { expect_refused({}, net::Err::proto, "empty"); }

TEST_CASE("keys: frame: Data before Type is refused (fields in tag order)") {
  expect_refused(H("122001" + std::string(62, '0') + "0801"), net::Err::proto,
                 "first field is not Type (tag 0x12, want 0x08)");
}

TEST_CASE("keys: frame: Type varint truncated, too long, non-minimal") {
  expect_refused(H("0881"), net::Err::proto, "Type: truncated varint");
  expect_refused(H("08ffffffffffffffffffff01"), net::Err::proto, "Type: varint too long");
  expect_refused(H("088100122001"), net::Err::proto, "Type: non-minimal varint");
}

TEST_CASE("keys: frame: non-minimal tag varint") {
  expect_refused(H("88000101"), net::Err::proto, "tag: non-minimal varint");
}

TEST_CASE("keys: frame: unknown key types are unsupported, checked before Data") {
  expect_refused(H("0804"), net::Err::unsupported, "unsupported key type 4");
  expect_refused(H("0807122000"), net::Err::unsupported, "unsupported key type 7");
  expect_refused(H("088080808080808001"), net::Err::unsupported,
                 "unsupported key type 562949953421312");
}

TEST_CASE("keys: frame: missing Data field") {
  expect_refused(H("0801"), net::Err::proto, "missing Data field");
}

TEST_CASE("keys: frame: a field other than Data after Type") {
  expect_refused(H("08011a00"), net::Err::proto, "second field is not Data (tag 0x1a, want 0x12)");
  expect_refused(H("08010801"), net::Err::proto, "second field is not Data (tag 0x08, want 0x12)");
}

TEST_CASE("keys: frame: Data length varint truncated and non-minimal") {
  expect_refused(H("080112"), net::Err::proto, "Data length: truncated varint");
  expect_refused(H("08011280"), net::Err::proto, "Data length: truncated varint");
  expect_refused(H("0801128000"), net::Err::proto, "Data length: non-minimal varint");
}

TEST_CASE("keys: frame: Data shorter than its length (truncated)") {
  net::Bytes in = H(kSpecEd25519Pub);
  in.pop_back();
  expect_refused(in, net::Err::proto, "truncated: Data says 32 bytes, only 31 follow");
  expect_refused(H("08011220"), net::Err::proto, "truncated: Data says 32 bytes, only 0 follow");
}

TEST_CASE("keys: frame: trailing bytes after Data (no extra fields)") {
  net::Bytes in = H(kSpecEd25519Pub);
  in.push_back(0x1a);
  in.push_back(0x00);
  expect_refused(in, net::Err::proto, "2 trailing bytes after Data");
  in = H(kSpecEd25519Pub);
  in.push_back(0x00);
  expect_refused(in, net::Err::proto, "1 trailing bytes after Data");
}

TEST_CASE("keys: frame: Data length crosses kMaxPublicKeyDataLen by one") {
  net::Bytes at(kMaxPublicKeyDataLen, 0x30);
  // 4096 bytes: past the frame, refused by the RSA parser, not the limit.
  expect_refused(proto(0, at), net::Err::proto, "RSA public key is not a DER SubjectPublicKeyInfo");
  at.push_back(0x30);
  expect_refused(proto(0, at), net::Err::limit, "Data of 4097 bytes exceeds the 4096-byte limit");
  // The limit is checked on the length, before the bytes are there.
  expect_refused(H("0800128120"), net::Err::limit, "Data of 4097 bytes exceeds the 4096-byte limit");
}

// ---- per-type Data checks ---------------------------------------------------

TEST_CASE("keys: Ed25519 Data must be 32 bytes") {
  expect_refused(proto(1, net::Bytes(31, 1)), net::Err::proto, "Ed25519 public key is 31 bytes, want 32");
  expect_refused(proto(1, net::Bytes(33, 1)), net::Err::proto, "Ed25519 public key is 33 bytes, want 32");
  expect_refused(proto(1, {}), net::Err::proto, "Ed25519 public key is 0 bytes, want 32");
}

TEST_CASE("keys: secp256k1 uncompressed and hybrid points are accepted and returned compressed") {
  const net::Bytes compressed = H(kSpecSecp256k1Pub);
  net::Bytes un = H(kSpecSecp256k1Uncompressed);
  for (uint8_t form : {uint8_t{0x04}, uint8_t{0x07}}) {  // y is odd: hybrid is 07
    CAPTURE(int(form));
    un[0] = form;
    auto k = unmarshal_public_key(proto(2, un));
    REQUIRE_MESSAGE(k, k.what());
    CHECK(marshal_public_key(*k) == compressed);
    CHECK(verify(*k, msg(), H(kSpecSecp256k1Sig)));
  }
  // verify() takes the uncompressed form as well.
  un[0] = 0x04;
  CHECK(verify(PublicKey{KeyType::secp256k1, un}, msg(), H(kSpecSecp256k1Sig)));
}

TEST_CASE("keys: secp256k1 wrong length, wrong form byte and off-curve points are refused") {
  expect_refused(proto(2, net::Bytes(34, 2)), net::Err::proto,
                 "secp256k1 public key is 34 bytes, want 33 (compressed) or 65 (uncompressed)");
  expect_refused(proto(2, net::Bytes(32, 2)), net::Err::proto,
                 "secp256k1 public key is 32 bytes, want 33 (compressed) or 65 (uncompressed)");
  const std::string off = "secp256k1 public key is not a point on the curve";
  net::Bytes un = H(kSpecSecp256k1Uncompressed);
  un[0] = 0x06;  // hybrid with the wrong y parity
  expect_refused(proto(2, un), net::Err::proto, off);
  un[0] = 0x05;
  expect_refused(proto(2, un), net::Err::proto, off);
  un[0] = 0x04;
  un.back() ^= 1;  // y no longer matches x
  expect_refused(proto(2, un), net::Err::proto, off);
  const net::Bytes spec = H(kSpecSecp256k1Pub);
  net::Bytes c(spec.begin() + 4, spec.end());
  c[0] = 0x04;  // uncompressed form byte on 33 bytes
  expect_refused(proto(2, c), net::Err::proto, off);
  // x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p).
  net::Bytes x5(33, 0);
  x5[0] = 0x02;
  x5[32] = 5;
  expect_refused(proto(2, x5), net::Err::proto, off);
}

TEST_CASE("keys: ECDSA keys on other curves are unsupported") {
  expect_refused(proto(3, H(kP384Spki)), net::Err::unsupported,
                 "ECDSA curve secp384r1 is not supported, want P-256");
}

TEST_CASE("keys: ECDSA with a compressed point is not the canonical encoding") {
  expect_refused(proto(3, H(kP256CompressedSpki)), net::Err::proto,
                 "ECDSA public key is not canonical (want a named P-256 curve and an uncompressed "
                 "point)");
}

TEST_CASE("keys: ECDSA off-curve point, garbage and a non-EC key are refused") {
  const net::Bytes spec = H(kSpecEcdsaPub);
  net::Bytes spki(spec.begin() + 4, spec.end());
  REQUIRE(spki.size() == kEcdsaP256SpkiLen);
  spki.back() ^= 1;
  expect_refused(proto(3, spki), net::Err::proto, "ECDSA public key is not a DER SubjectPublicKeyInfo");
  expect_refused(proto(3, net::Bytes(91, 0x30)), net::Err::proto,
                 "ECDSA public key is not a DER SubjectPublicKeyInfo");
  expect_refused(proto(3, H(kRsa1024Spki)), net::Err::proto,
                 "ECDSA public key holds a key of type RSA, want id-ecPublicKey");
}

TEST_CASE("keys: ECDSA signature over 72 bytes and non-DER signatures fail") {
  auto k = unmarshal_public_key(H(kGoEcdsaPub));
  REQUIRE(k);
  net::Bytes sig = H(kGoEcdsaSig);
  net::Bytes big(73, 0x30);
  auto st = verify(*k, msg(), big);
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::crypto);
  CHECK(st.what() == "ECDSA signature of 73 bytes exceeds 72");
  CHECK(verify(*k, msg(), sig));  // 72 bytes: at the limit
  auto spec = unmarshal_public_key(H(kSpecEcdsaPub));
  REQUIRE(spec);
  net::Bytes sig70 = H(kSpecEcdsaSig);
  CHECK(verify(*spec, msg(), sig70));
  sig70.push_back(0);  // trailing garbage after the DER signature (go ignores it; we do not)
  CHECK(verify(*spec, msg(), sig70).what() == "bad ECDSA signature");
  CHECK(verify(*k, msg(), {}).what() == "bad ECDSA signature");
  auto k1 = unmarshal_public_key(H(kGoSecp256k1Pub));
  REQUIRE(k1);
  CHECK(verify(*k1, msg(), big).what() == "secp256k1 signature of 73 bytes exceeds 72");
}

TEST_CASE("keys: RSA keys below 2048 bits are refused (limit crossed by one)") {
  expect_refused(proto(0, H(kRsa1024Spki)), net::Err::limit,
                 "RSA key of 1024 bits is below the 2048-bit minimum");
  expect_refused(proto(0, rsa_spki_of_bits(2047)), net::Err::limit,
                 "RSA key of 2047 bits is below the 2048-bit minimum");
  auto k = unmarshal_public_key(proto(0, rsa_spki_of_bits(2048)));
  CHECK_MESSAGE(k, k.what());
}

TEST_CASE("keys: RSA keys above 8192 bits are refused (limit crossed by one)") {
  auto k = unmarshal_public_key(proto(0, rsa_spki_of_bits(8192)));
  CHECK_MESSAGE(k, k.what());
  expect_refused(proto(0, rsa_spki_of_bits(8193)), net::Err::limit,
                 "RSA key of 8193 bits exceeds the 8192-bit maximum");
}

TEST_CASE("keys: verify refuses an out-of-range RSA key before any verification (CVE-2023-39533)") {
  const PublicKey small{KeyType::rsa, H(kRsa1024Spki)};
  auto st = verify(small, msg(), net::Bytes(128, 1));
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::limit);
  CHECK(st.what() == "RSA key of 1024 bits is below the 2048-bit minimum");
  const PublicKey big{KeyType::rsa, rsa_spki_of_bits(8193)};
  st = verify(big, msg(), net::Bytes(1025, 1));
  CHECK(st.what() == "RSA key of 8193 bits exceeds the 8192-bit maximum");
  const PublicKey huge{KeyType::rsa, net::Bytes(kMaxPublicKeyDataLen + 1, 0x30)};
  CHECK(verify(huge, msg(), {}).what() == "Data of 4097 bytes exceeds the 4096-byte limit");
}

TEST_CASE("keys: RSA signature of the wrong length fails before OpenSSL sees it") {
  auto k = unmarshal_public_key(H(kGoRsaPub));
  REQUIRE(k);
  net::Bytes sig = H(kGoRsaSig);
  sig.pop_back();
  auto st = verify(*k, msg(), sig);
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::crypto);
  CHECK(st.what() == "RSA signature is 255 bytes, want 256");
}

TEST_CASE("keys: RSA-PSS and non-RSA keys in an RSA PublicKey are refused") {
  expect_refused(proto(0, H(kRsaPssSpki)), net::Err::proto,
                 "RSA public key holds a key of type RSA-PSS, want rsaEncryption");
  expect_refused(proto(0, H(kEd25519Spki)), net::Err::proto,
                 "RSA public key holds a key of type ED25519, want rsaEncryption");
}

TEST_CASE("keys: RSA SubjectPublicKeyInfo must be canonical DER") {
  const net::Bytes spec = H(kGoRsaPub);
  const net::Bytes good(spec.begin() + 5, spec.end());
  // Trailing byte after the SEQUENCE.
  net::Bytes t = good;
  t.push_back(0);
  expect_refused(proto(0, t), net::Err::proto, "RSA public key is not canonical DER");
  // Outer length in a longer form than needed (30 82 01 22 -> 30 83 00 01 22).
  net::Bytes l{0x30, 0x83, 0x00};
  l.insert(l.end(), good.begin() + 2, good.end());
  // OpenSSL's decoder takes this BER length; the re-encoding check does not.
  expect_refused(proto(0, l), net::Err::proto, "RSA public key is not canonical DER");
}

TEST_CASE("keys: verify re-validates a hand-built PublicKey") {
  auto st = verify(PublicKey{static_cast<KeyType>(9), net::Bytes(32, 1)}, msg(), net::Bytes(64, 0));
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::unsupported);
  CHECK(st.what() == "unsupported key type 9");
  st = verify(PublicKey{KeyType::ed25519, net::Bytes(31, 1)}, msg(), net::Bytes(64, 0));
  CHECK(st.what() == "Ed25519 public key is 31 bytes, want 32");
  st = verify(PublicKey{KeyType::ecdsa, H(kP384Spki)}, msg(), net::Bytes(8, 0));
  CHECK(st.err() == net::Err::unsupported);
  st = verify(PublicKey{KeyType::secp256k1, net::Bytes(33, 0)}, msg(), net::Bytes(8, 0));
  CHECK(st.what() == "secp256k1 public key is not a point on the curve");
}
