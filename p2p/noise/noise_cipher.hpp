// p2p/noise/noise_cipher.hpp — Noise CipherState and SymmetricState
// (noiseprotocol.org rev 34 §5.1-5.2; specs.md §4.2), for
// Noise_XX_25519_ChaChaPoly_SHA256.
//
// Hardening (STYLE.md §8, hardening.md row 8): the nonce is incremented only
// after a successful encrypt/decrypt; nonce 2^64-1 is refused; after ANY
// error a CipherState is poisoned and refuses every further call.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/hash.hpp"
#include "crypto/noise_aead.hpp"
#include "crypto/secret.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/noise/noise_limits.hpp"

namespace p2p::noise {

class CipherState {
 public:
  CipherState() : aead_(crypto::kDefaultAeadBackend) {}
  explicit CipherState(crypto::AeadBackend b) : aead_(b) {}

  // InitializeKey(k): sets the key, n = 0, clears a poisoned state.
  // Err::nomem if the AEAD backend cannot allocate its context.
  [[nodiscard]] net::Status initialize_key(std::span<const uint8_t, kKeyLen> k);
  bool has_key() const { return aead_.has_key(); }
  uint64_t nonce() const { return n_; }
  // SetNonce(n) — the Noise API; the tests use it to reach 2^64-1.
  void set_nonce(uint64_t n) { n_ = n; }
  bool failed() const { return failed_; }
  crypto::AeadBackend backend() const { return aead_.backend(); }

  // EncryptWithAd: writes ENCRYPT(k, n, ad, pt) || tag (pt as is, without a
  // key) to out, which may start at pt.data() (in place). Returns the bytes
  // written. Errors (each poisons the state):
  //   Err::closed  "noise: cipher state unusable after an earlier error"
  //   Err::limit   "noise: nonce exhausted"            (n == 2^64-1)
  //   Err::invalid "noise: output buffer too small"
  //   Err::crypto  "noise: encryption failed"          (backend error)
  [[nodiscard]] net::Result<size_t> encrypt_with_ad(net::BytesView ad, net::BytesView pt,
                                                    std::span<uint8_t> out);
  // DecryptWithAd: the reverse; out needs ct.size() - 16 bytes (ct.size()
  // without a key), may start at ct.data(). Errors as above plus
  //   Err::crypto  "noise: decryption failed"          (bad tag / short ct)
  [[nodiscard]] net::Result<size_t> decrypt_with_ad(net::BytesView ad, net::BytesView ct,
                                                    std::span<uint8_t> out);

 private:
  net::Status usable();
  net::Error fail(net::Err code, const char* what);

  crypto::ChaChaPoly aead_;
  uint64_t n_ = 0;
  bool failed_ = false;
};

class SymmetricState {
 public:
  // InitializeSymmetric(protocol_name); the CipherState uses backend b.
  explicit SymmetricState(std::string_view protocol_name,
                          crypto::AeadBackend b = crypto::AeadBackend::sodium);

  [[nodiscard]] net::Status mix_key(net::BytesView ikm);
  void mix_hash(net::BytesView data);
  bool has_key() const { return cs_.has_key(); }
  // EncryptAndHash / DecryptAndHash, with the CipherState's output rules.
  [[nodiscard]] net::Result<size_t> encrypt_and_hash(net::BytesView pt, std::span<uint8_t> out);
  [[nodiscard]] net::Result<size_t> decrypt_and_hash(net::BytesView ct, std::span<uint8_t> out);
  // Split(): c1 (initiator -> responder), c2 (responder -> initiator).
  [[nodiscard]] net::Status split(CipherState& c1, CipherState& c2);

  // h: after the handshake, the channel-binding handshake hash.
  const crypto::Sha256Digest& handshake_hash() const { return h_; }

 private:
  crypto::Secret<kHashLen> ck_;
  crypto::Sha256Digest h_{};
  CipherState cs_;
};

}  // namespace p2p::noise
