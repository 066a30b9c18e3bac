// p2p/multiformats/multiformats_limits.hpp — every limit of multibase,
// multihash, CID and peer-ID parsing (STYLE.md §6). Sources: specs.md §1.2–1.4
// and §2. "spec" marks a value the spec fixes; "ours" is our policy.
#pragma once

#include <cstddef>

namespace p2p {

// ours: longest multibase text we decode in the linear bases (16/32/64).
inline constexpr size_t kMaxMultibaseTextLen = 4096;

// ours: base58btc and base36 are big-number conversions, O(n^2) in the input
// length. 1024 characters (~750 bytes) bound one decode to ~10^6 digit steps
// (well under a millisecond); libp2p's base58 strings are ~50 characters.
inline constexpr size_t kMaxBigBaseTextLen = 1024;

// ours: a peer ID in text. Ed25519 base58 is 52 chars, the CIDv1 base32 form
// 62, a base16 CID of an inlined secp256k1 key ~80; 256 leaves room.
inline constexpr size_t kMaxPeerIdTextLen = 256;

// ours: a CID in text (base32 of the largest CID we accept is ~250 chars).
inline constexpr size_t kMaxCidTextLen = 512;

// ours: largest multihash digest (sha2-512 is 64 bytes; identity peer IDs
// are at most kMaxInlineKeyLen).
inline constexpr size_t kMaxMultihashDigestLen = 128;

// spec (peer-ids.md): public key protos of at most 42 bytes are inlined with
// the identity multihash; longer ones are hashed with sha2-256.
inline constexpr size_t kMaxInlineKeyLen = 42;

}  // namespace p2p
