// End-to-end attacks on identify and identify push (hardening.md rows 5, 7,
// 16) from an attacker with a real Noise session to the victim Host, which
// runs IdentifyService. See attack_harness.hpp for (a)-(d).
#include "attack_harness.hpp"

#include "p2p/identify/identify.hpp"
#include "p2p/record/peer_record.hpp"
#include "proto/libp2p/identify.pb.hpp"

using namespace attack;

namespace {

using yamux::FrameType;
using yamux::kFlagFin;
using yamux::kFlagSyn;
using yamux::kVersion;

const std::string kPush(identify::kPushProtocolId);

void connect(Fixture& f, SecurePeer& a) {
  REQUIRE_MESSAGE(f.run([&] { return a.open() && f.victim.host->is_connected(a.peer()); }),
                  "attacker never connected: " << a.failure << " / " << a.raw.why.what);
}

// uvarint length + message.
net::Bytes framed(const pb::identify::Identify& m) {
  net::Bytes body = m.encode();
  net::Bytes out;
  uint8_t v[10];
  const size_t n = net::varint_encode(body.size(), v);
  out.insert(out.end(), v, v + n);
  append(out, body);
  return out;
}

net::Bytes addr_bytes(std::string_view s) {
  auto m = Multiaddr::parse(s);
  REQUIRE(m);
  return m->bytes();
}

// Opens push stream `id` carrying `payload` and half-closes it.
void push(SecurePeer& a, uint32_t id, net::BytesView payload, bool fin = true) {
  net::Bytes p = ms_propose(kPush);
  append(p, payload);
  a.queue_frame({kVersion, FrameType::data, static_cast<uint16_t>(kFlagSyn | (fin ? kFlagFin : 0)), id,
                 static_cast<uint32_t>(p.size())},
                p);
}

}  // namespace

// Rule: identify::kMaxMessageLen (8 KiB, go signedIDSize / js) — a length
// prefix above it fails the reader as soon as the prefix is read; the stream
// is reset, the connection stays.
TEST_CASE("attack: an oversize identify message (8193 bytes) resets the push stream") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  pb::identify::Identify m;
  m.agentVersion = std::string(identify::kMaxMessageLen - 3, 'a');  // tag + 2-byte length: 8192 bytes
  REQUIRE(m.encoded_size() == identify::kMaxMessageLen);
  // At the limit: read and applied (the agent version is then cut by the
  // peer store's own cap).
  push(a, 1, framed(m));
  a.flush();
  REQUIRE(f.run([&] { return f.victim.identify->info(a.peer()) != nullptr; }));
  CHECK(a.reset.count(1) == 0);
  // One byte more: refused by the prefix alone.
  m.agentVersion->push_back('a');
  net::Bytes big = framed(m);
  push(a, 3, net::BytesView(big).first(8), false);  // prefix and a few bytes, no more needed
  a.flush();
  REQUIRE(f.run([&] { return a.reset.count(3) == 1; }));
  CHECK_MESSAGE(f.victim.logged({"identify", "message of 8193 bytes exceeds the limit of 8192"}),
                f.victim.last_lines());
  CHECK(f.victim.host->is_connected(a.peer()));
  CHECK(f.peak.max.in_bytes < 64 * 1024);
  f.check_honest();
}

// Rule: identify::kMaxMessages (10, go maxMessages / js) — an 11th message
// on one stream fails the reader; the stream is reset.
TEST_CASE("attack: too many identify messages on one push stream (11)") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  pb::identify::Identify m;
  m.agentVersion = "x";
  net::Bytes ten, eleven;
  for (int i = 0; i < 10; ++i) append(ten, framed(m));
  eleven = ten;
  append(eleven, framed(m));
  push(a, 1, ten);  // at the limit: accepted
  push(a, 3, eleven);
  a.flush();
  REQUIRE(f.run([&] { return a.reset.count(3) == 1; }));
  CHECK(a.reset.count(1) == 0);
  CHECK_MESSAGE(f.victim.logged({"identify", "identify: more than 10 messages"}), f.victim.last_lines());
  CHECK(f.victim.host->is_connected(a.peer()));
  f.check_honest();
}

// Rule (CVE-2023-40583, hardening.md row 5): a signed peer record must be
// signed by the peer we talk to; a record signed by anyone else is refused
// (kept as record_error, logged) and the unsigned listenAddrs are used, as
// go and rust do.
TEST_CASE("attack: a signed peer record signed by another key in identify push") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  const crypto::Ed25519PrivateKey other = new_key();
  const std::vector<Multiaddr> forged{*Multiaddr::parse("/ip4/10.9.9.9/tcp/1")};
  auto env = record::make_peer_record_envelope(other, 7, forged);
  REQUIRE(env);
  pb::identify::Identify m;
  m.listenAddrs.push_back(addr_bytes("/ip4/10.0.0.1/tcp/4001"));
  m.signedPeerRecord = *env;
  m.protocols.push_back("/attacker/1.0.0");
  push(a, 1, framed(m));
  a.flush();
  REQUIRE(f.run([&] { return f.victim.identify->info(a.peer()) != nullptr; }));
  const auto* info = f.victim.identify->info(a.peer());
  REQUIRE(info->record_error.has_value());
  CHECK(info->record_error->what.find("signed by " + peer_of(other).to_base58()) != std::string::npos);
  CHECK_FALSE(info->signed_record_seq.has_value());
  const auto addrs = f.victim.host->peer_store().addrs(a.peer());
  CHECK(std::find(addrs.begin(), addrs.end(), *Multiaddr::parse("/ip4/10.0.0.1/tcp/4001")) != addrs.end());
  CHECK(std::find(addrs.begin(), addrs.end(), forged[0]) == addrs.end());
  // Nothing about the forger's own peer entered the store.
  CHECK(f.victim.host->peer_store().find(peer_of(other)) == nullptr);
  CHECK_MESSAGE(f.victim.logged({"identify", "record_error", "signed by"}), f.victim.last_lines());
  // The push stream ended normally (our FIN answered by the victim's).
  REQUIRE(f.run([&] { return a.fin.count(1) == 1; }));
  CHECK(a.reset.count(1) == 0);
  f.check_honest();
}

// Rules: each push is a whole stream, so a burst of them meets
// yamux::Limits::max_inbound_streams (32 here): SYNs beyond it are refused
// and each refusal draws from the control-frame bucket, which ends the
// session. A peer that paces its pushes (32 at a time) is serving
// well-formed messages: they are applied one by one, and what they cost is
// bounded — one IdentifyInfo and one peer-store entry per peer, at most one
// window of input per stream.
TEST_CASE("attack: identify push floods") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  // A valid push with the attacker's own signed record: each one costs the
  // victim a signature check, the attacker nothing (it is replayed).
  auto env = record::make_peer_record_envelope(a.key(), 1, std::vector<Multiaddr>{*Multiaddr::parse("/ip4/10.0.0.1/tcp/1")});
  REQUIRE(env);
  pb::identify::Identify m;
  m.signedPeerRecord = *env;
  m.agentVersion = "flood/1";
  const net::Bytes msg = framed(m);
  SUBCASE("5000 pushes at once: closed by the refused-SYN charge") {
    for (uint32_t i = 0; i < 5000; ++i) push(a, 2 * i + 1, msg);
    a.flush();
    REQUIRE(f.run([&] { return a.closed(); }));
    CHECK_MESSAGE(f.victim.logged({"yamux: control frame flood (refused SYN)"}), f.victim.last_lines());
    f.check_back_to_normal();
  }
  SUBCASE("1000 pushes, 32 in flight at a time: applied, memory bounded") {
    uint32_t next = 0, done = 0;
    const uint32_t total = 1000, window = 32;
    auto finished = [&] {
      uint32_t n = 0;
      for (uint32_t i = 0; i < next; ++i) n += a.fin.count(2 * i + 1) + a.reset.count(2 * i + 1);
      return n;
    };
    while (done < total) {
      while (next < total && next - done < window) push(a, 2 * (next++) + 1, msg);
      a.flush();
      REQUIRE(f.run([&] {
        done = finished();
        return done == next || a.closed();
      }));
      REQUIRE_FALSE(a.closed());
    }
    CHECK(a.reset.empty());
    INFO("1000 pushes took " << f.elapsed_ms() << " ms");
    const auto* info = f.victim.identify->info(a.peer());
    REQUIRE(info);
    CHECK(info->signed_record_seq == 1u);
    CHECK(f.victim.host->is_connected(a.peer()));
    CHECK(f.peak.max.streams <= window + 4);
    CHECK(f.peak.max.in_bytes <= window * yamux::kInitialWindow);
  }
  f.check_honest();
}
