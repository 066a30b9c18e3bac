#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "net/bytes.hpp"
#include "p2p/perf/perf.hpp"

using namespace p2p::perf;
using net::Bytes;
using net::Err;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

Bytes header(uint64_t n) {
  Bytes h;
  net::Writer(h).be64(n);
  return h;
}

// A stream between the two cores with half-close: moves at most `chunk`
// bytes per step each way and advances the clock by `step_ns` per step that
// moved bytes. Stops when nothing moves.
struct Link {
  Client& c;
  Server& s;
  net::Instant now = 0;
  size_t chunk = kChunkLen;
  uint64_t step_ns = 1000;
  bool c_closed = false, s_closed = false;

  void run() {
    for (int guard = 0; guard < 10'000'000; ++guard) {
      bool moved = false;
      net::BytesView out = c.pending_output();
      if (!out.empty()) {
        const size_t n = std::min(out.size(), chunk);
        now += step_ns;
        auto r = s.feed(out.first(n), now);
        REQUIRE(r);
        REQUIRE(*r == n);
        c.consume_output(n);
        moved = true;
      }
      if (c.wants_close_write() && !c_closed) {
        c_closed = true;
        c.on_write_closed(now);
        REQUIRE(s.on_eof(now));
        moved = true;
      }
      net::BytesView back = s.pending_output();
      if (!back.empty()) {
        const size_t n = std::min(back.size(), chunk);
        now += step_ns;
        auto r = c.feed(back.first(n), now);
        REQUIRE(r);
        s.consume_output(n);
        moved = true;
      }
      if (s.wants_close_write() && !s_closed) {
        s_closed = true;
        REQUIRE(c.on_eof(now));
        moved = true;
      }
      if (!moved) return;
    }
    FAIL("link did not settle");
  }
};

}  // namespace

TEST_CASE("perf: constants (specs.md §14)") {
  CHECK(kProtocolId == "/perf/1.0.0");
  CHECK(kHeaderLen == 8);
  CHECK(kUnlimited == UINT64_MAX);
  CHECK(zero_chunk().size() == kChunkLen);
  CHECK(std::all_of(zero_chunk().begin(), zero_chunk().end(), [](uint8_t b) { return b == 0; }));
}

TEST_CASE("perf: client and server in memory, upload and download sizes") {
  const uint64_t sizes[][2] = {{0, 0},           {1, 0},       {0, 1},
                               {kChunkLen, 0},   {0, kChunkLen}, {kChunkLen + 1, 3 * kChunkLen - 1},
                               {100 * 1024, 1024 * 1024}};
  for (auto& sz : sizes) {
    CAPTURE(sz[0]);
    CAPTURE(sz[1]);
    for (size_t chunk : {size_t{7}, size_t{4096}, kChunkLen}) {
      if (chunk == 7 && sz[0] + sz[1] > 200 * 1024) continue;
      ClientOptions o;
      o.upload_bytes = sz[0];
      o.download_bytes = sz[1];
      Client c(o, 0);
      Server s(0);
      Link l{c, s};
      l.chunk = chunk;
      l.run();
      REQUIRE(c.done());
      CHECK(s.requested() == sz[1]);
      CHECK(s.received() == sz[0]);
      CHECK(s.sent() == sz[1]);
      CHECK(s.wants_close_write());
      const PerfResult& r = c.result();
      CHECK(r.upload_bytes == sz[0]);
      CHECK(r.download_bytes == sz[1]);
      CHECK(r.seconds == doctest::Approx(r.upload_seconds + r.download_seconds));
      CHECK(r.seconds == doctest::Approx(static_cast<double>(l.now) / 1e9));
      if (sz[0] > 0) CHECK(r.upload_mib_s == doctest::Approx(static_cast<double>(sz[0]) / kMiB / r.upload_seconds));
      if (sz[1] > 0) CHECK(r.download_mib_s == doctest::Approx(static_cast<double>(sz[1]) / kMiB / r.download_seconds));
      if (sz[1] == 0) CHECK(r.download_mib_s == 0);
    }
  }
}

TEST_CASE("perf: result figures from injected time") {
  ClientOptions o;
  o.upload_bytes = 3 * 1024 * 1024;
  o.download_bytes = 2 * 1024 * 1024;
  Client c(o, 10 * net::kSecond);
  CHECK(Bytes(c.pending_output().begin(), c.pending_output().end()) == header(2 * 1024 * 1024));
  c.consume_output(kHeaderLen);
  while (!c.pending_output().empty()) {
    CHECK(c.pending_output().data() == zero_chunk().data());  // no copies
    c.consume_output(c.pending_output().size());
  }
  REQUIRE(c.wants_close_write());
  c.on_write_closed(12 * net::kSecond);  // upload: 3 MiB in 2 s
  for (int i = 0; i < 2; ++i) REQUIRE(c.feed(Bytes(1024 * 1024, 0), 13 * net::kSecond));
  REQUIRE(c.on_eof(16 * net::kSecond));  // download: 2 MiB in 4 s
  REQUIRE(c.done());
  const PerfResult& r = c.result();
  CHECK(r.upload_bytes == 3 * 1024 * 1024);
  CHECK(r.download_bytes == 2 * 1024 * 1024);
  CHECK(r.seconds == doctest::Approx(6.0));
  CHECK(r.upload_seconds == doctest::Approx(2.0));
  CHECK(r.download_seconds == doctest::Approx(4.0));
  CHECK(r.upload_mib_s == doctest::Approx(1.5));
  CHECK(r.download_mib_s == doctest::Approx(0.5));
}

TEST_CASE("perf: the server sends nothing while the client uploads") {
  Server s(0);
  REQUIRE(s.feed(header(1000), 1));
  REQUIRE(s.feed(Bytes(5000, 0), 2));
  CHECK(s.pending_output().empty());
  CHECK_FALSE(s.sending());
  CHECK(s.requested() == 1000);
  CHECK(s.received() == 5000);
  REQUIRE(s.on_eof(3));
  CHECK(s.sending());
  CHECK(s.pending_output().size() == 1000);
  CHECK(s.pending_output().data() == zero_chunk().data());
  s.consume_output(400);
  CHECK(s.pending_output().size() == 600);
  s.consume_output(600);
  CHECK(s.wants_close_write());
  CHECK(s.pending_output().empty());
  CHECK(s.next_deadline() == net::kNever);
  auto late = s.feed(Bytes{1}, 4);
  CHECK(late.err() == Err::closed);
  CHECK(late.what() == "perf: data after EOF");
}

TEST_CASE("perf: the server's header may arrive byte by byte; EOF inside it is an error") {
  Server s(0);
  Bytes h = header(0x0000000f02030405ull);
  for (size_t i = 0; i < h.size(); ++i) REQUIRE(*s.feed(net::BytesView(h).subspan(i, 1), 0) == 1);
  CHECK(s.requested() == 0x0000000f02030405ull);
  Server short_hdr(0);
  REQUIRE(short_hdr.feed(Bytes{0, 0, 0}, 0));
  auto e = short_hdr.on_eof(1);
  CHECK(e.err() == Err::proto);
  CHECK(e.what() == "perf: stream ended inside the 8-byte header (3 bytes)");
  Server nothing(0);
  CHECK(nothing.on_eof(1).what() == "perf: stream ended inside the 8-byte header (0 bytes)");
}

TEST_CASE("perf: the server's send limit crossed by one; unlimited is accepted") {
  Server at(0);
  CHECK(at.feed(header(kMaxSendBytes), 0));
  Server over(0);
  auto r = over.feed(header(kMaxSendBytes + 1), 0);
  CHECK(r.err() == Err::limit);
  CHECK(r.what() == "perf: asked for 68719476737 bytes, more than the limit of 68719476736");
  CHECK(over.failed());
  Server unl(0);
  REQUIRE(unl.feed(header(kUnlimited), 0));
  REQUIRE(unl.on_eof(0));
  CHECK(unl.pending_output().size() == kChunkLen);
  unl.consume_output(kChunkLen);
  CHECK(unl.sent() == kChunkLen);
  CHECK_FALSE(unl.wants_close_write());
  Limits tight;
  tight.max_send_bytes = 10;
  Server small(0, tight);
  CHECK(small.feed(header(11), 0).err() == Err::limit);
}

TEST_CASE("perf: server timeouts") {
  SUBCASE("idle while reading, crossed by one ns") {
    Server s(0);
    REQUIRE(s.feed(header(5), 7));
    CHECK(s.next_deadline() == 7 + kIdleTimeoutNs);
    s.on_timeout(7 + kIdleTimeoutNs - 1);
    CHECK_FALSE(s.failed());
    s.on_timeout(7 + kIdleTimeoutNs);
    CHECK(s.failed());
    CHECK(s.error().code == Err::timeout);
    CHECK(s.error().what == "perf: client sent nothing for 30 s");
  }
  SUBCASE("a finite download that takes too long fails") {
    Server s(0);
    REQUIRE(s.feed(header(100), 0));
    REQUIRE(s.on_eof(1));
    CHECK(s.next_deadline() == 1 + kMaxSendNs);
    s.on_timeout(kMaxSendNs);
    CHECK_FALSE(s.failed());
    s.on_timeout(1 + kMaxSendNs);
    CHECK(s.error().code == Err::timeout);
    CHECK(s.error().what == "perf: sending 100 bytes took more than 120 s");
  }
  SUBCASE("a timed download just ends") {
    Server s(0);
    REQUIRE(s.feed(header(kUnlimited), 0));
    REQUIRE(s.on_eof(1));
    s.on_timeout(1 + kMaxSendNs);
    CHECK_FALSE(s.failed());
    CHECK(s.wants_close_write());
  }
}

TEST_CASE("perf: the client refuses a misbehaving server") {
  ClientOptions o;
  o.upload_bytes = 10;
  o.download_bytes = 100;
  SUBCASE("data before the upload ended") {
    Client c(o, 0);
    c.consume_output(kHeaderLen);
    auto r = c.feed(Bytes(5, 0), 1);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "perf: server sent 5 bytes before our upload ended");
  }
  SUBCASE("more than asked, by one byte") {
    Client c(o, 0);
    c.consume_output(kHeaderLen + 10);
    REQUIRE(c.wants_close_write());
    c.on_write_closed(1);
    REQUIRE(c.feed(Bytes(100, 0), 2));
    auto r = c.feed(Bytes(1, 0), 3);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "perf: server sent more than the 100 bytes asked for");
  }
  SUBCASE("EOF short of N") {
    Client c(o, 0);
    c.consume_output(kHeaderLen + 10);
    c.on_write_closed(1);
    REQUIRE(c.feed(Bytes(5, 0), 2));
    auto r = c.on_eof(3);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "perf: stream ended after 5 of 100 bytes");
  }
  SUBCASE("EOF during the upload") {
    Client c(o, 0);
    auto r = c.on_eof(3);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "perf: stream ended during our upload");
  }
  SUBCASE("overall timeout") {
    o.timeout_ns = 5 * net::kSecond;
    Client c(o, 1);
    CHECK(c.next_deadline() == 1 + 5 * net::kSecond);
    c.on_timeout(5 * net::kSecond);
    CHECK_FALSE(c.failed());
    c.on_timeout(1 + 5 * net::kSecond);
    CHECK(c.error().code == Err::timeout);
    CHECK(c.error().what == "perf: run not finished within 5 s");
  }
}

TEST_CASE("perf: timed download (2^64-1) and timed upload") {
  SUBCASE("download for 1 s") {
    ClientOptions o;
    o.download_ns = net::kSecond;
    Client c(o, 0);
    CHECK(Bytes(c.pending_output().begin(), c.pending_output().end()) == header(kUnlimited));
    Server s(0);
    REQUIRE(s.feed(c.pending_output(), 0));
    c.consume_output(kHeaderLen);
    REQUIRE(c.wants_close_write());
    c.on_write_closed(0);
    REQUIRE(s.on_eof(0));
    CHECK(c.next_deadline() == net::kSecond);
    for (int i = 0; i < 10; ++i) {
      REQUIRE(c.feed(s.pending_output(), i * 100 * net::kMillisecond));
      s.consume_output(s.pending_output().size());
    }
    c.on_timeout(net::kSecond);
    REQUIRE(c.done());
    CHECK(c.result().download_bytes == 10 * kChunkLen);
    CHECK(c.result().download_mib_s == doctest::Approx(10.0 * kChunkLen / kMiB));
    CHECK(*c.feed(Bytes(3, 0), 2 * net::kSecond) == 3);  // the tail before the reset is ignored
    CHECK(s.sent() == 10 * kChunkLen);
  }
  SUBCASE("upload for 2 s") {
    ClientOptions o;
    o.upload_ns = 2 * net::kSecond;
    Client c(o, 0);
    c.consume_output(kHeaderLen);
    for (int i = 0; i < 5; ++i) {
      CHECK(c.pending_output().size() == kChunkLen);
      c.consume_output(kChunkLen);
    }
    CHECK(c.next_deadline() == 2 * net::kSecond);
    c.on_timeout(2 * net::kSecond - 1);
    CHECK_FALSE(c.wants_close_write());
    c.on_timeout(2 * net::kSecond);
    REQUIRE(c.wants_close_write());
    CHECK(c.pending_output().empty());
    c.on_write_closed(2 * net::kSecond);
    REQUIRE(c.on_eof(3 * net::kSecond));
    CHECK(c.result().upload_bytes == 5 * kChunkLen);
    CHECK(c.result().upload_mib_s == doctest::Approx(5.0 * kChunkLen / kMiB / 2.0));
  }
}
