// Unit tests: frontends/grpc/grpc_status + grpc_frame — status names,
// grpc-message percent-encoding, grpc-timeout, the 5-byte message framer.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "frontends/grpc/grpc_frame.hpp"
#include "frontends/grpc/grpc_limits.hpp"
#include "frontends/grpc/grpc_status.hpp"

using namespace frontends::grpc;

TEST_CASE("grpc status: all 17 codes and their names (doc/statuscodes.md)") {
  const char* names[] = {"OK",           "CANCELLED",          "UNKNOWN",
                         "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                         "ALREADY_EXISTS",   "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                         "FAILED_PRECONDITION", "ABORTED",        "OUT_OF_RANGE",
                         "UNIMPLEMENTED",    "INTERNAL",          "UNAVAILABLE",
                         "DATA_LOSS",        "UNAUTHENTICATED"};
  static_assert(kCodeCount == 17);
  for (int i = 0; i < kCodeCount; ++i) CHECK(std::string(code_name(static_cast<Code>(i))) == names[i]);
  CHECK(std::string(code_name(static_cast<Code>(17))) == "UNKNOWN_CODE");
  CHECK(static_cast<int>(Code::unauthenticated) == 16);
  CHECK(static_cast<int>(Code::resource_exhausted) == 8);
}

TEST_CASE("grpc-message percent-encoding table (grpc-go encodeGrpcMessage)") {
  struct V {
    std::string in, wire;
  };
  const V table[] = {
      {"", ""},
      {"hello world", "hello world"},
      {"~ and space are kept", "~ and space are kept"},
      {"50%", "50%25"},
      {"a\nb\tc\r", "a%0Ab%09c%0D"},
      {std::string("nul\0x", 5), "nul%00x"},
      {"\x7f", "%7F"},
      {"\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9"},                  // été
      {"\xe2\x82\xac", "%E2%82%AC"},                           // €
      {"\xf0\x9f\x98\x80", "%F0%9F%98%80"},                    // U+1F600
      {"bad \xff byte", "bad %EF%BF%BD byte"},                 // invalid -> U+FFFD
      {"\xc3", "%EF%BF%BD"},                                   // truncated sequence
      {"\xc0\xaf", "%EF%BF%BD%EF%BF%BD"},                      // overlong
      {"\xed\xa0\x80", "%EF%BF%BD%EF%BF%BD%EF%BF%BD"},         // surrogate
      {"\xf4\x90\x80\x80", "%EF%BF%BD%EF%BF%BD%EF%BF%BD%EF%BF%BD"},  // > U+10FFFF
  };
  for (const V& v : table) {
    CAPTURE(v.in);
    CHECK(percent_encode(v.in) == v.wire);
  }
  // Truncation never splits a %XX triple or a character.
  CHECK(percent_encode("abc%", 4) == "abc");
  CHECK(percent_encode("abc%", 6) == "abc%25");
  CHECK(percent_encode("a\xc3\xa9", 4) == "a");
  CHECK(percent_encode("a\xc3\xa9", 7) == "a%C3%A9");
}

TEST_CASE("grpc-message percent-decoding is tolerant; encode then decode is the identity on valid UTF-8") {
  CHECK(percent_decode("%41%42") == "AB");
  CHECK(percent_decode("%e2%82%ac") == "\xe2\x82\xac");
  CHECK(percent_decode("100%") == "100%");
  CHECK(percent_decode("%4") == "%4");
  CHECK(percent_decode("%G1x") == "%G1x");
  CHECK(percent_decode("%%41") == "%A");
  CHECK(percent_decode("plain") == "plain");
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  all += "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  CHECK(percent_decode(percent_encode(all)) == all);
}

TEST_CASE("grpc-timeout parse table (8 digits + H M S m u n)") {
  struct V {
    std::string in;
    uint64_t ns;
  };
  const V ok[] = {{"1n", 1},
                  {"0n", 0},
                  {"7u", 7000},
                  {"100m", 100 * net::kMillisecond},
                  {"5S", 5 * net::kSecond},
                  {"2M", 120 * net::kSecond},
                  {"1H", 3600 * net::kSecond},
                  {"99999999n", 99999999},
                  {"00000001S", net::kSecond},
                  {"99999999S", 99999999ull * net::kSecond},
                  {"99999999H", UINT64_MAX}};  // 3.6e20 ns saturates
  for (const V& v : ok) {
    CAPTURE(v.in);
    auto r = parse_timeout(v.in);
    REQUIRE(r);
    CHECK(*r == v.ns);
  }
  struct B {
    std::string in, what;
  };
  const B bad[] = {{"", "grpc-timeout \"\": too short"},
                   {"S", "grpc-timeout \"S\": too short"},
                   {"1", "grpc-timeout \"1\": too short"},
                   {"123456789S", "grpc-timeout \"123456789S\": too long (more than 8 digits)"},
                   {"10x", "grpc-timeout \"10x\": unknown unit"},
                   {"10s", "grpc-timeout \"10s\": unknown unit"},
                   {"1.5S", "grpc-timeout \"1.5S\": not a number"},
                   {"-1S", "grpc-timeout \"-1S\": not a number"},
                   {" 1S", "grpc-timeout \" 1S\": not a number"},
                   {"+1S", "grpc-timeout \"+1S\": not a number"}};
  for (const B& b : bad) {
    CAPTURE(b.in);
    auto r = parse_timeout(b.in);
    REQUIRE_FALSE(r);
    CHECK(r.err() == net::Err::proto);
    CHECK(r.what() == b.what);
  }
}

TEST_CASE("grpc-timeout format: shortest unit, rounded up, parses back") {
  CHECK(format_timeout(0) == "0n");
  CHECK(format_timeout(99999999) == "99999999n");
  CHECK(format_timeout(100000000) == "100000u");
  CHECK(format_timeout(net::kSecond) == "1000000u");
  CHECK(format_timeout(100000000001) == "100001m");  // rounded up
  CHECK(format_timeout(UINT64_MAX) == "5124096H");
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    uint64_t ns = rng() >> (rng() % 64);
    auto s = format_timeout(ns);
    CHECK(s.size() <= kMaxTimeoutDigits + 1);
    auto r = parse_timeout(s);
    REQUIRE(r);
    CHECK(*r >= ns);
  }
}

namespace {

net::Bytes framed(std::initializer_list<net::Bytes> msgs, uint8_t flag = 0) {
  net::Bytes b;
  for (const auto& m : msgs) {
    append_message(b, m, flag == 1);
    if (flag > 1) b[b.size() - m.size() - 5] = flag;
  }
  return b;
}

std::vector<net::Bytes> drain(Deframer& d) {
  std::vector<net::Bytes> out;
  Message m;
  for (;;) {
    auto r = d.next(&m);
    REQUIRE(r);
    if (!*r) break;
    out.emplace_back(m.data.begin(), m.data.end());
  }
  return out;
}

}  // namespace

TEST_CASE("grpc framer: spec vectors, many messages per chunk, split invariance") {
  // doc/PROTOCOL-HTTP2.md: compressed-flag u8, length u32 BE, message.
  net::Bytes wire = framed({{}, {0x08, 0x96, 0x01}, net::Bytes(300, 0xab)});
  CHECK(net::to_hex(net::BytesView(wire).subspan(0, 13)) == "00000000000000000003089601");
  std::vector<net::Bytes> want = {{}, {0x08, 0x96, 0x01}, net::Bytes(300, 0xab)};

  Deframer whole(kMaxRecvMessageLen, kMaxRecvMessageLen + 5);
  REQUIRE(whole.push(wire));
  CHECK(drain(whole) == want);
  CHECK(whole.messages() == 3);

  Deframer bytewise(kMaxRecvMessageLen, kMaxRecvMessageLen + 5);
  std::vector<net::Bytes> got;
  for (uint8_t b : wire) {
    REQUIRE(bytewise.push({&b, 1}));
    for (auto& m : drain(bytewise)) got.push_back(m);
  }
  CHECK(got == want);

  std::mt19937 rng(3);
  for (int round = 0; round < 50; ++round) {
    Deframer d(kMaxRecvMessageLen, kMaxRecvMessageLen + 5);
    got.clear();
    size_t pos = 0;
    while (pos < wire.size()) {
      size_t n = std::min<size_t>(wire.size() - pos, 1 + rng() % 40);
      REQUIRE(d.push(net::BytesView(wire).subspan(pos, n)));
      pos += n;
      for (auto& m : drain(d)) got.push_back(m);
    }
    CHECK(got == want);
  }
}

TEST_CASE("grpc framer: compressed flag, bad flag and the size limit crossed by one") {
  Deframer c(100, 200);
  REQUIRE(c.push(framed({{1, 2}}, 1)));
  Message m;
  auto r = c.next(&m);
  REQUIRE(r);
  REQUIRE(*r);
  CHECK(m.compressed);

  Deframer f(100, 200);
  REQUIRE(f.push(framed({{1}}, 2)));
  r = f.next(&m);
  REQUIRE_FALSE(r);
  CHECK(r.err() == net::Err::proto);
  CHECK(r.what() == "grpc: invalid compressed flag 2");
  CHECK_FALSE(f.next(&m));  // sticky
  CHECK_FALSE(f.push({}));

  Deframer at(100, 200);
  REQUIRE(at.push(framed({net::Bytes(100, 1)})));
  CHECK(drain(at).size() == 1);

  Deframer over(100, 200);
  net::Bytes big = framed({net::Bytes(101, 1)});
  REQUIRE(over.push(net::BytesView(big).subspan(0, 5)));  // the prefix alone decides
  r = over.next(&m);
  REQUIRE_FALSE(r);
  CHECK(r.err() == net::Err::limit);
  CHECK(r.what() == "grpc: received message larger than max (101 vs. 100)");

  Deframer cap(100, 10);
  REQUIRE(cap.push(net::Bytes(10, 0)));
  auto st = cap.push(net::Bytes(1, 0));
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::limit);
  CHECK(st.what() == "grpc: receive buffer limit of 10 bytes exceeded");
}

TEST_CASE("grpc framer: take_ack acknowledges taken messages and an incomplete head, not waiting messages") {
  Deframer d(1000, 5000);
  net::Bytes two = framed({net::Bytes(10, 1), net::Bytes(20, 2)});
  REQUIRE(d.push(two));
  CHECK(d.take_ack() == 0);  // nothing taken yet: a paused reader acknowledges nothing
  Message m;
  REQUIRE(*d.next(&m));
  CHECK(d.take_ack() == 15);
  REQUIRE(*d.next(&m));
  CHECK(d.take_ack() == 25);
  // An incomplete message is acknowledged as it arrives (it must be able to
  // grow past any window).
  net::Bytes big = framed({net::Bytes(900, 3)});
  REQUIRE(d.push(net::BytesView(big).subspan(0, 300)));
  CHECK_FALSE(*d.next(&m));
  CHECK(d.take_ack() == 300);
  REQUIRE(d.push(net::BytesView(big).subspan(300)));
  REQUIRE(*d.next(&m));
  CHECK(m.data.size() == 900);
  CHECK(d.take_ack() == 605);
  CHECK(d.take_ack() == 0);
  // discard() hands back what was never acknowledged.
  REQUIRE(d.push(framed({net::Bytes(5, 1)})));
  CHECK(d.discard() == 10);
  CHECK(d.buffered() == 0);
}
