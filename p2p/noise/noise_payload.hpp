// p2p/noise/noise_payload.hpp — the libp2p NoiseHandshakePayload (specs.md
// §4.1; proto/libp2p/noise.proto): building ours, checking theirs, and the
// early muxer choice. Pure functions: no state, no I/O.
#pragma once

#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/noise_x25519.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/peer_id.hpp"

namespace p2p::noise {

// NoiseHandshakePayload{identity_key = our PublicKey proto,
//   identity_sig = Sign(identity, "noise-libp2p-static-key:" || static_pub),
//   extensions = {stream_muxers = muxers}} (no extensions when muxers is
// empty). Ed25519 signing cannot fail.
net::Bytes make_payload(const crypto::Ed25519PrivateKey& identity,
                                     const crypto::X25519Public& static_pub,
                                     const std::vector<std::string>& muxers);

struct RemoteIdentity {
  PeerId peer;
  net::Bytes public_key_proto;       // identity_key, as received
  std::vector<std::string> muxers;   // extensions.stream_muxers (may be empty)
};

// Decodes a received payload, verifies identity_sig over the remote Noise
// static key with the identity key (any key type the key module verifies),
// derives the PeerId and, if `expected` is not empty, checks it. Errors:
//   Err::proto  "noise: payload: <protobuf error>", "noise: payload has no identity key",
//               "noise: payload has no identity signature", "noise: identity key: <why>"
//   Err::limit  "noise: 17 stream muxers exceed 16", "noise: stream muxer id of N bytes exceeds 1024"
//   Err::unsupported  "noise: identity key: unsupported key type 7" (the key module's words)
//   Err::crypto "noise: bad identity signature",
//               "noise: remote peer ID 12D3…x does not match expected 12D3…y"
net::Result<RemoteIdentity> verify_payload(net::BytesView payload,
                                           const crypto::X25519Public& remote_static,
                                           const PeerId& expected);

// Early muxer negotiation (libp2p/specs connections/inlined-muxer-negotiation.md):
// the first entry of the initiator's list that the responder's list also
// holds. "" (use multistream-select) if either list is empty. Err::proto
// "noise: no common stream muxer (ours: [...], theirs: [...])" if both are
// non-empty without overlap — the spec says the handshake MUST fail, and
// js-libp2p aborts it.
net::Result<std::string> select_muxer(const std::vector<std::string>& initiator,
                                      const std::vector<std::string>& responder);

}  // namespace p2p::noise
