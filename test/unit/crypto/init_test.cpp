#include <doctest/doctest.h>

#include <array>

#include "crypto/init.hpp"

using namespace crypto;

TEST_CASE("init: idempotent") {
  CHECK(init());
  CHECK(init());
}

TEST_CASE("init: random_bytes fills the span; draws differ") {
  std::array<uint8_t, 32> a{}, b{};
  random_bytes(a);
  random_bytes(b);
  CHECK(a != b);
  CHECK(a != std::array<uint8_t, 32>{});
  random_bytes({});  // empty span: nothing to do
}

TEST_CASE("init: random_u64 draws differ") {
  const uint64_t x = random_u64(), y = random_u64(), z = random_u64();
  CHECK_FALSE((x == y && y == z));
}
