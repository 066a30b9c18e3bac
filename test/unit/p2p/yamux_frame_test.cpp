#include <doctest/doctest.h>

#include "net/bytes.hpp"
#include "p2p/yamux/yamux_frame.hpp"

using namespace p2p::yamux;
using net::Bytes;
using net::Err;

TEST_CASE("yamux frame: spec examples (specs.md §5)") {
  // Open stream 1 with 5 bytes "hello".
  Bytes b;
  REQUIRE(net::from_hex("000000010000000100000005", &b));
  auto h = decode_header(b);
  REQUIRE(h);
  CHECK(h->type == FrameType::data);
  CHECK(h->flags == kFlagSyn);
  CHECK(h->stream_id == 1);
  CHECK(h->length == 5);
  Bytes enc;
  encode_header(*h, enc);
  CHECK(enc == b);
  // Window update +256 KiB on stream 2.
  Bytes w;
  encode_header({kVersion, FrameType::window_update, 0, 2, 262144}, w);
  CHECK(net::to_hex(w) == "000100000000000200040000");
  CHECK(describe(*h) == "type=data flags=SYN stream=1 length=5");
}

TEST_CASE("yamux frame: bad version, bad type, short input") {
  Bytes b(12, 0);
  b[0] = 1;
  auto r = decode_header(b);
  CHECK(r.err() == Err::proto);
  CHECK(r.what() == "yamux: bad version 1");
  b[0] = 0;
  b[1] = 4;
  CHECK(decode_header(b).what() == "yamux: bad frame type 4");
  b[1] = 3;
  CHECK(decode_header(b));
  CHECK(decode_header(net::BytesView(b).first(11)).err() == Err::need_more);
}

TEST_CASE("yamux frame: every field round-trips, unknown flags are kept for the session") {
  Header h{kVersion, FrameType::go_away, 0xfff0, 0xdeadbeef, 0xffffffff};
  uint8_t out[kHeaderLen];
  encode_header(h, out);
  auto d = decode_header({out, kHeaderLen});
  REQUIRE(d);
  CHECK(*d == h);
  CHECK(describe(*d) == "type=go_away flags=0xfff0 stream=3735928559 length=4294967295");
  CHECK(describe({kVersion, FrameType::window_update, kFlagFin | kFlagRst | kFlagAck, 3, 0}) ==
        "type=window_update flags=ACK|FIN|RST stream=3 length=0");
}
