#include "crypto/noise_hkdf.hpp"

#include <sodium.h>

#include <cstring>

namespace crypto {

static_assert(crypto_auth_hmacsha256_BYTES == kHmacSha256Len);

namespace {

// HMAC(key, a || b) without concatenating; the state is wiped.
void hmac2(std::span<const uint8_t> key, std::span<const uint8_t> a, std::span<const uint8_t> b,
           uint8_t out[kHmacSha256Len]) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  if (!a.empty()) crypto_auth_hmacsha256_update(&st, a.data(), a.size());
  if (!b.empty()) crypto_auth_hmacsha256_update(&st, b.data(), b.size());
  crypto_auth_hmacsha256_final(&st, out);
  wipe(&st, sizeof st);
}

void hkdf(std::span<const uint8_t, kHmacSha256Len> ck, std::span<const uint8_t> ikm, uint8_t* o1,
          uint8_t* o2, uint8_t* o3) {
  Secret<kHmacSha256Len> tk, t1, t2, t3;
  hmac2(ck, ikm, {}, tk.data());
  const uint8_t one = 0x01, two = 0x02, three = 0x03;
  hmac2(tk.span(), {&one, 1}, {}, t1.data());
  hmac2(tk.span(), t1.span(), {&two, 1}, t2.data());
  if (o3) hmac2(tk.span(), t2.span(), {&three, 1}, t3.data());
  // Written last: o1/o2/o3 may be the storage of ck.
  std::memcpy(o1, t1.data(), kHmacSha256Len);
  std::memcpy(o2, t2.data(), kHmacSha256Len);
  if (o3) std::memcpy(o3, t3.data(), kHmacSha256Len);
}

}  // namespace

void hmac_sha256(std::span<const uint8_t> key, std::span<const uint8_t> data,
                 std::span<uint8_t, kHmacSha256Len> out) {
  hmac2(key, data, {}, out.data());
}

void noise_hkdf2(std::span<const uint8_t, kHmacSha256Len> ck, std::span<const uint8_t> ikm,
                 Secret<kHmacSha256Len>& o1, Secret<kHmacSha256Len>& o2) {
  hkdf(ck, ikm, o1.data(), o2.data(), nullptr);
}

void noise_hkdf3(std::span<const uint8_t, kHmacSha256Len> ck, std::span<const uint8_t> ikm,
                 Secret<kHmacSha256Len>& o1, Secret<kHmacSha256Len>& o2,
                 Secret<kHmacSha256Len>& o3) {
  hkdf(ck, ikm, o1.data(), o2.data(), o3.data());
}

}  // namespace crypto
