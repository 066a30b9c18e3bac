// End-to-end attacks on yamux and stream negotiation, from an attacker that
// completed a real Noise handshake with the victim Host and then writes
// crafted yamux frames inside real transport messages. See
// attack_harness.hpp for (a)-(d).
#include "attack_harness.hpp"

using namespace attack;

namespace {

using yamux::FrameType;
using yamux::kFlagAck;
using yamux::kFlagFin;
using yamux::kFlagRst;
using yamux::kFlagSyn;
using yamux::kVersion;

void connect(Fixture& f, SecurePeer& a) {
  REQUIRE_MESSAGE(f.run([&] { return a.open() && f.victim.host->is_connected(a.peer()); }),
                  "attacker never connected: " << a.failure << " / " << a.raw.why.what);
}

// (a)+(b) for an attacker whose yamux session the victim must end.
void expect_session_closed(Fixture& f, SecurePeer& a, std::initializer_list<std::string_view> reason) {
  REQUIRE_MESSAGE(f.run([&] { return a.closed(); }), "the victim kept the connection: " << f.victim.last_lines());
  INFO("closed after " << a.raw.lived_ns() / net::kMillisecond << " ms");
  CHECK_MESSAGE(f.victim.logged(reason), f.victim.last_lines());
  CHECK_MESSAGE(f.victim.logged({"connection closed"}), f.victim.last_lines());
  CHECK_FALSE(f.victim.host->is_connected(a.peer()));
  f.check_back_to_normal();
}

net::Bytes header(uint8_t version, uint8_t type, uint16_t flags, uint32_t id, uint32_t len) {
  return {version,
          type,
          static_cast<uint8_t>(flags >> 8),
          static_cast<uint8_t>(flags),
          static_cast<uint8_t>(id >> 24),
          static_cast<uint8_t>(id >> 16),
          static_cast<uint8_t>(id >> 8),
          static_cast<uint8_t>(id),
          static_cast<uint8_t>(len >> 24),
          static_cast<uint8_t>(len >> 16),
          static_cast<uint8_t>(len >> 8),
          static_cast<uint8_t>(len)};
}

const std::string kEcho(services::kEchoProtocol);
const std::string kPing(ping::kProtocolId);

}  // namespace

// Rule: the yamux session validates every header (version 0, types 0-3,
// known flags, a DATA length within the largest window, stream 0 only for
// ping/GoAway, the peer's id parity, no reuse of a live id, no window
// overflow); any violation ends the session with GoAway(protocol error).
TEST_CASE("attack: yamux frames with bad version, type, flags or length after a real handshake") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  net::Bytes bad;
  std::string why;
  SUBCASE("version 1") {
    bad = header(1, 0, kFlagSyn, 1, 0);
    why = "yamux: bad version 1";
  }
  SUBCASE("frame type 4") {
    bad = header(0, 4, 0, 0, 0);
    why = "yamux: bad frame type 4";
  }
  SUBCASE("unknown flag 0x10") {
    bad = header(0, 1, kFlagSyn | 0x10, 1, 0);
    why = "yamux: unknown flags in frame";
  }
  SUBCASE("DATA longer than the largest window") {
    bad = header(0, 0, kFlagSyn, 1, yamux::kMaxStreamWindow + 1);
    why = "yamux: data frame of 16777217 bytes exceeds the largest window 16777216";
  }
  SUBCASE("DATA on stream 0") {
    bad = header(0, 0, 0, 0, 4);
    why = "yamux: data frame on stream 0";
  }
  SUBCASE("ping on a stream") {
    bad = header(0, 2, kFlagSyn, 3, 7);
    why = "yamux: ping on stream 3";
  }
  SUBCASE("ping with FIN") {
    bad = header(0, 2, kFlagFin, 0, 7);
    why = "yamux: bad ping flags";
  }
  SUBCASE("SYN with the victim's parity") {
    bad = header(0, 1, kFlagSyn, 2, 0);
    why = "yamux: SYN on stream 2 with our parity";
  }
  SUBCASE("SYN on a live stream") {
    bad = header(0, 1, kFlagSyn, 1, 0);
    append(bad, header(0, 1, kFlagSyn, 1, 0));
    why = "yamux: SYN on existing stream 1";
  }
  SUBCASE("window update overflowing the send window") {
    bad = header(0, 1, kFlagSyn, 1, 0);
    append(bad, header(0, 1, 0, 1, 0xffffffffu));
    why = "yamux: window update of 4294967295 overflows the send window of stream 1";
  }
  SUBCASE("GoAway with a protocol error code") {
    bad = header(0, 3, 0, 0, 1);
    why = "yamux: peer sent GoAway with code 1 (protocol error)";
  }
  a.queue_plain(bad);
  a.flush();
  expect_session_closed(f, a, {why});
  if (why.find("GoAway with code") == std::string::npos) {
    // The victim said why before closing: GoAway(protocol error).
    CHECK(a.go_away == yamux::kGoAwayProtocolError);
  }
  CHECK(f.peak.max.out_bytes < 64 * 1024);
  f.check_honest();
}

// Rule: a stream's receive credit (256 KiB initial window, spec) — DATA
// beyond what the victim granted ends the session. The victim grants more
// only as its application consumes, so a peer that ignores window updates
// cannot make it buffer more than one window per stream.
TEST_CASE("attack: window overrun (DATA beyond the 256 KiB window)") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  SUBCASE("one frame of 256 KiB + 1 on a new stream") {
    a.frame({kVersion, FrameType::window_update, kFlagSyn, 1, 0});
    a.frame({kVersion, FrameType::data, 0, 1, yamux::kInitialWindow + 1});  // the header alone is enough
    expect_session_closed(f, a, {"yamux: stream 1 sent 262145 bytes with 262144 left of its receive window 262144"});
  }
  SUBCASE("an echo stream fed 2 MiB while the attacker grants nothing back") {
    // The echo stops once it filled our window (we never send window
    // updates), so the victim stops consuming and its credit runs out.
    a.open_stream(1, kEcho);
    net::Bytes chunk(yamux::kMaxFramePayload, 0x61);
    for (int i = 0; i < 128; ++i) a.queue_data(1, chunk);
    a.flush();
    expect_session_closed(f, a, {"yamux: stream 1 sent", "left of its receive window"});
    // It buffered at most one window of our data and echoed at most one.
    CHECK(f.peak.max.in_bytes <= yamux::kInitialWindow);
    CHECK(a.app_data(1, kEcho).size() <= yamux::kInitialWindow);
  }
  CHECK(f.peak.max.out_bytes < 1024 * 1024);
  f.check_honest();
}

TEST_CASE("attack: exactly one window of DATA is accepted (limit crossed by one, other side)") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  // Echo: one full window from us; the victim echoes it back into our
  // window (256 KiB as well), so nothing is left over and the session lives.
  a.open_stream(1, kEcho);
  const size_t first = ms_propose(kEcho).size();
  a.queue_data(1, net::Bytes(yamux::kInitialWindow - first, 0x62));
  a.flush();
  REQUIRE(f.run([&] { return a.app_data(1, kEcho).size() == yamux::kInitialWindow - first; }));
  f.run_for(50 * net::kMillisecond);
  CHECK(f.victim.host->is_connected(a.peer()));
  CHECK(a.reset.empty());
  f.check_honest();
}

// Rules: HostLimits::max_negotiating_streams (rust's
// max_negotiating_inbound_streams; 16 here) — streams beyond it are reset by
// the host before any allocation; yamux::Limits::max_inbound_streams (rust's
// max_num_streams; 32 here) — SYNs beyond it are refused with RST. Both
// leave the connection up.
TEST_CASE("attack: stream flood past max inbound streams (SYN storm)") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  const uint32_t n = 200;
  size_t kept = 0;
  SUBCASE("SYNs that never negotiate: past max_negotiating_streams") {
    for (uint32_t i = 0; i < n; ++i) a.queue_frame({kVersion, FrameType::window_update, kFlagSyn, 2 * i + 1, 0});
    kept = test_host_limits().max_negotiating_streams;
  }
  SUBCASE("streams that negotiate echo at once: past max_inbound_streams") {
    for (uint32_t i = 0; i < n; ++i) a.open_stream(2 * i + 1, kEcho);
    kept = test_yamux_limits().max_inbound_streams;
  }
  a.flush();
  REQUIRE_MESSAGE(f.run([&] { return a.reset.size() == n - kept; }), "resets seen: " << a.reset.size());
  f.run_for(50 * net::kMillisecond);
  CHECK(a.reset.size() == n - kept);
  // The oldest streams are the ones kept.
  for (uint32_t i = 0; i < kept; ++i) CHECK(a.reset.count(2 * i + 1) == 0);
  CHECK(f.victim.host->is_connected(a.peer()));
  CHECK(f.peak.max.streams <= kept + 4);  // + the honest peer's ping (and identify) streams
  f.check_honest();
}

// Rule (CVE-2023-44487 analogue, hardening.md row 10): a peer's RST draws
// from the control-frame token bucket (burst 1000, 100/s), so opening and
// resetting streams in a loop ends the session after about 1000.
TEST_CASE("attack: 100 000 streams opened and reset in a loop (Rapid Reset)") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  const uint32_t n = 100000;
  std::string why;
  SUBCASE("SYN with a protocol proposal, then RST") {
    const net::Bytes p = ms_propose(kPing);
    for (uint32_t i = 0; i < n; ++i) {
      a.queue_frame({kVersion, FrameType::data, kFlagSyn, 2 * i + 1, static_cast<uint32_t>(p.size())}, p);
      a.queue_frame({kVersion, FrameType::window_update, kFlagRst, 2 * i + 1, 0});
    }
    why = "yamux: control frame flood (RST): more than 1000 frames at over 100/s";
  }
  SUBCASE("SYN|RST in one frame") {
    for (uint32_t i = 0; i < n; ++i)
      a.queue_frame({kVersion, FrameType::window_update, kFlagSyn | kFlagRst, 2 * i + 1, 0});
    why = "yamux: control frame flood (SYN+RST)";
  }
  a.flush();
  expect_session_closed(f, a, {why});
  INFO("victim took " << f.elapsed_ms() << " ms");
  CHECK(f.peak.max.streams <= 4 + 2);
  CHECK(f.peak.max.out_bytes < 1024 * 1024);
  f.check_honest();
}

// Rule: the same token bucket charges every frame that costs work but
// carries neither data nor credit: ping requests, unsolicited ping replies,
// empty DATA / window updates without flags, SYNs refused at the stream
// limit, frames on unknown streams (CVE-2019-9512 ping flood, 9518
// empty-frame flood).
TEST_CASE("attack: ping, empty-frame and refused-SYN floods hit the control-frame rate limit") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  const uint32_t n = 5000;
  std::string why;
  SUBCASE("ping requests") {
    for (uint32_t i = 0; i < n; ++i) a.queue_frame({kVersion, FrameType::ping, kFlagSyn, 0, i});
    why = "yamux: control frame flood (ping)";
  }
  SUBCASE("unsolicited ping replies") {
    for (uint32_t i = 0; i < n; ++i) a.queue_frame({kVersion, FrameType::ping, kFlagAck, 0, 1000000 + i});
    why = "yamux: control frame flood (unsolicited ping reply)";
  }
  SUBCASE("empty DATA frames on an open stream") {
    a.open_stream(1, kEcho);
    for (uint32_t i = 0; i < n; ++i) a.queue_frame({kVersion, FrameType::data, 0, 1, 0});
    why = "yamux: control frame flood (empty data frame)";
  }
  SUBCASE("empty window updates on an open stream") {
    a.open_stream(1, kEcho);
    for (uint32_t i = 0; i < n; ++i) a.queue_frame({kVersion, FrameType::window_update, 0, 1, 0});
    why = "yamux: control frame flood (empty window update)";
  }
  SUBCASE("empty frames on unknown streams") {
    for (uint32_t i = 0; i < n; ++i) a.queue_frame({kVersion, FrameType::window_update, 0, 2 * i + 1001, 0});
    why = "yamux: control frame flood (frame on unknown stream)";
  }
  SUBCASE("SYNs past max_inbound_streams") {
    for (uint32_t i = 0; i < 32; ++i) a.open_stream(2 * i + 1, kEcho);
    for (uint32_t i = 32; i < n; ++i) a.queue_frame({kVersion, FrameType::window_update, kFlagSyn, 2 * i + 1, 0});
    why = "yamux: control frame flood (refused SYN)";
  }
  a.flush();
  expect_session_closed(f, a, {why});
  CHECK(f.peak.max.out_bytes < 1024 * 1024);
  f.check_honest();
}

TEST_CASE("attack: the control-frame burst is honoured exactly (limit crossed by one)") {
  yamux::Limits yl = test_yamux_limits();
  yl.control_frame_burst = 100;
  yl.control_frames_per_second = 0;  // no refill: the count is exact
  Fixture f(test_host_limits(), yl);
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  for (uint32_t i = 0; i < 100; ++i) a.queue_frame({kVersion, FrameType::ping, kFlagSyn, 0, i});
  a.flush();
  // 100 pings: all answered, the session lives.
  REQUIRE(f.run([&] { return a.pongs == 100; }));
  f.run_for(50 * net::kMillisecond);
  CHECK(f.victim.host->is_connected(a.peer()));
  a.frame({kVersion, FrameType::ping, kFlagSyn, 0, 100});  // the 101st
  expect_session_closed(f, a, {"yamux: control frame flood (ping): more than 100 frames at over 0/s"});
  f.check_honest();
}

// Rules: the yamux session takes application bytes only within its output
// budget (kMaxOutputBuffered 256 KiB) and the peer's window; Noise holds at
// most kMaxOutputBuffered of frames; the connection stops handing bytes to
// the socket above the TCP high water. A peer that never reads therefore
// costs a bounded amount, and its unanswered keepalive ping ends it.
TEST_CASE("attack: a peer that never reads while the victim echoes to it") {
  yamux::Limits yl = test_yamux_limits();
  yl.keepalive_interval_ns = 200 * net::kMillisecond;
  yl.ping_timeout_ns = (kSlow ? 1500 : 500) * net::kMillisecond;
  Fixture f(test_host_limits(), yl);
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  a.raw.tcp->pause_reading();
  // A small receive buffer, so the kernel does not absorb what we owe.
  const int small = 4096;
  REQUIRE(setsockopt(a.raw.tcp->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
  // 32 echo streams (max_inbound_streams), a full window each: 8 MiB of
  // echo owed to us, more than the kernel's socket buffers hold.
  const uint32_t streams = test_yamux_limits().max_inbound_streams;
  net::Bytes chunk(yamux::kMaxFramePayload, 0x63);
  for (uint32_t s = 0; s < streams; ++s) {
    a.open_stream(2 * s + 1, kEcho);
    for (int i = 0; i < 15; ++i) a.queue_data(2 * s + 1, chunk);
  }
  a.flush();
  // We read nothing, so we never see the close: watch the victim instead.
  REQUIRE_MESSAGE(f.run([&] { return !f.victim.host->is_connected(a.peer()); }, kPromptNs + yl.ping_timeout_ns),
                  "the victim kept the connection: " << f.victim.last_lines());
  CHECK_MESSAGE(f.victim.logged({"connection closed", "yamux: ping timeout after"}), f.victim.last_lines());
  f.check_back_to_normal();
  MESSAGE("never-reading peer: victim peak out " << f.peak.max.out_bytes << " B, in " << f.peak.max.in_bytes
                                                   << " B, honest pings " << f.honest.since_mark()
                                                   << ", worst RTT " << f.honest.max_rtt_ns / 1000 << " us");
  // Output: yamux budget + control room + Noise buffer + TCP queue (high
  // water) + one write chunk, whatever the peer owes.
  CHECK(f.peak.max.out_bytes <= yamux::kMaxOutputBuffered + yamux::kMaxControlBuffered +
                                    noise::kMaxOutputBuffered + 2 * net::kTcpHighWater);
  // Input: at most one window per stream.
  CHECK(f.peak.max.in_bytes <= streams * yamux::kInitialWindow);
  f.check_honest();
}

// Rule: a stream's multistream Responder has the connection's limits:
// 1024-byte lines and 16 rounds; a violation resets that stream only.
TEST_CASE("attack: oversize lines and ls / na loops inside a stream reset the stream only") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  net::Bytes p = ms_line(multistream::kProtocolId);
  std::string why;
  SUBCASE("a 1025-byte line") {
    uint8_t v[10];
    const size_t n = net::varint_encode(1025, v);
    p.insert(p.end(), v, v + n);
    why = "multistream: message of 1025 bytes exceeds 1024";
  }
  SUBCASE("17 ls requests") {
    for (int i = 0; i < 17; ++i) append(p, ms_line("ls"));
    why = "multistream: more than 16 proposals";
  }
  SUBCASE("17 unknown proposals") {
    for (int i = 0; i < 17; ++i) append(p, ms_line("/nope/" + std::to_string(i)));
    why = "multistream: more than 16 proposals";
  }
  a.frame({kVersion, FrameType::data, kFlagSyn, 1, static_cast<uint32_t>(p.size())}, p);
  REQUIRE(f.run([&] { return a.reset.count(1) == 1; }));
  CHECK_MESSAGE(f.victim.logged({"negotiation failed", why}), f.victim.last_lines());
  // The connection goes on: a second stream negotiates echo and works.
  a.open_stream(3, kEcho, net::as_bytes("still here"));
  a.flush();
  REQUIRE(f.run([&] { return a.app_data(3, kEcho).size() == 10; }));
  CHECK(f.victim.host->is_connected(a.peer()));
  f.check_honest();
}

// Rule: frames for a stream that is not live — never opened, reset by the
// victim, or already half-closed by the peer. DATA for a stream the victim
// does not know is skipped without buffering (go and js do the same: a RST
// and DATA may cross); empty ones are charged to the control-frame bucket
// (above). DATA after the peer's own FIN is a protocol error.
TEST_CASE("attack: DATA on unknown, reset and half-closed streams") {
  Fixture f;
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  const net::Bytes chunk(yamux::kMaxFramePayload, 0x64);
  SUBCASE("4 MiB of DATA on streams never opened: skipped, nothing buffered") {
    for (uint32_t i = 0; i < 256; ++i) a.queue_data(1001 + 2 * (i % 16), chunk);
    a.flush();
  }
  SUBCASE("4 MiB of DATA on a stream the victim reset: skipped, nothing buffered") {
    net::Bytes p = ms_line(multistream::kProtocolId);
    uint8_t v[10];
    const size_t n = net::varint_encode(1025, v);
    p.insert(p.end(), v, v + n);
    a.frame({kVersion, FrameType::data, kFlagSyn, 1, static_cast<uint32_t>(p.size())}, p);
    REQUIRE(f.run([&] { return a.reset.count(1) == 1; }));
    for (uint32_t i = 0; i < 256; ++i) a.queue_data(1, chunk);
    a.flush();
  }
  SUBCASE("DATA after our own FIN: the session ends") {
    a.open_stream(1, kEcho, net::as_bytes("x"));
    a.queue_data(1, {}, kFlagFin);
    a.queue_data(1, net::as_bytes("after fin"));
    a.flush();
    expect_session_closed(f, a, {"yamux: data on stream 1 after FIN"});
    CHECK(a.go_away == yamux::kGoAwayProtocolError);
    f.check_honest();
    return;
  }
  // The session goes on: echo on a fresh stream works, and the skipped
  // bytes never sat in a buffer.
  a.open_stream(3, kEcho, net::as_bytes("still here"));
  a.flush();
  REQUIRE(f.run([&] { return a.app_data(3, kEcho).size() == 10 || a.closed(); }));
  CHECK(f.victim.host->is_connected(a.peer()));
  CHECK(f.peak.max.in_bytes < 4096);
  CHECK(f.victim.host->usage().in_bytes < 4096);
  f.check_honest();
}

// Rule: a peer's GoAway(normal) stops new streams both ways; streams already
// open finish normally. A SYN after it is refused with RST (charged), and
// each repeated GoAway is charged to the control-frame bucket like an empty
// frame (it changes nothing), so a GoAway flood ends the session.
TEST_CASE("attack: GoAway from the peer, then new streams and repeated GoAways") {
  yamux::Limits yl = test_yamux_limits();
  yl.control_frame_burst = 100;
  yl.control_frames_per_second = 0;  // no refill: the count is exact
  Fixture f(test_host_limits(), yl);
  SecurePeer a(*f.loop, f.victim.sa);
  connect(f, a);
  a.open_stream(1, kEcho, net::as_bytes("before"));
  a.frame({kVersion, FrameType::go_away, 0, 0, yamux::kGoAwayNormal});
  REQUIRE(f.run([&] { return a.app_data(1, kEcho).size() == 6; }));
  SUBCASE("a stream opened after our GoAway is refused; the old one still echoes") {
    a.open_stream(3, kEcho, net::as_bytes("new"));
    a.queue_data(1, net::as_bytes("after"));
    a.flush();
    REQUIRE(f.run([&] { return a.reset.count(3) == 1 && a.app_data(1, kEcho).size() == 11; }));
    CHECK(net::as_chars(a.app_data(1, kEcho)) == "beforeafter");
    CHECK(a.reset.count(1) == 0);
    CHECK(a.app_data(3, kEcho).empty());
    CHECK(f.victim.host->is_connected(a.peer()));
    // The victim opens nothing new on this connection either.
    std::optional<net::Result<Stream*>> r;
    f.victim.host->new_stream(a.peer(), {std::string(kEcho)},
                              [&](net::Result<Stream*> res) { r = std::move(res); });
    REQUIRE(f.run([&] { return r.has_value(); }));
    CHECK_FALSE(*r);
  }
  SUBCASE("100 repeated GoAways pass, the 101st ends the session") {
    for (int i = 0; i < 100; ++i) a.queue_frame({kVersion, FrameType::go_away, 0, 0, yamux::kGoAwayNormal});
    a.flush();
    f.run_for(50 * net::kMillisecond);
    CHECK(f.victim.host->is_connected(a.peer()));
    a.frame({kVersion, FrameType::go_away, 0, 0, yamux::kGoAwayNormal});
    expect_session_closed(f, a, {"yamux: control frame flood (repeated GoAway): more than 100 frames at over 0/s"});
    CHECK(a.go_away == yamux::kGoAwayProtocolError);
  }
  f.check_honest();
}
