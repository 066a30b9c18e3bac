// crypto/noise_x25519.hpp — X25519 (RFC 7748) for Noise's DH functions
// (specs.md §4.2: DHLEN = 32). libsodium's crypto_scalarmult underneath.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "crypto/secret.hpp"
#include "net/result.hpp"

namespace crypto {

inline constexpr size_t kX25519Len = 32;
using X25519Public = std::array<uint8_t, kX25519Len>;

struct X25519KeyPair {
  Secret<kX25519Len> priv;  // raw scalar bytes; clamped inside scalarmult, stored as given
  X25519Public pub{};
};

// Key pair from 32 caller-supplied bytes (test vectors, a seeded RNG).
X25519KeyPair x25519_from_private(std::span<const uint8_t, kX25519Len> priv);

// Fresh key pair from the OS CSPRNG (libsodium randombytes_buf). For drivers;
// sans-I/O cores take key pairs as inputs.
X25519KeyPair x25519_generate();

// out = X25519(priv, pub). Err::crypto "x25519: all-zero shared secret" when
// pub is a low-order point (the result would be all zero, hardening.md row 9;
// WireGuard and libsodium reject it the same way). On error out is zeroed.
[[nodiscard]] net::Status x25519_dh(const Secret<kX25519Len>& priv,
                                    std::span<const uint8_t, kX25519Len> pub,
                                    Secret<kX25519Len>& out);

}  // namespace crypto
