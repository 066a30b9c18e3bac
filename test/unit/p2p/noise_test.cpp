// Noise core: CipherState, SymmetricState, HandshakeState (XX) against the
// published cacophony and snow vectors, plus the hardening rules of
// STYLE.md §8 / hardening.md rows 8-9.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "net/bytes.hpp"
#include "p2p/noise/noise_handshake.hpp"

using namespace p2p::noise;
using net::Bytes;
using net::BytesView;

namespace {

struct NoiseVectorMessage {
  const char* payload;
  const char* ciphertext;
};
struct NoiseVector {
  const char* name;
  const char* prologue;
  const char* init_static;
  const char* init_ephemeral;
  const char* resp_static;
  const char* resp_ephemeral;
  const char* handshake_hash;  // "" when the source has none
  std::vector<NoiseVectorMessage> messages;
};
#include "p2p/noise_vectors.inc"

Bytes H(const char* hex) {
  Bytes b;
  REQUIRE(net::from_hex(hex, &b));
  return b;
}

crypto::X25519KeyPair kp(const char* hex) {
  Bytes b = H(hex);
  REQUIRE(b.size() == 32);
  return crypto::x25519_from_private(std::span<const uint8_t, 32>(b.data(), 32));
}

crypto::X25519KeyPair kp_seed(uint8_t seed) {
  std::array<uint8_t, 32> raw;
  raw.fill(seed);
  return crypto::x25519_from_private(raw);
}

HandshakeState make(Role role, BytesView prologue, crypto::X25519KeyPair s, crypto::X25519KeyPair e,
                    crypto::AeadBackend hs = crypto::AeadBackend::sodium,
                    crypto::AeadBackend tr = crypto::kDefaultAeadBackend) {
  HandshakeState::Config c;
  c.role = role;
  c.prologue = prologue;
  c.s = std::move(s);
  c.e = std::move(e);
  c.handshake_backend = hs;
  c.transport_backend = tr;
  return HandshakeState(std::move(c));
}

// A completed XX handshake between two fresh states, empty prologue.
struct Pair {
  HandshakeState i = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
  HandshakeState r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
  void run() {
    Bytes m, p;
    REQUIRE(i.write_message({}, m));
    REQUIRE(r.read_message(m, &p));
    m.clear();
    REQUIRE(r.write_message({}, m));
    REQUIRE(i.read_message(m, &p));
    m.clear();
    REQUIRE(i.write_message({}, m));
    REQUIRE(r.read_message(m, &p));
  }
};

}  // namespace

TEST_CASE("noise: cacophony and snow vectors for Noise_XX_25519_ChaChaPoly_SHA256") {
  REQUIRE(std::size(kNoiseVectors) == 2);
  const crypto::AeadBackend backends[] = {crypto::AeadBackend::sodium, crypto::AeadBackend::openssl};
  for (const NoiseVector& v : kNoiseVectors) {
    for (auto hs_b : backends) {
      for (auto tr_b : backends) {
        CAPTURE(v.name);
        CAPTURE(crypto::aead_backend_name(hs_b));
        CAPTURE(crypto::aead_backend_name(tr_b));
        Bytes prologue = H(v.prologue);
        HandshakeState init = make(Role::initiator, prologue, kp(v.init_static),
                                   kp(v.init_ephemeral), hs_b, tr_b);
        HandshakeState resp = make(Role::responder, prologue, kp(v.resp_static),
                                   kp(v.resp_ephemeral), hs_b, tr_b);
        REQUIRE(v.messages.size() > 3);
        // Handshake: messages 0 (I), 1 (R), 2 (I).
        for (size_t k = 0; k < 3; ++k) {
          CAPTURE(k);
          HandshakeState& w = k % 2 == 0 ? init : resp;
          HandshakeState& rd = k % 2 == 0 ? resp : init;
          REQUIRE(w.is_my_turn());
          REQUIRE_FALSE(rd.is_my_turn());
          Bytes out, got;
          REQUIRE(w.write_message(H(v.messages[k].payload), out));
          CHECK(net::to_hex(out) == v.messages[k].ciphertext);
          REQUIRE(rd.read_message(out, &got));
          CHECK(net::to_hex(got) == v.messages[k].payload);
        }
        REQUIRE(init.complete());
        REQUIRE(resp.complete());
        CHECK(init.handshake_hash() == resp.handshake_hash());
        if (*v.handshake_hash) CHECK(net::to_hex(init.handshake_hash()) == v.handshake_hash);
        CHECK(init.remote_static() == resp.local_static_public());
        CHECK(resp.remote_static() == init.local_static_public());

        auto ti = init.split();
        auto tr = resp.split();
        REQUIRE(ti);
        REQUIRE(tr);
        CHECK(ti->send.backend() == tr_b);
        // Transport: even index from the initiator, odd from the responder.
        for (size_t k = 3; k < v.messages.size(); ++k) {
          CAPTURE(k);
          CipherState& tx = k % 2 == 0 ? ti->send : tr->send;
          CipherState& rx = k % 2 == 0 ? tr->recv : ti->recv;
          Bytes pt = H(v.messages[k].payload);
          Bytes ct(pt.size() + kTagLen);
          auto n = tx.encrypt_with_ad({}, pt, ct);
          REQUIRE(n);
          CHECK(net::to_hex(ct) == v.messages[k].ciphertext);
          Bytes back(ct.begin(), ct.end());  // decrypt in place
          auto m = rx.decrypt_with_ad({}, back, back);
          REQUIRE(m);
          back.resize(*m);
          CHECK(back == pt);
        }
      }
    }
  }
}

TEST_CASE("noise: XX message sizes are those of the libp2p spec (32 / 96+p / 64+p)") {
  auto i = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
  auto r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
  Bytes m, p;
  REQUIRE(i.write_message({}, m));
  CHECK(m.size() == kMsg1Len);
  REQUIRE(r.read_message(m, &p));
  CHECK(p.empty());
  m.clear();
  Bytes payload(100, 7);
  REQUIRE(r.write_message(payload, m));
  CHECK(m.size() == kMsg2MinLen + 100);
  REQUIRE(i.read_message(m, &p));
  CHECK(p == payload);
  m.clear();
  REQUIRE(i.write_message(payload, m));
  CHECK(m.size() == kMsg3MinLen + 100);
  REQUIRE(r.read_message(m, &p));
  CHECK(p == payload);
  CHECK(i.complete());
  CHECK(r.complete());
}

TEST_CASE("noise: handshake turn order is enforced") {
  auto i = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
  auto r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
  Bytes m, p;
  auto st = r.write_message({}, m);
  CHECK(st.err() == net::Err::invalid);
  CHECK(st.what() == "noise: write_message out of turn");
  st = i.read_message(Bytes(32), &p);
  CHECK(st.err() == net::Err::invalid);
  CHECK(st.what() == "noise: read_message out of turn");
  auto sp = i.split();
  CHECK(sp.err() == net::Err::invalid);
  CHECK(sp.what() == "noise: split before the handshake completed");
}

TEST_CASE("noise: handshake messages of the wrong length are refused, then the state is dead") {
  SUBCASE("msg1 shorter than e") {
    auto r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
    Bytes p;
    auto st = r.read_message(Bytes(31), &p);
    CHECK(st.err() == net::Err::proto);
    CHECK(st.what() == "noise: handshake message 1 too short (31 bytes, need 32)");
    st = r.read_message(Bytes(32), &p);
    CHECK(st.err() == net::Err::closed);
    CHECK(st.what() == "noise: handshake state unusable after an earlier error");
  }
  SUBCASE("msg2 truncated by one byte") {
    auto i = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
    auto r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
    Bytes m, p;
    REQUIRE(i.write_message({}, m));
    REQUIRE(r.read_message(m, &p));
    m.clear();
    REQUIRE(r.write_message({}, m));
    REQUIRE(m.size() == 96);
    auto st = i.read_message(BytesView(m).first(95), &p);
    CHECK(st.err() == net::Err::proto);
    CHECK(st.what() == "noise: handshake message 2 too short (95 bytes, need 96)");
    CHECK(i.failed());
  }
  SUBCASE("msg3 truncated by one byte") {
    Pair pr;
    Bytes m, p;
    REQUIRE(pr.i.write_message({}, m));
    REQUIRE(pr.r.read_message(m, &p));
    m.clear();
    REQUIRE(pr.r.write_message({}, m));
    REQUIRE(pr.i.read_message(m, &p));
    m.clear();
    REQUIRE(pr.i.write_message({}, m));
    REQUIRE(m.size() == 64);
    auto st = pr.r.read_message(BytesView(m).first(63), &p);
    CHECK(st.err() == net::Err::proto);
    CHECK(st.what() == "noise: handshake message 3 too short (63 bytes, need 64)");
  }
  SUBCASE("a message over 65535 bytes, read or written") {
    auto r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
    Bytes p;
    auto st = r.read_message(Bytes(kMaxMessageLen + 1), &p);
    CHECK(st.err() == net::Err::limit);
    CHECK(st.what() == "noise: handshake message too long (65536 > 65535)");
    auto i = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
    Bytes m;
    st = i.write_message(Bytes(kMaxMessageLen - kDhLen + 1), m);  // msg1: e + plaintext payload
    CHECK(st.err() == net::Err::limit);
    CHECK(st.what() == "noise: handshake message too long (65536 > 65535)");
    CHECK(m.empty());
    auto i2 = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
    REQUIRE(i2.write_message(Bytes(kMaxMessageLen - kDhLen), m));  // exactly 65535
    CHECK(m.size() == kMaxMessageLen);
  }
}

TEST_CASE("noise: a flipped bit in any handshake ciphertext fails with Err::crypto") {
  for (int msg : {1, 2}) {       // messages 2 and 3 carry ciphertext
    for (size_t pos : {size_t{0}, size_t{32}, size_t{70}, size_t{95}}) {
      CAPTURE(msg);
      CAPTURE(pos);
      Pair pr;
      Bytes m, p;
      REQUIRE(pr.i.write_message({}, m));
      REQUIRE(pr.r.read_message(m, &p));
      m.clear();
      REQUIRE(pr.r.write_message(Bytes(16, 9), m));
      net::Status st;
      if (msg == 1) {
        m[pos % m.size()] ^= 0x20;
        st = pr.i.read_message(m, &p);
      } else {
        REQUIRE(pr.i.read_message(m, &p));
        m.clear();
        REQUIRE(pr.i.write_message(Bytes(16, 9), m));
        m[pos % m.size()] ^= 0x20;
        st = pr.r.read_message(m, &p);
      }
      REQUIRE_FALSE(st);
      CHECK(st.err() == net::Err::crypto);
      // Flipping a bit of re in msg2 changes ee and therefore the key.
      CHECK((st.what() == "noise: decryption failed" ||
             st.what() == "x25519: all-zero shared secret"));
      CHECK(p.empty());
    }
  }
}

TEST_CASE("noise: an all-zero DH (low-order e) aborts the handshake") {
  auto i = make(Role::initiator, {}, kp_seed(1), kp_seed(2));
  auto r = make(Role::responder, {}, kp_seed(3), kp_seed(4));
  Bytes p, m;
  REQUIRE(r.read_message(Bytes(32, 0), &p));  // re = 0: the e token only hashes it
  auto st = r.write_message({}, m);           // ee = DH(e, 0) = 0
  CHECK(st.err() == net::Err::crypto);
  CHECK(st.what() == "x25519: all-zero shared secret");
  CHECK(m.empty());
  // Initiator side: msg2 whose e is a low-order point.
  REQUIRE(i.write_message({}, m));
  Bytes msg2(96, 0);
  msg2[0] = 1;  // u = 1
  st = i.read_message(msg2, &p);
  CHECK(st.err() == net::Err::crypto);
  CHECK(st.what() == "x25519: all-zero shared secret");
}

TEST_CASE("noise: CipherState nonce rules (hardening.md row 8)") {
  Pair pr;
  pr.run();
  auto ti = pr.i.split();
  auto tr = pr.r.split();
  REQUIRE(ti);
  REQUIRE(tr);
  CipherState& tx = ti->send;
  CipherState& rx = tr->recv;
  Bytes pt = net::to_bytes("hello"), ct(pt.size() + kTagLen), out(pt.size());

  SUBCASE("nonce increments only on success; a failure poisons the state") {
    REQUIRE(tx.encrypt_with_ad({}, pt, ct));
    CHECK(tx.nonce() == 1);
    Bytes bad = ct;
    bad[0] ^= 1;
    auto r = rx.decrypt_with_ad({}, bad, out);
    CHECK(r.err() == net::Err::crypto);
    CHECK(r.what() == "noise: decryption failed");
    CHECK(rx.nonce() == 0);  // not incremented by the failure
    CHECK(rx.failed());
    r = rx.decrypt_with_ad({}, ct, out);  // the genuine message: refused now
    CHECK(r.err() == net::Err::closed);
    CHECK(r.what() == "noise: cipher state unusable after an earlier error");
  }
  SUBCASE("a ciphertext shorter than the tag fails") {
    auto r = rx.decrypt_with_ad({}, Bytes(15), out);
    CHECK(r.err() == net::Err::crypto);
    CHECK(rx.failed());
  }
  SUBCASE("nonce 2^64-2 is the last one; 2^64-1 is refused on both sides") {
    tx.set_nonce(kReservedNonce - 1);
    rx.set_nonce(kReservedNonce - 1);
    REQUIRE(tx.encrypt_with_ad({}, pt, ct));
    REQUIRE(rx.decrypt_with_ad({}, ct, out));
    CHECK(out == pt);
    CHECK(tx.nonce() == kReservedNonce);
    auto r = tx.encrypt_with_ad({}, pt, ct);
    CHECK(r.err() == net::Err::limit);
    CHECK(r.what() == "noise: nonce exhausted");
    r = rx.decrypt_with_ad({}, ct, out);
    CHECK(r.err() == net::Err::limit);
    CHECK(r.what() == "noise: nonce exhausted");
    CHECK(tx.failed());
    CHECK(rx.failed());
  }
  SUBCASE("an output buffer that is too small is an error, not an overflow") {
    auto r = tx.encrypt_with_ad({}, pt, std::span<uint8_t>(ct).first(ct.size() - 1));
    CHECK(r.err() == net::Err::invalid);
    CHECK(r.what() == "noise: output buffer too small");
  }
  SUBCASE("full-size transport message round trip, in place") {
    Bytes buf(kMaxMessageLen);
    for (size_t k = 0; k < kMaxPlaintextLen; ++k) buf[k] = static_cast<uint8_t>(k * 7);
    Bytes orig(buf.begin(), buf.begin() + kMaxPlaintextLen);
    auto n = tx.encrypt_with_ad({}, BytesView(buf).first(kMaxPlaintextLen), buf);
    REQUIRE(n);
    CHECK(*n == kMaxMessageLen);
    auto m = rx.decrypt_with_ad({}, buf, buf);
    REQUIRE(m);
    CHECK(*m == kMaxPlaintextLen);
    CHECK(BytesView(buf).first(*m).size() == orig.size());
    CHECK(std::equal(orig.begin(), orig.end(), buf.begin()));
  }
}

TEST_CASE("noise: CipherState without a key passes bytes through (before the first MixKey)") {
  CipherState cs;
  Bytes pt = net::to_bytes("abc"), out(3);
  auto n = cs.encrypt_with_ad({}, pt, out);
  REQUIRE(n);
  CHECK(*n == 3);
  CHECK(out == pt);
  CHECK(cs.nonce() == 0);
}

TEST_CASE("noise: prologue mismatch makes the handshake fail at message 2") {
  auto i = make(Role::initiator, net::as_bytes("a"), kp_seed(1), kp_seed(2));
  auto r = make(Role::responder, net::as_bytes("b"), kp_seed(3), kp_seed(4));
  Bytes m, p;
  REQUIRE(i.write_message({}, m));
  REQUIRE(r.read_message(m, &p));
  m.clear();
  REQUIRE(r.write_message({}, m));
  auto st = i.read_message(m, &p);
  CHECK(st.err() == net::Err::crypto);
  CHECK(st.what() == "noise: decryption failed");
}
