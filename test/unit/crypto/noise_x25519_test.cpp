#include <doctest/doctest.h>

#include "crypto/noise_x25519.hpp"
#include "net/bytes.hpp"

using namespace crypto;

namespace {
X25519Public pub_hex(const char* hex) {
  net::Bytes b;
  REQUIRE(net::from_hex(hex, &b));
  REQUIRE(b.size() == kX25519Len);
  X25519Public p;
  std::copy(b.begin(), b.end(), p.begin());
  return p;
}
X25519KeyPair kp_hex(const char* priv_hex) {
  auto p = pub_hex(priv_hex);
  return x25519_from_private(p);
}
std::string hex_of(const Secret<32>& s) { return net::to_hex(s.span()); }
}  // namespace

TEST_CASE("x25519: RFC 7748 §6.1 key agreement vector") {
  auto alice = kp_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  auto bob = kp_hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  CHECK(net::to_hex(alice.pub) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(net::to_hex(bob.pub) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  Secret<32> k1, k2;
  REQUIRE(x25519_dh(alice.priv, bob.pub, k1));
  REQUIRE(x25519_dh(bob.priv, alice.pub, k2));
  CHECK(hex_of(k1) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  CHECK(ct_equal(k1.span(), k2.span()));
}

TEST_CASE("x25519: all-zero shared secret from a low-order point is rejected (hardening.md row 9)") {
  auto me = kp_hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const char* low_order[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // u = 0
      "0100000000000000000000000000000000000000000000000000000000000000",  // u = 1
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p - 1
  };
  for (const char* h : low_order) {
    CAPTURE(h);
    Secret<32> out;
    out.data()[0] = 0xaa;
    auto st = x25519_dh(me.priv, pub_hex(h), out);
    REQUIRE_FALSE(st);
    CHECK(st.err() == net::Err::crypto);
    CHECK(st.what() == "x25519: all-zero shared secret");
    CHECK(out.data()[0] == 0);
  }
}

TEST_CASE("x25519: generated key pairs agree and differ") {
  auto a = x25519_generate();
  auto b = x25519_generate();
  CHECK(a.pub != b.pub);
  CHECK(x25519_from_private(a.priv.span()).pub == a.pub);
  Secret<32> k1, k2;
  REQUIRE(x25519_dh(a.priv, b.pub, k1));
  REQUIRE(x25519_dh(b.priv, a.pub, k2));
  CHECK(ct_equal(k1.span(), k2.span()));
}
