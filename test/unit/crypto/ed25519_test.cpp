#include <doctest/doctest.h>

#include <ostream>
#include <string>
#include <type_traits>

#include "crypto/ed25519.hpp"
#include "crypto/key_vectors.hpp"
#include "net/bytes.hpp"

using namespace crypto;
using namespace keyvec;

namespace {

net::Bytes H(const std::string& hex) {
  net::Bytes b;
  REQUIRE(net::from_hex(hex, &b));
  return b;
}

template <class T>
concept Streamable = requires(std::ostream& o, const T& t) { o << t; };

static_assert(!std::is_copy_constructible_v<Ed25519PrivateKey>);
static_assert(!std::is_copy_assignable_v<Ed25519PrivateKey>);
static_assert(std::is_nothrow_move_constructible_v<Ed25519PrivateKey>);
static_assert(!Streamable<Ed25519PrivateKey>, "a private key must never be printable");
static_assert(!Streamable<Ed25519PrivateKeyProto>);

void expect_refused(const net::Bytes& in, net::Err code, const std::string& what) {
  auto r = Ed25519PrivateKey::unmarshal(in);
  REQUIRE_FALSE(r);
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

net::Bytes priv_proto(const net::Bytes& data) {
  net::Bytes out{0x08, 0x01, 0x12};
  net::Writer(out).lp_bytes(data);
  return out;
}

std::string marshal_hex(const Ed25519PrivateKey& k) { return net::to_hex(k.marshal().span()); }

}  // namespace

TEST_CASE("ed25519: spec private key vector: public key equals the spec's, re-encodes identically") {
  auto k = Ed25519PrivateKey::unmarshal(H(kSpecEd25519Priv));
  REQUIRE_MESSAGE(k, k.what());
  CHECK(k->valid());
  CHECK(net::to_hex(k->public_raw()) ==
        "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  CHECK(marshal_public_key(k->public_key()) == H(kSpecEd25519Pub));
  CHECK(marshal_hex(*k) == kSpecEd25519Priv);
  CHECK(k->marshal().size() == 68);
}

// RFC 8032 §7.1 TEST 1-3: seed -> public key, and the (deterministic) signature.
TEST_CASE("ed25519: from_seed and sign match RFC 8032 TEST 1-3") {
  struct V {
    const char *seed, *pub, *msg, *sig;
  } vs[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
       "cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d"
       "0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7609"
       "84dc6594a7c15e9716ed28dc027beceea1ec40a"},
  };
  for (const auto& v : vs) {
    CAPTURE(v.seed);
    const net::Bytes seed = H(v.seed);
    auto k = Ed25519PrivateKey::from_seed(std::span<const uint8_t, 32>(seed.data(), 32));
    REQUIRE(k);
    CHECK(net::to_hex(k->public_raw()) == v.pub);
    const auto sig = k->sign(H(v.msg));
    CHECK(net::to_hex(sig) == v.sig);
    CHECK(verify(k->public_key(), H(v.msg), sig));
    CHECK(marshal_hex(*k) == std::string("08011240") + v.seed + v.pub);
  }
}

TEST_CASE("ed25519: generated keys differ, sign and verify, and survive marshal/unmarshal") {
  auto a = Ed25519PrivateKey::generate();
  auto b = Ed25519PrivateKey::generate();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->public_raw() != b->public_raw());
  const net::Bytes m = net::to_bytes("noise-libp2p-static-key:");
  const auto sig = a->sign(m);
  CHECK(verify(a->public_key(), m, sig));
  CHECK_FALSE(verify(b->public_key(), m, sig));
  auto back = Ed25519PrivateKey::unmarshal(a->marshal().span());
  REQUIRE(back);
  CHECK(back->public_raw() == a->public_raw());
  CHECK(back->sign(m) == sig);  // deterministic
}

TEST_CASE("ed25519: move leaves the source empty; self-move keeps the key") {
  auto r = Ed25519PrivateKey::generate();
  REQUIRE(r);
  Ed25519PrivateKey a = r.take();
  const auto pub = a.public_raw();
  Ed25519PrivateKey b(std::move(a));
  CHECK_FALSE(a.valid());  // NOLINT(bugprone-use-after-move)
  CHECK(b.valid());
  CHECK(b.public_raw() == pub);
  Ed25519PrivateKey c;
  CHECK_FALSE(c.valid());
  c = std::move(b);
  CHECK(c.valid());
  CHECK_FALSE(b.valid());  // NOLINT(bugprone-use-after-move)
  auto& same = c;
  c = std::move(same);
  CHECK(c.valid());
  CHECK(c.public_raw() == pub);
}

TEST_CASE("ed25519: legacy 96-byte Data (seed || pub || pub) is accepted and re-encoded as 64") {
  const net::Bytes spec = H(kSpecEd25519Priv);
  net::Bytes data(spec.begin() + 4, spec.end());
  data.insert(data.end(), spec.end() - 32, spec.end());
  REQUIRE(data.size() == 96);
  auto k = Ed25519PrivateKey::unmarshal(priv_proto(data));
  REQUIRE_MESSAGE(k, k.what());
  CHECK(marshal_hex(*k) == kSpecEd25519Priv);
}

TEST_CASE("ed25519: legacy 96-byte Data whose two public keys differ is refused") {
  const net::Bytes spec = H(kSpecEd25519Priv);
  net::Bytes data(spec.begin() + 4, spec.end());
  data.insert(data.end(), spec.end() - 32, spec.end());
  data.back() ^= 1;
  expect_refused(priv_proto(data), net::Err::proto,
                 "Ed25519 private key (legacy 96-byte form): the two public keys differ");
}

TEST_CASE("ed25519: a public key that does not match the seed is refused") {
  net::Bytes in = H(kSpecEd25519Priv);
  in.back() ^= 0x80;
  expect_refused(in, net::Err::crypto, "Ed25519 private key: public key does not match the seed");
  in = H(kSpecEd25519Priv);
  in[4] ^= 1;  // the seed this time
  expect_refused(in, net::Err::crypto, "Ed25519 private key: public key does not match the seed");
}

TEST_CASE("ed25519: Data of any length but 64 and 96 is refused") {
  for (size_t n : {size_t{0}, size_t{32}, size_t{63}, size_t{65}, size_t{95}, size_t{97}}) {
    CAPTURE(n);
    expect_refused(priv_proto(net::Bytes(n, 7)), net::Err::proto,
                   "Ed25519 private key is " + std::to_string(n) +
                       " bytes, want 64 (seed || public key) or 96 (legacy)");
  }
}

TEST_CASE("ed25519: other key types are named and refused before their Data is read") {
  expect_refused(H(kSpecSecp256k1Priv), net::Err::unsupported,
                 "key type secp256k1 is not supported, want Ed25519");
  expect_refused(H(kGoSecp256k1Priv), net::Err::unsupported,
                 "key type secp256k1 is not supported, want Ed25519");
  expect_refused(H(kSpecEcdsaPriv), net::Err::unsupported,
                 "key type ECDSA is not supported, want Ed25519");
  expect_refused(H(kSpecRsaPrivHead), net::Err::unsupported,
                 "key type RSA is not supported, want Ed25519");
  expect_refused(H("0807"), net::Err::unsupported, "key type 7 is not supported, want Ed25519");
}

TEST_CASE("ed25519: frame errors are the public key decoder's") {
  net::Bytes in = H(kSpecEd25519Priv);
  in.resize(50);
  expect_refused(in, net::Err::proto, "truncated: Data says 64 bytes, only 46 follow");
  in = H(kSpecEd25519Priv);
  in.push_back(0);
  expect_refused(in, net::Err::proto, "1 trailing bytes after Data");
  expect_refused({}, net::Err::proto, "empty");
  expect_refused(H("0801"), net::Err::proto, "missing Data field");
  expect_refused(H("120008"), net::Err::proto, "first field is not Type (tag 0x12, want 0x08)");
}

TEST_CASE("ed25519: from_seed_and_public (Go's ed25519.PrivateKey layout)") {
  const net::Bytes spec = H(kSpecEd25519Priv);
  const net::Bytes raw(spec.begin() + 4, spec.end());
  auto k = Ed25519PrivateKey::from_seed_and_public(raw);
  REQUIRE(k);
  CHECK(marshal_hex(*k) == kSpecEd25519Priv);
  auto r = Ed25519PrivateKey::from_seed_and_public(net::BytesView(raw).first(63));
  REQUIRE_FALSE(r);
  CHECK(r.what() == "Ed25519 private key is 63 bytes, want 64");
}
