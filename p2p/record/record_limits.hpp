// p2p/record/record_limits.hpp — constants and limits of signed envelopes
// and peer records. Sources: specs.md §2.1, §2.2 (libp2p/specs
// RFC/0002-signed-envelopes.md, RFC/0003-routing-records.md), hardening.md
// row 5 (CVE-2023-40583: a peer parked unbounded data in our memory through
// signed peer records). "spec" marks values the specs fix; "impl" what
// go/rust/js do; "ours" our policy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace p2p::record {

// impl (go core/peer/record.go PeerRecordEnvelopeDomain, js
// ENVELOPE_DOMAIN_PEER_RECORD, rust STANDARD_DOMAIN_SEP): the domain and
// multicodec (libp2p-peer-record 0x0301, as uvarint bytes) of a peer record
// envelope. NOTE: specs.md §2.1 says "libp2p-routing-state"; that is only
// rust-libp2p's legacy domain (paired with the payload type
// "/libp2p/routing-state-record"), and a js-libp2p record does not verify
// with it (test/unit/p2p/peer_record_test.cpp checks js's bytes).
inline constexpr std::string_view kPeerRecordDomain = "libp2p-peer-record";
inline constexpr std::array<uint8_t, 2> kPeerRecordPayloadType = {0x03, 0x01};

// ours (= go identify signedIDSize / js MAX_IDENTIFY_MESSAGE_SIZE): a peer
// record travels inside one identify message of at most 8 KiB, so no honest
// envelope is larger. Checked before anything is decoded.
inline constexpr size_t kMaxEnvelopeLen = 8 * 1024;

// ours (= go-libp2p peerstore MaxAddrsPerPeer 64, v0.49): addresses in one
// peer record. A record with more is refused as a whole (Err::limit): its
// signature covers all of them, and the CVE-2023-40583 fix caps what one
// peer can make us keep.
inline constexpr size_t kMaxPeerRecordAddrs = 64;

}  // namespace p2p::record
