#include "p2p/record/peer_record.hpp"

#include <string>

#include "p2p/record/envelope.hpp"
#include "proto/libp2p/peer_record.pb.hpp"

namespace p2p::record {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;

Bytes encode_peer_record(const PeerRecord& r) {
  pb::peer::PeerRecord m;
  m.peer_id = r.peer_id.bytes();
  m.seq = r.seq;
  m.addresses.reserve(r.addrs.size());
  for (const Multiaddr& a : r.addrs) m.addresses.push_back({.multiaddr = a.bytes()});
  return m.encode();
}

Result<PeerRecord> decode_peer_record(BytesView payload) {
  pb::peer::PeerRecord m;
  // The repeated-field cap makes the decoder refuse the 65th address before
  // it allocates it (CVE-2023-40583).
  if (auto s = m.decode(payload, pb::Limits{.max_message_len = kMaxEnvelopeLen,
                                            .max_repeated = static_cast<uint32_t>(kMaxPeerRecordAddrs)});
      !s)
    return {s.err(), "peer record: " + s.what()};
  auto id = PeerId::from_bytes(m.peer_id);
  if (!id) return {id.err(), "peer record: peer_id: " + id.what()};
  PeerRecord r;
  r.peer_id = id.take();
  r.seq = m.seq;
  r.addrs.reserve(m.addresses.size());
  for (const auto& ai : m.addresses) {
    auto a = Multiaddr::from_bytes(ai.multiaddr);
    if (!a || a->empty()) {
      ++r.skipped_addrs;
      continue;
    }
    r.addrs.push_back(a.take());
  }
  return r;
}

Result<Bytes> make_peer_record_envelope(const crypto::Ed25519PrivateKey& key, uint64_t seq,
                                        std::span<const Multiaddr> addrs) {
  if (addrs.size() > kMaxPeerRecordAddrs)
    return {Err::limit, "peer record: " + std::to_string(addrs.size()) + " addresses exceed the limit of " +
                            std::to_string(kMaxPeerRecordAddrs)};
  PeerRecord r;
  r.peer_id = PeerId::from_public_key_proto(crypto::marshal_public_key(key.public_key()));
  r.seq = seq;
  r.addrs.assign(addrs.begin(), addrs.end());
  auto env = seal_envelope(key, kPeerRecordDomain, kPeerRecordPayloadType, encode_peer_record(r));
  if (!env) return env.take_error();
  if (env->size() > kMaxEnvelopeLen)
    return {Err::limit, "peer record: envelope of " + std::to_string(env->size()) +
                            " bytes exceeds the limit of " + std::to_string(kMaxEnvelopeLen)};
  return env;
}

Result<PeerRecord> verify_peer_record(BytesView envelope, const PeerId& expected, size_t max_len) {
  auto env = open_envelope(envelope, kPeerRecordDomain, kPeerRecordPayloadType, max_len);
  if (!env) return env.take_error();
  auto r = decode_peer_record(env->payload);
  if (!r) return r.take_error();
  if (r->peer_id != env->signer)
    return {Err::crypto, "peer record: signed by " + env->signer.to_string() + " but names " +
                             r->peer_id.to_string()};
  if (env->signer != expected)
    return {Err::crypto, "peer record: signed by " + env->signer.to_string() + ", expected " +
                             expected.to_string()};
  return r;
}

}  // namespace p2p::record
