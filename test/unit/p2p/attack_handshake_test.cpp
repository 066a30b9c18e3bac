// End-to-end attacks on the connection upgrade (multistream /noise, Noise XX
// and its identity payload) of a real Host over loopback TCP. See
// attack_harness.hpp for what every test checks: (a) closed, (b) logged,
// (c) bounded, (d) the honest peer keeps pinging.
#include "attack_harness.hpp"

using namespace attack;

namespace {

// Checks (a)-(d) for an attacker that must be refused during the upgrade.
void expect_refused_upgrade(Fixture& f, RawPeer& raw, std::initializer_list<std::string_view> reason) {
  REQUIRE_MESSAGE(f.run([&] { return raw.closed; }), "the victim kept the attacker's connection open");
  INFO("closed after " << raw.lived_ns() / net::kMillisecond << " ms: " << raw.why.what);
  CHECK_MESSAGE(f.victim.logged({"handshake failed"}), f.victim.last_lines());
  CHECK_MESSAGE(f.victim.logged(reason), f.victim.last_lines());
  f.check_back_to_normal();
  CHECK(f.peak.max.connections <= 2);
  CHECK(f.peak.max.out_bytes < 64 * 1024);
  CHECK(f.victim.host->stats().handshakes_failed >= 1);
  f.check_honest();
}

net::Bytes der(uint8_t tag, const net::Bytes& body) {
  net::Bytes out{tag};
  const size_t n = body.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    net::Bytes len;
    for (size_t v = n; v; v >>= 8) len.insert(len.begin(), static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(0x80 | len.size()));
    append(out, len);
  }
  append(out, body);
  return out;
}

// A DER SubjectPublicKeyInfo of an RSA key with a modulus of `bits` bits
// (not a real key: the victim must refuse it by its size alone).
net::Bytes rsa_spki(size_t bits) {
  net::Bytes n((bits + 7) / 8, 0xa5);
  n[0] = static_cast<uint8_t>(1u << ((bits - 1) % 8));
  n.back() |= 1;
  if (n[0] & 0x80) n.insert(n.begin(), 0);  // a positive INTEGER
  net::Bytes seq = der(0x02, n);
  append(seq, der(0x02, {0x01, 0x00, 0x01}));
  net::Bytes bitstr{0x00};
  append(bitstr, der(0x30, seq));
  net::Bytes alg{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
  append(alg, der(0x03, bitstr));
  return der(0x30, alg);
}

// A libp2p PublicKey protobuf {Type = type, Data = data}.
net::Bytes key_proto(uint8_t type, const net::Bytes& data) {
  net::Bytes b{0x08, type, 0x12};
  uint8_t v[10];
  size_t n = net::varint_encode(data.size(), v);
  b.insert(b.end(), v, v + n);
  append(b, data);
  return b;
}

}  // namespace

// Rule: the connection's multistream Responder (security) decodes lines with
// the 1024-byte limit; anything that is not a well-formed
// "/multistream/1.0.0" line fails the upgrade at once.
TEST_CASE("attack: garbage instead of the multistream header (TLS ClientHello, HTTP request)") {
  Fixture f;
  std::string_view why;
  net::Bytes garbage;
  SUBCASE("TLS ClientHello") {
    // Record header 16 03 01 <len>, handshake type 1: 0x16 reads as a
    // 22-byte line whose 22nd byte is not '\n'.
    garbage = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    garbage.resize(517, 0x5a);
    why = "conn: security negotiation: multistream: message does not end in newline";
  }
  SUBCASE("HTTP request") {
    std::string req = "GET / HTTP/1.1\r\nHost: victim\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n";
    req.resize(200, 'x');
    garbage.assign(req.begin(), req.end());
    // 'G' = 71: a 71-byte line that does not end in '\n'.
    why = "conn: security negotiation: multistream: message does not end in newline";
  }
  SUBCASE("a correct line that is not the header") {
    garbage = ms_line("/noise");
    why = "conn: security negotiation: multistream: bad header '/noise'";
  }
  RawPeer raw(*f.loop, f.victim.sa);
  raw.send(garbage);
  expect_refused_upgrade(f, raw, {why});
  CHECK(raw.lived_ns() < kPromptNs);
}

// Rule: multistream::kMaxMessageLen (1024, as go/js) — a longer length
// prefix fails the negotiation as soon as the prefix is read, before any
// body is buffered. 1024 itself is read (and then refused as a bad header).
TEST_CASE("attack: oversize multistream line (1025 bytes) before Noise") {
  Fixture f;
  size_t len = 0;
  std::string_view why;
  SUBCASE("1025 bytes: refused by its length prefix") {
    len = 1025;
    why = "conn: security negotiation: multistream: message of 1025 bytes exceeds 1024";
  }
  SUBCASE("1024 bytes: at the limit, read whole and refused as a bad header") {
    len = 1024;
    why = "conn: security negotiation: multistream: bad header";
  }
  net::Bytes msg;
  uint8_t v[10];
  const size_t n = net::varint_encode(len, v);
  msg.insert(msg.end(), v, v + n);
  RawPeer raw(*f.loop, f.victim.sa);
  if (len == 1025) {
    raw.send(msg);  // the prefix alone is enough
  } else {
    msg.resize(msg.size() + len - 1, 'a');
    msg.push_back('\n');
    raw.send(msg);
  }
  expect_refused_upgrade(f, raw, {why});
}

// Rule: multistream::kMaxRounds (16) — the responder answers at most 16
// proposals or `ls` requests, then fails the negotiation (hardening.md row 15).
TEST_CASE("attack: endless na / ls loops and too many proposals before Noise") {
  Fixture f;
  net::Bytes msg = ms_line(multistream::kProtocolId);
  SUBCASE("17 unknown proposals") {
    for (int i = 0; i < 17; ++i) append(msg, ms_line("/nope/" + std::to_string(i)));
  }
  SUBCASE("17 ls requests") {
    for (int i = 0; i < 17; ++i) append(msg, ms_line("ls"));
  }
  SUBCASE("17 na answers to our own header") {
    for (int i = 0; i < 17; ++i) append(msg, ms_line("na"));
  }
  RawPeer raw(*f.loop, f.victim.sa);
  raw.send(msg);
  expect_refused_upgrade(f, raw, {"conn: security negotiation: multistream: more than 16 proposals"});
  // What it said back is bounded by the limit: its header and at most 16
  // answers (`na`, or the one-entry list "/noise"), nothing per extra round.
  CHECK(raw.in.size() >= ms_line(multistream::kProtocolId).size());
  CHECK(raw.in.size() <= ms_line(multistream::kProtocolId).size() + 16 * (ms_line(noise::kMultistreamId).size() + 2));
}

TEST_CASE("attack: 16 proposals are answered; the 17th would fail (limit crossed by one)") {
  Fixture f;
  net::Bytes msg = ms_line(multistream::kProtocolId);
  for (int i = 0; i < 15; ++i) append(msg, ms_line("/nope/" + std::to_string(i)));
  append(msg, ms_line(noise::kMultistreamId));  // the 16th: accepted
  RawPeer raw(*f.loop, f.victim.sa);
  raw.send(msg);
  // Selected: the victim now waits for Noise msg1 (and times out on us).
  REQUIRE(f.run([&] { return raw.closed; }, kTestUpgradeTimeoutNs + kPromptNs));
  CHECK_MESSAGE(f.victim.logged({"handshake failed", "upgrade did not finish", "(handshake)"}),
                f.victim.last_lines());
  f.check_honest();
}

// Rule: HostLimits::upgrade_timeout_ns (10 s by default, as js; short here) —
// ConnCore's deadline covers security negotiation, the whole Noise handshake
// and muxer negotiation.
TEST_CASE("attack: a peer that stalls mid-handshake is closed at the upgrade timeout") {
  Fixture f;
  std::unique_ptr<RawPeer> raw;
  std::unique_ptr<SecurePeer> sec;
  std::string_view stage;
  SUBCASE("after the multistream header") {
    raw = std::make_unique<RawPeer>(*f.loop, f.victim.sa);
    raw->send(ms_line(multistream::kProtocolId));
    stage = "(security)";
  }
  SUBCASE("after half a multistream line") {
    raw = std::make_unique<RawPeer>(*f.loop, f.victim.sa);
    net::Bytes m = ms_propose(noise::kMultistreamId);
    m.pop_back();
    raw->send(m);
    stage = "(security)";
  }
  SUBCASE("after Noise msg1 (never answers msg2)") {
    SecurePeer::Options o;
    o.stall_after_msg1 = true;
    sec = std::make_unique<SecurePeer>(*f.loop, f.victim.sa, o);
    stage = "(handshake)";
  }
  SUBCASE("inside a Noise frame that announces 65535 bytes") {
    raw = std::make_unique<RawPeer>(*f.loop, f.victim.sa);
    net::Bytes m = ms_propose(noise::kMultistreamId);
    append(m, net::Bytes{0xff, 0xff});
    m.resize(m.size() + 100, 0);
    raw->send(m);
    stage = "(handshake)";
  }
  bool trickle = false;
  SUBCASE("trickling a 1024-byte line one byte every 10 ms (the deadline is not extended)") {
    raw = std::make_unique<RawPeer>(*f.loop, f.victim.sa);
    net::Bytes m = ms_line(multistream::kProtocolId);
    uint8_t v[10];
    const size_t n = net::varint_encode(1024, v);
    m.insert(m.end(), v, v + n);
    raw->send(m);
    trickle = true;
    stage = "(security)";
  }
  RawPeer& r = raw ? *raw : sec->raw;
  net::Instant next_byte = net::monotonic_now();
  size_t trickled = 0;
  REQUIRE(f.run(
      [&] {
        if (trickle && !r.closed && net::monotonic_now() >= next_byte) {
          r.send(std::string_view("a"));
          ++trickled;
          next_byte += 10 * net::kMillisecond;
        }
        return r.closed;
      },
      kTestUpgradeTimeoutNs + kPromptNs));
  if (trickle) CHECK(trickled < 1024);
  const uint64_t lived = r.lived_ns();
  INFO("closed after " << lived / net::kMillisecond << " ms");
  CHECK(lived >= kTestUpgradeTimeoutNs - 20 * net::kMillisecond);
  CHECK(lived < kTestUpgradeTimeoutNs + kPromptNs);
  const std::string limit = std::to_string(kTestUpgradeTimeoutNs / net::kMillisecond) + " ms";
  CHECK_MESSAGE(f.victim.logged({"handshake failed", "conn: upgrade did not finish within " + limit, stage}),
                f.victim.last_lines());
  f.check_back_to_normal();
  f.check_honest();
}

// Rule: the Noise session checks every handshake message's length for its
// position (msg1 exactly 32, msg2 >= 96, msg3 >= 64) and every transport
// frame against the 16-byte tag; any violation or failed decryption is fatal.
TEST_CASE("attack: Noise messages of the wrong length") {
  Fixture f;
  SecurePeer::Options o;
  std::string why;
  bool after_handshake = false;
  net::Bytes transport_frame;
  SUBCASE("msg1 of 33 bytes") {
    o.msg1 = net::Bytes(33, 9);
    why = "noise: handshake message 1 must be 32 bytes, got 33";
  }
  SUBCASE("msg1 of 31 bytes") {
    o.msg1 = net::Bytes(31, 9);
    why = "noise: handshake message 1 must be 32 bytes, got 31";
  }
  SUBCASE("msg1 of 65535 bytes (the largest Noise frame)") {
    o.msg1 = net::Bytes(65535, 9);
    why = "noise: handshake message 1 must be 32 bytes, got 65535";
  }
  SUBCASE("msg1 of 0 bytes") {
    o.msg1 = net::Bytes{};
    why = "noise: handshake message 1 must be 32 bytes, got 0";
  }
  SUBCASE("msg3 of 63 bytes") {
    o.msg3 = net::Bytes(63, 7);
    why = "noise: handshake message 3 too short (63 bytes, need 64)";
  }
  SUBCASE("msg3 of 64 bytes of garbage") {
    o.msg3 = net::Bytes(64, 7);
    why = "noise: decryption failed";
  }
  SUBCASE("a transport frame shorter than the tag") {
    after_handshake = true;
    transport_frame = noise_frame(net::Bytes(15, 1));
    why = "noise: transport frame of 15 bytes is shorter than the 16-byte tag";
  }
  SUBCASE("a transport frame with a bad tag") {
    after_handshake = true;
    transport_frame = noise_frame(net::Bytes(100, 1));
    why = "noise: decryption failed";
  }
  SecurePeer a(*f.loop, f.victim.sa, o);
  if (after_handshake) {
    REQUIRE(f.run([&] { return a.open() && f.victim.host->is_connected(a.peer()); }));
    a.send_raw(transport_frame);
    REQUIRE(f.run([&] { return a.closed(); }));
    CHECK_MESSAGE(f.victim.logged({"connection closed", why}), f.victim.last_lines());
    f.check_back_to_normal();
    f.check_honest();
  } else {
    expect_refused_upgrade(f, a.raw, {why});
  }
}

// Rule: verify_payload checks identity_sig over "noise-libp2p-static-key:" ||
// the Noise static key this handshake authenticated (specs.md §4.1).
TEST_CASE("attack: a bad identity signature in the Noise payload") {
  Fixture f;
  SecurePeer::Options o;
  std::string why;
  SUBCASE("signature over another static key") {
    o.payload = [](const crypto::Ed25519PrivateKey& k, const crypto::X25519Public&) {
      auto other = crypto::x25519_generate();
      auto sig = k.sign(static_key_message(other.pub));
      return noise_payload(crypto::marshal_public_key(k.public_key()), net::Bytes(sig.begin(), sig.end()));
    };
    why = "noise: identity signature: bad Ed25519 signature";
  }
  SUBCASE("signature by another identity key") {
    o.payload = [](const crypto::Ed25519PrivateKey& k, const crypto::X25519Public& s) {
      auto other = new_key();
      auto sig = other.sign(static_key_message(s));
      return noise_payload(crypto::marshal_public_key(k.public_key()), net::Bytes(sig.begin(), sig.end()));
    };
    why = "noise: identity signature: bad Ed25519 signature";
  }
  SUBCASE("a 63-byte signature") {
    o.payload = [](const crypto::Ed25519PrivateKey& k, const crypto::X25519Public& s) {
      auto sig = k.sign(static_key_message(s));
      return noise_payload(crypto::marshal_public_key(k.public_key()), net::Bytes(sig.begin(), sig.end() - 1));
    };
    why = "noise: identity signature: Ed25519 signature is 63 bytes, want 64";
  }
  SUBCASE("no signature") {
    o.payload = [](const crypto::Ed25519PrivateKey& k, const crypto::X25519Public&) {
      return noise_payload(crypto::marshal_public_key(k.public_key()), {});
    };
    why = "noise: payload has no identity signature";
  }
  SUBCASE("a payload that is not a protobuf") {
    o.payload = [](const crypto::Ed25519PrivateKey&, const crypto::X25519Public&) { return net::Bytes(40, 0xff); };
    why = "noise: payload: ";
  }
  SecurePeer a(*f.loop, f.victim.sa, o);
  expect_refused_upgrade(f, a.raw, {why});
  CHECK(f.victim.host->peer_store().find(a.peer()) == nullptr);
}

// Rule: crypto::unmarshal_public_key knows RSA, Ed25519, secp256k1, ECDSA
// (types 0-3); anything else is Err::unsupported before any verification.
TEST_CASE("attack: an unsupported identity key type in the Noise payload") {
  Fixture f;
  SecurePeer::Options o;
  std::string why;
  SUBCASE("type 7") {
    o.payload = [](const crypto::Ed25519PrivateKey& k, const crypto::X25519Public& s) {
      auto sig = k.sign(static_key_message(s));
      const auto pub = k.public_key();
      return noise_payload(key_proto(7, pub.data), net::Bytes(sig.begin(), sig.end()));
    };
    why = "noise: identity key: unsupported key type 7";
  }
  SUBCASE("an Ed25519 key of 31 bytes") {
    o.payload = [](const crypto::Ed25519PrivateKey& k, const crypto::X25519Public& s) {
      auto sig = k.sign(static_key_message(s));
      auto data = k.public_key().data;
      data.pop_back();
      return noise_payload(key_proto(1, data), net::Bytes(sig.begin(), sig.end()));
    };
    why = "noise: identity key: ";
  }
  SecurePeer a(*f.loop, f.victim.sa, o);
  expect_refused_upgrade(f, a.raw, {why});
}

// Rule (CVE-2023-39533, hardening.md row 4): an RSA identity key outside
// [2048, 8192] bits is refused by its size, before any RSA arithmetic, so a
// 16384-bit key costs the victim microseconds, not seconds.
TEST_CASE("attack: a huge RSA identity key (16384 bits) is refused before verification") {
  Fixture f;
  SecurePeer::Options o;
  o.payload = [](const crypto::Ed25519PrivateKey&, const crypto::X25519Public&) {
    return noise_payload(key_proto(0, rsa_spki(16384)), net::Bytes(2048, 0x42));
  };
  const net::Instant t0 = net::monotonic_now();
  SecurePeer a(*f.loop, f.victim.sa, o);
  expect_refused_upgrade(f, a.raw, {"noise: identity key: RSA key of 16384 bits exceeds the 8192-bit maximum"});
  // The whole connection, handshake included, took well under a second.
  CHECK(a.raw.closed_at - t0 < kPromptNs / 2);
  // 8193 bits: refused by one bit.
  SecurePeer::Options p;
  p.payload = [](const crypto::Ed25519PrivateKey&, const crypto::X25519Public&) {
    return noise_payload(key_proto(0, rsa_spki(8193)), net::Bytes(1025, 0x42));
  };
  SecurePeer b(*f.loop, f.victim.sa, p);
  REQUIRE(f.run([&] { return b.closed(); }));
  CHECK_MESSAGE(f.victim.logged({"RSA key of 8193 bits exceeds the 8192-bit maximum"}), f.victim.last_lines());
}

// Rule: the dialer's Noise session compares the remote identity with the
// /p2p/ of the dialed address (verify_payload's `expected`); a mismatch fails
// the dial with Err::crypto and the connection is never announced.
TEST_CASE("attack: a listener whose identity key does not match the dialed /p2p/ id") {
  Fixture f;
  // The impostor: a real host with its own key, listening where the victim
  // believes a third peer lives.
  crypto::Ed25519PrivateKey imp_key = new_key();
  HostConfig c;
  c.identity = &imp_key;
  Host impostor(*f.loop, c);
  REQUIRE(impostor.listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  const crypto::Ed25519PrivateKey third = new_key();
  auto wrong = impostor.listen_addrs().front().with_peer_id(peer_of(third));
  REQUIRE(wrong);
  std::optional<net::Result<ConnId>> r;
  f.victim.host->dial(*wrong, [&](net::Result<ConnId> res) { r = std::move(res); });
  REQUIRE(f.run([&] { return r.has_value(); }));
  REQUIRE_FALSE(*r);
  CHECK(r->err() == net::Err::crypto);
  CHECK(r->what().find("does not match expected " + peer_of(third).to_base58()) != std::string::npos);
  CHECK_MESSAGE(f.victim.logged({"handshake failed", "does not match expected"}), f.victim.last_lines());
  CHECK_FALSE(f.victim.host->is_connected(impostor.peer_id()));
  CHECK_FALSE(f.victim.host->is_connected(peer_of(third)));
  // The impostor's side is closed too.
  CHECK(f.run([&] { return impostor.usage().connections == 0; }));
  f.check_back_to_normal();
  f.check_honest();
  impostor.shutdown();
}

// Rule: HostLimits::max_inbound_handshakes (64 by default, as go's transient
// scope; 32 here) — inbound connections still upgrading beyond it are closed
// at accept, before any allocation; each stalled one frees its slot at the
// upgrade timeout, and then new peers get in again.
TEST_CASE("attack: inbound handshake limit: the 33rd stalled connection is refused, slots come back") {
  Fixture f;
  const size_t limit = test_host_limits().max_inbound_handshakes;
  std::vector<std::unique_ptr<RawPeer>> raws;
  for (size_t i = 0; i < limit + 1; ++i) {
    raws.push_back(std::make_unique<RawPeer>(*f.loop, f.victim.sa));
    raws.back()->send(ms_line(multistream::kProtocolId));  // then nothing
  }
  auto closed = [&] {
    size_t n = 0;
    for (const auto& r : raws) n += r->closed;
    return n;
  };
  REQUIRE_MESSAGE(f.run([&] { return closed() >= 1 && f.victim.host->usage().inbound_handshakes == limit; }),
                  "closed " << closed() << ", handshakes " << f.victim.host->usage().inbound_handshakes);
  CHECK(closed() == 1);
  for (const auto& r : raws)
    if (r->closed) CHECK(r->lived_ns() < kTestUpgradeTimeoutNs);
  CHECK(f.victim.host->stats().refused_over_limit == 1);
  CHECK_MESSAGE(f.victim.logged({"inbound connection refused: limit reached", "\"handshakes\":32"}),
                f.victim.last_lines());
  // The honest peer, already connected, is not affected by full slots.
  const uint64_t before = f.honest.pings;
  CHECK(f.run([&] { return f.honest.pings >= before + 3; }, kRttBoundNs));
  // The 32 stalled ones end at the upgrade timeout and free their slots.
  REQUIRE(f.run([&] { return closed() == limit + 1; }, kTestUpgradeTimeoutNs + kPromptNs));
  f.check_back_to_normal();
  CHECK(f.peak.max.inbound_handshakes == limit);
  CHECK(f.peak.max.connections <= limit + 1);
  // A new peer gets in again.
  SecurePeer a(*f.loop, f.victim.sa);
  CHECK_MESSAGE(f.run([&] { return a.open() && f.victim.host->is_connected(a.peer()); }),
                "no handshake after the flood: " << a.failure << " / " << f.victim.last_lines());
  CHECK(f.victim.host->stats().refused_over_limit == 1);
  f.check_honest();
}

// Rule: HostLimits::max_connections_per_peer (8 by default, as go's peer
// scope; 4 here) — a connection that completes its handshake as a peer that
// already has that many is aborted; the others stay up.
TEST_CASE("attack: one identity opens more connections than max_connections_per_peer") {
  HostLimits hl = test_host_limits();
  hl.max_connections_per_peer = 4;
  Fixture f(hl);
  const crypto::Ed25519PrivateKey key = new_key();
  SecurePeer::Options o;
  o.identity = &key;
  std::vector<std::unique_ptr<SecurePeer>> peers;
  for (size_t i = 0; i < hl.max_connections_per_peer + 1; ++i)
    peers.push_back(std::make_unique<SecurePeer>(*f.loop, f.victim.sa, o));
  auto count = [&](bool want_closed) {
    size_t n = 0;
    for (const auto& p : peers) n += p->closed() == want_closed;
    return n;
  };
  auto to_peer = [&] {
    size_t n = 0;
    for (const auto& c : f.victim.host->connections()) n += c.peer == peer_of(key);
    return n;
  };
  REQUIRE_MESSAGE(f.run([&] { return count(true) == 1 && to_peer() == hl.max_connections_per_peer; }),
                  "closed " << count(true) << ", connections to the peer " << to_peer());
  CHECK_MESSAGE(f.victim.logged({"connection refused", "per-peer limit"}), f.victim.last_lines());
  f.run_for(50 * net::kMillisecond);
  CHECK(count(false) == hl.max_connections_per_peer);
  CHECK(to_peer() == hl.max_connections_per_peer);
  CHECK(f.peak.max.connections <= hl.max_connections_per_peer + 2);
  f.check_honest();
}
