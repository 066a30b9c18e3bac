// p2p/record/envelope.hpp — signed envelopes (specs.md §2.1, libp2p/specs
// RFC/0002-signed-envelopes.md).
//
//   message Envelope { PublicKey public_key = 1; bytes payload_type = 2;
//                      bytes payload = 3; bytes signature = 5; }
//
// The signature covers the "unsigned" bytes
//   uvarint(len(domain)) ‖ domain ‖ uvarint(len(payload_type)) ‖ payload_type
//   ‖ uvarint(len(payload)) ‖ payload
// The domain never travels: the receiver supplies the one it expects, so an
// envelope signed for another domain fails as a bad signature. Verification
// uses the payload_type and payload bytes exactly as received (never a
// re-encoding of a decoded payload).
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/ed25519.hpp"
#include "crypto/keys.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/peer_id.hpp"
#include "p2p/record/record_limits.hpp"

namespace p2p::record {

// The RFC 0002 bytes that are signed.
net::Bytes make_unsigned(std::string_view domain, net::BytesView payload_type, net::BytesView payload);

// Signs `payload` with our identity key and returns the serialized Envelope.
// Err::invalid "envelope: empty domain" / "envelope: empty payload type"
// (as go's Seal refuses them).
net::Result<net::Bytes> seal_envelope(const crypto::Ed25519PrivateKey& key, std::string_view domain,
                                      net::BytesView payload_type, net::BytesView payload);

struct OpenedEnvelope {
  crypto::PublicKey public_key;  // the signer's key, validated
  PeerId signer;                 // the peer ID of public_key
  net::Bytes payload_type;
  net::Bytes payload;
};

// Decodes `bytes`, verifies the signature for `expected_domain`, then checks
// the payload type. Errors, in the order they are checked:
//   Err::limit  "envelope: 9000 bytes exceed the limit of 8192"
//   Err::proto  "envelope: pb: ..." (malformed protobuf)
//               "envelope: missing public_key"
//   <key code>  "envelope: public_key: ..." (crypto::unmarshal_public_key's
//               errors: Err::proto, Err::unsupported, Err::limit)
//   Err::crypto "envelope: bad Ed25519 signature" (also a wrong domain or any
//               tampered byte), "envelope: Ed25519 signature is 63 bytes,
//               want 64" (crypto::verify's messages after "envelope: ")
//   Err::nomem  as crypto::verify
//   Err::unsupported "envelope: payload type 0302, want 0301" (hex; a valid
//               envelope of another type)
net::Result<OpenedEnvelope> open_envelope(net::BytesView bytes, std::string_view expected_domain,
                                          net::BytesView expected_payload_type,
                                          size_t max_len = kMaxEnvelopeLen);

}  // namespace p2p::record
