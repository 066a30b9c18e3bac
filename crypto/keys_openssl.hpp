// crypto/keys_openssl.hpp — the OpenSSL half of crypto/keys: RSA, ECDSA P-256
// and secp256k1 key validation and signature verification. Internal to
// crypto/ (keys.cpp is the caller); messages as documented in keys.hpp.
#pragma once

#include "net/bytes.hpp"
#include "net/result.hpp"

namespace crypto::detail {

// DER SubjectPublicKeyInfo, rsaEncryption, canonical, [kMinRsaBits, kMaxRsaBits].
net::Status check_rsa_spki(net::BytesView der);
// DER SubjectPublicKeyInfo, named curve P-256, uncompressed valid point.
net::Status check_ecdsa_spki(net::BytesView der);
// A valid SEC 1 secp256k1 point (33, or 65 bytes uncompressed/hybrid) ->
// its 33-byte compressed encoding.
net::Result<net::Bytes> secp256k1_compress(net::BytesView sec1);

// Each re-validates the key as above, then verifies SHA-256-based `sig`.
net::Status verify_rsa(net::BytesView der, net::BytesView msg, net::BytesView sig);
net::Status verify_ecdsa(net::BytesView der, net::BytesView msg, net::BytesView sig);
net::Status verify_secp256k1(net::BytesView sec1, net::BytesView msg, net::BytesView sig);

}  // namespace crypto::detail
