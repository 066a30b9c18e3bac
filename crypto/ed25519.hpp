// crypto/ed25519.hpp — our identity: an Ed25519 private key (libsodium) and
// its libp2p PrivateKey protobuf (specs.md §2).
//
//   message PrivateKey { required KeyType Type = 1; required bytes Data = 2; }
//   Ed25519 Data = seed(32) || pub(32); legacy 96 bytes = seed || pub || pub.
//
// The secret lives in sodium_malloc'd memory (guard pages, mlock'd, wiped by
// sodium_free); the key cannot be copied or printed. Move leaves the source
// empty (valid() false).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "crypto/keys.hpp"
#include "crypto/keys_limits.hpp"
#include "crypto/secret.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

namespace crypto {

using Ed25519Public = std::array<uint8_t, kEd25519PublicKeyLen>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureLen>;
using Ed25519PrivateKeyProto = Secret<kEd25519PrivateKeyProtoLen>;

class Ed25519PrivateKey {
 public:
  Ed25519PrivateKey() = default;  // empty; Result<> needs a default
  ~Ed25519PrivateKey();
  Ed25519PrivateKey(const Ed25519PrivateKey&) = delete;
  Ed25519PrivateKey& operator=(const Ed25519PrivateKey&) = delete;
  Ed25519PrivateKey(Ed25519PrivateKey&& o) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&& o) noexcept;

  // A fresh key from the OS CSPRNG. Err::nomem "sodium_malloc failed".
  static net::Result<Ed25519PrivateKey> generate();
  // The RFC 8032 key of a 32-byte seed. Err::nomem as above.
  static net::Result<Ed25519PrivateKey> from_seed(std::span<const uint8_t, kEd25519SeedLen> seed);

  // libp2p PrivateKey proto, strict like unmarshal_public_key (same frame
  // errors). Accepts Data of 64 bytes (seed || pub) and the legacy 96 bytes
  // (seed || pub || pub); the public key must equal the one the seed gives.
  //   Err::unsupported "key type secp256k1 is not supported, want Ed25519",
  //                    "key type 7 is not supported, want Ed25519"
  //   Err::proto  frame errors ("truncated: Data says 64 bytes, only 40 follow", ...),
  //               "Ed25519 private key is 65 bytes, want 64 (seed || public key) or 96 (legacy)",
  //               "Ed25519 private key (legacy 96-byte form): the two public keys differ"
  //   Err::crypto "Ed25519 private key: public key does not match the seed"
  static net::Result<Ed25519PrivateKey> unmarshal(net::BytesView proto);
  // seed || pub, the layout of Go's ed25519.PrivateKey; same checks as the
  // 64-byte form above (messages say "Ed25519 private key").
  static net::Result<Ed25519PrivateKey> from_seed_and_public(net::BytesView seed_pub);

  bool valid() const { return sk_ != nullptr; }

  // Everything below requires valid().
  const Ed25519Public& public_raw() const { return pub_; }
  PublicKey public_key() const;  // {KeyType::ed25519, 32 bytes}
  // Pure Ed25519 (RFC 8032): deterministic, 64 bytes.
  Ed25519Signature sign(net::BytesView msg) const;
  // `08 01 12 40 <seed || pub>` (68 bytes, wiped when it goes away).
  Ed25519PrivateKeyProto marshal() const;

 private:
  static net::Result<Ed25519PrivateKey> from_seed_ptr(const uint8_t* seed);
  void release();

  uint8_t* sk_ = nullptr;  // sodium_malloc'd 64 bytes: seed || pub (libsodium's layout)
  Ed25519Public pub_{};
};

}  // namespace crypto
