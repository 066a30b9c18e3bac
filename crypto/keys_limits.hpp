// crypto/keys_limits.hpp — sizes and limits of libp2p keys, signatures and
// the identity key file. Sources: specs.md §2 (libp2p/specs
// peer-ids/peer-ids.md), RFC 8032, SEC 1, go-libp2p core/crypto.
#pragma once

#include <cstddef>

namespace crypto {

// Ed25519 (RFC 8032; spec: raw 32-byte public key, 64-byte seed || pub private key).
inline constexpr size_t kEd25519SeedLen = 32;           // spec
inline constexpr size_t kEd25519PublicKeyLen = 32;      // spec
inline constexpr size_t kEd25519SignatureLen = 64;      // spec
inline constexpr size_t kEd25519PrivateKeyLen = 64;     // spec: seed || pub
inline constexpr size_t kEd25519LegacyPrivateKeyLen = 96;  // spec: seed || pub || pub
// 08 01 12 40 <64 bytes>: the PrivateKey proto we write.
inline constexpr size_t kEd25519PrivateKeyProtoLen = 4 + kEd25519PrivateKeyLen;

// secp256k1 public keys are SEC 1 points; the spec encoding is compressed.
inline constexpr size_t kSecp256k1CompressedLen = 33;    // spec
inline constexpr size_t kSecp256k1UncompressedLen = 65;  // accepted as go-libp2p does (SEC 1 04/06/07)

// ECDSA: a DER SubjectPublicKeyInfo, named curve P-256, uncompressed point
// (what go-libp2p writes and its x509 parser accepts): 26 header bytes + 65.
inline constexpr size_t kEcdsaP256SpkiLen = 91;           // spec-derived
// DER ECDSA-Sig-Value over a 256-bit group: 30 44 (02 21 <33>) (02 21 <33>).
inline constexpr size_t kMaxEcdsaSignatureLen = 72;       // spec-derived

// RSA (go-libp2p MinRsaKeyBits / maxRsaKeyBits; CVE-2023-39533: huge keys
// made verification a DoS, so the size is checked before any verification).
inline constexpr int kMinRsaBits = 2048;  // go-libp2p
inline constexpr int kMaxRsaBits = 8192;  // go-libp2p

// PublicKey.Data: an 8192-bit RSA SubjectPublicKeyInfo is 1,062 bytes with
// e = 65537; 4 KiB names bigger RSA keys by their size instead of refusing
// them as a blob.
inline constexpr size_t kMaxPublicKeyDataLen = 4096;  // ours

// The identity key file: ours is 68 bytes. 8 KiB still holds an 8192-bit
// RSA PrivateKey proto, so such a file is refused for its type, not its size.
inline constexpr size_t kMaxKeyFileLen = 8192;  // ours

}  // namespace crypto
