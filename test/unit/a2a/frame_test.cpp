// Framing: 4-byte big-endian length + payload, 16 MiB cap, split invariance,
// reservation before buffering.
#include <doctest/doctest.h>

#include <random>

#include "a2a/frame.hpp"

using namespace a2a;

namespace {
// Feeds `in` in pieces of `step` bytes (0 = whole), granting every
// reservation; returns the frames.
std::vector<net::Bytes> read_all(net::BytesView in, size_t step, size_t max = kMaxFrameLen,
                                 std::mt19937* rng = nullptr) {
  FrameReader r(max);
  std::vector<net::Bytes> out;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t n = step ? std::min(step, in.size() - pos) : in.size() - pos;
    if (rng) n = std::min<size_t>(1 + (*rng)() % 7, in.size() - pos);
    net::BytesView piece = in.subspan(pos, n);
    size_t used = 0;
    while (used < piece.size()) {
      auto c = r.feed(piece.subspan(used));
      REQUIRE(c);
      used += *c;
      if (r.wants_reserve()) r.grant();
      if (r.has_frame()) {
        out.emplace_back(r.frame().begin(), r.frame().end());
        r.pop();
      }
    }
    pos += n;
  }
  CHECK(r.at_boundary());
  return out;
}
}  // namespace

TEST_CASE("frame: header is big-endian; append_frame refuses one byte over the limit") {
  auto h = frame_header(0x01020304);
  CHECK(h == std::array<uint8_t, 4>{1, 2, 3, 4});
  net::Bytes out;
  REQUIRE(append_frame(net::Bytes{9, 8}, out));
  CHECK(out == net::Bytes{0, 0, 0, 2, 9, 8});
  net::Bytes big(101, 0);
  out.clear();
  REQUIRE(append_frame(net::BytesView(big).first(100), out, 100));
  auto st = append_frame(big, out, 100);
  CHECK(st.err() == net::Err::limit);
  CHECK(st.what() == "a2a frame: payload of 101 bytes exceeds the limit of 100");
}

TEST_CASE("frame: a length of exactly 16 MiB is accepted, one more is refused before buffering") {
  FrameReader ok;
  auto h = frame_header(kMaxFrameLen);
  auto r = ok.feed(h);
  REQUIRE(r);
  CHECK(*r == 4);
  CHECK(ok.wants_reserve());
  CHECK(ok.reserve_len() == kMaxFrameLen);

  FrameReader bad;
  auto h2 = frame_header(kMaxFrameLen + 1);
  auto r2 = bad.feed(h2);
  REQUIRE_FALSE(r2);
  CHECK(r2.err() == net::Err::limit);
  CHECK(r2.what() == "a2a frame: length 16777217 exceeds the limit of 16777216");
  CHECK(bad.buffered() == 4);  // the header only
  // Sticky.
  CHECK_FALSE(bad.feed(net::Bytes{1}));
}

TEST_CASE("frame: a whole frame is a view into the input; a split one waits for grant()") {
  net::Bytes in{0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'x'};
  FrameReader r;
  auto c = r.feed(in);
  REQUIRE(c);
  CHECK(*c == 7);
  REQUIRE(r.has_frame());
  CHECK(r.frame().data() == in.data() + 4);  // no copy
  CHECK(r.pop() == 0);
  c = r.feed(net::BytesView(in).subspan(7));
  REQUIRE(c);
  CHECK(*c == 4);  // header only: body incomplete
  CHECK(r.wants_reserve());
  CHECK(r.reserve_len() == 2);
  CHECK(*r.feed(net::BytesView(in).subspan(11)) == 0);  // nothing until granted
  r.grant();
  CHECK(r.granted() == 2);
  c = r.feed(net::BytesView(in).subspan(11));
  CHECK(*c == 1);
  CHECK_FALSE(r.has_frame());
  CHECK_FALSE(r.at_boundary());
  c = r.feed(net::Bytes{'y'});
  REQUIRE(r.has_frame());
  CHECK(net::to_string(r.frame()) == "xy");
  CHECK(r.pop() == 2);
  CHECK(r.at_boundary());
}

TEST_CASE("frame: empty frames and split invariance (whole, byte by byte, random pieces)") {
  net::Bytes in;
  std::vector<net::Bytes> want;
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    net::Bytes p(rng() % 300, static_cast<uint8_t>(i));
    if (i % 9 == 0) p.clear();
    REQUIRE(append_frame(p, in));
    want.push_back(p);
  }
  CHECK(read_all(in, 0) == want);
  CHECK(read_all(in, 1) == want);
  CHECK(read_all(in, 3) == want);
  CHECK(read_all(in, 0, kMaxFrameLen, &rng) == want);
}

TEST_CASE("frame: the card limit applies to the card reader") {
  FrameReader r(kMaxCardLen);
  auto h = frame_header(kMaxCardLen + 1);
  CHECK(r.feed(h).err() == net::Err::limit);
}
