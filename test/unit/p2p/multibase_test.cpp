#include <doctest/doctest.h>

#include <string>

#include "net/bytes.hpp"
#include "p2p/multiformats/multibase.hpp"

using namespace p2p;
using multibase::Base;
using net::Bytes;
using net::Err;

namespace {

Bytes b(std::string_view s) { return net::to_bytes(s); }

// Expects decode(text) to fail with exactly (code, what).
void check_decode_error(std::string_view text, Err code, const std::string& what) {
  auto r = multibase::decode(text);
  INFO("input: ", std::string(text));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

struct Vec {
  Base base;
  const char* text;
};

void check_vectors(std::string_view data, std::initializer_list<Vec> vecs) {
  for (const auto& v : vecs) {
    INFO("base ", multibase::base_name(v.base));
    CHECK(multibase::encode(v.base, b(data)) == v.text);
    auto d = multibase::decode(v.text);
    REQUIRE(d.ok());
    CHECK(d->base == v.base);
    CHECK(d->bytes == b(data));
  }
}

}  // namespace

TEST_CASE("multibase: basic.csv vectors (\"yes mani !\")") {
  check_vectors("yes mani !", {{Base::base16, "f796573206d616e692021"},
                               {Base::base16upper, "F796573206D616E692021"},
                               {Base::base32, "bpfsxgidnmfxgsibb"},
                               {Base::base32upper, "BPFSXGIDNMFXGSIBB"},
                               {Base::base32pad, "cpfsxgidnmfxgsibb"},
                               {Base::base32padupper, "CPFSXGIDNMFXGSIBB"},
                               {Base::base36, "k2lcpzo5yikidynfl"},
                               {Base::base36upper, "K2LCPZO5YIKIDYNFL"},
                               {Base::base58btc, "z7paNL19xttacUY"},
                               {Base::base64, "meWVzIG1hbmkgIQ"},
                               {Base::base64pad, "MeWVzIG1hbmkgIQ=="},
                               {Base::base64url, "ueWVzIG1hbmkgIQ"},
                               {Base::base64urlpad, "UeWVzIG1hbmkgIQ=="}});
}

TEST_CASE("multibase: leading_zero.csv vectors") {
  check_vectors(std::string_view("\0yes mani !", 11),
                {{Base::base16, "f00796573206d616e692021"},
                 {Base::base16upper, "F00796573206D616E692021"},
                 {Base::base32, "bab4wk4zanvqw42jaee"},
                 {Base::base32upper, "BAB4WK4ZANVQW42JAEE"},
                 {Base::base32pad, "cab4wk4zanvqw42jaee======"},
                 {Base::base32padupper, "CAB4WK4ZANVQW42JAEE======"},
                 {Base::base36, "k02lcpzo5yikidynfl"},
                 {Base::base36upper, "K02LCPZO5YIKIDYNFL"},
                 {Base::base58btc, "z17paNL19xttacUY"},
                 {Base::base64, "mAHllcyBtYW5pICE"},
                 {Base::base64pad, "MAHllcyBtYW5pICE="},
                 {Base::base64url, "uAHllcyBtYW5pICE"},
                 {Base::base64urlpad, "UAHllcyBtYW5pICE="}});
}

TEST_CASE("multibase: two_leading_zeros.csv vectors") {
  check_vectors(std::string_view("\0\0yes mani !", 12),
                {{Base::base16, "f0000796573206d616e692021"},
                 {Base::base16upper, "F0000796573206D616E692021"},
                 {Base::base32, "baaahszltebwwc3tjeaqq"},
                 {Base::base32upper, "BAAAHSZLTEBWWC3TJEAQQ"},
                 {Base::base32pad, "caaahszltebwwc3tjeaqq===="},
                 {Base::base32padupper, "CAAAHSZLTEBWWC3TJEAQQ===="},
                 {Base::base36, "k002lcpzo5yikidynfl"},
                 {Base::base36upper, "K002LCPZO5YIKIDYNFL"},
                 {Base::base58btc, "z117paNL19xttacUY"},
                 {Base::base64, "mAAB5ZXMgbWFuaSAh"},
                 {Base::base64pad, "MAAB5ZXMgbWFuaSAh"},
                 {Base::base64url, "uAAB5ZXMgbWFuaSAh"},
                 {Base::base64urlpad, "UAAB5ZXMgbWFuaSAh"}});
}

TEST_CASE("multibase: case_insensitivity.csv decodes base16/32/36 in either case") {
  for (const char* t : {"f68656c6c6f20776F726C64", "F68656c6c6f20776F726C64", "bnbswy3dpeB3W64TMMQ",
                        "Bnbswy3dpeB3W64TMMQ", "cnbswy3dpeB3W64TMMQ======", "Cnbswy3dpeB3W64TMMQ======",
                        "kfUvrsIvVnfRbjWaJo", "KfUVrSIVVnFRbJWAJo"}) {
    INFO(t);
    auto d = multibase::decode(t);
    REQUIRE(d.ok());
    CHECK(d->bytes == b("hello world"));
  }
}

TEST_CASE("multibase: base36 examples from rfcs/Base36.md") {
  const struct { const char* hex; const char* k; } vec[] = {
      {"0001", "k01"}, {"0000ff", "k0073"}, {"0100", "k74"}, {"000100", "k074"}};
  for (auto& v : vec) {
    Bytes data;
    REQUIRE(net::from_hex(v.hex, &data));
    CHECK(multibase::encode(Base::base36, data) == v.k);
    auto d = multibase::decode(v.k);
    REQUIRE(d.ok());
    CHECK(d->bytes == data);
    std::string upper = v.k;
    upper[0] = 'K';
    d = multibase::decode(upper);
    REQUIRE(d.ok());
    CHECK(d->bytes == data);
  }
}

TEST_CASE("multibase: empty payload and all-zero inputs") {
  for (Base base : {Base::base16, Base::base32, Base::base36, Base::base58btc, Base::base64, Base::base64url}) {
    const std::string e = multibase::encode(base, {});
    CHECK(e.size() == 1);
    auto d = multibase::decode(e);
    REQUIRE(d.ok());
    CHECK(d->bytes.empty());
  }
  const Bytes zeros(5, 0);
  CHECK(multibase::base58btc_encode(zeros) == "11111");
  CHECK(multibase::encode(Base::base36, zeros) == "k00000");
  auto d = multibase::base58btc_decode("11111");
  REQUIRE(d.ok());
  CHECK(*d == zeros);
}

TEST_CASE("multibase: round trip of every length 0..70 in every base") {
  uint32_t x = 12345;
  for (size_t len = 0; len <= 70; ++len) {
    Bytes data(len);
    for (auto& c : data) {
      x = x * 1103515245u + 12345u;
      c = static_cast<uint8_t>(x >> 16);
    }
    if (len > 3) data[0] = data[1] = 0;  // leading zeros matter for 36/58
    for (Base base : {Base::base16, Base::base16upper, Base::base32, Base::base32upper, Base::base32pad,
                      Base::base32padupper, Base::base36, Base::base36upper, Base::base58btc, Base::base64,
                      Base::base64pad, Base::base64url, Base::base64urlpad}) {
      auto d = multibase::decode(multibase::encode(base, data));
      REQUIRE(d.ok());
      CHECK(d->bytes == data);
    }
  }
}

TEST_CASE("multibase: empty input is refused") { check_decode_error("", Err::proto, "multibase: empty input"); }

TEST_CASE("multibase: unsupported prefixes are refused") {
  check_decode_error("0101", Err::proto, "multibase: unsupported prefix '0' at offset 0");
  check_decode_error("Z7Pznk19XTTzBtx", Err::proto, "multibase: unsupported prefix 'Z' at offset 0");
  check_decode_error("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", Err::proto,
                     "multibase: unsupported prefix 'Q' at offset 0");
  check_decode_error("\x80x", Err::proto, "multibase: unsupported prefix '\\x80' at offset 0");
}

TEST_CASE("multibase: an invalid character is refused with its offset") {
  check_decode_error("zabc0", Err::proto, "multibase: invalid base58btc character '0' at offset 4");
  check_decode_error("z1Il", Err::proto, "multibase: invalid base58btc character 'I' at offset 2");
  check_decode_error("bnbs!", Err::proto, "multibase: invalid base32 character '!' at offset 4");
  check_decode_error("Bnbs1", Err::proto, "multibase: invalid base32upper character '1' at offset 4");
  check_decode_error("f0g12", Err::proto, "multibase: invalid base16 character 'g' at offset 2");
  check_decode_error("k12_", Err::proto, "multibase: invalid base36 character '_' at offset 3");
  check_decode_error("meWVz-G1h", Err::proto, "multibase: invalid base64 character '-' at offset 5");
  check_decode_error("ueWVz+G1h", Err::proto, "multibase: invalid base64url character '+' at offset 5");
  check_decode_error("ueWVz\nG1h", Err::proto, "multibase: invalid base64url character '\\x0a' at offset 5");
  check_decode_error("meWVzIG1hbmkgIQ==", Err::proto, "multibase: invalid base64 character '=' at offset 15");
}

TEST_CASE("multibase: impossible lengths are refused") {
  check_decode_error("f123", Err::proto, "multibase: invalid base16 length 3");
  check_decode_error("babc", Err::proto, "multibase: invalid base32 length 3");
  check_decode_error("ba", Err::proto, "multibase: invalid base32 length 1");
  check_decode_error("babcdef", Err::proto, "multibase: invalid base32 length 6");
  check_decode_error("mAAAAA", Err::proto, "multibase: invalid base64 length 5");
}

TEST_CASE("multibase: non-zero trailing bits are refused (RFC 4648 §3.5)") {
  check_decode_error("bab", Err::proto, "multibase: non-zero trailing bits in base32 at offset 2");
  check_decode_error("mAB", Err::proto, "multibase: non-zero trailing bits in base64 at offset 2");
  check_decode_error("uAAB", Err::proto, "multibase: non-zero trailing bits in base64url at offset 3");
  // The same text with the trailing bits cleared decodes.
  CHECK(multibase::decode("baa").ok());
  CHECK(multibase::decode("mAA").ok());
  // A lenient decoder is available for formats that need it (garlic32).
  auto r = multibase::bits_decode(multibase::kBase32Alphabet, "ab", {false, false, 0, nullptr});
  REQUIRE(r.ok());
  CHECK(*r == Bytes{0x00});
}

TEST_CASE("multibase: padded variants need exact padding") {
  check_decode_error("MAA=", Err::proto, "multibase: invalid base64pad padding at offset 3");
  check_decode_error("MAA", Err::proto, "multibase: invalid base64pad padding at offset 3");
  check_decode_error("MAAAA====", Err::proto, "multibase: invalid base64pad padding at offset 5");
  check_decode_error("cab4wk4zanvqw42jaee=====", Err::proto, "multibase: invalid base32pad padding at offset 19");
  // Padding is checked first; a '=' inside the data is then a bad character.
  check_decode_error("cab4w=k4zanvqw42jaee======", Err::proto, "multibase: invalid base32pad padding at offset 20");
  check_decode_error("cab4w=k4zanvqw42jae======", Err::proto,
                     "multibase: invalid base32pad character '=' at offset 5");
}

TEST_CASE("multibase: input length limits are crossed by one") {
  std::string ok = "f" + std::string(kMaxMultibaseTextLen - 1 - 1, '0');  // even payload
  CHECK(multibase::decode(ok).ok());
  std::string over = "f" + std::string(kMaxMultibaseTextLen, '0');
  check_decode_error(over, Err::limit,
                     "multibase: " + std::to_string(kMaxMultibaseTextLen + 1) +
                         " characters exceed the limit of " + std::to_string(kMaxMultibaseTextLen));
  // base58btc/base36 are quadratic: a tighter bound, in and out of multibase.
  CHECK(multibase::base58btc_decode(std::string(kMaxBigBaseTextLen, 'z')).ok());
  auto r = multibase::base58btc_decode(std::string(kMaxBigBaseTextLen + 1, 'z'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == Err::limit);
  CHECK(r.what() == "multibase: 1025 base58btc characters exceed the limit of 1024");
  CHECK(multibase::decode("z" + std::string(kMaxBigBaseTextLen, 'z')).ok());
  check_decode_error("z" + std::string(kMaxBigBaseTextLen + 1, 'z'), Err::limit,
                     "multibase: 1025 base58btc characters exceed the limit of 1024");
  check_decode_error("k" + std::string(kMaxBigBaseTextLen + 1, 'z'), Err::limit,
                     "multibase: 1025 base36 characters exceed the limit of 1024");
  // A caller's own tighter limit.
  auto t = multibase::decode("zabc", 3);
  REQUIRE_FALSE(t.ok());
  CHECK(t.err() == Err::limit);
  CHECK(t.what() == "multibase: 4 characters exceed the limit of 3");
}

TEST_CASE("multibase: decode_raw reports offsets in the caller's string") {
  auto r = multibase::decode_raw(Base::base58btc, "ab0", 10);
  REQUIRE_FALSE(r.ok());
  CHECK(r.what() == "multibase: invalid base58btc character '0' at offset 12");
}

namespace {

// Textbook digit-by-digit base-58 encoding, to cross-check the limb code.
std::string slow_base58(const Bytes& data) {
  static const char kDigits[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<int> num(data.begin() + static_cast<std::ptrdiff_t>(zeros), data.end());
  std::string rev;
  while (!num.empty()) {
    int rem = 0;
    std::vector<int> q;
    for (int d : num) {
      const int cur = rem * 256 + d;
      if (!q.empty() || cur / 58) q.push_back(cur / 58);
      rem = cur % 58;
    }
    rev.push_back(kDigits[rem]);
    num = q;
  }
  return std::string(zeros, '1') + std::string(rev.rbegin(), rev.rend());
}

}  // namespace

TEST_CASE("multibase: base58btc agrees with a digit-by-digit reference up to 300 bytes") {
  uint32_t x = 99;
  for (size_t len = 0; len <= 300; len += 7) {
    Bytes data(len);
    for (auto& c : data) {
      x = x * 1103515245u + 12345u;
      c = static_cast<uint8_t>(x >> 16);
    }
    if (len % 3 == 0 && len > 2) data[0] = 0;
    if (len % 5 == 0 && len > 4) data[len - 1] = 0;  // trailing zero bytes too
    const std::string ref = slow_base58(data);
    CHECK(multibase::base58btc_encode(data) == ref);
    auto back = multibase::base58btc_decode(ref);
    REQUIRE(back.ok());
    CHECK(*back == data);
  }
  const Bytes all_ff(200, 0xff);
  CHECK(multibase::base58btc_encode(all_ff) == slow_base58(all_ff));
}
