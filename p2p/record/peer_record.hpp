// p2p/record/peer_record.hpp — peer records (specs.md §2.2, libp2p/specs
// RFC/0003-routing-records.md): a peer's addresses, signed by the peer,
// carried in a signed envelope (domain "libp2p-peer-record", payload type
// 0x0301; see record_limits.hpp) — in identify's signedPeerRecord and in DHT / rendezvous answers.
//
//   message PeerRecord { bytes peer_id = 1; uint64 seq = 2;
//                        repeated AddressInfo addresses = 3; }
//   message AddressInfo { bytes multiaddr = 1; }
//
// A receiver keeps the record with the highest seq per peer (go certified
// addr book, js peer store); seq is chosen by the signer (go and we: the
// unix time in ns at creation, js: ms), so it is passed in, never read from
// a clock here.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/ed25519.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/peer_id.hpp"
#include "p2p/record/record_limits.hpp"

namespace p2p::record {

struct PeerRecord {
  PeerId peer_id;
  uint64_t seq = 0;
  std::vector<Multiaddr> addrs;
  // decode only: addresses left out because they are not valid multiaddrs of
  // ours (an unknown protocol code, a bad value). The signature still covers
  // them; they are just not dialable by us.
  size_t skipped_addrs = 0;
};

// The payload bytes (deterministic: peer_id, seq, addresses in order).
net::Bytes encode_peer_record(const PeerRecord& r);

// Decodes a payload. Errors:
//   Err::proto "peer record: pb: ..." (malformed protobuf)
//   Err::limit "peer record: pb: more than 64 elements in repeated field 3 ..."
//              (more than kMaxPeerRecordAddrs addresses)
//   <code>     "peer record: peer_id: peerid: ..." (PeerId::from_bytes)
net::Result<PeerRecord> decode_peer_record(net::BytesView payload);

// Our signed peer record: a serialized Envelope. Err::limit when there are
// more than kMaxPeerRecordAddrs addresses ("peer record: 65 addresses exceed
// the limit of 64") or the envelope would exceed kMaxEnvelopeLen ("peer
// record: envelope of N bytes exceeds the limit of 8192"), so we never send
// what we would refuse. Addresses go in as given (identify strips /p2p).
net::Result<net::Bytes> make_peer_record_envelope(const crypto::Ed25519PrivateKey& key, uint64_t seq,
                                                  std::span<const Multiaddr> addrs);

// Opens a peer record envelope (open_envelope's errors, unchanged), decodes
// its payload (decode_peer_record's errors) and checks who signed it:
//   Err::crypto "peer record: signed by 12D3…A but names 12D3…B" (the
//               record's peer_id is not the signer's)
//   Err::crypto "peer record: signed by 12D3…A, expected 12D3…B" (the
//               signer is not the peer we talk to: hardening.md row 5)
net::Result<PeerRecord> verify_peer_record(net::BytesView envelope, const PeerId& expected,
                                           size_t max_len = kMaxEnvelopeLen);

}  // namespace p2p::record
