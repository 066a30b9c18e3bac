#include "crypto/hash.hpp"

#include <sodium.h>

#include "crypto/secret.hpp"

namespace crypto {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256::state_ too small");

Sha256Digest sha256(std::span<const uint8_t> data) {
  Sha256Digest d;
  crypto_hash_sha256(d.data(), data.data(), data.size());
  return d;
}

Sha256::Sha256() { crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_)); }
Sha256::~Sha256() { wipe(state_, sizeof state_); }

void Sha256::update(std::span<const uint8_t> data) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_), data.data(),
                            data.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest d;
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), d.data());
  return d;
}

}  // namespace crypto
