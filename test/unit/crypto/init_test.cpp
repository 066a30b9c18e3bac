#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>
#include <vector>

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

TEST_CASE("init: random_public_bytes: across pool refills, sizes odd and large, no repeats") {
  // 16-byte draws over several 256-byte refills, plus draws that straddle a
  // refill and one larger than the pool: all distinct, none all-zero.
  std::set<std::array<uint8_t, 16>> seen;
  for (int i = 0; i < 100; ++i) {
    std::array<uint8_t, 16> r{};
    random_public_bytes(r);
    CHECK(r != std::array<uint8_t, 16>{});
    CHECK(seen.insert(r).second);
    std::array<uint8_t, 7> odd{};
    random_public_bytes(odd);
  }
  std::vector<uint8_t> big(1000, 0);
  random_public_bytes(big);
  size_t zeros = 0;
  for (uint8_t b : big) zeros += b == 0;
  CHECK(zeros < 20);  // ~4 expected from uniform bytes; a pool served twice would show up as runs
  std::set<std::array<uint8_t, 16>> chunks;
  for (size_t i = 0; i + 16 <= big.size(); i += 16) {
    std::array<uint8_t, 16> c;
    std::copy_n(big.begin() + static_cast<long>(i), 16, c.begin());
    CHECK(chunks.insert(c).second);
    CHECK(seen.count(c) == 0);
  }
  random_public_bytes({});
}
