#include <doctest/doctest.h>

#include "net/bytes.hpp"
#include "net/varint.hpp"

using namespace net;

static Bytes enc(uint64_t v) {
  Bytes b;
  Writer(b).varint(v);
  return b;
}

TEST_CASE("uvarint: spec vectors (specs.md §1.1)") {
  const struct { uint64_t v; const char* hex; } vec[] = {
      {0, "00"}, {1, "01"}, {127, "7f"}, {128, "8001"}, {255, "ff01"}, {300, "ac02"},
      {16384, "808001"}, {(1ull << 63) - 1, "ffffffffffffffff7f"}};
  for (auto& t : vec) {
    CHECK(to_hex(enc(t.v)) == t.hex);
    CHECK(varint_len(t.v) == enc(t.v).size());
    Bytes b;
    REQUIRE(from_hex(t.hex, &b));
    uint64_t v = 0;
    size_t n = 0;
    REQUIRE(uvarint_decode(b, &v, &n) == VarintStatus::ok);
    CHECK(v == t.v);
    CHECK(n == b.size());
  }
}

TEST_CASE("uvarint: truncated, overlong and non-minimal inputs are refused") {
  uint64_t v;
  size_t n;
  Bytes b;
  SUBCASE("empty") { CHECK(uvarint_decode(b, &v, &n) == VarintStatus::need_more); }
  SUBCASE("truncated") {
    REQUIRE(from_hex("8080", &b));
    CHECK(uvarint_decode(b, &v, &n) == VarintStatus::need_more);
  }
  SUBCASE("non-minimal zero") {
    REQUIRE(from_hex("8000", &b));
    CHECK(uvarint_decode(b, &v, &n) == VarintStatus::non_minimal);
  }
  SUBCASE("non-minimal 1") {
    REQUIRE(from_hex("818000", &b));
    CHECK(uvarint_decode(b, &v, &n) == VarintStatus::non_minimal);
  }
  SUBCASE("ten bytes") {
    REQUIRE(from_hex("ffffffffffffffffff01", &b));
    CHECK(uvarint_decode(b, &v, &n) == VarintStatus::too_long);
  }
  SUBCASE("nine continuation bytes is already too long") {
    REQUIRE(from_hex("ffffffffffffffffff", &b));
    CHECK(uvarint_decode(b, &v, &n) == VarintStatus::too_long);
  }
}

TEST_CASE("pb_varint: 10 bytes, non-minimal accepted, 65th bit refused") {
  uint64_t v;
  size_t n;
  Bytes b;
  REQUIRE(from_hex("ffffffffffffffffff01", &b));
  CHECK(pb_varint_decode(b, &v, &n) == VarintStatus::ok);
  CHECK(v == UINT64_MAX);
  CHECK(n == 10);
  REQUIRE(from_hex("ffffffffffffffffff02", &b));
  CHECK(pb_varint_decode(b, &v, &n) == VarintStatus::too_long);
  REQUIRE(from_hex("8000", &b));
  CHECK(pb_varint_decode(b, &v, &n) == VarintStatus::ok);
  CHECK(v == 0);
  REQUIRE(from_hex("ffffffffffffffffffff01", &b));
  CHECK(pb_varint_decode(b, &v, &n) == VarintStatus::too_long);
}

TEST_CASE("Reader: lengths beyond the input never move the cursor") {
  Bytes b{1, 2, 3};
  Reader r(b);
  BytesView out;
  CHECK_FALSE(r.take(SIZE_MAX, out));
  CHECK_FALSE(r.take(4, out));
  CHECK(r.left() == 3);
  uint32_t x;
  CHECK_FALSE(r.be32(x));
  uint16_t y;
  CHECK(r.be16(y));
  CHECK(y == 0x0102);
  CHECK(r.pos() == 2);
}
