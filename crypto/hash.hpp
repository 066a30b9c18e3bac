// crypto/hash.hpp — SHA-256 (libsodium), for multihash, peer IDs and Noise.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace crypto {

inline constexpr size_t kSha256Len = 32;
using Sha256Digest = std::array<uint8_t, kSha256Len>;

Sha256Digest sha256(std::span<const uint8_t> data);

// Incremental SHA-256 (Noise MixHash over h || data without a copy).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::span<const uint8_t> data);
  Sha256Digest finish();

 private:
  alignas(16) unsigned char state_[128];  // crypto_hash_sha256_state (104 bytes in 1.0.18)
};

}  // namespace crypto
