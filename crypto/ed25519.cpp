#include "crypto/ed25519.hpp"

#include <sodium.h>

#include <cstring>
#include <string>

#include "crypto/init.hpp"

namespace crypto {

using net::Err;

static_assert(crypto_sign_SEEDBYTES == kEd25519SeedLen);
static_assert(crypto_sign_SECRETKEYBYTES == kEd25519PrivateKeyLen);

namespace {

net::Status check_private_type(uint64_t type) {
  if (type == static_cast<uint64_t>(KeyType::ed25519)) return {};
  const std::string name = type <= static_cast<uint64_t>(KeyType::ecdsa)
                               ? key_type_name(static_cast<KeyType>(type))
                               : std::to_string(type);
  return {Err::unsupported, "key type " + name + " is not supported, want Ed25519"};
}

}  // namespace

Ed25519PrivateKey::~Ed25519PrivateKey() { release(); }

Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey&& o) noexcept : sk_(o.sk_), pub_(o.pub_) {
  o.sk_ = nullptr;
}

Ed25519PrivateKey& Ed25519PrivateKey::operator=(Ed25519PrivateKey&& o) noexcept {
  if (this != &o) {
    release();
    sk_ = o.sk_;
    pub_ = o.pub_;
    o.sk_ = nullptr;
  }
  return *this;
}

void Ed25519PrivateKey::release() {
  if (sk_) sodium_free(sk_);  // wipes before unmapping
  sk_ = nullptr;
}

net::Result<Ed25519PrivateKey> Ed25519PrivateKey::from_seed_ptr(const uint8_t* seed) {
  // sodium_malloc needs sodium_init (it sets the page size).
  AAC_TRY(init());
  Ed25519PrivateKey k;
  k.sk_ = static_cast<uint8_t*>(sodium_malloc(kEd25519PrivateKeyLen));
  if (!k.sk_) return {Err::nomem, "sodium_malloc failed"};
  // Writes seed || pub into sk_; cannot fail.
  (void)crypto_sign_seed_keypair(k.pub_.data(), k.sk_, seed);
  return k;
}

net::Result<Ed25519PrivateKey> Ed25519PrivateKey::generate() {
  Secret<kEd25519SeedLen> seed;
  random_bytes(seed.span());
  return from_seed_ptr(seed.data());
}

net::Result<Ed25519PrivateKey> Ed25519PrivateKey::from_seed(
    std::span<const uint8_t, kEd25519SeedLen> seed) {
  return from_seed_ptr(seed.data());
}

net::Result<Ed25519PrivateKey> Ed25519PrivateKey::from_seed_and_public(net::BytesView seed_pub) {
  if (seed_pub.size() != kEd25519PrivateKeyLen)
    return {Err::proto, "Ed25519 private key is " + std::to_string(seed_pub.size()) +
                            " bytes, want 64"};
  auto k = from_seed_ptr(seed_pub.data());
  if (!k) return k;
  // Go's ed25519 keeps the public half next to the seed and trusts it; we
  // derive it, so a file whose halves disagree is corrupt (or tampered).
  if (!ct_equal(k->pub_, seed_pub.subspan(kEd25519SeedLen, kEd25519PublicKeyLen)))
    return {Err::crypto, "Ed25519 private key: public key does not match the seed"};
  return k;
}

net::Result<Ed25519PrivateKey> Ed25519PrivateKey::unmarshal(net::BytesView proto) {
  auto p = detail::decode_key_proto(proto, kMaxKeyFileLen, check_private_type);
  if (!p) return p.take_error();
  const net::BytesView d = p->data;
  if (d.size() == kEd25519LegacyPrivateKeyLen) {
    // specs.md §2: the legacy form repeats the public key; both copies must agree.
    if (!ct_equal(d.subspan(32, 32), d.subspan(64, 32)))
      return {Err::proto, "Ed25519 private key (legacy 96-byte form): the two public keys differ"};
    return from_seed_and_public(d.first(kEd25519PrivateKeyLen));
  }
  if (d.size() != kEd25519PrivateKeyLen)
    return {Err::proto, "Ed25519 private key is " + std::to_string(d.size()) +
                            " bytes, want 64 (seed || public key) or 96 (legacy)"};
  return from_seed_and_public(d);
}

PublicKey Ed25519PrivateKey::public_key() const {
  return PublicKey{KeyType::ed25519, net::Bytes(pub_.begin(), pub_.end())};
}

Ed25519Signature Ed25519PrivateKey::sign(net::BytesView msg) const {
  Ed25519Signature sig{};
  // Cannot fail for a valid key (libsodium returns 0 unconditionally).
  (void)crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), sk_);
  return sig;
}

Ed25519PrivateKeyProto Ed25519PrivateKey::marshal() const {
  Ed25519PrivateKeyProto out;
  uint8_t* o = out.data();
  o[0] = 0x08;  // Type
  o[1] = static_cast<uint8_t>(KeyType::ed25519);
  o[2] = 0x12;  // Data
  o[3] = static_cast<uint8_t>(kEd25519PrivateKeyLen);
  std::memcpy(o + 4, sk_, kEd25519PrivateKeyLen);
  return out;
}

}  // namespace crypto
