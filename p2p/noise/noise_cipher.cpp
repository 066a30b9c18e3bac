#include "p2p/noise/noise_cipher.hpp"

#include <cstring>

#include "crypto/noise_hkdf.hpp"

namespace p2p::noise {

net::Status CipherState::initialize_key(std::span<const uint8_t, kKeyLen> k) {
  n_ = 0;
  failed_ = false;
  if (!aead_.set_key(k)) {
    failed_ = true;
    return {net::Err::nomem, "noise: cannot allocate cipher context"};
  }
  return {};
}

net::Error CipherState::fail(net::Err code, const char* what) {
  failed_ = true;
  aead_.clear();  // the key is never used again
  return {code, what};
}

net::Status CipherState::usable() {
  if (failed_) return net::Error{net::Err::closed, "noise: cipher state unusable after an earlier error"};
  if (n_ == kReservedNonce) return fail(net::Err::limit, "noise: nonce exhausted");
  return {};
}

net::Result<size_t> CipherState::encrypt_with_ad(net::BytesView ad, net::BytesView pt,
                                                 std::span<uint8_t> out) {
  if (failed_) return usable().take_error();
  if (!has_key()) {  // before the first MixKey: plaintext, nonce untouched
    if (out.size() < pt.size()) return fail(net::Err::invalid, "noise: output buffer too small");
    if (!pt.empty() && out.data() != pt.data()) std::memmove(out.data(), pt.data(), pt.size());
    return pt.size();
  }
  AAC_TRY(usable());
  if (out.size() < pt.size() + kTagLen)
    return fail(net::Err::invalid, "noise: output buffer too small");
  if (!aead_.encrypt(n_, ad, pt, out)) return fail(net::Err::crypto, "noise: encryption failed");
  ++n_;  // only after success
  return pt.size() + kTagLen;
}

net::Result<size_t> CipherState::decrypt_with_ad(net::BytesView ad, net::BytesView ct,
                                                 std::span<uint8_t> out) {
  if (failed_) return usable().take_error();
  if (!has_key()) {
    if (out.size() < ct.size()) return fail(net::Err::invalid, "noise: output buffer too small");
    if (!ct.empty() && out.data() != ct.data()) std::memmove(out.data(), ct.data(), ct.size());
    return ct.size();
  }
  AAC_TRY(usable());
  if (ct.size() < kTagLen) return fail(net::Err::crypto, "noise: decryption failed");
  if (out.size() < ct.size() - kTagLen)
    return fail(net::Err::invalid, "noise: output buffer too small");
  // A failed decrypt leaves n_ as it was (hardening.md row 8a) and poisons
  // the state: the caller must drop the connection.
  if (!aead_.decrypt(n_, ad, ct, out)) return fail(net::Err::crypto, "noise: decryption failed");
  ++n_;
  return ct.size() - kTagLen;
}

SymmetricState::SymmetricState(std::string_view protocol_name, crypto::AeadBackend b) : cs_(b) {
  if (protocol_name.size() <= kHashLen) {
    std::memcpy(h_.data(), protocol_name.data(), protocol_name.size());
  } else {
    h_ = crypto::sha256(net::as_bytes(protocol_name));
  }
  std::memcpy(ck_.data(), h_.data(), kHashLen);
}

net::Status SymmetricState::mix_key(net::BytesView ikm) {
  crypto::Secret<kHashLen> tk;
  crypto::noise_hkdf2(ck_.span(), ikm, ck_, tk);
  return cs_.initialize_key(tk.span());
}

void SymmetricState::mix_hash(net::BytesView data) {
  crypto::Sha256 s;
  s.update(h_);
  s.update(data);
  h_ = s.finish();
}

net::Result<size_t> SymmetricState::encrypt_and_hash(net::BytesView pt, std::span<uint8_t> out) {
  auto n = cs_.encrypt_with_ad(h_, pt, out);
  if (n) mix_hash(out.first(*n));
  return n;
}

net::Result<size_t> SymmetricState::decrypt_and_hash(net::BytesView ct, std::span<uint8_t> out) {
  // h must absorb the ciphertext, which an in-place decrypt overwrites.
  crypto::Sha256 next;
  next.update(h_);
  next.update(ct);
  auto n = cs_.decrypt_with_ad(h_, ct, out);
  if (n) h_ = next.finish();
  return n;
}

net::Status SymmetricState::split(CipherState& c1, CipherState& c2) {
  crypto::Secret<kHashLen> t1, t2;
  crypto::noise_hkdf2(ck_.span(), {}, t1, t2);
  AAC_TRY(c1.initialize_key(t1.span()));
  return c2.initialize_key(t2.span());
}

}  // namespace p2p::noise
