#include "crypto/secret.hpp"

#include <sodium.h>

namespace crypto {

void wipe(void* p, size_t n) { sodium_memzero(p, n); }

bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace crypto
