#include <doctest/doctest.h>

#include <array>
#include <random>

#include "crypto/noise_aead.hpp"
#include "net/bytes.hpp"

using namespace crypto;

namespace {

net::Bytes H(const char* hex) {
  net::Bytes b;
  REQUIRE(net::from_hex(hex, &b));
  return b;
}

// RFC 8439 Appendix A.5. Its nonce 00000000 01020304 05060708 is exactly
// Noise's 00000000 || LE64(n) with n = 0x0807060504030201.
constexpr uint64_t kA5Nonce = 0x0807060504030201ull;
const char* kA5Key = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
const char* kA5Ad = "f33388860000000000004e91";
const char* kA5Ct =
    "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26"
    "b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37"
    "c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cd"
    "e7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b42227"
    "3f548271a0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68"
    "f0ff77987130305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b"
    "eead9d67890cbb22392336fea1851f38";  // tag
const char* kA5Pt =
    "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, "
    "replaced, or obsoleted by other documents at any time. It is inappropriate to use "
    "Internet-Drafts as reference material or to cite them other than as "
    "/\xe2\x80\x9cwork in progress./\xe2\x80\x9d";

std::array<uint8_t, 32> key32(const net::Bytes& b) {
  std::array<uint8_t, 32> k{};
  std::copy(b.begin(), b.end(), k.begin());
  return k;
}

const AeadBackend kBoth[] = {AeadBackend::sodium, AeadBackend::openssl};

}  // namespace

TEST_CASE("aead: noise_nonce is 00000000 || LE64(n)") {
  uint8_t n[12];
  noise_nonce(kA5Nonce, n);
  CHECK(net::to_hex({n, 12}) == "000000000102030405060708");
  noise_nonce(0, n);
  CHECK(net::to_hex({n, 12}) == "000000000000000000000000");
}

TEST_CASE("aead: RFC 8439 A.5 vector, both backends, copy and in place") {
  for (AeadBackend b : kBoth) {
    CAPTURE(aead_backend_name(b));
    ChaChaPoly a(b);
    REQUIRE(a.set_key(key32(H(kA5Key))));
    net::BytesView pt = net::as_bytes(kA5Pt);
    net::Bytes ad = H(kA5Ad), ct = H(kA5Ct);

    net::Bytes out(pt.size() + kAeadTagLen);
    REQUIRE(a.encrypt(kA5Nonce, ad, pt, out));
    CHECK(out == ct);

    net::Bytes back(pt.size());
    REQUIRE(a.decrypt(kA5Nonce, ad, ct, back));
    CHECK(net::as_chars(back) == kA5Pt);

    net::Bytes buf(pt.begin(), pt.end());  // in place: pt, then room for the tag
    buf.resize(pt.size() + kAeadTagLen);
    REQUIRE(a.encrypt(kA5Nonce, ad, net::BytesView(buf).first(pt.size()), buf));
    CHECK(buf == ct);
    REQUIRE(a.decrypt(kA5Nonce, ad, buf, buf));
    CHECK(net::as_chars(net::BytesView(buf).first(pt.size())) == kA5Pt);
  }
}

TEST_CASE("aead: a flipped bit anywhere fails, and the output is wiped") {
  for (AeadBackend b : kBoth) {
    CAPTURE(aead_backend_name(b));
    ChaChaPoly a(b);
    REQUIRE(a.set_key(key32(H(kA5Key))));
    net::Bytes ad = H(kA5Ad), ct = H(kA5Ct);
    for (size_t pos : {size_t{0}, size_t{100}, ct.size() - kAeadTagLen, ct.size() - 1}) {
      net::Bytes bad = ct;
      bad[pos] ^= 0x01;
      net::Bytes out(ct.size() - kAeadTagLen, 0x55);
      CHECK_FALSE(a.decrypt(kA5Nonce, ad, bad, out));
      CHECK(out == net::Bytes(out.size(), 0));
    }
    net::Bytes out(ct.size());
    CHECK_FALSE(a.decrypt(kA5Nonce + 1, ad, ct, out));  // wrong nonce
    net::Bytes ad2 = ad;
    ad2[0] ^= 0x80;
    CHECK_FALSE(a.decrypt(kA5Nonce, ad2, ct, out));     // wrong ad
    CHECK(a.decrypt(kA5Nonce, ad, ct, out));            // still works after failures
  }
}

TEST_CASE("aead: preconditions — no key, short buffers, short ciphertext, partial overlap") {
  for (AeadBackend b : kBoth) {
    CAPTURE(aead_backend_name(b));
    ChaChaPoly a(b);
    net::Bytes pt(10, 1), out(26);
    CHECK_FALSE(a.has_key());
    CHECK_FALSE(a.encrypt(0, {}, pt, out));
    std::array<uint8_t, 32> k{};
    REQUIRE(a.set_key(k));
    CHECK(a.encrypt(0, {}, pt, out));
    CHECK_FALSE(a.encrypt(0, {}, pt, std::span<uint8_t>(out).first(25)));  // tag does not fit
    net::Bytes back(10);
    CHECK(a.decrypt(0, {}, out, back));
    CHECK_FALSE(a.decrypt(0, {}, std::span<const uint8_t>(out).first(15), back));  // < tag
    CHECK_FALSE(a.decrypt(0, {}, out, std::span<uint8_t>(back).first(9)));
    net::Bytes big(64, 2);
    CHECK_FALSE(a.encrypt(0, {}, std::span<const uint8_t>(big).first(20),
                          std::span<uint8_t>(big).subspan(1, 36)));  // partial overlap
    a.clear();
    CHECK_FALSE(a.has_key());
    CHECK_FALSE(a.decrypt(0, {}, out, back));
  }
}

TEST_CASE("aead: libsodium and OpenSSL agree on every size up to a full Noise message") {
  std::mt19937_64 rng(42);
  std::array<uint8_t, 32> k;
  for (auto& x : k) x = static_cast<uint8_t>(rng());
  ChaChaPoly s(AeadBackend::sodium), o(AeadBackend::openssl);
  REQUIRE(s.set_key(k));
  REQUIRE(o.set_key(k));
  for (size_t len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{63}, size_t{64},
                     size_t{65}, size_t{255}, size_t{256}, size_t{1024}, size_t{4097},
                     size_t{65519}}) {
    CAPTURE(len);
    net::Bytes pt(len), ad(len % 40);
    for (auto& x : pt) x = static_cast<uint8_t>(rng());
    for (auto& x : ad) x = static_cast<uint8_t>(rng());
    uint64_t n = rng();
    net::Bytes c1(len + 16), c2(len + 16);
    REQUIRE(s.encrypt(n, ad, pt, c1));
    REQUIRE(o.encrypt(n, ad, pt, c2));
    CHECK(c1 == c2);
    net::Bytes p1(len), p2(len);
    REQUIRE(s.decrypt(n, ad, c2, p1));
    REQUIRE(o.decrypt(n, ad, c1, p2));
    CHECK(p1 == pt);
    CHECK(p2 == pt);
  }
}

TEST_CASE("aead: move keeps the key; set_key replaces it") {
  for (AeadBackend b : kBoth) {
    CAPTURE(aead_backend_name(b));
    ChaChaPoly a(b);
    REQUIRE(a.set_key(key32(H(kA5Key))));
    ChaChaPoly m(std::move(a));
    CHECK(m.has_key());
    CHECK_FALSE(a.has_key());  // NOLINT(bugprone-use-after-move): moved-from is keyless
    net::Bytes ad = H(kA5Ad), ct = H(kA5Ct), out(ct.size());
    CHECK(m.decrypt(kA5Nonce, ad, ct, out));
    ChaChaPoly c(b);
    c = std::move(m);
    CHECK(c.decrypt(kA5Nonce, ad, ct, out));
    std::array<uint8_t, 32> other{};
    REQUIRE(c.set_key(other));
    CHECK_FALSE(c.decrypt(kA5Nonce, ad, ct, out));
  }
}
