// fuzz/signed_envelope.cpp — signed envelopes and peer records. Input: byte
// 0 picks the path (0: open as a peer record envelope and verify it against
// its own signer and the spec peer; 1: decode as a peer record payload and
// check decode -> encode -> decode is stable; 2: seal the rest as a payload
// with a fixed key and open it again: it must verify and round-trip); the
// rest is the input. Seeds: fuzz/corpus/signed_envelope/ (a js-libp2p record,
// ours, tampered and truncated ones).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/ed25519.hpp"
#include "p2p/record/envelope.hpp"
#include "p2p/record/peer_record.hpp"

using namespace p2p::record;

namespace {

const crypto::Ed25519PrivateKey& fixed_key() {
  static crypto::Ed25519PrivateKey k = [] {
    std::array<uint8_t, 32> seed{};
    seed.fill(0x42);
    auto r = crypto::Ed25519PrivateKey::from_seed(seed);
    if (!r) abort();
    return r.take();
  }();
  return k;
}

const p2p::PeerId& spec_peer() {
  static p2p::PeerId id = *p2p::PeerId::parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
  return id;
}

void open_path(net::BytesView in) {
  auto o = open_envelope(in, kPeerRecordDomain, kPeerRecordPayloadType);
  auto v = verify_peer_record(in, spec_peer());
  if (v && (!o || o->signer != spec_peer())) abort();
  if (o) {
    if (o->signer.empty()) abort();
    auto self = verify_peer_record(in, o->signer);
    // Valid envelope: the record verifies against its signer unless its
    // payload is bad or names someone else.
    if (self && (self->peer_id != o->signer || self->addrs.size() > kMaxPeerRecordAddrs)) abort();
  }
}

void payload_path(net::BytesView in) {
  auto r = decode_peer_record(in);
  if (!r) return;
  if (r->addrs.size() + r->skipped_addrs > kMaxPeerRecordAddrs) abort();
  PeerRecord clean = *r;
  clean.skipped_addrs = 0;
  net::Bytes enc = encode_peer_record(clean);
  auto r2 = decode_peer_record(enc);
  if (!r2 || r2->peer_id != r->peer_id || r2->seq != r->seq || r2->addrs != r->addrs || r2->skipped_addrs != 0) abort();
  if (encode_peer_record(*r2) != enc) abort();
}

void seal_path(net::BytesView in) {
  if (in.size() > 4096) return;
  const net::Bytes type = {0x03, 0x01};
  auto env = seal_envelope(fixed_key(), kPeerRecordDomain, type, in);
  if (!env) abort();
  auto o = open_envelope(*env, kPeerRecordDomain, type);
  if (!o || !std::equal(o->payload.begin(), o->payload.end(), in.begin(), in.end())) abort();
  if (open_envelope(*env, "other-domain", type)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  net::BytesView in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: open_path(in); break;
    case 1: payload_path(in); break;
    default: seal_path(in); break;
  }
  return 0;
}
