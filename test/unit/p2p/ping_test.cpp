#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "net/bytes.hpp"
#include "p2p/ping/ping.hpp"
#include "pair.hpp"

using namespace p2p::ping;
using net::Bytes;
using net::Err;
using test::Split;

namespace {

std::array<uint8_t, kPayloadLen> payload(uint8_t seed) {
  std::array<uint8_t, kPayloadLen> p{};
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return p;
}

}  // namespace

TEST_CASE("ping: constants (specs.md §7) and our documented deviation") {
  CHECK(kProtocolId == "/ipfs/ping/1.0.0");
  CHECK(kPayloadLen == 32);
  CHECK(kTimeoutNs == 20 * net::kSecond);
  CHECK(kMaxOutboundStreamsPerPeer == 1);
  CHECK(kMaxInboundStreamsPerPeer == 128);  // spec SHOULD is 2; interop needs 100
  CHECK(Limits{}.max_inbound_streams_per_peer == kMaxInboundStreamsPerPeer);
}

TEST_CASE("ping: dialer and responder in memory, 100 pings on one stream, RTT = 2 x latency") {
  for (Split split : {Split::whole, Split::bytes, Split::random}) {
    CAPTURE(static_cast<int>(split));
    Dialer d;
    Responder r(0);
    test::Pair p(test::endpoint_of(d), test::endpoint_of(r));
    p.split = split;
    p.max_piece = 7;
    p.latency_ns = 250 * 1000;  // 250 µs each way
    std::vector<uint64_t> rtts;
    for (uint8_t i = 0; i < 100; ++i) {
      REQUIRE(d.ping(payload(i), p.now));
      CHECK(d.in_flight());
      CHECK(d.next_deadline() == p.now + kTimeoutNs);
      p.run_for(10 * net::kMillisecond);
      while (auto rtt = d.poll_rtt()) rtts.push_back(*rtt);
      REQUIRE_FALSE(p.a().error);
      REQUIRE_FALSE(p.b().error);
    }
    CHECK(rtts.size() == 100);
    for (uint64_t rtt : rtts) CHECK(rtt == 500 * 1000);
    CHECK(d.answered() == 100);
    CHECK(r.echoed() == 100);
    CHECK_FALSE(d.in_flight());
    CHECK(d.next_deadline() == net::kNever);
    CHECK(p.a().unconsumed.empty());
    CHECK(p.b().unconsumed.empty());
  }
}

TEST_CASE("ping: the dialer refuses bad echoes") {
  SUBCASE("mismatch names the byte") {
    Dialer d;
    auto pl = payload(1);
    REQUIRE(d.ping(pl, 0));
    Bytes echo(pl.begin(), pl.end());
    echo[5] ^= 1;
    REQUIRE(d.feed(net::BytesView(echo).first(5), 1));  // the first 5 match
    auto r = d.feed(net::BytesView(echo).subspan(5), 2);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "ping: echo differs from the payload at byte 5");
    CHECK(d.failed());
    CHECK(d.ping(pl, 3).err() == Err::proto);  // stays failed
  }
  SUBCASE("bytes with no ping in flight") {
    Dialer d;
    auto r = d.feed(Bytes{1, 2, 3}, 0);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "ping: 3 bytes arrived with no ping in flight");
  }
  SUBCASE("one byte too many after a full echo") {
    Dialer d;
    auto pl = payload(2);
    REQUIRE(d.ping(pl, 0));
    Bytes echo(pl.begin(), pl.end());
    echo.push_back(0);
    auto r = d.feed(echo, 1);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "ping: 1 bytes arrived with no ping in flight");
    CHECK(d.poll_rtt() == 1u);  // the ping itself was answered
  }
}

TEST_CASE("ping: dialer state rules") {
  Dialer d;
  auto pl = payload(3);
  REQUIRE(d.ping(pl, 0));
  CHECK(d.pending_output().size() == kPayloadLen);
  d.consume_output(10);
  CHECK(d.pending_output().size() == kPayloadLen - 10);
  auto twice = d.ping(pl, 0);
  CHECK(twice.err() == Err::invalid);
  CHECK(twice.what() == "ping: a ping is already in flight");
  d.consume_output(100);  // more than pending: clamped
  CHECK(d.pending_output().empty());
  SUBCASE("EOF with a ping in flight") {
    auto s = d.on_eof();
    CHECK(s.err() == Err::closed);
    CHECK(s.what() == "ping: stream closed with a ping in flight");
  }
  SUBCASE("EOF after the echo, then close") {
    REQUIRE(d.feed(Bytes(pl.begin(), pl.end()), 9));
    CHECK(d.on_eof());
    d.close();
    auto s = d.ping(pl, 10);
    CHECK(s.err() == Err::closed);
    CHECK(s.what() == "ping: write side closed");
  }
}

TEST_CASE("ping: the dialer times out at 20 s, not one ns earlier") {
  Dialer d;
  REQUIRE(d.ping(payload(4), 1000));
  CHECK(d.next_deadline() == 1000 + kTimeoutNs);
  d.on_timeout(1000 + kTimeoutNs - 1);
  CHECK_FALSE(d.failed());
  d.on_timeout(1000 + kTimeoutNs);
  CHECK(d.failed());
  CHECK(d.error().code == Err::timeout);
  CHECK(d.error().what == "ping: no echo within 20 s");
  CHECK(d.next_deadline() == net::kNever);
}

TEST_CASE("ping: the dialer times out through the pair when the responder is silent") {
  Dialer d;
  Responder r(0);
  test::Pair p(test::endpoint_of(d), test::endpoint_of(r));
  p.latency_ns = 30 * net::kSecond;  // echo would come after 60 s
  REQUIRE(d.ping(payload(5), 0));
  p.run_for(21 * net::kSecond);
  CHECK(d.failed());
  CHECK(d.error().code == Err::timeout);
}

TEST_CASE("ping: responder echoes across arbitrary cuts") {
  Responder r(0);
  Bytes two;
  for (uint8_t b : payload(6)) two.push_back(b);
  for (uint8_t b : payload(7)) two.push_back(b);
  REQUIRE(*r.feed(net::BytesView(two).first(31), 1) == 31);
  CHECK(r.pending_output().empty());
  CHECK(r.echoed() == 0);
  REQUIRE(*r.feed(net::BytesView(two).subspan(31, 2), 2) == 2);
  CHECK(r.pending_output().size() == kPayloadLen);
  REQUIRE(*r.feed(net::BytesView(two).subspan(33), 3) == 31);
  CHECK(r.echoed() == 2);
  CHECK(Bytes(r.pending_output().begin(), r.pending_output().end()) == two);
  r.consume_output(two.size());
  CHECK(r.pending_output().empty());
}

TEST_CASE("ping: responder back-pressure at the echo buffer limit") {
  Limits lim;
  CHECK(lim.max_echo_buffered == 1024);
  Responder r(0, lim);
  Bytes many(kMaxEchoBuffered * 2, 0xab);
  auto n = r.feed(many, 0);
  REQUIRE(n);
  CHECK(*n == kMaxEchoBuffered);  // stopped once 1024 bytes wait
  CHECK(r.pending_output().size() == kMaxEchoBuffered);
  auto none = r.feed(net::BytesView(many).subspan(*n), 0);
  CHECK(*none == 0);
  r.consume_output(1);  // one byte drained: room for one more payload
  auto more = r.feed(net::BytesView(many).subspan(*n), 0);
  CHECK(*more == kPayloadLen);
  CHECK(r.pending_output().size() == kMaxEchoBuffered - 1 + kPayloadLen);
  r.consume_output(r.pending_output().size());
  CHECK(*r.feed(net::BytesView(many).subspan(*n + kPayloadLen), 0) == kMaxEchoBuffered - kPayloadLen);
}

TEST_CASE("ping: responder EOF and idle timeout") {
  SUBCASE("EOF drops a partial payload, close once drained") {
    Responder r(0);
    auto pl = payload(8);
    REQUIRE(r.feed(Bytes(pl.begin(), pl.end()), 0));
    REQUIRE(r.feed(Bytes{1, 2, 3}, 0));
    r.on_eof();
    CHECK_FALSE(r.wants_close());
    r.consume_output(kPayloadLen);
    CHECK(r.wants_close());
    CHECK(r.next_deadline() == net::kNever);
    auto late = r.feed(Bytes{1}, 1);
    CHECK(late.err() == Err::closed);
    CHECK(late.what() == "ping: data after EOF");
  }
  SUBCASE("60 s without a whole ping, crossed by one ns") {
    Responder r(5);
    CHECK(r.next_deadline() == 5 + kIdleTimeoutNs);
    REQUIRE(r.feed(Bytes(kPayloadLen, 1), 10 * net::kSecond));
    CHECK(r.next_deadline() == 10 * net::kSecond + kIdleTimeoutNs);
    REQUIRE(r.feed(Bytes(5, 1), 20 * net::kSecond));  // a partial ping does not count
    CHECK(r.next_deadline() == 10 * net::kSecond + kIdleTimeoutNs);
    r.on_timeout(10 * net::kSecond + kIdleTimeoutNs - 1);
    CHECK_FALSE(r.failed());
    r.on_timeout(10 * net::kSecond + kIdleTimeoutNs);
    CHECK(r.failed());
    CHECK(r.error().code == Err::timeout);
    CHECK(r.error().what == "ping: no ping for 60 s");
    CHECK(r.feed(Bytes{1}, 0).err() == Err::timeout);
  }
}
