// crypto/tls_limits.hpp — limits of crypto::TlsSession (ours; RFC 8446
// bounds a record at 2^14 bytes of plaintext + 256 of expansion).
#pragma once

#include <cstddef>

namespace crypto {

// Ciphertext fed but not yet processed (a read turn adds at most 64 KiB).
inline constexpr size_t kTlsMaxInputLen = 256 * 1024;
// Ciphertext and held plaintext queued for the peer.
inline constexpr size_t kTlsMaxOutputLen = 32 * 1024 * 1024;
// Plaintext handed out per read() call by default.
inline constexpr size_t kTlsReadSliceLen = 64 * 1024;

}  // namespace crypto
