// p2p/noise/noise_limits.hpp — every constant and limit of Noise and of the
// libp2p Noise profile. Sources: specs.md §4 (libp2p noise spec r5,
// noiseprotocol.org rev 34), hardening.md rows 8-9. "spec" marks values the
// specs fix; "ours" marks our policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"

namespace p2p::noise {

// --- Noise framework -----------------------------------------------------
inline constexpr std::string_view kProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";  // spec
inline constexpr size_t kDhLen = 32;             // spec: X25519 public key / shared secret
inline constexpr size_t kHashLen = 32;           // spec: SHA-256
inline constexpr size_t kKeyLen = 32;            // spec: cipher key
inline constexpr size_t kTagLen = 16;            // spec: Poly1305 tag
inline constexpr size_t kMaxMessageLen = 65535;  // spec: any Noise message, handshake or transport
inline constexpr size_t kMaxPlaintextLen = kMaxMessageLen - kTagLen;  // spec: 65519
// spec: nonce 2^64-1 is reserved; a CipherState refuses to use it, so the
// last message of a direction carries nonce 2^64-2.
inline constexpr uint64_t kReservedNonce = UINT64_MAX;

// --- libp2p profile ---------------------------------------------------------
inline constexpr std::string_view kMultistreamId = "/noise";                  // spec
inline constexpr std::string_view kStaticKeySigPrefix = "noise-libp2p-static-key:";  // spec
inline constexpr size_t kLengthPrefixLen = 2;        // spec: u16 big-endian before each message
inline constexpr size_t kMsg1Len = kDhLen;           // spec: e, empty payload, no extensions
inline constexpr size_t kMsg2MinLen = kDhLen + kDhLen + kTagLen + kTagLen;  // e, enc(s), enc(payload)
inline constexpr size_t kMsg3MinLen = kDhLen + kTagLen + kTagLen;           // enc(s), enc(payload)
// ours (js-libp2p: inbound upgrade timeout 10 s): the whole handshake must
// finish within this after the session starts.
inline constexpr uint64_t kHandshakeTimeoutNs = 10 * net::kSecond;
// ours: ciphertext bytes feed() buffers (partial frames plus decrypted
// frames the application has not read yet). At least one whole frame.
inline constexpr size_t kMaxInputBuffered = 256 * 1024;
// ours: framed ciphertext waiting for the socket; write() takes no more.
inline constexpr size_t kMaxOutputBuffered = 256 * 1024;
// ours: early muxer negotiation (NoiseExtensions.stream_muxers): at most this
// many entries of at most this many bytes each (multistream's line limit).
inline constexpr size_t kMaxStreamMuxers = 16;
inline constexpr size_t kMaxMuxerIdLen = 1024;
// ours: the decoded handshake payload (identity key + signature + extensions)
// is bounded by the message anyway; the identity key by the key module
// (RSA <= 8192 bits, hardening.md row 4).
inline constexpr size_t kMaxPayloadLen = kMaxMessageLen - kMsg2MinLen;
inline constexpr std::string_view kYamuxId = "/yamux/1.0.0";

}  // namespace p2p::noise
