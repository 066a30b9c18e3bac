#include "crypto/noise_aead.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <climits>
#include <cstring>

#include "crypto/init.hpp"

namespace crypto {

static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == kAeadKeyLen);
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == kAeadNonceLen);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kAeadTagLen);

namespace {

EVP_CIPHER_CTX* ctx_of(void* p) { return static_cast<EVP_CIPHER_CTX*>(p); }

// Disjoint or exactly in place; partial overlap is a caller bug.
bool overlap_ok(const uint8_t* in, size_t in_len, const uint8_t* out, size_t out_len) {
  if (in == out || in_len == 0 || out_len == 0) return true;
  auto a = reinterpret_cast<uintptr_t>(in), b = reinterpret_cast<uintptr_t>(out);
  return a + in_len <= b || b + out_len <= a;
}

}  // namespace

const char* aead_backend_name(AeadBackend b) {
  return b == AeadBackend::openssl ? "openssl" : "libsodium";
}

void noise_nonce(uint64_t n, uint8_t out[kAeadNonceLen]) {
  out[0] = out[1] = out[2] = out[3] = 0;
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<uint8_t>(n >> (8 * i));
}

// crypto::init() (sodium_init) picks libsodium's SIMD ChaCha20 and Poly1305;
// without it libsodium runs its reference code.
ChaChaPoly::ChaChaPoly(AeadBackend b) : backend_(b) { (void)init(); }

ChaChaPoly::~ChaChaPoly() { release(); }

ChaChaPoly::ChaChaPoly(ChaChaPoly&& o) noexcept
    : backend_(o.backend_), has_key_(o.has_key_), key_(std::move(o.key_)), evp_(o.evp_) {
  o.evp_ = nullptr;
  o.has_key_ = false;
}

ChaChaPoly& ChaChaPoly::operator=(ChaChaPoly&& o) noexcept {
  if (this != &o) {
    release();
    backend_ = o.backend_;
    has_key_ = o.has_key_;
    key_ = std::move(o.key_);
    evp_ = o.evp_;
    o.evp_ = nullptr;
    o.has_key_ = false;
  }
  return *this;
}

void ChaChaPoly::release() {
  clear();
  if (evp_) EVP_CIPHER_CTX_free(ctx_of(evp_));  // cleanses the key schedule
  evp_ = nullptr;
}

void ChaChaPoly::clear() {
  wipe(key_.data(), key_.size());
  if (evp_) EVP_CIPHER_CTX_reset(ctx_of(evp_));
  has_key_ = false;
}

bool ChaChaPoly::set_key(std::span<const uint8_t, kAeadKeyLen> key) {
  clear();
  if (backend_ == AeadBackend::sodium) {
    std::memcpy(key_.data(), key.data(), kAeadKeyLen);
    has_key_ = true;
    return true;
  }
  if (!evp_) evp_ = EVP_CIPHER_CTX_new();
  if (!evp_) return false;
  // The key schedule lives in the context from now on; each message only
  // sets the nonce (EVP_CipherInit_ex with a null cipher and key).
  if (EVP_CipherInit_ex(ctx_of(evp_), EVP_chacha20_poly1305(), nullptr, key.data(), nullptr, 1) !=
      1) {
    EVP_CIPHER_CTX_reset(ctx_of(evp_));
    return false;
  }
  has_key_ = true;
  return true;
}

bool ChaChaPoly::encrypt(uint64_t n, std::span<const uint8_t> ad, std::span<const uint8_t> pt,
                         std::span<uint8_t> out) {
  if (!has_key_ || out.size() < pt.size() + kAeadTagLen) return false;
  if (!overlap_ok(pt.data(), pt.size(), out.data(), out.size())) return false;
  uint8_t nonce[kAeadNonceLen];
  noise_nonce(n, nonce);
  uint8_t* tag = out.data() + pt.size();
  if (backend_ == AeadBackend::sodium) {
    return crypto_aead_chacha20poly1305_ietf_encrypt_detached(out.data(), tag, nullptr, pt.data(),
                                                              pt.size(), ad.data(), ad.size(),
                                                              nullptr, nonce, key_.data()) == 0;
  }
  if (pt.size() > INT_MAX || ad.size() > INT_MAX) return false;
  EVP_CIPHER_CTX* c = ctx_of(evp_);
  int len = 0;
  if (EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, nonce, 1) != 1) return false;
  if (!ad.empty() && EVP_CipherUpdate(c, nullptr, &len, ad.data(), static_cast<int>(ad.size())) != 1)
    return false;
  if (!pt.empty() &&
      EVP_CipherUpdate(c, out.data(), &len, pt.data(), static_cast<int>(pt.size())) != 1)
    return false;
  uint8_t fin[kAeadTagLen];  // Final emits no bytes for a stream cipher
  if (EVP_CipherFinal_ex(c, fin, &len) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kAeadTagLen), tag) == 1;
}

bool ChaChaPoly::decrypt(uint64_t n, std::span<const uint8_t> ad, std::span<const uint8_t> ct,
                         std::span<uint8_t> out) {
  if (!has_key_ || ct.size() < kAeadTagLen) return false;
  const size_t pt_len = ct.size() - kAeadTagLen;
  if (out.size() < pt_len || !overlap_ok(ct.data(), ct.size(), out.data(), out.size()))
    return false;
  uint8_t nonce[kAeadNonceLen];
  noise_nonce(n, nonce);
  const uint8_t* tag = ct.data() + pt_len;
  if (backend_ == AeadBackend::sodium) {
    // Verifies the tag before writing any plaintext.
    if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(out.data(), nullptr, ct.data(), pt_len,
                                                           tag, ad.data(), ad.size(), nonce,
                                                           key_.data()) == 0)
      return true;
    wipe(out.data(), pt_len);
    return false;
  }
  if (ct.size() > INT_MAX || ad.size() > INT_MAX) return false;
  // OpenSSL writes plaintext before the tag is checked in Final: copy the
  // tag first (in place, the plaintext overwrites nothing past pt_len, but
  // keep the order obvious) and wipe the output on failure.
  uint8_t tag_copy[kAeadTagLen];
  std::memcpy(tag_copy, tag, kAeadTagLen);
  EVP_CIPHER_CTX* c = ctx_of(evp_);
  int len = 0;
  uint8_t fin[kAeadTagLen];  // Final emits no bytes for a stream cipher
  bool ok = EVP_CipherInit_ex(c, nullptr, nullptr, nullptr, nonce, 0) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kAeadTagLen),
                                tag_copy) == 1 &&
            (ad.empty() ||
             EVP_CipherUpdate(c, nullptr, &len, ad.data(), static_cast<int>(ad.size())) == 1) &&
            (pt_len == 0 ||
             EVP_CipherUpdate(c, out.data(), &len, ct.data(), static_cast<int>(pt_len)) == 1) &&
            EVP_CipherFinal_ex(c, fin, &len) == 1;
  if (!ok) wipe(out.data(), pt_len);
  return ok;
}

}  // namespace crypto
