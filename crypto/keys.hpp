// crypto/keys.hpp — libp2p public keys: the PublicKey protobuf and signature
// verification for every key type libp2p defines (specs.md §2, libp2p/specs
// peer-ids/peer-ids.md).
//
//   message PublicKey { required KeyType Type = 1; required bytes Data = 2; }
//
// The encoding is deterministic (spec MUST): Type then Data, both present,
// minimal varints, nothing else; an Ed25519 key is `08 01 12 20 <32 bytes>`.
// Peer IDs and signatures cover these bytes, so the decoder is strict and
// hand-written over net::Reader rather than a general protobuf decoder.
//
// Error messages carry no module prefix ("unsupported key type 7"); callers
// add their context ("noise: identity key: ...", "key file X: ...").
#pragma once

#include <cstdint>
#include <string>

#include "net/bytes.hpp"
#include "net/result.hpp"

namespace crypto {

enum class KeyType : uint8_t { rsa = 0, ed25519 = 1, secp256k1 = 2, ecdsa = 3 };

// "RSA", "Ed25519", "secp256k1", "ECDSA" (the spec's spelling).
const char* key_type_name(KeyType t);

struct PublicKey {
  KeyType type = KeyType::ed25519;
  // Ed25519: 32 raw bytes. secp256k1: 33-byte compressed SEC 1 point.
  // ECDSA: DER SubjectPublicKeyInfo (P-256). RSA: DER SubjectPublicKeyInfo.
  net::Bytes data;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

// `08 <type> 12 <uvarint len> <data>`. Never fails; the peer ID is the
// multihash of exactly these bytes.
net::Bytes marshal_public_key(const PublicKey& k);

// Strict decoder. On success the key is valid for its type: right length,
// a point on the curve, RSA size within [2048, 8192] bits, canonical DER.
// The one normalisation: a 65-byte (uncompressed or hybrid) secp256k1 point
// is accepted, as go-libp2p's decoder does, and returned compressed, so
// compute peer IDs from marshal_public_key(result), never from the input.
// Errors:
//   Err::proto  "empty", "first field is not Type (tag 0x12, want 0x08)",
//               "Type: truncated varint" / "...: varint too long" / "...: non-minimal varint",
//               "missing Data field", "second field is not Data (tag 0x1a, want 0x12)",
//               "Data length: <varint problem>", "truncated: Data says 32 bytes, only 5 follow",
//               "3 trailing bytes after Data",
//               "Ed25519 public key is 31 bytes, want 32",
//               "secp256k1 public key is 34 bytes, want 33 (compressed) or 65 (uncompressed)",
//               "secp256k1 public key is not a point on the curve",
//               "ECDSA public key is not a DER SubjectPublicKeyInfo",
//               "ECDSA public key is not canonical (want a named P-256 curve and an uncompressed point)",
//               "RSA public key is not a DER SubjectPublicKeyInfo",
//               "RSA public key holds a key of type EC, want rsaEncryption",
//               "ECDSA public key holds a key of type RSA, want id-ecPublicKey",
//               "RSA public key is not canonical DER"
//   Err::unsupported  "unsupported key type 7",
//                     "ECDSA curve secp384r1 is not supported, want P-256"
//   Err::limit  "Data of 5000 bytes exceeds the 4096-byte limit",
//               "RSA key of 1024 bits is below the 2048-bit minimum",
//               "RSA key of 16384 bits exceeds the 8192-bit maximum"
net::Result<PublicKey> unmarshal_public_key(net::BytesView in);

// Checks `sig` over `msg` with `key`: Ed25519 (pure, RFC 8032, libsodium);
// RSA (RSASSA-PKCS1-v1_5, SHA-256); ECDSA P-256 and secp256k1 (ECDSA over
// SHA-256, DER signature), via OpenSSL. The key is re-validated first, with
// the errors of unmarshal_public_key; an RSA key outside [2048, 8192] bits is
// refused before any RSA arithmetic. Signature errors, Err::crypto:
//   "Ed25519 signature is 63 bytes, want 64", "RSA signature is 255 bytes, want 256",
//   "ECDSA signature of 80 bytes exceeds 72", "bad Ed25519 signature",
//   "bad RSA signature", "bad ECDSA signature", "bad secp256k1 signature".
// ("secp256k1 signature of 80 bytes exceeds 72" likewise). Err::nomem
// "openssl: out of memory" if OpenSSL cannot allocate; Err::crypto
// "openssl: ..." if it fails internally.
[[nodiscard]] net::Status verify(const PublicKey& key, net::BytesView msg, net::BytesView sig);

// The PublicKey / PrivateKey protobuf frame, shared with the private key
// decoder (crypto/ed25519.hpp). `check_type` runs right after Type is read,
// before Data is looked at, so a truncated RSA key file is still named as
// RSA. Data is only bounded by `max_data_len` (Err::limit); nothing else
// about it is checked. Errors: the Err::proto / Err::limit frame errors above.
namespace detail {
struct KeyProto {
  KeyType type;
  net::BytesView data;  // into the input
};
net::Result<KeyProto> decode_key_proto(net::BytesView in, size_t max_data_len,
                                       net::Status (*check_type)(uint64_t type));
}  // namespace detail

}  // namespace crypto
