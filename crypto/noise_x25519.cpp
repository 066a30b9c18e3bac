#include "crypto/noise_x25519.hpp"

#include <sodium.h>

#include "crypto/init.hpp"

namespace crypto {

static_assert(crypto_scalarmult_BYTES == kX25519Len && crypto_scalarmult_SCALARBYTES == kX25519Len);

X25519KeyPair x25519_from_private(std::span<const uint8_t, kX25519Len> priv) {
  X25519KeyPair kp;
  for (size_t i = 0; i < kX25519Len; ++i) kp.priv.data()[i] = priv[i];
  // crypto_scalarmult_base fails only for an all-zero result, which the
  // clamped scalar times the base point can never produce.
  (void)crypto_scalarmult_base(kp.pub.data(), kp.priv.data());
  return kp;
}

X25519KeyPair x25519_generate() {
  Secret<kX25519Len> raw;
  random_bytes(raw.span());
  return x25519_from_private(raw.span());
}

net::Status x25519_dh(const Secret<kX25519Len>& priv, std::span<const uint8_t, kX25519Len> pub,
                      Secret<kX25519Len>& out) {
  // crypto_scalarmult returns -1 (and an all-zero out) when the shared
  // secret is all zero; the check inside libsodium is constant time.
  if (crypto_scalarmult(out.data(), priv.data(), pub.data()) != 0) {
    wipe(out.data(), out.size());
    return {net::Err::crypto, "x25519: all-zero shared secret"};
  }
  return {};
}

}  // namespace crypto
