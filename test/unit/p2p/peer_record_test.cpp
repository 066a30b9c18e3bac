#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "net/bytes.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/record/envelope.hpp"
#include "p2p/record/peer_record.hpp"
#include "proto/libp2p/peer_record.pb.hpp"
#include "record_vectors.hpp"

using namespace p2p::record;
using net::Bytes;
using net::Err;
using p2p::Multiaddr;
using p2p::PeerId;

namespace {

Bytes hex(const char* h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

crypto::Ed25519PrivateKey spec_key() {
  auto k = crypto::Ed25519PrivateKey::unmarshal(hex(recvec::kSpecEd25519Priv));
  REQUIRE(k);
  return k.take();
}

crypto::Ed25519PrivateKey seeded_key(uint8_t b) {
  std::array<uint8_t, 32> seed{};
  seed.fill(b);
  auto k = crypto::Ed25519PrivateKey::from_seed(seed);
  REQUIRE(k);
  return k.take();
}

PeerId id_of(const crypto::Ed25519PrivateKey& k) {
  return PeerId::from_public_key_proto(crypto::marshal_public_key(k.public_key()));
}

Multiaddr ma(std::string_view s) {
  auto m = Multiaddr::parse(s);
  REQUIRE(m);
  return m.take();
}

std::vector<Multiaddr> n_addrs(size_t n) {
  std::vector<Multiaddr> v;
  for (size_t i = 0; i < n; ++i) v.push_back(ma("/ip4/10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + "/tcp/4001"));
  return v;
}

PeerId spec_id() { return *PeerId::parse(recvec::kSpecPeerId); }

}  // namespace

TEST_CASE("peer record: encoding is deterministic (RFC 0003 field order)") {
  PeerRecord r;
  r.peer_id = spec_id();
  r.seq = 1;
  r.addrs = {ma("/ip4/1.2.3.4/tcp/5")};
  // 0a 26 <peer id> 10 01 1a 0a (0a 08 <ma>)
  CHECK(net::to_hex(encode_peer_record(r)) ==
        "0a26" "002408011220" "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"
        "1001" "1a0a0a080401020304060005");
  auto d = decode_peer_record(encode_peer_record(r));
  REQUIRE(d);
  CHECK(d->peer_id == r.peer_id);
  CHECK(d->seq == 1);
  CHECK(d->addrs == r.addrs);
  CHECK(d->skipped_addrs == 0);
}

TEST_CASE("peer record: make and verify round trip") {
  auto key = spec_key();
  std::vector<Multiaddr> addrs = {ma("/ip4/127.0.0.1/tcp/4001"), ma("/ip6/::1/udp/4001/quic-v1")};
  auto env = make_peer_record_envelope(key, 42, addrs);
  REQUIRE(env);
  auto r = verify_peer_record(*env, spec_id());
  REQUIRE(r);
  CHECK(r->peer_id == spec_id());
  CHECK(r->seq == 42);
  CHECK(r->addrs == addrs);
  // No addresses is a valid record too.
  auto empty = make_peer_record_envelope(key, 43, {});
  REQUIRE(empty);
  auto re = verify_peer_record(*empty, spec_id());
  REQUIRE(re);
  CHECK(re->addrs.empty());
}

TEST_CASE("peer record: byte-identical to js-libp2p's for the same input, and js's verifies") {
  auto key = spec_key();
  std::vector<Multiaddr> addrs = {ma("/ip4/127.0.0.1/tcp/4001"), ma("/ip6/::1/udp/4001/quic-v1")};
  auto ours = make_peer_record_envelope(key, recvec::kJsPeerRecordSeq, addrs);
  REQUIRE(ours);
  CHECK(net::to_hex(*ours) == recvec::kJsPeerRecord);
  auto r = verify_peer_record(hex(recvec::kJsPeerRecord), spec_id());
  REQUIRE(r);
  CHECK(r->seq == recvec::kJsPeerRecordSeq);
  REQUIRE(r->addrs.size() == 2);
  CHECK(r->addrs[0].to_string() == "/ip4/127.0.0.1/tcp/4001");
  CHECK(r->addrs[1].to_string() == "/ip6/::1/udp/4001/quic-v1");
}

TEST_CASE("peer record: signer is not the expected peer") {
  auto key = seeded_key(1);
  auto env = make_peer_record_envelope(key, 1, n_addrs(1));
  REQUIRE(env);
  auto r = verify_peer_record(*env, spec_id());
  CHECK(r.err() == Err::crypto);
  CHECK(r.what() == "peer record: signed by " + id_of(key).to_string() + ", expected " + recvec::kSpecPeerId);
}

TEST_CASE("peer record: a record naming another peer than its signer") {
  auto mallory = seeded_key(2);
  PeerRecord r;
  r.peer_id = spec_id();  // claims to be the spec peer
  r.seq = 9;
  r.addrs = n_addrs(1);
  auto env = seal_envelope(mallory, kPeerRecordDomain, kPeerRecordPayloadType, encode_peer_record(r));
  REQUIRE(env);
  auto v = verify_peer_record(*env, spec_id());
  CHECK(v.err() == Err::crypto);
  CHECK(v.what() == "peer record: signed by " + id_of(mallory).to_string() + " but names " + recvec::kSpecPeerId);
}

TEST_CASE("peer record: wrong domain or payload type") {
  auto key = spec_key();
  PeerRecord r;
  r.peer_id = spec_id();
  Bytes payload = encode_peer_record(r);
  auto wrong_domain = seal_envelope(key, "libp2p-relay-rsvp", kPeerRecordPayloadType, payload);
  auto v1 = verify_peer_record(*wrong_domain, spec_id());
  CHECK(v1.err() == Err::crypto);
  CHECK(v1.what() == "envelope: bad Ed25519 signature");
  auto wrong_type = seal_envelope(key, kPeerRecordDomain, Bytes{0x03, 0x02}, payload);
  auto v2 = verify_peer_record(*wrong_type, spec_id());
  CHECK(v2.err() == Err::unsupported);
  CHECK(v2.what() == "envelope: payload type 0302, want 0301");
}

TEST_CASE("peer record: tampering with the js record's fields") {
  // Offsets in kJsPeerRecord: 7 the key, 41 the payload type, then in the
  // payload (from 44) 60 the peer id, 86 the seq, 100 the first address;
  // the signature is the last 64 bytes.
  Bytes js = hex(recvec::kJsPeerRecord);
  for (size_t i : {size_t{7}, size_t{41}, size_t{60}, size_t{86}, size_t{100}, js.size() - 1}) {
    Bytes t = js;
    t[i] ^= 0x01;
    CAPTURE(i);
    auto r = verify_peer_record(t, spec_id());
    CHECK(r.err() == Err::crypto);
  }
}

TEST_CASE("peer record: the address limit crossed by one") {
  auto key = spec_key();
  auto at = make_peer_record_envelope(key, 1, n_addrs(kMaxPeerRecordAddrs));
  REQUIRE(at);
  auto v = verify_peer_record(*at, spec_id());
  REQUIRE(v);
  CHECK(v->addrs.size() == kMaxPeerRecordAddrs);

  auto over = make_peer_record_envelope(key, 1, n_addrs(kMaxPeerRecordAddrs + 1));
  CHECK(over.err() == Err::limit);
  CHECK(over.what() == "peer record: 65 addresses exceed the limit of 64");

  // A peer that signs 65 anyway is refused when we decode.
  PeerRecord r;
  r.peer_id = spec_id();
  r.addrs = n_addrs(kMaxPeerRecordAddrs + 1);
  auto env = seal_envelope(key, kPeerRecordDomain, kPeerRecordPayloadType, encode_peer_record(r));
  auto d = verify_peer_record(*env, spec_id());
  CHECK(d.err() == Err::limit);
  CHECK(d.what().rfind("peer record: pb: more than 64 elements in repeated field 3", 0) == 0);
}

TEST_CASE("peer record: the envelope size limit applies to what we make") {
  auto key = spec_key();
  // 64 addresses of ~130 bytes (dns names) do not fit 8 KiB.
  std::vector<Multiaddr> big;
  for (size_t i = 0; i < kMaxPeerRecordAddrs; ++i)
    big.push_back(ma("/dns4/" + std::string(110, 'a') + std::to_string(i) + ".example/tcp/4001"));
  auto env = make_peer_record_envelope(key, 1, big);
  CHECK(env.err() == Err::limit);
  CHECK(env.what().rfind("peer record: envelope of ", 0) == 0);
  CHECK(env.what().find(" bytes exceeds the limit of 8192") != std::string::npos);
}

TEST_CASE("peer record: invalid addresses are skipped and counted, bad peer ids refused") {
  pb::peer::PeerRecord m;
  m.peer_id = spec_id().bytes();
  m.seq = 5;
  m.addresses.push_back({.multiaddr = ma("/ip4/1.2.3.4/tcp/1").bytes()});
  m.addresses.push_back({.multiaddr = Bytes{0xff, 0xff, 0x03}});  // unknown protocol
  m.addresses.push_back({.multiaddr = Bytes{}});                  // empty
  auto d = decode_peer_record(m.encode());
  REQUIRE(d);
  CHECK(d->addrs.size() == 1);
  CHECK(d->skipped_addrs == 2);

  m.peer_id = {0x12, 0x20, 0x01};  // truncated sha2-256 multihash
  auto bad = decode_peer_record(m.encode());
  CHECK(bad.err() == Err::proto);
  CHECK(bad.what().rfind("peer record: peer_id: peerid: ", 0) == 0);

  m.peer_id.clear();
  auto none = decode_peer_record(m.encode());
  CHECK(none.err() == Err::proto);
  CHECK(none.what() == "peer record: peer_id: peerid: empty input");

  auto garbage = decode_peer_record(Bytes{0x0a, 0x05, 0x00});
  CHECK(garbage.err() == Err::proto);
  CHECK(garbage.what().rfind("peer record: pb: ", 0) == 0);
}
