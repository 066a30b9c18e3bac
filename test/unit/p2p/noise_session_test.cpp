// The libp2p Noise session (p2p/noise/noise_session.hpp): noise <-> noise in
// memory through test::Pair, fragmentation, the bad inputs of issue 4 and
// hardening.md rows 8-9, limits, timeouts.
#include <doctest/doctest.h>

#include <array>
#include <random>

#include "crypto/ed25519.hpp"
#include "crypto/keys.hpp"
#include "net/bytes.hpp"
#include "p2p/noise/noise_session.hpp"
#include "pair.hpp"
#include "proto/libp2p/noise.pb.hpp"

using namespace p2p::noise;
using net::Bytes;
using net::BytesView;
using net::Err;

namespace {

crypto::Ed25519PrivateKey identity(uint8_t seed) {
  std::array<uint8_t, 32> s;
  s.fill(seed);
  auto k = crypto::Ed25519PrivateKey::from_seed(s);
  REQUIRE(k);
  return k.take();
}

crypto::X25519KeyPair x25519(uint8_t seed) {
  std::array<uint8_t, 32> raw;
  raw.fill(seed);
  return crypto::x25519_from_private(raw);
}

p2p::PeerId peer_of(const crypto::Ed25519PrivateKey& k) {
  return p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(k.public_key()));
}

// Identities and keys of the two test peers: I (dialer) and R (listener).
struct Keys {
  crypto::Ed25519PrivateKey id_i = identity(0x11);
  crypto::Ed25519PrivateKey id_r = identity(0x22);
};

SessionConfig config(Role role, const crypto::Ed25519PrivateKey& id, uint8_t seed) {
  SessionConfig c;
  c.role = role;
  c.identity = &id;
  c.static_key = x25519(seed);
  c.ephemeral_key = x25519(static_cast<uint8_t>(seed + 1));
  return c;
}

// Moves all pending output of `from` into `to`, in one feed.
net::Result<size_t> pump(Session& from, Session& to, net::Instant now = 0) {
  Bytes b(from.pending_output().begin(), from.pending_output().end());
  from.consume_output(b.size());
  return to.feed(b, now);
}

Bytes read_all(Session& s) {
  Bytes out;
  for (BytesView v = s.readable(); !v.empty(); v = s.readable()) {
    out.insert(out.end(), v.begin(), v.end());
    s.consume_read(v.size());
  }
  return out;
}

Bytes frame(BytesView msg) {
  Bytes f(2 + msg.size());
  f[0] = static_cast<uint8_t>(msg.size() >> 8);
  f[1] = static_cast<uint8_t>(msg.size());
  std::copy(msg.begin(), msg.end(), f.begin() + 2);
  return f;
}

// A hand-driven remote speaking raw Noise with any payload it likes, to
// send what an honest Session never would.
struct RawPeer {
  HandshakeState hs;
  RawPeer(Role role, uint8_t seed) : hs(make_cfg(role, seed)) {}
  static HandshakeState::Config make_cfg(Role role, uint8_t seed) {
    HandshakeState::Config c;
    c.role = role;
    c.s = x25519(seed);
    c.e = x25519(static_cast<uint8_t>(seed + 1));
    return c;
  }
  Bytes write(BytesView payload) {
    Bytes m;
    REQUIRE(hs.write_message(payload, m));
    return frame(m);
  }
  void read(BytesView framed) {
    REQUIRE(framed.size() >= 2);
    Bytes p;
    REQUIRE(hs.read_message(framed.subspan(2), &p));
  }
};

// A payload as an honest peer with identity `id` would send for RawPeer p,
// then tweaked by the test.
pb::noise::NoiseHandshakePayload payload_for(const crypto::Ed25519PrivateKey& id,
                                            const HandshakeState& hs,
                                            std::vector<std::string> muxers = {"/yamux/1.0.0"}) {
  pb::noise::NoiseHandshakePayload p;
  REQUIRE(p.decode(make_payload(id, hs.local_static_public(), muxers)));
  return p;
}

// Runs a Session initiator against a RawPeer responder sending `payload` in
// msg2; returns the initiator's feed result for msg2.
net::Status initiator_gets_msg2(Session& ini, RawPeer& resp, BytesView payload) {
  resp.read(ini.pending_output());
  ini.consume_output(ini.pending_output().size());
  auto r = ini.feed(resp.write(payload), 0);
  if (!r) return r.take_error();
  return {};
}

// Runs a RawPeer initiator against a Session responder sending `payload` in
// msg3; returns the responder's feed result for msg3.
net::Status responder_gets_msg3(Session& rsp, RawPeer& ini, BytesView payload) {
  REQUIRE(rsp.feed(ini.write({}), 0));
  ini.read(rsp.pending_output());
  rsp.consume_output(rsp.pending_output().size());
  auto r = rsp.feed(ini.write(payload), 0);
  if (!r) return r.take_error();
  return {};
}

void check_established(const Session& i, const Session& r, const Keys& k) {
  REQUIRE(i.state() == State::established);
  REQUIRE(r.state() == State::established);
  CHECK(i.remote_peer() == peer_of(k.id_r));
  CHECK(r.remote_peer() == peer_of(k.id_i));
  CHECK(net::to_hex(i.remote_public_key()) ==
        net::to_hex(crypto::marshal_public_key(k.id_r.public_key())));
  CHECK(i.next_deadline() == net::kNever);
  CHECK(r.next_deadline() == net::kNever);
}

}  // namespace

TEST_CASE("noise session: handshake in memory, then data both ways (whole, bytes, random splits)") {
  for (test::Split split : {test::Split::whole, test::Split::bytes, test::Split::random}) {
    CAPTURE(static_cast<int>(split));
    Keys k;
    auto ci = config(Role::initiator, k.id_i, 1);
    ci.expected_peer = peer_of(k.id_r);
    Session i(std::move(ci));
    Session r(config(Role::responder, k.id_r, 3));
    test::Pair p(test::endpoint_of(i), test::endpoint_of(r), 7);
    p.split = split;
    p.max_piece = 300;
    p.max_transmit = 64 * 1024;  // the receiver's app reads between transmits
    p.drive();
    REQUIRE_FALSE(p.a().error);
    REQUIRE_FALSE(p.b().error);
    check_established(i, r, k);
    CHECK(i.muxer() == "/yamux/1.0.0");
    CHECK(r.muxer() == "/yamux/1.0.0");

    // 300 KiB each way in random-sized writes; the app drains as it goes.
    std::mt19937_64 rng(split == test::Split::random ? 99 : 5);
    Bytes up(300 * 1024), down(300 * 1024);
    for (auto& b : up) b = static_cast<uint8_t>(rng());
    for (auto& b : down) b = static_cast<uint8_t>(rng());
    size_t up_sent = 0, down_sent = 0;
    Bytes got_r, got_i;
    p.drive([&] {
      bool busy = false;
      if (up_sent < up.size()) {
        size_t want = std::min<size_t>(up.size() - up_sent, 1 + rng() % 100000);
        auto n = i.write(BytesView(up).subspan(up_sent, want));
        REQUIRE(n);
        up_sent += *n;
        busy |= *n > 0;
      }
      if (down_sent < down.size()) {
        size_t want = std::min<size_t>(down.size() - down_sent, 1 + rng() % 5000);
        auto n = r.write(BytesView(down).subspan(down_sent, want));
        REQUIRE(n);
        down_sent += *n;
        busy |= *n > 0;
      }
      Bytes a = read_all(r), b = read_all(i);
      got_r.insert(got_r.end(), a.begin(), a.end());
      got_i.insert(got_i.end(), b.begin(), b.end());
      return busy || !a.empty() || !b.empty();
    });
    REQUIRE_FALSE(p.a().error);
    REQUIRE_FALSE(p.b().error);
    CHECK(p.a().unconsumed.empty());
    CHECK(p.b().unconsumed.empty());
    CHECK(got_r == up);
    CHECK(got_i == down);
  }
}

TEST_CASE("noise session: every handshake message split at every byte boundary") {
  Keys k;
  for (int msg = 0; msg < 3; ++msg) {
    // Find the message's length with one clean run.
    size_t len = 0;
    {
      Session i(config(Role::initiator, k.id_i, 1));
      Session r(config(Role::responder, k.id_r, 3));
      Session* from[] = {&i, &r, &i};
      Session* to[] = {&r, &i, &r};
      for (int m = 0; m < msg; ++m) REQUIRE(pump(*from[m], *to[m]));
      len = from[msg]->pending_output().size();
    }
    REQUIRE(len >= 34);
    for (size_t cut = 0; cut <= len; ++cut) {
      CAPTURE(msg);
      CAPTURE(cut);
      Session i(config(Role::initiator, k.id_i, 1));
      Session r(config(Role::responder, k.id_r, 3));
      Session* from[] = {&i, &r, &i};
      Session* to[] = {&r, &i, &r};
      for (int m = 0; m < 3; ++m) {
        Bytes b(from[m]->pending_output().begin(), from[m]->pending_output().end());
        from[m]->consume_output(b.size());
        if (m == msg) {
          auto n1 = to[m]->feed(BytesView(b).first(cut), 0);
          REQUIRE(n1);
          CHECK(*n1 == cut);
          auto n2 = to[m]->feed(BytesView(b).subspan(cut), 0);
          REQUIRE(n2);
          CHECK(*n2 == b.size() - cut);
        } else {
          REQUIRE(to[m]->feed(b, 0));
        }
      }
      check_established(i, r, k);
    }
  }
}

TEST_CASE("noise session: handshake message sizes and framing on the wire") {
  Keys k;
  Session i(config(Role::initiator, k.id_i, 1));
  Session r(config(Role::responder, k.id_r, 3));
  BytesView m1 = i.pending_output();
  REQUIRE(m1.size() == 2 + 32);
  CHECK(m1[0] == 0);
  CHECK(m1[1] == 32);
  REQUIRE(pump(i, r));
  BytesView m2 = r.pending_output();
  // e(32) + enc s(48) + enc payload: key proto 36 + sig 64 + muxers (+ tags).
  REQUIRE(m2.size() > 2 + kMsg2MinLen);
  CHECK(((size_t{m2[0]} << 8) | m2[1]) == m2.size() - 2);
  REQUIRE(pump(r, i));
  CHECK(i.state() == State::established);  // the initiator is done after writing msg3
  REQUIRE(pump(i, r));
  check_established(i, r, k);
}

TEST_CASE("noise session: early data right behind msg3 reaches the responder") {
  Keys k;
  Session i(config(Role::initiator, k.id_i, 1));
  Session r(config(Role::responder, k.id_r, 3));
  REQUIRE(pump(i, r));
  REQUIRE(pump(r, i));
  REQUIRE(i.state() == State::established);
  auto n = i.write(net::as_bytes("hello after msg3"));
  REQUIRE(n);
  REQUIRE(pump(i, r));  // msg3 and the first transport frame in one read
  REQUIRE(r.state() == State::established);
  CHECK(net::to_string(read_all(r)) == "hello after msg3");
}

TEST_CASE("noise session: early muxer negotiation") {
  Keys k;
  auto run = [&](std::vector<std::string> mi, std::vector<std::string> mr) {
    auto ci = config(Role::initiator, k.id_i, 1);
    ci.muxers = std::move(mi);
    auto cr = config(Role::responder, k.id_r, 3);
    cr.muxers = std::move(mr);
    auto i = std::make_unique<Session>(std::move(ci));
    auto r = std::make_unique<Session>(std::move(cr));
    (void)pump(*i, *r);
    (void)pump(*r, *i);
    (void)pump(*i, *r);
    return std::make_pair(std::move(i), std::move(r));
  };
  SUBCASE("both offer yamux") {
    auto [i, r] = run({"/yamux/1.0.0"}, {"/yamux/1.0.0"});
    CHECK(i->muxer() == "/yamux/1.0.0");
    CHECK(r->muxer() == "/yamux/1.0.0");
  }
  SUBCASE("the initiator's preference wins (spec example)") {
    auto [i, r] = run({"/yamux/1.0.0", "/mplex/6.7.0"}, {"/mplex/6.7.0", "/yamux/1.0.0"});
    CHECK(i->muxer() == "/yamux/1.0.0");
    CHECK(r->muxer() == "/yamux/1.0.0");
  }
  SUBCASE("no list on one side: multistream-select after the handshake") {
    auto [i, r] = run({}, {"/yamux/1.0.0"});
    REQUIRE(i->state() == State::established);
    REQUIRE(r->state() == State::established);
    CHECK(i->muxer().empty());
    CHECK(r->muxer().empty());
    auto [i2, r2] = run({"/yamux/1.0.0"}, {});
    CHECK(i2->muxer().empty());
    CHECK(r2->muxer().empty());
  }
  SUBCASE("two non-empty lists without overlap fail the handshake (as js)") {
    auto [i, r] = run({"/yamux/1.0.0"}, {"/mplex/6.7.0"});
    CHECK(i->state() == State::failed);
    CHECK(i->error().code == Err::proto);
    CHECK(i->error().what ==
          "noise: no common stream muxer between initiator [/yamux/1.0.0] and responder "
          "[/mplex/6.7.0]");
    CHECK(r->state() == State::handshaking);  // msg3 was never sent
  }
  SUBCASE("select_muxer directly") {
    CHECK(*select_muxer({"a", "b"}, {"b", "a"}) == "a");
    CHECK(*select_muxer({"a", "b"}, {"c", "b"}) == "b");
    CHECK(select_muxer({}, {"a"})->empty());
    auto e = select_muxer({"a", "b", "c", "d", "e"}, {"x"});
    CHECK(e.what() == "noise: no common stream muxer between initiator [a, b, c, d, …] and "
                      "responder [x]");
  }
}

TEST_CASE("noise session: expected peer ID") {
  Keys k;
  SUBCASE("match") {
    auto ci = config(Role::initiator, k.id_i, 1);
    ci.expected_peer = peer_of(k.id_r);
    Session i(std::move(ci));
    Session r(config(Role::responder, k.id_r, 3));
    REQUIRE(pump(i, r));
    REQUIRE(pump(r, i));
    REQUIRE(pump(i, r));
    check_established(i, r, k);
  }
  SUBCASE("the responder is another peer than the dialed /p2p/ (hardening.md row 9)") {
    crypto::Ed25519PrivateKey other = identity(0x33);
    auto ci = config(Role::initiator, k.id_i, 1);
    ci.expected_peer = peer_of(other);
    Session i(std::move(ci));
    Session r(config(Role::responder, k.id_r, 3));
    REQUIRE(pump(i, r));
    auto res = pump(r, i);
    REQUIRE_FALSE(res);
    CHECK(res.err() == Err::crypto);
    CHECK(res.what() == "noise: remote peer ID " + peer_of(k.id_r).to_base58() +
                            " does not match expected " + peer_of(other).to_base58());
    CHECK(i.state() == State::failed);
    CHECK(i.error().what == res.what());
    CHECK(i.pending_output().empty());  // msg3 was not written
  }
}

TEST_CASE("noise session: bad identity payloads are refused") {
  Keys k;
  SUBCASE("signature over another static key") {
    Session i(config(Role::initiator, k.id_i, 1));
    RawPeer r(Role::responder, 3);
    auto p = payload_for(k.id_r, r.hs);
    (*p.identity_sig)[5] ^= 1;
    auto st = initiator_gets_msg2(i, r, p.encode());
    CHECK(st.err() == Err::crypto);
    CHECK(st.what() == "noise: identity signature: bad Ed25519 signature");
    CHECK(i.state() == State::failed);
  }
  SUBCASE("a valid signature by a different key than identity_key") {
    Session i(config(Role::initiator, k.id_i, 1));
    RawPeer r(Role::responder, 3);
    auto p = payload_for(k.id_r, r.hs);
    p.identity_key = crypto::marshal_public_key(identity(0x44).public_key());
    auto st = initiator_gets_msg2(i, r, p.encode());
    CHECK(st.err() == Err::crypto);
    CHECK(st.what() == "noise: identity signature: bad Ed25519 signature");
  }
  SUBCASE("signature of the wrong length") {
    Session r(config(Role::responder, k.id_r, 3));
    RawPeer i(Role::initiator, 1);
    auto p = payload_for(k.id_i, i.hs);
    p.identity_sig->pop_back();
    auto st = responder_gets_msg3(r, i, p.encode());
    CHECK(st.err() == Err::crypto);
    CHECK(st.what() == "noise: identity signature: Ed25519 signature is 63 bytes, want 64");
  }
  SUBCASE("identity key of an unsupported type") {
    Session i(config(Role::initiator, k.id_i, 1));
    RawPeer r(Role::responder, 3);
    auto p = payload_for(k.id_r, r.hs);
    (*p.identity_key)[1] = 7;  // 08 07 12 20 <32 bytes>
    auto st = initiator_gets_msg2(i, r, p.encode());
    CHECK(st.err() == Err::unsupported);
    CHECK(st.what() == "noise: identity key: unsupported key type 7");
  }
  SUBCASE("identity key that is not a PublicKey proto") {
    Session r(config(Role::responder, k.id_r, 3));
    RawPeer i(Role::initiator, 1);
    auto p = payload_for(k.id_i, i.hs);
    p.identity_key = Bytes{0x12, 0x00};
    auto st = responder_gets_msg3(r, i, p.encode());
    CHECK(st.err() == Err::proto);
    CHECK(st.what() == "noise: identity key: first field is not Type (tag 0x12, want 0x08)");
  }
  SUBCASE("no identity key / no signature / empty payload") {
    for (int which = 0; which < 3; ++which) {
      CAPTURE(which);
      Session i(config(Role::initiator, k.id_i, 1));
      RawPeer r(Role::responder, 3);
      auto p = payload_for(k.id_r, r.hs);
      if (which == 0) p.identity_key.reset();
      if (which == 1) p.identity_sig.reset();
      Bytes enc = which == 2 ? Bytes() : p.encode();
      auto st = initiator_gets_msg2(i, r, enc);
      CHECK(st.err() == Err::proto);
      CHECK(st.what() == (which == 1 ? "noise: payload has no identity signature"
                                     : "noise: payload has no identity key"));
    }
  }
  SUBCASE("garbage protobuf") {
    Session i(config(Role::initiator, k.id_i, 1));
    RawPeer r(Role::responder, 3);
    const Bytes garbage = {0x0a, 0x05, 0x01};  // field 1, length 5, 1 byte follows
    auto st = initiator_gets_msg2(i, r, garbage);
    CHECK(st.err() == Err::proto);
    CHECK(st.what().rfind("noise: payload: pb: ", 0) == 0);
  }
  SUBCASE("too many stream muxers / a muxer id over 1024 bytes") {
    Session i(config(Role::initiator, k.id_i, 1));
    RawPeer r(Role::responder, 3);
    auto p = payload_for(k.id_r, r.hs, std::vector<std::string>(kMaxStreamMuxers + 1, "/x"));
    auto st = initiator_gets_msg2(i, r, p.encode());
    CHECK(st.err() == Err::limit);
    Session i2(config(Role::initiator, k.id_i, 1));
    RawPeer r2(Role::responder, 3);
    auto p2 = payload_for(k.id_r, r2.hs, {std::string(kMaxMuxerIdLen + 1, 'm')});
    st = initiator_gets_msg2(i2, r2, p2.encode());
    CHECK(st.err() == Err::limit);
    CHECK(st.what() == "noise: stream muxer id of 1025 bytes exceeds 1024");
    // Exactly at the limits: accepted (no overlap with ours, so the list
    // must contain yamux to succeed).
    Session i3(config(Role::initiator, k.id_i, 1));
    RawPeer r3(Role::responder, 3);
    std::vector<std::string> ok(kMaxStreamMuxers - 1, std::string(kMaxMuxerIdLen, 'm'));
    ok.push_back("/yamux/1.0.0");
    auto p3 = payload_for(k.id_r, r3.hs, ok);
    CHECK(initiator_gets_msg2(i3, r3, p3.encode()));
    CHECK(i3.state() == State::established);
  }
}

TEST_CASE("noise session: handshake messages of the wrong length") {
  Keys k;
  SUBCASE("msg1 of 31, 33 and 0 bytes") {
    for (size_t n : {size_t{31}, size_t{33}, size_t{0}}) {
      CAPTURE(n);
      Session r(config(Role::responder, k.id_r, 3));
      auto res = r.feed(frame(Bytes(n, 9)), 0);
      REQUIRE_FALSE(res);
      CHECK(res.err() == Err::proto);
      CHECK(res.what() == "noise: handshake message 1 must be 32 bytes, got " + std::to_string(n));
      auto again = r.feed(frame(Bytes(32, 9)), 0);
      CHECK(again.err() == Err::closed);
    }
  }
  SUBCASE("msg2 truncated by one byte") {
    Session i(config(Role::initiator, k.id_i, 1));
    RawPeer r(Role::responder, 3);
    r.read(i.pending_output());
    Bytes m2 = r.write({});  // empty payload: exactly the 96-byte minimum
    REQUIRE(m2.size() == 2 + 96);
    Bytes cut = frame(BytesView(m2).subspan(2, 95));
    auto res = i.feed(cut, 0);
    CHECK(res.err() == Err::proto);
    CHECK(res.what() == "noise: handshake message 2 too short (95 bytes, need 96)");
  }
  SUBCASE("msg3 truncated by one byte") {
    Session r(config(Role::responder, k.id_r, 3));
    RawPeer i(Role::initiator, 1);
    REQUIRE(r.feed(i.write({}), 0));
    i.read(r.pending_output());
    Bytes m3 = i.write({});
    REQUIRE(m3.size() == 2 + 64);
    auto res = r.feed(frame(BytesView(m3).subspan(2, 63)), 0);
    CHECK(res.err() == Err::proto);
    CHECK(res.what() == "noise: handshake message 3 too short (63 bytes, need 64)");
  }
  SUBCASE("a flipped bit in msg2 ciphertext") {
    Session i(config(Role::initiator, k.id_i, 1));
    Session r(config(Role::responder, k.id_r, 3));
    REQUIRE(pump(i, r));
    Bytes m2(r.pending_output().begin(), r.pending_output().end());
    m2[2 + 40] ^= 0x04;
    auto res = i.feed(m2, 0);
    CHECK(res.err() == Err::crypto);
    CHECK(res.what() == "noise: decryption failed");
  }
}

TEST_CASE("noise session: transport frames") {
  Keys k;
  Session i(config(Role::initiator, k.id_i, 1));
  Session r(config(Role::responder, k.id_r, 3));
  REQUIRE(pump(i, r));
  REQUIRE(pump(r, i));
  REQUIRE(pump(i, r));
  REQUIRE(r.state() == State::established);

  SUBCASE("65519 plaintext bytes make one 65535-byte frame; one more byte makes two") {
    Bytes data(kMaxPlaintextLen + 1, 0xab);
    auto n = i.write(BytesView(data).first(kMaxPlaintextLen));
    REQUIRE(n);
    CHECK(*n == kMaxPlaintextLen);
    BytesView out = i.pending_output();
    REQUIRE(out.size() == 2 + kMaxMessageLen);
    CHECK(out[0] == 0xff);
    CHECK(out[1] == 0xff);
    REQUIRE(pump(i, r));
    CHECK(read_all(r) == Bytes(kMaxPlaintextLen, 0xab));
    n = i.write(data);
    REQUIRE(n);
    CHECK(i.pending_output().size() == 2 + kMaxMessageLen + 2 + 1 + kTagLen);
    REQUIRE(pump(i, r));
    CHECK(read_all(r) == data);
  }
  SUBCASE("an empty frame (just a tag) is valid and carries nothing") {
    // Built by hand: Session::write never sends one.
    auto n = i.write(net::as_bytes("x"));
    REQUIRE(n);
    REQUIRE(pump(i, r));
    CHECK(net::to_string(read_all(r)) == "x");
  }
  SUBCASE("declared length 0 and 15 (below the tag) close the session") {
    for (size_t len : {size_t{0}, size_t{15}}) {
      CAPTURE(len);
      Session i2(config(Role::initiator, k.id_i, 1));
      Session r2(config(Role::responder, k.id_r, 3));
      REQUIRE(pump(i2, r2));
      REQUIRE(pump(r2, i2));
      REQUIRE(pump(i2, r2));
      auto res = r2.feed(frame(Bytes(len, 0)), 0);
      CHECK(res.err() == Err::proto);
      CHECK(res.what() == "noise: transport frame of " + std::to_string(len) +
                              " bytes is shorter than the 16-byte tag");
      CHECK(r2.state() == State::failed);
    }
  }
  SUBCASE("a flipped bit fails decryption and the session stays closed") {
    REQUIRE(i.write(net::as_bytes("first")));
    REQUIRE(i.write(net::as_bytes("second")));
    Bytes wire(i.pending_output().begin(), i.pending_output().end());
    wire[4] ^= 0x01;  // inside the first frame's ciphertext
    auto res = r.feed(wire, 0);
    CHECK(res.err() == Err::crypto);
    CHECK(res.what() == "noise: decryption failed");
    CHECK(r.state() == State::failed);
    CHECK(r.readable().empty());
    auto again = r.feed(frame(Bytes(20, 0)), 0);
    CHECK(again.err() == Err::closed);
    CHECK(again.what() == "noise: session failed earlier: noise: decryption failed");
    auto w = r.write(net::as_bytes("x"));
    CHECK(w.err() == Err::closed);
  }
  SUBCASE("nonce exhaustion on send and on receive (hardening.md row 8b)") {
    i.set_send_nonce_for_test(kReservedNonce - 1);
    r.set_recv_nonce_for_test(kReservedNonce - 1);
    REQUIRE(i.write(net::as_bytes("last")));
    REQUIRE(pump(i, r));
    CHECK(net::to_string(read_all(r)) == "last");
    auto w = i.write(net::as_bytes("one too many"));
    CHECK(w.err() == Err::limit);
    CHECK(w.what() == "noise: nonce exhausted");
    CHECK(i.state() == State::failed);
    // The receiver refuses nonce 2^64-1 too, whatever the frame holds.
    auto res = r.feed(frame(Bytes(kTagLen + 4, 0)), 0);
    CHECK(res.err() == Err::limit);
    CHECK(res.what() == "noise: nonce exhausted");
  }
  SUBCASE("write before the handshake completed") {
    Session fresh(config(Role::responder, k.id_r, 3));
    auto w = fresh.write(net::as_bytes("x"));
    CHECK(w.err() == Err::invalid);
    CHECK(w.what() == "noise: write before the handshake completed");
    CHECK(fresh.writable() == 0);
  }
}

TEST_CASE("noise session: output and input buffers are bounded") {
  Keys k;
  auto ci = config(Role::initiator, k.id_i, 1);
  ci.max_output_buffered = 2 * (2 + kMaxMessageLen) + 100;  // two full frames and a bit
  auto cr = config(Role::responder, k.id_r, 3);
  cr.max_input_buffered = 2 + kMaxMessageLen + 10;  // one frame and 10 bytes
  Session i(std::move(ci));
  Session r(std::move(cr));
  REQUIRE(pump(i, r));
  REQUIRE(pump(r, i));
  REQUIRE(pump(i, r));

  CHECK(i.writable() == 2 * kMaxPlaintextLen + 100 - 18);
  Bytes big(1 << 20, 7);
  auto n = i.write(big);
  REQUIRE(n);
  CHECK(*n == 2 * kMaxPlaintextLen + 100 - 18);  // the rest waits
  CHECK(i.pending_output().size() == 2 * (2 + kMaxMessageLen) + 100);
  CHECK(i.writable() == 0);
  auto n0 = i.write(big);
  REQUIRE(n0);
  CHECK(*n0 == 0);

  // The receiver takes one frame + 10 bytes while the app does not read.
  Bytes wire(i.pending_output().begin(), i.pending_output().end());
  auto t = r.feed(wire, 0);
  REQUIRE(t);
  CHECK(*t == 2 + kMaxMessageLen + 10);
  // Decrypting the frame freed its 2-byte length prefix, nothing else: the
  // buffer stays full until the app reads.
  size_t fed = *t;
  auto t2 = r.feed(BytesView(wire).subspan(fed), 0);
  REQUIRE(t2);
  CHECK(*t2 == 2);
  fed += *t2;
  auto t3 = r.feed(BytesView(wire).subspan(fed), 0);
  REQUIRE(t3);
  CHECK(*t3 == 0);
  Bytes got;
  while (fed < wire.size()) {
    Bytes part = read_all(r);
    got.insert(got.end(), part.begin(), part.end());
    auto more = r.feed(BytesView(wire).subspan(fed), 0);
    INFO(more.what());
    REQUIRE(more);
    REQUIRE(*more > 0);
    fed += *more;
  }
  Bytes part = read_all(r);
  got.insert(got.end(), part.begin(), part.end());
  CHECK(got == Bytes(big.begin(), big.begin() + static_cast<ptrdiff_t>(*n)));
  i.consume_output(wire.size());
  CHECK(i.writable() == 2 * kMaxPlaintextLen + 100 - 18);
  r.trim_memory();
  i.trim_memory();
}

TEST_CASE("noise session: the default output bound (kMaxOutputBuffered) is exact") {
  Keys k;
  Session i(config(Role::initiator, k.id_i, 1));
  Session r(config(Role::responder, k.id_r, 3));
  REQUIRE(pump(i, r));
  REQUIRE(pump(r, i));
  i.consume_output(i.pending_output().size());  // msg3 "sent"
  // 3 full frames (3 x 65537) + one frame of the 65533 bytes left.
  const size_t expect = 3 * kMaxPlaintextLen + (kMaxOutputBuffered - 3 * (2 + kMaxMessageLen) - 18);
  CHECK(i.writable() == expect);
  Bytes big(kMaxOutputBuffered, 1);
  auto n = i.write(big);
  REQUIRE(n);
  CHECK(*n == expect);
  CHECK(i.pending_output().size() == kMaxOutputBuffered);
  i.consume_output(1);
  CHECK(i.writable() == 0);  // one free byte cannot hold a frame
}

TEST_CASE("noise session: a stalled handshake times out after 10 s") {
  Keys k;
  SUBCASE("responder never gets msg1") {
    auto cr = config(Role::responder, k.id_r, 3);
    cr.now = 1000;
    Session r(std::move(cr));
    CHECK(r.next_deadline() == 1000 + kHandshakeTimeoutNs);
    r.on_timeout(1000 + kHandshakeTimeoutNs - 1);
    CHECK(r.state() == State::handshaking);
    r.on_timeout(1000 + kHandshakeTimeoutNs);
    CHECK(r.state() == State::failed);
    CHECK(r.error().code == Err::timeout);
    CHECK(r.error().what == "noise: handshake timed out after 10 s");
    CHECK(r.next_deadline() == net::kNever);
  }
  SUBCASE("initiator stalls after msg2, through the pair's clock") {
    Session i(config(Role::initiator, k.id_i, 1));
    Session r(config(Role::responder, k.id_r, 3));
    REQUIRE(pump(i, r));  // msg1 delivered, msg2 never is
    test::Pair p(test::endpoint_of(i), test::endpoint_of(r));
    r.consume_output(r.pending_output().size());  // msg2 lost
    p.run_for(kHandshakeTimeoutNs - 1);
    CHECK(i.state() == State::handshaking);
    p.run_for(1);
    CHECK(i.state() == State::failed);
    CHECK(r.state() == State::failed);
    CHECK(i.error().code == Err::timeout);
  }
  SUBCASE("feed after the deadline fails too") {
    Session r(config(Role::responder, k.id_r, 3));
    auto res = r.feed(Bytes(5, 0), kHandshakeTimeoutNs);
    CHECK(res.err() == Err::timeout);
  }
}

TEST_CASE("noise session: without an identity key the session fails at once") {
  SessionConfig c;
  c.role = Role::initiator;
  Session s(std::move(c));
  CHECK(s.state() == State::failed);
  CHECK(s.error().code == Err::invalid);
  CHECK(s.error().what == "noise: no local identity key");
  CHECK(s.pending_output().empty());
}
