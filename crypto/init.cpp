#include "crypto/init.hpp"

#include <sodium.h>

namespace crypto {

net::Status init() {
  // sodium_init: 0 = done now, 1 = already done, -1 = failed.
  static const int r = sodium_init();
  if (r < 0) return {net::Err::crypto, "libsodium: sodium_init failed"};
  return {};
}

void random_bytes(std::span<uint8_t> out) {
  (void)init();
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

uint64_t random_u64() {
  uint8_t b[8];
  random_bytes(b);
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

}  // namespace crypto
