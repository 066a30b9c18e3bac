// crypto/noise_hkdf.hpp — HMAC-SHA256 (RFC 2104) and Noise's HKDF
// (specs.md §4.2; noise.html §4.3), which is RFC 5869 HKDF with salt = ck,
// empty info and 2 or 3 outputs of HASHLEN = 32 bytes:
//   tk = HMAC(ck, ikm); o1 = HMAC(tk, 0x01); o2 = HMAC(tk, o1 || 0x02);
//   o3 = HMAC(tk, o2 || 0x03)
#pragma once

#include <cstdint>
#include <span>

#include "crypto/secret.hpp"

namespace crypto {

inline constexpr size_t kHmacSha256Len = 32;

// out = HMAC-SHA256(key, data). Any key length (keys > 64 bytes are hashed).
void hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> data,
                 std::span<uint8_t, kHmacSha256Len> out);

// HKDF(ck, ikm, 2) and HKDF(ck, ikm, 3). Outputs may alias ck (MixKey writes
// the new ck over the old one); the temporary key tk is wiped.
void noise_hkdf2(std::span<const uint8_t, kHmacSha256Len> ck, std::span<const uint8_t> ikm,
                 Secret<kHmacSha256Len>& o1, Secret<kHmacSha256Len>& o2);
void noise_hkdf3(std::span<const uint8_t, kHmacSha256Len> ck, std::span<const uint8_t> ikm,
                 Secret<kHmacSha256Len>& o1, Secret<kHmacSha256Len>& o2,
                 Secret<kHmacSha256Len>& o3);

}  // namespace crypto
