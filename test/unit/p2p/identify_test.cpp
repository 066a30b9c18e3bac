#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "net/bytes.hpp"
#include "p2p/identify/identify.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/record/peer_record.hpp"
#include "proto/libp2p/identify.pb.hpp"
#include "record_vectors.hpp"

using namespace p2p::identify;
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

PeerId spec_id() { return *PeerId::parse(recvec::kSpecPeerId); }

Multiaddr ma(std::string_view s) {
  auto m = Multiaddr::parse(s);
  REQUIRE(m);
  return m.take();
}

// One length-prefixed message.
Bytes frame(const pb::identify::Identify& m) {
  Bytes body = m.encode();
  Bytes out;
  net::Writer(out).lp_bytes(body);
  return out;
}

Bytes cat(Bytes a, net::BytesView b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

enum class Cut { whole, bytes, random };

// Feeds `wire` cut as asked, then EOF.
net::Result<IdentifyInfo> read_all(const PeerId& remote, net::BytesView wire, Cut cut = Cut::whole,
                                   Limits lim = {}, uint64_t seed = 1) {
  IdentifyReader rd(remote, 0, lim);
  std::mt19937_64 rng(seed);
  size_t off = 0;
  while (off < wire.size()) {
    size_t n = wire.size() - off;
    if (cut == Cut::bytes) n = 1;
    if (cut == Cut::random) n = std::min<size_t>(n, 1 + rng() % 97);
    auto s = rd.feed(wire.subspan(off, n), 0);
    if (!s) return s.take_error();
    off += n;
  }
  return rd.on_eof();
}

LocalInfo local_info() {
  LocalInfo li;
  li.listen_addrs = {ma("/ip4/127.0.0.1/tcp/4001"), ma("/ip4/192.168.1.5/tcp/4001"),
                     ma("/ip4/1.2.3.4/udp/4001/quic-v1")};
  li.protocols = {"/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0"};
  li.record_seq = 1700000000000000001ull;
  return li;
}

}  // namespace

TEST_CASE("identify: constants match the specs and go/js") {
  CHECK(kProtocolId == "/ipfs/id/1.0.0");
  CHECK(kPushProtocolId == "/ipfs/id/push/1.0.0");
  CHECK(kProtocolVersion == "ipfs/0.1.0");
  CHECK(default_agent_version().rfind("agentanycastd/", 0) == 0);
  CHECK(kMaxMessageLen == 8192);
  CHECK(kMaxMessages == 10);
  CHECK(kMaxOwnMessageLen == 4096);
}

TEST_CASE("identify: a real js-libp2p identify message, whole and cut at every boundary") {
  Bytes wire = hex(recvec::kJsIdentify);
  for (Cut cut : {Cut::whole, Cut::bytes, Cut::random}) {
    CAPTURE(static_cast<int>(cut));
    auto r = read_all(spec_id(), wire, cut);
    REQUIRE(r);
    CHECK(r->messages == 1);
    CHECK(r->protocol_version == "ipfs/0.1.0");
    CHECK(r->agent_version == "js-libp2p/3.3.11 node/20.20.2");
    REQUIRE(r->public_key);
    CHECK(crypto::marshal_public_key(*r->public_key) == hex(recvec::kSpecEd25519Pub));
    REQUIRE(r->listen_addrs.size() == 1);
    CHECK(r->listen_addrs[0].to_string() == recvec::kJsIdentifyListen);
    REQUIRE(r->observed_addr);
    CHECK(r->observed_addr->to_string() == recvec::kJsIdentifyObserved);
    CHECK(r->protocols == std::vector<std::string>{"/ipfs/id/1.0.0", "/ipfs/id/push/1.0.0", "/ipfs/ping/1.0.0"});
    REQUIRE(r->signed_record_seq);
    CHECK(*r->signed_record_seq == recvec::kJsIdentifySeq);
    REQUIRE(r->verified_addrs.size() == 1);
    CHECK(r->verified_addrs[0].to_string() == recvec::kJsIdentifyListen);
    CHECK(&r->addrs() == &r->verified_addrs);
    CHECK_FALSE(r->record_error);
    CHECK(r->warnings.total() == 0);
    CHECK_FALSE(r->signed_record.empty());
  }
}

TEST_CASE("identify: the js message from the wrong peer fails on its public key") {
  auto other = id_of(seeded_key(3));
  auto r = read_all(other, hex(recvec::kJsIdentify));
  CHECK(r.err() == Err::crypto);
  CHECK(r.what() == std::string("identify: publicKey is the key of ") + recvec::kSpecPeerId +
                        ", not of the remote " + other.to_string());
}

TEST_CASE("identify: our snapshot round-trips through the reader") {
  auto key = spec_key();
  auto snap = Snapshot::make(key, local_info());
  REQUIRE(snap);
  CHECK(snap->dropped_addrs() == 0);
  CHECK(snap->seq() == 1700000000000000001ull);
  Bytes wire;
  Multiaddr observed = ma("/ip4/127.0.0.1/tcp/50000");
  snap->encode(observed, wire);
  auto r = read_all(spec_id(), wire, Cut::random);
  REQUIRE(r);
  CHECK(r->protocol_version == "ipfs/0.1.0");
  CHECK(r->agent_version == default_agent_version());
  CHECK(r->listen_addrs == local_info().listen_addrs);  // loopback kept: the peer is on loopback
  CHECK(r->observed_addr == observed);
  CHECK(r->protocols == local_info().protocols);
  REQUIRE(r->signed_record_seq);
  CHECK(*r->signed_record_seq == 1700000000000000001ull);
  CHECK(r->verified_addrs == local_info().listen_addrs);
  CHECK(r->signed_record == snap->signed_record());
  // The message the generated encoder would write (observedAddr in field
  // order) decodes to the same struct as ours (observedAddr last).
  pb::identify::Identify a, b;
  net::Reader rd(wire);
  uint64_t len = 0;
  REQUIRE(rd.uvarint(len));
  REQUIRE(a.decode(rd.rest()));
  REQUIRE(b.decode(a.encode()));
  CHECK(a == b);
}

TEST_CASE("identify: a /p2p suffix and duplicates are stripped from our addresses") {
  auto key = spec_key();
  LocalInfo li = local_info();
  li.listen_addrs = {ma(std::string("/ip4/1.2.3.4/tcp/1/p2p/") + recvec::kSpecPeerId), ma("/ip4/1.2.3.4/tcp/1")};
  auto snap = Snapshot::make(key, li);
  REQUIRE(snap);
  REQUIRE(snap->listen_addrs().size() == 1);
  CHECK(snap->listen_addrs()[0].to_string() == "/ip4/1.2.3.4/tcp/1");
}

TEST_CASE("identify: loopback listen addresses are only sent to loopback peers") {
  auto key = spec_key();
  auto snap = Snapshot::make(key, local_info());
  REQUIRE(snap);
  Bytes wire;
  snap->encode(ma("/ip4/8.8.8.8/tcp/1234"), wire);
  auto r = read_all(spec_id(), wire);
  REQUIRE(r);
  CHECK(r->listen_addrs == std::vector<Multiaddr>{ma("/ip4/192.168.1.5/tcp/4001"), ma("/ip4/1.2.3.4/udp/4001/quic-v1")});
  CHECK(r->verified_addrs.size() == 3);  // the record is signed once for everyone
  // Unknown observed address (e.g. none): everything is sent, no observedAddr.
  Bytes w2;
  snap->encode(Multiaddr(), w2);
  auto r2 = read_all(spec_id(), w2);
  REQUIRE(r2);
  CHECK(r2->listen_addrs.size() == 3);
  CHECK_FALSE(r2->observed_addr);
}

TEST_CASE("identify: without a signed record") {
  auto key = spec_key();
  LocalInfo li = local_info();
  li.signed_record = false;
  auto snap = Snapshot::make(key, li);
  REQUIRE(snap);
  CHECK(snap->signed_record().empty());
  Bytes wire;
  snap->encode(Multiaddr(), wire);
  auto r = read_all(spec_id(), wire);
  REQUIRE(r);
  CHECK_FALSE(r->signed_record_seq);
  CHECK(&r->addrs() == &r->listen_addrs);
}

TEST_CASE("identify: our message stays within 4 KiB, dropping the least valuable addresses") {
  auto key = spec_key();
  LocalInfo li = local_info();
  li.listen_addrs.clear();
  // Loopback first in the list, public last: the public ones must survive.
  for (int i = 0; i < 40; ++i) li.listen_addrs.push_back(ma("/ip4/127.0.0." + std::to_string(i + 1) + "/tcp/4001"));
  for (int i = 0; i < 40; ++i) li.listen_addrs.push_back(ma("/ip4/10.0.0." + std::to_string(i + 1) + "/tcp/4001"));
  for (int i = 0; i < 40; ++i) li.listen_addrs.push_back(ma("/ip4/5.5.5." + std::to_string(i + 1) + "/udp/4001/quic-v1"));
  auto snap = Snapshot::make(key, li);
  REQUIRE(snap);
  const size_t kept = snap->listen_addrs().size();
  CHECK(kept + snap->dropped_addrs() == 120);
  CHECK(kept <= p2p::record::kMaxPeerRecordAddrs);
  CHECK(kept >= 40);
  for (int i = 0; i < 40; ++i)  // every public address kept
    CHECK(std::find(snap->listen_addrs().begin(), snap->listen_addrs().end(),
                    ma("/ip4/5.5.5." + std::to_string(i + 1) + "/udp/4001/quic-v1")) != snap->listen_addrs().end());
  for (const Multiaddr& a : snap->listen_addrs()) CHECK_FALSE(a.is_loopback());  // loopback went first
  // With the largest observed address that fits the reserve, the body is at
  // most 4096 bytes.
  Bytes wire;
  Multiaddr obs = ma("/dns4/" + std::string(240, 'o') + "/tcp/1");
  REQUIRE(obs.bytes().size() + 3 <= kObservedAddrReserve);
  snap->encode(obs, wire);
  net::Reader rd(wire);
  uint64_t len = 0;
  REQUIRE(rd.uvarint(len));
  CHECK(len == rd.left());
  CHECK(len <= kMaxOwnMessageLen);
  auto r = read_all(spec_id(), wire);
  REQUIRE(r);
  CHECK(r->observed_addr == obs);
  CHECK(r->verified_addrs == snap->listen_addrs());
}

TEST_CASE("identify: an observed address that does not fit is left out") {
  auto key = spec_key();
  LocalInfo li = local_info();
  li.listen_addrs.clear();
  // 64 addresses of ~40 bytes are more than the budget holds.
  for (int i = 0; i < 64; ++i)
    li.listen_addrs.push_back(ma("/dns4/node-" + std::to_string(i) + ".example-network.org/tcp/4001"));
  auto snap = Snapshot::make(key, li);
  REQUIRE(snap);
  Bytes wire;
  Multiaddr huge = ma("/dns4/" + std::string(250, 'h') + "/tcp/1/ws/tls/sni/" + std::string(250, 's'));
  snap->encode(huge, wire);
  auto r = read_all(spec_id(), wire);
  REQUIRE(r);
  net::Reader rd(wire);
  uint64_t len = 0;
  REQUIRE(rd.uvarint(len));
  // Trimming stops within one address of the budget, so the huge observed
  // address cannot fit: the message goes without it.
  CHECK(len > kMaxOwnMessageLen - kObservedAddrReserve - 64);
  CHECK(len <= kMaxOwnMessageLen - kObservedAddrReserve);
  CHECK_FALSE(r->observed_addr);
  // A small one still fits in the reserve.
  Bytes w2;
  snap->encode(ma("/ip4/1.2.3.4/tcp/5"), w2);
  auto r2 = read_all(spec_id(), w2);
  REQUIRE(r2);
  CHECK(r2->observed_addr == ma("/ip4/1.2.3.4/tcp/5"));
}

TEST_CASE("identify: our own protocol list is checked") {
  auto key = spec_key();
  LocalInfo li = local_info();
  li.protocols.push_back("/bad\nid");
  auto s = Snapshot::make(key, li);
  CHECK(s.err() == Err::invalid);
  CHECK(s.what() == "identify: protocol id '/bad\nid' is not negotiable");
  li.protocols.back() = "";
  CHECK(Snapshot::make(key, li).err() == Err::invalid);
  li.protocols.back() = "/" + std::string(kMaxProtocolIdLen - 1, 'p');  // 1023 bytes: fine
  CHECK(Snapshot::make(key, li));
  li.protocols.back() += "p";  // 1024
  CHECK(Snapshot::make(key, li).err() == Err::invalid);
  // Protocols alone past the budget: refused even without addresses.
  li.protocols.clear();
  for (int i = 0; i < 5; ++i) li.protocols.push_back("/" + std::string(1000, 'a' + i));
  auto big = Snapshot::make(key, li);
  CHECK(big.err() == Err::limit);
  CHECK(big.what().find("exceeds the budget of 3840 even without addresses") != std::string::npos);
}

TEST_CASE("identify: the per-message limit crossed by one, refused at its prefix") {
  pb::identify::Identify m;
  m.agentVersion = std::string(kMaxMessageLen - 3, 'a');  // 0x32 + 2-byte length + body
  Bytes ok = frame(m);
  REQUIRE(m.encoded_size() == kMaxMessageLen);
  CHECK(read_all(spec_id(), ok));
  m.agentVersion->push_back('a');
  Bytes over = frame(m);
  IdentifyReader rd(spec_id(), 0);
  auto s = rd.feed(net::BytesView(over).first(2), 0);  // just the prefix
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "identify: message of 8193 bytes exceeds the limit of 8192");
  CHECK(rd.failed());
  CHECK(rd.feed(Bytes{1}, 0).what() == s.what());  // stays failed
  CHECK(rd.on_eof().what() == s.what());
}

TEST_CASE("identify: ten messages are merged, the eleventh is refused") {
  pb::identify::Identify m;
  m.protocols = {"/p"};
  Bytes ten;
  for (size_t i = 0; i < kMaxMessages; ++i) ten = cat(ten, frame(m));
  auto r = read_all(spec_id(), ten, Cut::bytes);
  REQUIRE(r);
  CHECK(r->messages == 10);
  CHECK(r->protocols == std::vector<std::string>{"/p"});
  Bytes eleven = cat(ten, Bytes{0x00});
  IdentifyReader rd(spec_id(), 0);
  auto s = rd.feed(eleven, 0);
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "identify: more than 10 messages");
}

TEST_CASE("identify: go-style chunks merge (record in a second message)") {
  auto key = spec_key();
  auto env = p2p::record::make_peer_record_envelope(key, 7, std::vector<Multiaddr>{ma("/ip4/1.1.1.1/tcp/1")});
  REQUIRE(env);
  pb::identify::Identify first;
  first.protocolVersion = "ipfs/0.1.0";
  first.agentVersion = "go-libp2p/0.49";
  first.publicKey = crypto::marshal_public_key(key.public_key());
  first.listenAddrs = {ma("/ip4/2.2.2.2/tcp/2").bytes()};
  first.protocols = {"/a", "/b"};
  pb::identify::Identify second;
  second.signedPeerRecord = *env;
  second.protocols = {"/b", "/c"};
  second.agentVersion = "later-wins";
  auto r = read_all(spec_id(), cat(frame(first), frame(second)), Cut::random);
  REQUIRE(r);
  CHECK(r->messages == 2);
  CHECK(r->agent_version == "later-wins");
  CHECK(r->protocols == std::vector<std::string>{"/a", "/b", "/c"});
  CHECK(r->listen_addrs == std::vector<Multiaddr>{ma("/ip4/2.2.2.2/tcp/2")});
  REQUIRE(r->signed_record_seq);
  CHECK(*r->signed_record_seq == 7);
  CHECK(r->addrs() == std::vector<Multiaddr>{ma("/ip4/1.1.1.1/tcp/1")});
}

TEST_CASE("identify: framing errors and EOF cases") {
  pb::identify::Identify m;
  m.agentVersion = "x";
  Bytes one = frame(m);
  SUBCASE("EOF before any message") {
    auto r = read_all(spec_id(), {});
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "identify: stream ended before any message");
  }
  SUBCASE("EOF inside a message") {
    auto r = read_all(spec_id(), net::BytesView(one).first(one.size() - 1));
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "identify: stream ended inside message 1 (2 of 3 bytes)");
    auto r2 = read_all(spec_id(), cat(one, net::BytesView(one).first(2)), Cut::bytes);
    CHECK(r2.what() == "identify: stream ended inside message 2 (1 of 3 bytes)");
  }
  SUBCASE("EOF inside a length prefix") {
    auto r = read_all(spec_id(), Bytes{0x80});
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "identify: stream ended inside a length prefix");
  }
  SUBCASE("bad prefixes") {
    auto nm = read_all(spec_id(), Bytes{0x81, 0x00});
    CHECK(nm.err() == Err::proto);
    CHECK(nm.what() == std::string("identify: bad length prefix: ") +
                           net::varint_status_name(net::VarintStatus::non_minimal));
    auto nm2 = read_all(spec_id(), Bytes{0x81, 0x00}, Cut::bytes);
    CHECK(nm2.what() == nm.what());
    Bytes long_prefix(10, 0xff);
    auto tl = read_all(spec_id(), long_prefix, Cut::bytes);
    CHECK(tl.err() == Err::proto);
    CHECK(tl.what() == std::string("identify: bad length prefix: ") +
                           net::varint_status_name(net::VarintStatus::too_long));
  }
  SUBCASE("a zero-length message is a message") {
    auto r = read_all(spec_id(), Bytes{0x00});
    REQUIRE(r);
    CHECK(r->messages == 1);
    CHECK_FALSE(r->agent_version);
  }
  SUBCASE("malformed protobuf") {
    auto r = read_all(spec_id(), Bytes{0x02, 0x32, 0x05});
    CHECK(r.err() == Err::proto);
    CHECK(r.what().rfind("identify: message 1: pb: ", 0) == 0);
  }
  SUBCASE("data after EOF, result taken twice") {
    IdentifyReader rd(spec_id(), 0);
    REQUIRE(rd.feed(one, 0));
    REQUIRE(rd.on_eof());
    auto again = rd.on_eof();
    CHECK(again.err() == Err::closed);
    CHECK(again.what() == "identify: result already taken");
    IdentifyReader rd2(spec_id(), 0);
    REQUIRE(rd2.feed(one, 0));
    REQUIRE(rd2.on_eof());
    auto more = rd2.feed(one, 0);
    CHECK(more.err() == Err::closed);
  }
}

TEST_CASE("identify: listen address and protocol caps crossed by one, invalid entries counted") {
  pb::identify::Identify m;
  for (size_t i = 0; i <= kMaxListenAddrs; ++i)
    m.listenAddrs.push_back(ma("/ip4/9.9." + std::to_string(i / 200) + "." + std::to_string(i % 200) + "/tcp/1").bytes());
  m.listenAddrs.push_back(m.listenAddrs.front());          // duplicate: dropped silently
  m.listenAddrs.push_back(Bytes{0xff, 0xff, 0xff, 0x0f});  // invalid
  m.listenAddrs.push_back(Bytes{});                        // empty
  for (size_t i = 0; i <= kMaxProtocols; ++i) m.protocols.push_back("/p/" + std::to_string(i));
  m.protocols.push_back("/p/0");                                    // duplicate
  m.protocols.push_back("");                                        // empty
  m.protocols.push_back("/with\nnewline");                          // not negotiable
  m.protocols.push_back("/" + std::string(kMaxProtocolIdLen, 'x'));  // 1024 bytes
  m.observedAddr = Bytes{0x01, 0x02};                               // invalid
  auto r = read_all(spec_id(), frame(m));
  REQUIRE(r);
  CHECK(r->listen_addrs.size() == kMaxListenAddrs);
  CHECK(r->warnings.dropped_listen_addrs == 1);
  CHECK(r->warnings.invalid_listen_addrs == 2);
  CHECK(r->protocols.size() == kMaxProtocols);
  CHECK(r->warnings.dropped_protocols == 1);
  CHECK(r->warnings.invalid_protocols == 3);
  CHECK(r->warnings.invalid_observed_addr == 1);
  CHECK_FALSE(r->observed_addr);
  CHECK(r->warnings.total() == 8);
  // At the limits exactly: nothing dropped; a 1023-byte protocol is fine.
  pb::identify::Identify at;
  for (size_t i = 0; i < kMaxListenAddrs; ++i)
    at.listenAddrs.push_back(ma("/ip4/9.9.9." + std::to_string(i) + "/tcp/1").bytes());
  at.protocols.push_back("/" + std::string(kMaxProtocolIdLen - 1, 'x'));
  auto ra = read_all(spec_id(), frame(at));
  REQUIRE(ra);
  CHECK(ra->listen_addrs.size() == kMaxListenAddrs);
  CHECK(ra->protocols.size() == 1);
  CHECK(ra->warnings.total() == 0);
  // Runtime limits are honoured.
  Limits small;
  small.max_listen_addrs = 2;
  small.max_protocols = 1;
  auto rs = read_all(spec_id(), frame(at), Cut::whole, small);
  REQUIRE(rs);
  CHECK(rs->listen_addrs.size() == 2);
  CHECK(rs->warnings.dropped_listen_addrs == kMaxListenAddrs - 2);
}

TEST_CASE("identify: public key checks") {
  SUBCASE("absent: accepted (the key came with Noise)") {
    pb::identify::Identify m;
    m.agentVersion = "no-key";
    auto r = read_all(spec_id(), frame(m));
    REQUIRE(r);
    CHECK_FALSE(r->public_key);
  }
  SUBCASE("malformed") {
    pb::identify::Identify m;
    m.publicKey = Bytes{0x08, 0x01, 0x12, 0x01, 0x00};
    auto r = read_all(spec_id(), frame(m));
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "identify: publicKey: Ed25519 public key is 1 bytes, want 32");
  }
  SUBCASE("unsupported type") {
    pb::identify::Identify m;
    m.publicKey = Bytes{0x08, 0x07, 0x12, 0x00};
    auto r = read_all(spec_id(), frame(m));
    CHECK(r.err() == Err::unsupported);
    CHECK(r.what() == "identify: publicKey: unsupported key type 7");
  }
  SUBCASE("another valid key") {
    auto k = seeded_key(9);
    pb::identify::Identify m;
    m.publicKey = crypto::marshal_public_key(k.public_key());
    auto r = read_all(spec_id(), frame(m));
    CHECK(r.err() == Err::crypto);
    CHECK(r.what() == "identify: publicKey is the key of " + id_of(k).to_string() + ", not of the remote " +
                          recvec::kSpecPeerId);
  }
}

TEST_CASE("identify: a bad signed record is ignored, listen addresses count") {
  auto key = spec_key();
  pb::identify::Identify m;
  m.publicKey = crypto::marshal_public_key(key.public_key());
  m.listenAddrs = {ma("/ip4/2.2.2.2/tcp/2").bytes()};
  SUBCASE("signed by someone else (hardening.md row 5)") {
    auto mallory = seeded_key(4);
    m.signedPeerRecord = *p2p::record::make_peer_record_envelope(mallory, 1, std::vector<Multiaddr>{ma("/ip4/6.6.6.6/tcp/6")});
    auto r = read_all(spec_id(), frame(m));
    REQUIRE(r);
    REQUIRE(r->record_error);
    CHECK(r->record_error->code == Err::crypto);
    CHECK(r->record_error->what == "peer record: signed by " + id_of(mallory).to_string() + ", expected " +
                                       recvec::kSpecPeerId);
    CHECK_FALSE(r->signed_record_seq);
    CHECK(r->addrs() == std::vector<Multiaddr>{ma("/ip4/2.2.2.2/tcp/2")});
  }
  SUBCASE("tampered") {
    Bytes env = *p2p::record::make_peer_record_envelope(key, 1, std::vector<Multiaddr>{ma("/ip4/6.6.6.6/tcp/6")});
    env[env.size() - 20] ^= 1;
    m.signedPeerRecord = env;
    auto r = read_all(spec_id(), frame(m));
    REQUIRE(r);
    REQUIRE(r->record_error);
    CHECK(r->record_error->code == Err::crypto);
    CHECK(r->record_error->what == "envelope: bad Ed25519 signature");
  }
  SUBCASE("garbage") {
    m.signedPeerRecord = Bytes{0x01};
    auto r = read_all(spec_id(), frame(m));
    REQUIRE(r);
    REQUIRE(r->record_error);
    CHECK(r->record_error->code == Err::proto);
  }
  SUBCASE("empty counts as absent") {
    m.signedPeerRecord = Bytes{};
    auto r = read_all(spec_id(), frame(m));
    REQUIRE(r);
    CHECK_FALSE(r->record_error);
    CHECK_FALSE(r->signed_record_seq);
  }
}

TEST_CASE("identify push: partial messages leave missing fields unchanged") {
  auto key = spec_key();
  auto snap = Snapshot::make(key, local_info());
  Bytes wire;
  snap->encode(ma("/ip4/127.0.0.1/tcp/9"), wire);
  auto stored = read_all(spec_id(), wire);
  REQUIRE(stored);
  IdentifyInfo s = stored.take();

  SUBCASE("only protocols") {
    pb::identify::Identify push;
    push.protocols = {"/new/1.0.0"};
    auto u = read_all(spec_id(), frame(push));
    REQUIRE(u);
    merge_push(s, u.take());
    CHECK(s.protocols == std::vector<std::string>{"/new/1.0.0"});
    CHECK(s.agent_version == default_agent_version());
    CHECK(s.listen_addrs == local_info().listen_addrs);
    CHECK(s.observed_addr == ma("/ip4/127.0.0.1/tcp/9"));
    CHECK(*s.signed_record_seq == 1700000000000000001ull);
  }
  SUBCASE("a newer record replaces, an older one does not") {
    LocalInfo newer = local_info();
    newer.listen_addrs = {ma("/ip4/7.7.7.7/tcp/7")};
    newer.record_seq += 1;
    Bytes w2;
    Snapshot::make(key, newer)->encode(Multiaddr(), w2);
    auto u = read_all(spec_id(), w2);
    REQUIRE(u);
    merge_push(s, u.take());
    CHECK(*s.signed_record_seq == 1700000000000000002ull);
    CHECK(s.addrs() == std::vector<Multiaddr>{ma("/ip4/7.7.7.7/tcp/7")});
    LocalInfo older = local_info();
    older.record_seq = 5;
    older.listen_addrs = {ma("/ip4/8.8.8.8/tcp/8")};
    Bytes w3;
    Snapshot::make(key, older)->encode(Multiaddr(), w3);
    auto o = read_all(spec_id(), w3);
    REQUIRE(o);
    merge_push(s, o.take());
    CHECK(*s.signed_record_seq == 1700000000000000002ull);
    CHECK(s.addrs() == std::vector<Multiaddr>{ma("/ip4/7.7.7.7/tcp/7")});
    CHECK(s.listen_addrs == std::vector<Multiaddr>{ma("/ip4/8.8.8.8/tcp/8")});  // unsigned ones do move
  }
}

TEST_CASE("identify: the reader times out") {
  IdentifyReader rd(spec_id(), 100);
  CHECK(rd.next_deadline() == 100 + kTimeoutNs);
  rd.on_timeout(100 + kTimeoutNs - 1);
  CHECK_FALSE(rd.failed());
  rd.on_timeout(100 + kTimeoutNs);
  CHECK(rd.failed());
  CHECK(rd.error().code == Err::timeout);
  CHECK(rd.error().what == "identify: no answer within 10 s");
  CHECK(rd.next_deadline() == net::kNever);
  CHECK(rd.on_eof().err() == Err::timeout);
}
