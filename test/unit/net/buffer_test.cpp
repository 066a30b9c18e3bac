#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "net/buffer.hpp"

using namespace net;

namespace {

Bytes pattern(size_t n, uint8_t seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; i++) b[i] = static_cast<uint8_t>(i * 7 + seed);
  return b;
}

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    REQUIRE(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
    r = fds[0];
    w = fds[1];
  }
  ~Pipe() {
    if (r >= 0) ::close(r);
    if (w >= 0) ::close(w);
  }
};

}  // namespace

TEST_CASE("buffer: append up to the limit, one byte more is refused and changes nothing") {
  Buffer b(100);
  CHECK(b.empty());
  CHECK(b.capacity() == 0);  // nothing allocated before first use
  CHECK(b.append(pattern(60)));
  CHECK(b.append(pattern(40, 60)));
  CHECK(b.size() == 100);
  CHECK(b.room() == 0);
  CHECK_FALSE(b.append(pattern(1)));
  CHECK(b.size() == 100);
  CHECK(b.capacity() <= 100);  // never grows past the limit
  b.consume(1);
  CHECK(b.append(pattern(1)));
  CHECK_FALSE(b.append(pattern(1)));
  CHECK(b.append(BytesView{}));  // empty append always fits
}

TEST_CASE("buffer: all-or-nothing append across the limit") {
  Buffer b(10);
  CHECK(b.append(pattern(4)));
  CHECK_FALSE(b.append(pattern(7)));  // 4 + 7 = 11 > 10
  CHECK(b.size() == 4);
  CHECK(b.append(pattern(6)));  // 4 + 6 = 10
  Status s = b.append_or_error(pattern(1), "yamux stream 3 send");
  CHECK(s.err() == Err::limit);
  CHECK(s.what() == "yamux stream 3 send: buffer limit 10 bytes exceeded");
  CHECK(b.append_or_error({}, "x"));
}

TEST_CASE("buffer: a zero limit accepts nothing") {
  Buffer b(0);
  CHECK_FALSE(b.append(pattern(1)));
  CHECK(b.prepare(1).empty());
  CHECK(b.data().empty());
}

TEST_CASE("buffer: contiguous view, consume and compaction keep the bytes in order") {
  Buffer b(8192);
  Bytes all = pattern(8192);
  REQUIRE(b.append(BytesView(all).first(5000)));
  b.consume(3000);
  CHECK(b.size() == 2000);
  // 4096 more do not fit behind the data in a 5000+ byte allocation without
  // compacting or growing; either way the view stays contiguous and ordered.
  REQUIRE(b.append(BytesView(all).subspan(5000, 3192)));
  CHECK(b.size() == 5192);
  BytesView v = b.data();
  CHECK(Bytes(v.begin(), v.end()) == Bytes(all.begin() + 3000, all.end()));
  CHECK(b.capacity() <= 8192);
  b.consume(5192);
  CHECK(b.empty());
  b.release();
  CHECK(b.capacity() == 0);
}

TEST_CASE("buffer: compaction instead of growth when the limit is reached") {
  Buffer b(4096);
  REQUIRE(b.append(pattern(4096)));
  CHECK(b.capacity() == 4096);
  b.consume(4000);
  REQUIRE(b.append(pattern(4000, 9)));  // only fits after moving 96 bytes to the front
  CHECK(b.capacity() == 4096);
  CHECK(b.size() == 4096);
  CHECK(b.data()[0] == pattern(4096)[4000]);
  CHECK(b.data()[96] == pattern(4000, 9)[0]);
}

TEST_CASE("buffer: prepare/commit") {
  Buffer b(16);
  auto t = b.prepare(10);
  REQUIRE(t.size() >= 10);
  CHECK(t.size() <= 16);
  memcpy(t.data(), "0123456789", 10);
  b.commit(10);
  CHECK(as_chars(b.data()) == "0123456789");
  CHECK(b.prepare(7).empty());  // 10 + 7 > 16
  auto t2 = b.prepare(6);
  CHECK(t2.size() == 6);  // clipped to room()
  b.consume(100);         // more than size(): empties
  CHECK(b.empty());
}

TEST_CASE("buffer: release keeps data") {
  Buffer b(10);
  REQUIRE(b.append(pattern(3)));
  b.release();  // not empty: no-op
  CHECK(b.size() == 3);
}

TEST_CASE("buffer: read_to_buffer honours the per-call cap, the limit, EOF and EAGAIN") {
  Pipe p;
  Bytes data = pattern(100);
  REQUIRE(::write(p.w, data.data(), data.size()) == 100);
  Buffer b(1000);
  IoResult r = read_to_buffer(p.r, b, 10);
  CHECK(r.n == 10);
  CHECK(r.err == 0);
  CHECK_FALSE(r.eof);
  Buffer small(30);
  r = read_to_buffer(p.r, small, 1000);  // stops at the buffer limit
  CHECK(r.n == 30);
  CHECK(small.room() == 0);
  r = read_to_buffer(p.r, b, 1000);  // short read: drained
  CHECK(r.n == 60);
  CHECK(r.err == 0);
  r = read_to_buffer(p.r, b, 1000);
  CHECK(r.n == 0);
  CHECK(r.would_block());
  CHECK_FALSE(r.failed());
  ::close(p.w);
  p.w = -1;
  r = read_to_buffer(p.r, b, 1000);
  CHECK(r.eof);
  CHECK(b.size() == 70);
  CHECK(Bytes(b.data().begin(), b.data().begin() + 10) == Bytes(data.begin(), data.begin() + 10));
  CHECK(Bytes(b.data().begin() + 10, b.data().end()) == Bytes(data.begin() + 40, data.end()));
}

TEST_CASE("buffer: read_to_buffer reports errors") {
  Buffer b(10);
  IoResult r = read_to_buffer(-1, b, 10);
  CHECK(r.err == EBADF);
  CHECK(r.failed());
}

TEST_CASE("buffer: write_from_buffer writes buffer then extra, stops at EAGAIN, consumes what went") {
  Pipe p;
  REQUIRE(fcntl(p.w, F_SETPIPE_SZ, 4096) >= 4096);
  int cap = fcntl(p.w, F_GETPIPE_SZ);
  Buffer b(1 << 20);
  Bytes head = pattern(1000);
  Bytes extra = pattern(static_cast<size_t>(cap) * 2, 3);
  REQUIRE(b.append(head));
  IoResult r = write_from_buffer(p.w, b, extra);  // pipe: ENOTSOCK -> writev path
  CHECK(r.would_block());
  CHECK(r.n == static_cast<size_t>(cap));
  CHECK(b.empty());  // all 1000 buffered bytes went first
  size_t extra_sent = r.n - head.size();
  Bytes got(static_cast<size_t>(cap));
  REQUIRE(::read(p.r, got.data(), got.size()) == cap);
  CHECK(Bytes(got.begin(), got.begin() + 1000) == head);
  CHECK(Bytes(got.begin() + 1000, got.end()) == Bytes(extra.begin(), extra.begin() + static_cast<long>(extra_sent)));
  // Only the buffer now: everything fits.
  REQUIRE(b.append(pattern(10)));
  r = write_from_buffer(p.w, b);
  CHECK(r.n == 10);
  CHECK(r.err == 0);
  CHECK(b.empty());
}

TEST_CASE("buffer: write_from_buffer on a socket whose peer is gone gives EPIPE, no SIGPIPE") {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
  ::close(sv[1]);
  Buffer b(10);
  REQUIRE(b.append(pattern(5)));
  IoResult r = write_from_buffer(sv[0], b);
  CHECK(r.err == EPIPE);
  CHECK(r.failed());
  CHECK(b.size() == 5);
  ::close(sv[0]);
}
