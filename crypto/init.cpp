#include "crypto/init.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

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

void random_public_bytes(std::span<uint8_t> out) {
  constexpr size_t kPoolLen = 256;
  struct Pool {
    uint8_t bytes[kPoolLen];
    size_t used = kPoolLen;
    ~Pool() { sodium_memzero(bytes, sizeof bytes); }
  };
  thread_local Pool pool;
  size_t done = 0;
  while (done < out.size()) {
    if (pool.used == kPoolLen) {
      random_bytes(pool.bytes);
      pool.used = 0;
    }
    const size_t n = std::min(out.size() - done, kPoolLen - pool.used);
    std::memcpy(out.data() + done, pool.bytes + pool.used, n);
    sodium_memzero(pool.bytes + pool.used, n);
    pool.used += n;
    done += n;
  }
}

uint64_t random_u64() {
  uint8_t b[8];
  random_bytes(b);
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

}  // namespace crypto
