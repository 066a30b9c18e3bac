// test/unit/p2p/attack_harness.hpp — end-to-end attacks on a real Host over
// loopback TCP (hardening.md §2, issue 4 "Bad input"). The protocol cores
// have their own in-memory bad-input tests; these replay each attack against
// the whole stack — acceptor, upgrader, Noise, yamux, services — and check
// the four things a victim owes everyone else:
//   (a) the offending connection or stream is closed (the attacker sees EOF
//       or RST, or the victim's connection count returns to normal);
//   (b) with a logged reason (the victim's net::Log is captured);
//   (c) memory stays bounded (Host::usage() is sampled every loop turn);
//   (d) an honest peer (a second Host with PingService, connected before
//       the attack) keeps pinging the victim during the attack.
//
// Everything runs on one net::Loop: victim, honest peer and attacker. The
// attacker is built from the protocol pieces directly, so it can say what an
// honest implementation never would:
//   RawPeer     a TCP socket that sends whatever bytes it is told;
//   SecurePeer  multistream /noise + a Noise XX initiator (HandshakeState)
//               with a payload of its choosing, then crafted plaintext —
//               yamux frames — in real transport frames.
// No sleeps: time passes only while the loop waits for sockets and timers.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/init.hpp"
#include "crypto/keys.hpp"
#include "crypto/noise_x25519.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/tcp_stream.hpp"
#include "net/varint.hpp"
#include "p2p/host/host.hpp"
#include "p2p/multistream/multistream.hpp"
#include "p2p/noise/noise_handshake.hpp"
#include "p2p/noise/noise_limits.hpp"
#include "p2p/noise/noise_payload.hpp"
#include "p2p/services/echo_service.hpp"
#include "p2p/services/identify_service.hpp"
#include "p2p/services/ping_service.hpp"
#include "p2p/transport/tcp_addr.hpp"
#include "p2p/yamux/yamux_frame.hpp"
#include "proto/libp2p/noise.pb.hpp"

namespace attack {

using namespace p2p;

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif
#ifdef NDEBUG
inline constexpr bool kSlow = kSanitized;
#else
inline constexpr bool kSlow = true;
#endif

// An honest ping must come back within this while an attack runs (d).
inline constexpr uint64_t kRttBoundNs = (kSlow ? 3 : 1) * net::kSecond;
// Our own give-up bound for anything that should happen "at once".
inline constexpr uint64_t kPromptNs = (kSlow ? 5 : 2) * net::kSecond;
// Short timeouts for the victim, so stalls end quickly (HostLimits).
inline constexpr uint64_t kTestUpgradeTimeoutNs = (kSlow ? 800 : 300) * net::kMillisecond;

inline crypto::Ed25519PrivateKey new_key() {
  REQUIRE(crypto::init());
  auto k = crypto::Ed25519PrivateKey::generate();
  REQUIRE(k);
  return k.take();
}

inline PeerId peer_of(const crypto::Ed25519PrivateKey& k) {
  return PeerId::from_public_key_proto(crypto::marshal_public_key(k.public_key()));
}

// Limits small enough to cross in a test, large enough for the honest peer.
inline HostLimits test_host_limits() {
  HostLimits l;
  l.upgrade_timeout_ns = kTestUpgradeTimeoutNs;
  l.max_inbound_handshakes = 32;
  l.max_negotiating_streams = 16;
  return l;
}
inline yamux::Limits test_yamux_limits() {
  yamux::Limits l;
  l.max_inbound_streams = 32;
  return l;
}

// The one multistream message `line` (uvarint length, line, '\n').
inline net::Bytes ms_line(std::string_view line) {
  net::Bytes b;
  multistream::encode_message(line, b);
  return b;
}
// Header + one proposal: what an initiator sends first.
inline net::Bytes ms_propose(std::string_view proto) {
  net::Bytes b = ms_line(multistream::kProtocolId);
  multistream::encode_message(proto, b);
  return b;
}
inline void append(net::Bytes& to, net::BytesView b) { to.insert(to.end(), b.begin(), b.end()); }
inline void append(net::Bytes& to, std::string_view s) { to.insert(to.end(), s.begin(), s.end()); }
// 2-byte big-endian length + message (a Noise frame).
inline net::Bytes noise_frame(net::BytesView msg) {
  net::Bytes b{static_cast<uint8_t>(msg.size() >> 8), static_cast<uint8_t>(msg.size())};
  append(b, msg);
  return b;
}

// ---- the victim ------------------------------------------------------------

struct Victim {
  std::vector<std::string> lines;
  net::Log log;
  crypto::Ed25519PrivateKey key = new_key();
  std::unique_ptr<Host> host;
  std::unique_ptr<services::PingService> ping;
  std::unique_ptr<services::IdentifyService> identify;
  std::unique_ptr<services::EchoService> echo;
  net::SockAddr sa;

  Victim(net::Loop& loop, const HostLimits& hl, const yamux::Limits& yl) {
    log.set_level(net::LogLevel::debug);
    log.capture(&lines);
    HostConfig c;
    c.identity = &key;
    c.limits = hl;
    c.yamux_limits = yl;
    c.log = &log;
    host = std::make_unique<Host>(loop, c);
    REQUIRE(host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    auto s = tcp_sockaddr(host->listen_addrs().front());
    REQUIRE(s);
    sa = *s;
    ping = std::make_unique<services::PingService>(*host);
    identify = std::make_unique<services::IdentifyService>(*host, "victim/1");
    echo = std::make_unique<services::EchoService>(*host);
  }
  ~Victim() {
    echo.reset();
    identify.reset();
    ping.reset();
    host.reset();
  }
  Multiaddr addr() const {
    auto m = host->listen_addrs().front().with_peer_id(host->peer_id());
    REQUIRE(m);
    return *m;
  }
  // True when one captured line contains every needle.
  bool logged(std::initializer_list<std::string_view> needles) const {
    for (const auto& l : lines) {
      bool all = true;
      for (auto n : needles)
        if (l.find(n) == std::string::npos) all = false;
      if (all) return true;
    }
    return false;
  }
  std::string last_lines(size_t n = 8) const {
    std::string s;
    for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) s += lines[i] + "\n";
    return s;
  }
};

// ---- the honest peer ----------------------------------------------------------

// Pings the victim back to back on one stream for the whole test and keeps
// the worst RTT since the last mark().
struct Honest {
  crypto::Ed25519PrivateKey key = new_key();
  std::unique_ptr<Host> host;
  std::unique_ptr<services::PingService> ping;
  net::Loop& loop;
  uint64_t pings = 0, pings_at_mark = 0;
  uint64_t max_rtt_ns = 0;
  net::Instant last_at = 0;
  std::optional<net::Status> ended;

  explicit Honest(net::Loop& l) : loop(l) {
    HostConfig c;
    c.identity = &key;
    host = std::make_unique<Host>(loop, c);
    ping = std::make_unique<services::PingService>(*host);
  }
  ~Honest() {
    ping.reset();
    host.reset();
  }
  void start(const Victim& v) {
    host->peer_store().add_addrs(v.host->peer_id(), {v.addr()}, 0);
    ping->ping(
        v.host->peer_id(), UINT64_MAX,
        [this](uint64_t, uint64_t rtt) {
          ++pings;
          max_rtt_ns = std::max(max_rtt_ns, rtt);
          last_at = net::monotonic_now();
        },
        [this](net::Status st) { ended = std::move(st); });
  }
  void mark() {
    pings_at_mark = pings;
    max_rtt_ns = 0;
    last_at = net::monotonic_now();
  }
  uint64_t since_mark() const { return pings - pings_at_mark; }
  // The run is alive, pings keep coming, and none took too long.
  bool fine() const {
    return !ended && net::monotonic_now() - last_at < kRttBoundNs && max_rtt_ns < kRttBoundNs;
  }
};

// ---- the attackers ------------------------------------------------------------

// A TCP socket on the loop that records what it receives and when it closed.
struct RawPeer {
  std::unique_ptr<net::TcpStream> tcp;
  net::Bytes in;
  size_t in_total = 0;
  bool keep_input = true;
  bool connected = false, closed = false;
  net::Error why;
  net::Instant started = 0, closed_at = 0;
  std::function<void(net::BytesView)> on_bytes;  // instead of keeping `in`

  RawPeer(net::Loop& loop, const net::SockAddr& to) {
    net::TcpStreamOptions o;
    o.out_limit = o.high_water = 64 << 20;  // an attacker queues as much as it likes
    auto t = net::TcpStream::dial(loop, to, 5 * net::kSecond, o);
    REQUIRE(t);
    tcp = t.take();
    started = net::monotonic_now();
    tcp->on_connect([this] { connected = true; });
    tcp->on_data([this](net::BytesView v) {
      in_total += v.size();
      if (on_bytes) on_bytes(v);
      else if (keep_input) append(in, v);
    });
    tcp->on_close([this](const net::Error& e) {
      closed = true;
      why = e;
      closed_at = net::monotonic_now();
    });
  }
  void send(net::BytesView b) { REQUIRE(tcp->write(b)); }
  void send(std::string_view s) { send(net::as_bytes(s)); }
  uint64_t lived_ns() const { return (closed ? closed_at : net::monotonic_now()) - started; }
};

// A connection that completes multistream /noise and the Noise XX handshake
// as the initiator, with a handshake payload of its choosing, then speaks
// raw yamux frames inside real Noise transport messages.
class SecurePeer {
 public:
  enum class Stage { security, handshake, open, failed };
  struct Options {
    // msg3's NoiseHandshakePayload; default: a valid one for `key` offering
    // /yamux/1.0.0 (early muxer negotiation).
    std::function<net::Bytes(const crypto::Ed25519PrivateKey& key, const crypto::X25519Public& s)> payload;
    std::optional<net::Bytes> msg1;  // the raw msg1 to frame instead of a real one
    std::optional<net::Bytes> msg3;  // the raw msg3 to frame instead of a real one
    bool stall_after_msg1 = false;   // never answer msg2
    bool pong = true;                // answer the victim's yamux pings
    const crypto::Ed25519PrivateKey* identity = nullptr;  // default: a fresh key
  };

  crypto::Ed25519PrivateKey own_key = new_key();
  RawPeer raw;
  Stage stage = Stage::security;
  std::string failure;  // why our side stopped understanding the victim

  // What the victim said on yamux.
  std::set<uint32_t> reset, acked, fin;
  std::map<uint32_t, net::Bytes> data;
  std::map<uint32_t, uint64_t> credit;  // window updates received per stream
  std::optional<uint32_t> go_away;
  uint64_t pings_answered = 0, pongs = 0;
  size_t plain_total = 0;

  SecurePeer(net::Loop& loop, const net::SockAddr& to) : SecurePeer(loop, to, Options()) {}
  SecurePeer(net::Loop& loop, const net::SockAddr& to, Options opt)
      : raw(loop, to), opt_(std::move(opt)), key_(opt_.identity ? opt_.identity : &own_key) {
    noise::HandshakeState::Config hc;
    hc.role = noise::Role::initiator;
    hc.s = crypto::x25519_generate();
    hc.e = crypto::x25519_generate();
    hs_ = std::make_unique<noise::HandshakeState>(std::move(hc));
    ms_ = std::make_unique<multistream::Initiator>(std::vector<std::string>{std::string(noise::kMultistreamId)},
                                                   loop.now());
    net::Bytes first(ms_->pending_output().begin(), ms_->pending_output().end());
    ms_->consume_output(ms_->pending_output().size());
    net::Bytes m1;
    if (opt_.msg1) m1 = *opt_.msg1;
    else REQUIRE(hs_->write_message({}, m1));
    append(first, noise_frame(m1));
    raw.send(first);
    raw.on_bytes = [this](net::BytesView v) { on_bytes(v); };
  }
  PeerId peer() const { return peer_of(*key_); }
  const crypto::Ed25519PrivateKey& key() const { return *key_; }
  bool open() const { return stage == Stage::open; }
  bool closed() const { return raw.closed; }

  // ---- sending (plaintext queued, encrypted by flush) ----
  void queue_plain(net::BytesView b) { append(plain_out_, b); }
  void queue_frame(const yamux::Header& h, net::BytesView payload = {}) {
    yamux::encode_header(h, plain_out_);
    append(plain_out_, payload);
  }
  void frame(const yamux::Header& h, net::BytesView payload = {}) {
    queue_frame(h, payload);
    flush();
  }
  // Encrypts everything queued into transport messages (once open).
  void flush() {
    if (stage != Stage::open || raw.closed || plain_out_.empty()) return;
    net::Bytes wire;
    wire.reserve(plain_out_.size() + (plain_out_.size() / noise::kMaxPlaintextLen + 1) * 18);
    net::BytesView v(plain_out_);
    while (!v.empty()) {
      size_t n = std::min(v.size(), noise::kMaxPlaintextLen);
      net::Bytes ct(n + noise::kTagLen);
      auto w = send_.encrypt_with_ad({}, v.first(n), ct);
      REQUIRE(w);
      append(wire, noise_frame(net::BytesView(ct).first(*w)));
      v = v.subspan(n);
    }
    plain_out_.clear();
    if (raw.tcp->is_open()) (void)raw.tcp->write(wire);
  }
  // Sends bytes on the TCP socket as they are (e.g. a malformed Noise frame).
  void send_raw(net::BytesView b) { raw.send(b); }

  // Opens stream `id` (odd: we are the yamux client) with SYN on a DATA
  // frame carrying the multistream header, the proposal and `early`.
  void open_stream(uint32_t id, std::string_view proto, net::BytesView early = {}, uint16_t extra_flags = 0) {
    net::Bytes p = ms_propose(proto);
    append(p, early);
    queue_frame({yamux::kVersion, yamux::FrameType::data, static_cast<uint16_t>(yamux::kFlagSyn | extra_flags), id,
                 static_cast<uint32_t>(p.size())},
                p);
  }
  void queue_data(uint32_t id, net::BytesView b, uint16_t flags = 0) {
    while (!b.empty() || flags) {
      size_t n = std::min<size_t>(b.size(), yamux::kMaxFramePayload);
      queue_frame({yamux::kVersion, yamux::FrameType::data, flags, id, static_cast<uint32_t>(n)}, b.first(n));
      b = b.subspan(n);
      if (b.empty()) break;
    }
  }
  // The bytes the victim sent on a stream after its multistream answer
  // (the header and the echo of `proto`).
  net::BytesView app_data(uint32_t id, std::string_view proto) {
    const net::Bytes& d = data[id];
    const size_t skip = ms_propose(proto).size();
    return d.size() > skip ? net::BytesView(d).subspan(skip) : net::BytesView{};
  }

 private:
  void fail(std::string why) {
    if (stage == Stage::failed) return;
    stage = Stage::failed;
    failure = std::move(why);
  }
  void on_bytes(net::BytesView v) {
    if (stage == Stage::failed) return;
    append(rx_, v);
    if (stage == Stage::security) {
      auto n = ms_->feed(rx_, net::monotonic_now());
      if (!n) return fail("multistream: " + n.what());
      rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(*n));
      if (ms_->state() != multistream::State::selected) return;
      stage = Stage::handshake;
    }
    size_t off = 0;
    while (rx_.size() - off >= 2) {
      const size_t len = size_t(rx_[off]) << 8 | rx_[off + 1];
      if (rx_.size() - off - 2 < len) break;
      net::BytesView msg(rx_.data() + off + 2, len);
      off += 2 + len;
      if (stage == Stage::handshake) on_msg2(msg);
      else if (stage == Stage::open) on_transport(msg);
      if (stage == Stage::failed) return;
    }
    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(off));
  }
  void on_msg2(net::BytesView msg) {
    if (opt_.stall_after_msg1) return;
    net::Bytes their;
    if (auto st = hs_->read_message(msg, &their); !st) return fail("msg2: " + st.what());
    net::Bytes m3;
    if (opt_.msg3) {
      m3 = *opt_.msg3;
    } else {
      net::Bytes payload = opt_.payload ? opt_.payload(*key_, hs_->local_static_public())
                                        : noise::make_payload(*key_, hs_->local_static_public(),
                                                              {std::string(yamux::kProtocolId)});
      if (auto st = hs_->write_message(payload, m3); !st) return fail("msg3: " + st.what());
    }
    raw.send(noise_frame(m3));
    if (opt_.msg3) {
      stage = Stage::failed;  // nothing sensible follows a malformed msg3
      failure = "sent a raw msg3";
      return;
    }
    auto c = hs_->split();
    if (!c) return fail("split: " + c.what());
    send_ = std::move(c->send);
    recv_ = std::move(c->recv);
    stage = Stage::open;
    flush();
  }
  void on_transport(net::BytesView ct) {
    if (ct.size() < noise::kTagLen) return fail("short transport frame");
    net::Bytes pt(ct.size() - noise::kTagLen);
    auto n = recv_.decrypt_with_ad({}, ct, pt);
    if (!n) return fail("decrypt: " + n.what());
    plain_total += *n;
    append(plain_in_, net::BytesView(pt).first(*n));
    parse_yamux();
  }
  void parse_yamux() {
    size_t off = 0;
    while (plain_in_.size() - off >= yamux::kHeaderLen) {
      auto h = yamux::decode_header(net::BytesView(plain_in_).subspan(off, yamux::kHeaderLen));
      if (!h) return fail("yamux: " + h.what());
      const bool is_data = h->type == yamux::FrameType::data;
      if (is_data && plain_in_.size() - off - yamux::kHeaderLen < h->length) break;
      off += yamux::kHeaderLen;
      const uint32_t id = h->stream_id;
      switch (h->type) {
        case yamux::FrameType::data:
          append(data[id], net::BytesView(plain_in_).subspan(off, h->length));
          off += h->length;
          [[fallthrough]];
        case yamux::FrameType::window_update:
          if (h->flags & yamux::kFlagAck) acked.insert(id);
          if (h->flags & yamux::kFlagFin) fin.insert(id);
          if (h->flags & yamux::kFlagRst) reset.insert(id);
          if (!is_data) credit[id] += h->length;
          break;
        case yamux::FrameType::ping:
          if (h->flags == yamux::kFlagAck) ++pongs;
          if (h->flags == yamux::kFlagSyn && opt_.pong) {
            ++pings_answered;
            queue_frame({yamux::kVersion, yamux::FrameType::ping, yamux::kFlagAck, 0, h->length});
          }
          break;
        case yamux::FrameType::go_away:
          go_away = h->length;
          break;
      }
    }
    plain_in_.erase(plain_in_.begin(), plain_in_.begin() + static_cast<std::ptrdiff_t>(off));
    flush();
  }

  Options opt_;
  const crypto::Ed25519PrivateKey* key_;
  std::unique_ptr<noise::HandshakeState> hs_;
  std::unique_ptr<multistream::Initiator> ms_;
  noise::CipherState send_, recv_;
  net::Bytes rx_, plain_in_, plain_out_;
};

// A NoiseHandshakePayload with exactly these fields.
inline net::Bytes noise_payload(net::BytesView identity_key, net::BytesView identity_sig,
                                std::vector<std::string> muxers = {std::string(yamux::kProtocolId)}) {
  pb::noise::NoiseHandshakePayload p;
  p.identity_key = net::Bytes(identity_key.begin(), identity_key.end());
  p.identity_sig = net::Bytes(identity_sig.begin(), identity_sig.end());
  if (!muxers.empty()) p.extensions = pb::noise::NoiseExtensions{.stream_muxers = std::move(muxers)};
  return p.encode();
}
// "noise-libp2p-static-key:" || s, what identity_sig signs.
inline net::Bytes static_key_message(const crypto::X25519Public& s) {
  net::Bytes m;
  append(m, noise::kStaticKeySigPrefix);
  append(m, net::BytesView(s.data(), s.size()));
  return m;
}

// ---- the fixture -------------------------------------------------------------

// Peaks of the victim's Host::usage(), sampled every loop turn.
struct Peak {
  HostUsage max;
  void sample(const HostUsage& u) {
    max.connections = std::max(max.connections, u.connections);
    max.inbound_handshakes = std::max(max.inbound_handshakes, u.inbound_handshakes);
    max.streams = std::max(max.streams, u.streams);
    max.out_bytes = std::max(max.out_bytes, u.out_bytes);
    max.in_bytes = std::max(max.in_bytes, u.in_bytes);
  }
};

inline std::unique_ptr<net::Loop> make_loop() {
  auto l = net::Loop::create();
  REQUIRE(l);
  return l.take();
}

// Victim + honest peer, connected and pinging before the attack starts.
struct Fixture {
  std::unique_ptr<net::Loop> loop = make_loop();
  Victim victim;
  Honest honest;
  Peak peak;
  net::Instant attack_started = 0;

  explicit Fixture(const HostLimits& hl = test_host_limits(), const yamux::Limits& yl = test_yamux_limits())
      : victim(*loop, hl, yl), honest(*loop) {
    honest.start(victim);
    REQUIRE_MESSAGE(run([&] { return honest.pings >= 3; }, 10 * net::kSecond), "the honest peer never pinged");
    honest.mark();
    peak = {};
    attack_started = net::monotonic_now();
  }
  ~Fixture() {
    honest.host->shutdown();
    victim.host->shutdown();
  }

  // Runs the loop until done() or timeout; samples the victim every turn.
  bool run(const std::function<bool()>& done, uint64_t timeout_ns = kPromptNs) {
    const net::Instant end = net::monotonic_now() + timeout_ns;
    for (;;) {
      peak.sample(victim.host->usage());
      if (done()) return true;
      if (net::monotonic_now() > end) return false;
      REQUIRE(loop->run_once(5 * net::kMillisecond));
    }
  }
  // Lets the loop run for `ns` (the honest peer keeps pinging meanwhile).
  void run_for(uint64_t ns) {
    const net::Instant end = net::monotonic_now() + ns;
    (void)run([&] { return net::monotonic_now() >= end; }, ns + net::kSecond);
  }
  uint64_t elapsed_ms() const { return (net::monotonic_now() - attack_started) / net::kMillisecond; }

  // (d): the honest peer kept pinging through the attack, and still does.
  void check_honest(uint64_t min_pings = 3) {
    // A few more pings after the attack: the victim still answers at once.
    const uint64_t before = honest.pings;
    CHECK_MESSAGE(run([&] { return honest.pings >= before + 3; }, kRttBoundNs), "honest pings stopped");
    INFO("honest pings during the attack: " << honest.since_mark() << ", worst RTT "
                                            << honest.max_rtt_ns / 1000 << " us");
    CHECK(honest.since_mark() >= min_pings);
    CHECK_FALSE(honest.ended.has_value());
    CHECK(honest.max_rtt_ns < kRttBoundNs);
    CHECK(victim.host->is_connected(honest.host->peer_id()));
  }
  // (c) for connection-level attacks: back to the honest connection only.
  void check_back_to_normal() {
    CHECK(run([&] { return victim.host->usage().connections == 1; }));
    CHECK(victim.host->usage().inbound_handshakes == 0);
  }
};

}  // namespace attack
