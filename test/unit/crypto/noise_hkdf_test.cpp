#include <doctest/doctest.h>

#include <array>

#include "crypto/noise_hkdf.hpp"
#include "net/bytes.hpp"

using namespace crypto;

TEST_CASE("hmac_sha256: RFC 4231 test cases 1, 2 and 6 (key > block size)") {
  std::array<uint8_t, 32> out;
  net::Bytes k1(20, 0x0b);
  hmac_sha256(k1, net::as_bytes("Hi There"), out);
  CHECK(net::to_hex(out) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  hmac_sha256(net::as_bytes("Jefe"), net::as_bytes("what do ya want for nothing?"), out);
  CHECK(net::to_hex(out) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  net::Bytes k6(131, 0xaa);
  hmac_sha256(k6, net::as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"), out);
  CHECK(net::to_hex(out) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// Expected values: RFC 5869 HKDF-SHA256 with salt = ck, info = "" and
// L = 96 (computed with Python's cryptography HKDF), which is Noise's HKDF.
TEST_CASE("noise_hkdf: 2 and 3 outputs equal RFC 5869 HKDF with empty info") {
  std::array<uint8_t, 32> ck;
  for (size_t i = 0; i < ck.size(); ++i) ck[i] = static_cast<uint8_t>(i);
  Secret<32> o1, o2, o3;
  noise_hkdf3(ck, net::as_bytes("input key material"), o1, o2, o3);
  CHECK(net::to_hex(o1.span()) == "785dba36cff1fcf591f812fa0b2bade807af9e50d2a96caf28d3c9a285558549");
  CHECK(net::to_hex(o2.span()) == "8b4e05ec153f03cf906c305b981902e2af26ae2966397bb43988c4ab28f3aae1");
  CHECK(net::to_hex(o3.span()) == "35effd0e30e44866f90854f48ee80ae324d856c3ee9ddde0e87365acf4aeeeed");
  Secret<32> p1, p2;
  noise_hkdf2(ck, net::as_bytes("input key material"), p1, p2);
  CHECK(ct_equal(p1.span(), o1.span()));
  CHECK(ct_equal(p2.span(), o2.span()));
  // Split() uses an empty ikm.
  noise_hkdf2(ck, {}, p1, p2);
  CHECK(net::to_hex(p1.span()) == "1d7e0d6f1d9da2d68dabed53b5f88345f3fd01cb75411fbe5aa4293bd8f430d6");
  CHECK(net::to_hex(p2.span()) == "3ed9b8035bbf370b8cfef7ff15007de45488e18660c84e3d996e8e6c658fa7f8");
}

TEST_CASE("noise_hkdf: output may alias ck (MixKey: ck, k = HKDF(ck, ikm))") {
  Secret<32> ck, k;
  for (size_t i = 0; i < 32; ++i) ck.data()[i] = static_cast<uint8_t>(i);
  noise_hkdf2(ck.span(), net::as_bytes("input key material"), ck, k);
  CHECK(net::to_hex(ck.span()) == "785dba36cff1fcf591f812fa0b2bade807af9e50d2a96caf28d3c9a285558549");
  CHECK(net::to_hex(k.span()) == "8b4e05ec153f03cf906c305b981902e2af26ae2966397bb43988c4ab28f3aae1");
}
