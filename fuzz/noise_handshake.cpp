// fuzz/noise_handshake.cpp — the libp2p Noise session (p2p/noise/
// noise_session.hpp) fed hostile bytes at every stage, with fixed keys so
// that runs are deterministic. Byte 0 picks the mode, byte 1 seeds the
// chunking and choices, the rest is the attacker's:
//   0  responder: a real msg1, then the input (as msg3 and transport frames)
//   1  initiator: after its msg1, the input (as msg2 ...)
//   2  initiator: a real msg2 whose encrypted payload is the input
//   3  responder: real msg1 and msg3, msg3's encrypted payload is the input
//   4  established pair: the input as transport frames to the responder
//   5  established pair: the input as plaintext, written by the initiator in
//      chunks and read back by the responder (must arrive unchanged)
// Checks: no crash; feed() takes at most what it is given; an error leaves
// the session failed; buffers stay within their limits.
//
// AAC_NOISE_WRITE_CORPUS=<dir> ./fuzz_noise_handshake writes the seed corpus
// (real handshakes with these keys) and exits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz/noise_fixture.hpp"
#include "p2p/noise/noise_payload.hpp"
#include "p2p/noise/noise_session.hpp"

using namespace p2p::noise;
using net::Bytes;
using net::BytesView;

namespace {

constexpr size_t kMaxIn = 96 * 1024;  // small buffers: the fuzzer reaches them
constexpr size_t kMaxOut = 80 * 1024;

SessionConfig config(bool initiator) {
  SessionConfig c;
  c.role = initiator ? Role::initiator : Role::responder;
  c.identity = &noise_fuzz::identity(initiator);
  c.static_key = noise_fuzz::x25519(initiator ? 1 : 3);
  c.ephemeral_key = noise_fuzz::x25519(initiator ? 2 : 4);
  c.max_input_buffered = kMaxIn;
  c.max_output_buffered = kMaxOut;
  return c;
}

Bytes take_output(Session& s) {
  Bytes b(s.pending_output().begin(), s.pending_output().end());
  s.consume_output(b.size());
  return b;
}

Bytes frame(BytesView msg) {
  Bytes f(2 + msg.size());
  f[0] = static_cast<uint8_t>(msg.size() >> 8);
  f[1] = static_cast<uint8_t>(msg.size());
  std::copy(msg.begin(), msg.end(), f.begin() + 2);
  return f;
}

// A raw Noise peer with the fixture keys of `role`: sends any payload.
HandshakeState raw_peer(bool initiator) {
  HandshakeState::Config c;
  c.role = initiator ? Role::initiator : Role::responder;
  c.s = noise_fuzz::x25519(initiator ? 1 : 3);
  c.e = noise_fuzz::x25519(initiator ? 2 : 4);
  return HandshakeState(std::move(c));
}

Bytes raw_write(HandshakeState& hs, BytesView payload) {
  Bytes m;
  if (!hs.write_message(payload.first(std::min(payload.size(), kMaxPlaintextLen - 200)), m)) abort();
  return frame(m);
}

void raw_read(HandshakeState& hs, BytesView framed) {
  Bytes p;
  if (framed.size() < 2 || !hs.read_message(framed.subspan(2), &p)) abort();
}

struct Lcg {
  uint32_t r;
  uint32_t next() { return r = r * 1103515245u + 12345u, r >> 16; }
};

// Feeds `in` to s in LCG-sized chunks, draining readable bytes (appended to
// *got if given) between chunks. Stops at the first error.
void feed_chunks(Session& s, BytesView in, Lcg& lcg, Bytes* got = nullptr) {
  size_t off = 0;
  while (off < in.size()) {
    size_t n = std::min<size_t>(in.size() - off, 1 + lcg.next() % 3000);
    auto res = s.feed(in.subspan(off, n), 0);
    if (!res) {
      if (s.state() != State::failed) abort();
      return;
    }
    if (*res > n) abort();
    off += *res;
    for (BytesView v = s.readable(); !v.empty(); v = s.readable()) {
      if (got) got->insert(got->end(), v.begin(), v.end());
      s.consume_read(v.size());
    }
    if (*res == 0 && s.readable().empty() && n > 0) abort();  // stuck though drained
    if (s.pending_output().size() > kMaxOut) abort();
  }
}

bool handshake(Session& i, Session& r) {
  return r.feed(take_output(i), 0) && i.feed(take_output(r), 0) && r.feed(take_output(i), 0) &&
         i.state() == State::established && r.state() == State::established;
}

void write_corpus(const char* dir) {
  using noise_fuzz::write_seed;
  auto with_mode = [](uint8_t mode, BytesView b) {
    Bytes s{mode, 0x5a};
    s.insert(s.end(), b.begin(), b.end());
    return s;
  };
  Session i(config(true)), r(config(false));
  Bytes m1 = take_output(i);
  (void)r.feed(m1, 0);
  Bytes m2 = take_output(r);
  (void)i.feed(m2, 0);
  if (!i.write(net::as_bytes("early data right behind msg3"))) abort();
  Bytes m3_and_data = take_output(i);
  write_seed(dir, "responder_msg3_and_data", with_mode(0, m3_and_data));
  write_seed(dir, "initiator_msg2", with_mode(1, m2));
  write_seed(dir, "initiator_msg2_truncated", with_mode(1, BytesView(m2).first(m2.size() - 1)));
  write_seed(dir, "initiator_zero_length", with_mode(1, Bytes{0, 0}));
  const std::vector<std::string> yamux{"/yamux/1.0.0"};
  const auto& kp_r = noise_fuzz::x25519(3).pub;
  const auto& kp_i = noise_fuzz::x25519(1).pub;
  write_seed(dir, "payload_in_msg2", with_mode(2, make_payload(noise_fuzz::identity(false), kp_r, yamux)));
  write_seed(dir, "payload_in_msg2_no_muxers", with_mode(2, make_payload(noise_fuzz::identity(false), kp_r, {})));
  write_seed(dir, "payload_in_msg3", with_mode(3, make_payload(noise_fuzz::identity(true), kp_i, yamux)));
  Session i2(config(true)), r2(config(false));
  if (!handshake(i2, r2)) abort();
  Bytes big(40000, 0x61);  // seeds stay under run-fuzzers.sh -max_len=65536
  if (!i2.write(net::as_bytes("ping"))) abort();
  if (!i2.write(big)) abort();
  write_seed(dir, "transport_frames", with_mode(4, take_output(i2)));
  write_seed(dir, "transport_zero_frame", with_mode(4, Bytes{0, 0}));
  write_seed(dir, "plaintext", with_mode(5, net::as_bytes("/multistream/1.0.0\n")));
  std::exit(0);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("AAC_NOISE_WRITE_CORPUS")) write_corpus(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t mode = data[0] % 6;
  Lcg lcg{data[1] | 0x100u};
  BytesView in(data + 2, size - 2);
  switch (mode) {
    case 0: {  // responder: real msg1, then the input
      Session i(config(true)), r(config(false));
      if (!r.feed(take_output(i), 0)) abort();
      feed_chunks(r, in, lcg);
      break;
    }
    case 1: {  // initiator: the input as the reply to msg1
      auto c = config(true);
      if (data[1] & 1) c.expected_peer = p2p::PeerId::from_public_key_proto(
          crypto::marshal_public_key(noise_fuzz::identity(false).public_key()));
      Session i(std::move(c));
      (void)take_output(i);
      feed_chunks(i, in, lcg);
      break;
    }
    case 2: {  // initiator: a real msg2 carrying the input as its payload
      auto c = config(true);
      if (data[1] & 1) c.expected_peer = p2p::PeerId::from_public_key_proto(
          crypto::marshal_public_key(noise_fuzz::identity(false).public_key()));
      if (data[1] & 2) c.muxers.clear();
      Session i(std::move(c));
      HandshakeState r = raw_peer(false);
      raw_read(r, take_output(i));
      feed_chunks(i, raw_write(r, in), lcg);
      if (i.state() == State::established && i.pending_output().empty()) abort();  // msg3
      break;
    }
    case 3: {  // responder: real msg1, then a msg3 carrying the input
      Session r(config(false));
      HandshakeState i = raw_peer(true);
      if (!r.feed(raw_write(i, {}), 0)) abort();
      raw_read(i, take_output(r));
      feed_chunks(r, raw_write(i, in), lcg);
      break;
    }
    case 4: {  // established: the input as transport frames
      Session i(config(true)), r(config(false));
      if (!handshake(i, r)) abort();
      feed_chunks(r, in, lcg);
      break;
    }
    default: {  // established: the input as plaintext, round trip
      Session i(config(true)), r(config(false));
      if (!handshake(i, r)) abort();
      Bytes got;
      size_t off = 0;
      while (off < in.size()) {
        size_t n = std::min<size_t>(in.size() - off, 1 + lcg.next() % 70000);
        auto w = i.write(in.subspan(off, n));
        if (!w || *w == 0) abort();
        off += *w;
        feed_chunks(r, take_output(i), lcg, &got);
        if (r.state() != State::established) abort();
      }
      if (got.size() != in.size() || !std::equal(got.begin(), got.end(), in.begin())) abort();
      break;
    }
  }
  return 0;
}
