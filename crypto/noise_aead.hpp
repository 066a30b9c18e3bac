// crypto/noise_aead.hpp — ChaCha20-Poly1305-IETF (RFC 8439) for Noise's
// CipherState (specs.md §4.2): 256-bit key, 96-bit nonce 00000000 || LE64(n),
// 16-byte tag appended to the ciphertext.
//
// Two interchangeable backends behind one class, chosen per instance at run
// time: libsodium 1.0.18 and OpenSSL 3.0 EVP. Both give the same bytes (the
// unit tests check it). The default is the faster one on our target machine,
// measured by test/bench/aead_bench.cpp (see kDefaultAeadBackend).
//
// No allocation per message: the OpenSSL context is allocated once per key
// holder, and encrypt/decrypt work in place (out.data() == in.data()).
#pragma once

#include <cstdint>
#include <span>

#include "crypto/secret.hpp"

namespace crypto {

inline constexpr size_t kAeadKeyLen = 32;
inline constexpr size_t kAeadNonceLen = 12;
inline constexpr size_t kAeadTagLen = 16;

enum class AeadBackend : uint8_t { sodium, openssl };

// Measured by test/bench/aead_bench.cpp on the Debian 12 target (AMD EPYC,
// AVX-512; MiB per CPU second, encrypt): OpenSSL 3.0.19 3270 vs libsodium
// 1.0.18 1440 on 65519-byte messages (2.3x), 1630 vs 1100 on 1 KiB (1.5x);
// libsodium wins only below ~256 bytes (64 B: 146 vs 200). So OpenSSL is
// the default for every transport CipherState. The handshake's
// SymmetricState uses libsodium: tiny messages, and a MixKey is a memcpy
// there instead of an EVP re-initialisation.
inline constexpr AeadBackend kDefaultAeadBackend = AeadBackend::openssl;

const char* aead_backend_name(AeadBackend b);

// The 12-byte Noise nonce: four zero bytes, then n little-endian.
void noise_nonce(uint64_t n, uint8_t out[kAeadNonceLen]);

class ChaChaPoly {
 public:
  explicit ChaChaPoly(AeadBackend b = kDefaultAeadBackend);
  ~ChaChaPoly();
  ChaChaPoly(const ChaChaPoly&) = delete;
  ChaChaPoly& operator=(const ChaChaPoly&) = delete;
  ChaChaPoly(ChaChaPoly&& o) noexcept;
  ChaChaPoly& operator=(ChaChaPoly&& o) noexcept;

  AeadBackend backend() const { return backend_; }
  bool has_key() const { return has_key_; }

  // Sets (or replaces) the key. Returns false only if the OpenSSL backend
  // could not allocate its context; the object then has no key.
  [[nodiscard]] bool set_key(std::span<const uint8_t, kAeadKeyLen> key);
  // Wipes the key.
  void clear();

  // out = ENCRYPT(k, n, ad, pt) || tag. Needs has_key(), out.size() >=
  // pt.size() + kAeadTagLen, and out either disjoint from pt or starting at
  // pt.data() (in place). Returns false on a precondition failure or a
  // backend error (then out is unspecified).
  [[nodiscard]] bool encrypt(uint64_t n, std::span<const uint8_t> ad, std::span<const uint8_t> pt,
                             std::span<uint8_t> out);
  // out = DECRYPT(k, n, ad, ct) for ct = ciphertext || tag. Needs
  // ct.size() >= kAeadTagLen and out.size() >= ct.size() - kAeadTagLen; out
  // disjoint from ct or in place. Returns false if the tag does not verify
  // (then the first ct.size() - kAeadTagLen bytes of out are zeroed).
  [[nodiscard]] bool decrypt(uint64_t n, std::span<const uint8_t> ad, std::span<const uint8_t> ct,
                             std::span<uint8_t> out);

 private:
  void release();
  AeadBackend backend_;
  bool has_key_ = false;
  Secret<kAeadKeyLen> key_;   // sodium backend
  void* evp_ = nullptr;       // openssl backend: EVP_CIPHER_CTX* holding the key schedule
};

}  // namespace crypto
