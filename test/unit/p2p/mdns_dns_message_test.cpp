#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mdns_vectors.hpp"
#include "net/bytes.hpp"
#include "p2p/mdns/dns_message.hpp"

using namespace p2p::mdns;
using net::Bytes;
using net::Err;

namespace {

Bytes unhex(std::string_view h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

Bytes header(uint16_t qd, uint16_t an, uint16_t ns = 0, uint16_t ar = 0, uint16_t flags = 0) {
  Bytes b;
  net::Writer w(b);
  w.be16(0);
  w.be16(flags);
  w.be16(qd);
  w.be16(an);
  w.be16(ns);
  w.be16(ar);
  return b;
}

void append(Bytes& b, std::initializer_list<uint8_t> v) { b.insert(b.end(), v.begin(), v.end()); }
void append_label(Bytes& b, std::string_view l) {
  b.push_back(static_cast<uint8_t>(l.size()));
  b.insert(b.end(), l.begin(), l.end());
}

void check_error(const Bytes& pkt, Err code, const std::string& what) {
  auto r = parse_message(pkt);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

Message reparse(const Message& m, bool compress) {
  auto b = build_message(m, BuildOptions{compress});
  INFO(b.what());
  REQUIRE(b.ok());
  auto r = parse_message(*b);
  INFO(r.what());
  REQUIRE(r.ok());
  return r.take();
}

}  // namespace

TEST_CASE("dns: limits are the RFC values and our documented policy") {
  CHECK(kHeaderLen == 12);
  CHECK(kMaxPacketLen == 9000);  // RFC 6762 §17
  CHECK(kMaxLabelLen == 63);
  CHECK(kMaxNameLen == 255);
  CHECK(kMaxPointerHops == 32);
  CHECK(kMaxRecordsPerSection == 128);
  CHECK(kMaxTxtStrings == 64);
  CHECK(kMaxTxtStringLen == 255);
}

TEST_CASE("dns: the js query parses and rebuilds byte for byte") {
  Bytes pkt = unhex(mdns_vectors::kJsQuery);
  auto r = parse_message(pkt);
  REQUIRE(r.ok());
  CHECK(r->id == 0);
  CHECK(r->flags == 0);
  CHECK_FALSE(r->is_response());
  REQUIRE(r->questions.size() == 1);
  CHECK(r->questions[0].name == "_p2p._udp.local");
  CHECK(r->questions[0].type == kTypePtr);
  CHECK(r->questions[0].klass == kClassIn);
  CHECK_FALSE(r->questions[0].unicast_response);
  CHECK(r->answers.empty());
  for (bool compress : {false, true}) {
    auto b = build_message(*r, BuildOptions{compress});
    REQUIRE(b.ok());
    CHECK(*b == pkt);
  }
}

TEST_CASE("dns: the js answers parse; uncompressed rebuild is byte-identical, compressed reparses equal") {
  SUBCASE("one address") {
    Bytes pkt = unhex(mdns_vectors::kJsResponseIp4);
    auto r = parse_message(pkt);
    REQUIRE(r.ok());
    CHECK(r->is_response());
    CHECK(r->flags == (kFlagResponse | kFlagAuthoritative));
    CHECK(r->questions.empty());
    REQUIRE(r->answers.size() == 2);
    CHECK(r->additionals.empty());
    const Record& ptr = r->answers[0];
    CHECK(ptr.name == "_p2p._udp.local");
    CHECK(ptr.type == kTypePtr);
    CHECK(ptr.ttl == 120);
    CHECK_FALSE(ptr.cache_flush);
    CHECK(ptr.target == std::string(mdns_vectors::kJsPeerIp4Name) + "._p2p._udp.local");
    const Record& txt = r->answers[1];
    CHECK(txt.type == kTypeTxt);
    CHECK(txt.name == ptr.target);
    CHECK(txt.ttl == 120);
    REQUIRE(txt.txt.size() == 1);
    CHECK(txt.txt[0] == "dnsaddr=/ip4/127.0.0.1/tcp/42703/p2p/" + std::string(mdns_vectors::kJsPeerIp4));
    auto plain = build_message(*r, BuildOptions{false});
    REQUIRE(plain.ok());
    CHECK(*plain == pkt);
    auto packed = build_message(*r, BuildOptions{true});
    REQUIRE(packed.ok());
    CHECK(packed->size() < pkt.size());
    CHECK(reparse(*r, true) == *r);
  }
  SUBCASE("two addresses, one TXT record each") {
    Bytes pkt = unhex(mdns_vectors::kJsResponseIp4Ip6);
    auto r = parse_message(pkt);
    REQUIRE(r.ok());
    REQUIRE(r->answers.size() == 3);
    CHECK(r->answers[1].txt == std::vector<std::string>{"dnsaddr=/ip4/127.0.0.1/tcp/40001/p2p/" +
                                                        std::string(mdns_vectors::kJsPeerIp4Ip6)});
    CHECK(r->answers[2].txt == std::vector<std::string>{"dnsaddr=/ip6/::1/tcp/40002/p2p/" +
                                                        std::string(mdns_vectors::kJsPeerIp4Ip6)});
    auto plain = build_message(*r, BuildOptions{false});
    REQUIRE(plain.ok());
    CHECK(*plain == pkt);
    CHECK(reparse(*r, true) == *r);
  }
}

TEST_CASE("dns: compression writes a pointer to the earlier suffix (RFC 1035 §4.1.4 bytes)") {
  Message m;
  m.flags = kFlagResponse;
  Record ptr;
  ptr.name = "_p2p._udp.local";
  ptr.type = kTypePtr;
  ptr.ttl = 120;
  ptr.target = "abc._p2p._udp.local";
  m.answers.push_back(ptr);
  auto b = build_message(m);
  REQUIRE(b.ok());
  Bytes want = header(0, 1, 0, 0, kFlagResponse);
  append_label(want, "_p2p");
  append_label(want, "_udp");
  append_label(want, "local");
  append(want, {0, 0, 12, 0, 1, 0, 0, 0, 120, 0, 6});
  append_label(want, "abc");
  append(want, {0xC0, 12});
  CHECK(net::to_hex(*b) == net::to_hex(want));
  auto r = parse_message(*b);
  REQUIRE(r.ok());
  CHECK(r->answers[0].target == "abc._p2p._udp.local");
  // A second record whose owner is the target: one pointer to offset 39.
  Record txt;
  txt.name = "abc._p2p._udp.local";
  txt.type = kTypeTxt;
  txt.txt = {"x"};
  m.answers.push_back(txt);
  auto b2 = build_message(m);
  REQUIRE(b2.ok());
  CHECK((*b2)[want.size()] == 0xC0);
  CHECK((*b2)[want.size() + 1] == 39);
  CHECK(reparse(m, true) == m);
  // Compression matches case-sensitively: a differently cased suffix is written out.
  m.answers[1].name = "abc._P2P._udp.local";
  CHECK(reparse(m, true) == m);
}

TEST_CASE("dns: every record type, QU and cache-flush bits, escapes and skipped types round-trip") {
  Message m;
  m.id = 0x1234;
  m.flags = kFlagResponse | kFlagAuthoritative;
  m.questions.push_back(Question{"host.local", kTypeAaaa, kClassIn, true});
  Record a;
  a.name = "host.local";
  a.type = kTypeA;
  a.cache_flush = true;
  a.ttl = 120;
  a.addr = {10, 0, 0, 7};
  Record aaaa = a;
  aaaa.type = kTypeAaaa;
  aaaa.addr = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  Record srv;
  srv.name = "My\\.Printer._ipp._tcp.local";  // a '.' inside a label
  srv.type = kTypeSrv;
  srv.priority = 1;
  srv.weight = 2;
  srv.port = 631;
  srv.target = "host.local";
  Record txt;
  txt.name = srv.name;
  txt.type = kTypeTxt;
  txt.txt = {"a=1", "", std::string(255, 'z'), std::string("\0\\.", 3)};
  m.answers = {a, aaaa};
  m.authorities = {srv};
  m.additionals = {txt};
  for (bool compress : {false, true}) {
    Message back = reparse(m, compress);
    CHECK(back == m);
    CHECK(back.questions[0].unicast_response);
    CHECK(back.answers[0].cache_flush);
    CHECK(back.authorities[0].name == "My\\.Printer._ipp._tcp.local");
  }
  CHECK(first_label("My\\.Printer._ipp._tcp.local") == "My.Printer");
  std::string_view rest;
  CHECK(first_label("abc._p2p._udp.local", &rest) == "abc");
  CHECK(rest == "_p2p._udp.local");
  CHECK(escape_label("a.b\\c") == "a\\.b\\\\c");
  CHECK(name_equal("_P2P._udp.LOCAL", "_p2p._udp.local"));
  CHECK_FALSE(name_equal("_p2p._udp.local", "_p2p._udp.locals"));

  // An NSEC record (type 47) is validated by length and skipped.
  Bytes pkt = header(0, 2, 0, 0, kFlagResponse);
  append(pkt, {0, 0, 47, 0, 1, 0, 0, 0, 1, 0, 3, 0xAA, 0xBB, 0xCC});
  append(pkt, {0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4});
  auto r = parse_message(pkt);
  REQUIRE(r.ok());
  CHECK(r->skipped == 1);
  REQUIRE(r->answers.size() == 1);
  CHECK(r->answers[0].type == kTypeA);
  CHECK(r->answers[0].name == "");
  // Trailing bytes after the last record are ignored.
  pkt.push_back(0x99);
  CHECK(parse_message(pkt).ok());
}

TEST_CASE("dns: compression pointer attacks are refused with the offset") {
  SUBCASE("a pointer to itself") {
    Bytes p = header(1, 0);
    append(p, {0xC0, 12, 0, 12, 0, 1});
    check_error(p, Err::proto, "dns: compression pointer at offset 12 points forward to 12");
  }
  SUBCASE("a label followed by a pointer back to it (a loop through backward pointers)") {
    Bytes p = header(1, 0);
    append(p, {1, 'a', 0xC0, 12, 0, 12, 0, 1});
    check_error(p, Err::proto, "dns: compression pointer at offset 14 points forward to 12");
  }
  SUBCASE("two names pointing at each other") {
    // q1 at 12: "b" -> 18; q2 at 18... q1's pointer points forward.
    Bytes p = header(2, 0);
    append(p, {1, 'b', 0xC0, 18, 0, 12, 0, 1, 1, 'c', 0xC0, 12, 0, 12, 0, 1});
    check_error(p, Err::proto, "dns: compression pointer at offset 14 points forward to 18");
  }
  SUBCASE("a forward pointer") {
    Bytes p = header(1, 0);
    append(p, {0xC0, 20, 0, 12, 0, 1, 0, 0, 0, 0});
    check_error(p, Err::proto, "dns: compression pointer at offset 12 points forward to 20");
  }
  SUBCASE("a pointer past the end") {
    Bytes p = header(1, 0);
    append(p, {0xC0, 0xFF, 0, 12, 0, 1});
    check_error(p, Err::proto, "dns: compression pointer at offset 12 points past the end to 255");
    Bytes q = header(1, 0);
    append(q, {0xFF, 0xFF, 0, 12, 0, 1});
    check_error(q, Err::proto, "dns: compression pointer at offset 12 points past the end to 16383");
  }
  SUBCASE("a pointer into the header") {
    Bytes p = header(2, 0);
    append(p, {0, 0, 12, 0, 1, 0xC0, 4, 0, 12, 0, 1});
    check_error(p, Err::proto, "dns: compression pointer at offset 17 points into the header to 4");
  }
  SUBCASE("a truncated pointer") {
    Bytes p = header(1, 0);
    append(p, {0xC0});
    check_error(p, Err::proto, "dns: compression pointer at offset 12 runs past the end of the packet");
  }
  SUBCASE("a backward chain of 32 pointers passes, 33 is refused") {
    // Question k (k >= 1) is a pointer to question k-1's name; question 0 is
    // the root. Question k's name follows k pointers.
    for (size_t n : {kMaxPointerHops + 1, kMaxPointerHops + 2}) {
      Bytes p = header(static_cast<uint16_t>(n), 0);
      size_t prev = p.size();
      append(p, {0, 0, 12, 0, 1});
      for (size_t k = 1; k < n; ++k) {
        size_t here = p.size();
        append(p, {static_cast<uint8_t>(0xC0 | (prev >> 8)), static_cast<uint8_t>(prev), 0, 12, 0, 1});
        prev = here;
      }
      if (n == kMaxPointerHops + 1) {
        auto r = parse_message(p);
        REQUIRE(r.ok());
        CHECK(r->questions.back().name == "");
      } else {
        check_error(p, Err::limit,
                    "dns: name at offset " + std::to_string(prev) + " follows more than 32 compression pointers");
      }
    }
  }
}

TEST_CASE("dns: label and name length limits, crossed by one") {
  SUBCASE("a label length byte of 64 is the reserved type 0x40") {
    Bytes p = header(1, 0);
    p.push_back(64);
    p.insert(p.end(), 64, 'a');
    append(p, {0, 0, 12, 0, 1});
    check_error(p, Err::proto, "dns: reserved label type 0x40 at offset 12 (a label is at most 63 bytes)");
    Bytes q = header(1, 0);
    append(q, {0x80, 0, 0, 12, 0, 1});
    check_error(q, Err::proto, "dns: reserved label type 0x80 at offset 12 (a label is at most 63 bytes)");
  }
  SUBCASE("a name of 255 bytes passes, 256 is refused") {
    for (size_t last : {61, 62}) {
      Bytes p = header(1, 0);
      for (size_t len : {size_t{63}, size_t{63}, size_t{63}, last}) append_label(p, std::string(len, 'x'));
      append(p, {0, 0, 12, 0, 1});
      if (last == 61) {
        auto r = parse_message(p);
        REQUIRE(r.ok());
        CHECK(r->questions[0].name.size() == 63 * 3 + 61 + 3);
        CHECK(reparse(*r, true) == *r);
      } else {
        check_error(p, Err::limit, "dns: name at offset 12 exceeds 255 bytes");
      }
    }
  }
  SUBCASE("the 255-byte limit counts through compression pointers") {
    Bytes p = header(2, 0);
    for (int i = 0; i < 3; ++i) append_label(p, std::string(63, 'x'));
    append(p, {0, 0, 12, 0, 1});  // 193 bytes at offset 12
    append_label(p, std::string(61, 'y'));  // + 62 = 255
    append(p, {0xC0, 12, 0, 12, 0, 1});
    auto r = parse_message(p);
    REQUIRE(r.ok());
    Bytes q = header(2, 0);
    for (int i = 0; i < 3; ++i) append_label(q, std::string(63, 'x'));
    append(q, {0, 0, 12, 0, 1});
    append_label(q, std::string(62, 'y'));
    append(q, {0xC0, 12, 0, 12, 0, 1});
    check_error(q, Err::limit, "dns: name at offset 209 exceeds 255 bytes");
  }
  SUBCASE("building refuses what parsing would") {
    Message m;
    m.questions.push_back(Question{std::string(64, 'a') + ".local"});
    auto b = build_message(m);
    CHECK(b.err() == Err::invalid);
    CHECK(b.what() == "dns: label of 64 bytes in name \"" + std::string(64, 'a') + ".local\" exceeds 63");
    m.questions[0].name = std::string(63, 'a') + ".local";
    CHECK(build_message(m).ok());
    std::string n255 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                       std::string(61, 'd');
    m.questions[0].name = n255;
    CHECK(build_message(m).ok());
    m.questions[0].name = n255 + "d";
    b = build_message(m);
    CHECK(b.err() == Err::invalid);
    CHECK(b.what() == "dns: name \"" + n255 + "d\" of 256 bytes exceeds 255");
    m.questions[0].name = "a..local";
    b = build_message(m);
    CHECK(b.what() == "dns: name \"a..local\" has an empty label");
    m.questions[0].name = "a\\";
    b = build_message(m);
    CHECK(b.what() == "dns: name \"a\\\" ends in a dangling '\\'");
    m.questions[0].name = "_p2p._udp.local.";  // a trailing dot is the same name
    auto ok = build_message(m);
    REQUIRE(ok.ok());
    CHECK(*ok == unhex(mdns_vectors::kJsQuery));
  }
}

TEST_CASE("dns: truncated input at every length of the js answer is refused, never read past") {
  Bytes pkt = unhex(mdns_vectors::kJsResponseIp4Ip6);
  for (size_t n = 0; n < pkt.size(); ++n) {
    Bytes cut(pkt.begin(), pkt.begin() + static_cast<long>(n));
    auto r = parse_message(cut);
    CAPTURE(n);
    CHECK_FALSE(r.ok());
    CHECK(r.err() == Err::proto);
  }
  check_error(Bytes(11, 0), Err::proto, "dns: truncated header (11 bytes, need 12)");
  Bytes q = header(1, 0);
  append(q, {0, 0, 12});
  check_error(q, Err::proto, "dns: question 0 at offset 12: truncated");
  Bytes a = header(0, 1);
  append(a, {0, 0, 1, 0, 1, 0, 0, 0});
  check_error(a, Err::proto, "dns: answer 0 at offset 12: truncated record header");
  Bytes rd = header(0, 0, 0, 1);
  append(rd, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3});
  check_error(rd, Err::proto, "dns: additional 0 at offset 12: rdata of 4 bytes runs past the end");
  Bytes lab = header(1, 0);
  append(lab, {5, 'a', 'b'});
  check_error(lab, Err::proto, "dns: label at offset 12 runs past the end of the packet");
  Bytes nm = header(1, 0);
  append(nm, {1, 'a'});
  check_error(nm, Err::proto, "dns: name at offset 12 runs past the end of the packet");
}

TEST_CASE("dns: rdata must have the size its type requires") {
  SUBCASE("A of 5 bytes, AAAA of 4") {
    Bytes p = header(0, 1);
    append(p, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5});
    check_error(p, Err::proto, "dns: answer 0 at offset 12: A rdata of 5 bytes, expected 4");
    Bytes q = header(0, 1);
    append(q, {0, 0, 28, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
    check_error(q, Err::proto, "dns: answer 0 at offset 12: AAAA rdata of 4 bytes, expected 16");
  }
  SUBCASE("a PTR whose name ends before or after its rdata") {
    Bytes p = header(0, 1);
    append(p, {0, 0, 12, 0, 1, 0, 0, 0, 0, 0, 4, 1, 'a', 0, 0});
    check_error(p, Err::proto, "dns: answer 0 at offset 12: PTR name ends at 26 but its rdata ends at 27");
    Bytes q = header(0, 1);
    append(q, {0, 0, 12, 0, 1, 0, 0, 0, 0, 0, 2, 1, 'a', 0});
    check_error(q, Err::proto, "dns: answer 0 at offset 12: PTR name ends at 26 but its rdata ends at 25");
  }
  SUBCASE("an SRV shorter than its fixed part") {
    Bytes p = header(0, 1);
    append(p, {0, 0, 33, 0, 1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0});
    check_error(p, Err::proto, "dns: answer 0 at offset 12: SRV rdata of 5 bytes is too short");
  }
  SUBCASE("a TXT string overrunning its rdata") {
    Bytes p = header(0, 1);
    append(p, {0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 3, 5, 'a', 'b', 0, 0, 0});
    check_error(p, Err::proto, "dns: answer 0 at offset 12: TXT string at offset 23 runs past its rdata");
  }
  SUBCASE("64 TXT strings pass, 65 are refused") {
    for (size_t n : {kMaxTxtStrings, kMaxTxtStrings + 1}) {
      Bytes p = header(0, 1);
      append(p, {0, 0, 16, 0, 1, 0, 0, 0, 0});
      p.push_back(static_cast<uint8_t>((2 * n) >> 8));
      p.push_back(static_cast<uint8_t>(2 * n));
      for (size_t i = 0; i < n; ++i) append(p, {1, 'k'});
      if (n == kMaxTxtStrings) {
        auto r = parse_message(p);
        REQUIRE(r.ok());
        CHECK(r->answers[0].txt.size() == 64);
      } else {
        check_error(p, Err::limit, "dns: answer 0 at offset 12: TXT record has more than 64 strings");
      }
    }
    Message m;
    Record t;
    t.name = "x.local";
    t.type = kTypeTxt;
    t.txt.assign(65, "k");
    m.answers.push_back(t);
    auto b = build_message(m);
    CHECK(b.err() == Err::invalid);
    CHECK(b.what() == "dns: TXT record \"x.local\" has 65 strings, more than 64");
    m.answers[0].txt = {std::string(256, 'a')};
    b = build_message(m);
    CHECK(b.what() == "dns: TXT string of 256 bytes exceeds 255");
    m.answers[0].type = 47;
    b = build_message(m);
    CHECK(b.what() == "dns: cannot build a record of type 47");
  }
}

TEST_CASE("dns: packet size and section count limits, crossed by one") {
  Bytes p = header(0, 0);
  p.resize(kMaxPacketLen, 0);  // trailing bytes are ignored
  CHECK(parse_message(p).ok());
  p.push_back(0);
  check_error(p, Err::limit, "dns: packet of 9001 bytes exceeds 9000");

  for (size_t n : {kMaxRecordsPerSection, kMaxRecordsPerSection + 1}) {
    Bytes q = header(0, static_cast<uint16_t>(n));
    for (size_t i = 0; i < n; ++i) append(q, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
    if (n == kMaxRecordsPerSection) {
      auto r = parse_message(q);
      REQUIRE(r.ok());
      CHECK(r->answers.size() == 128);
    } else {
      check_error(q, Err::limit, "dns: 129 answers exceed 128");
    }
  }
  check_error(header(200, 0), Err::limit, "dns: 200 questions exceed 128");
  check_error(header(0, 0, 0, 65535), Err::limit, "dns: 65535 additionals exceed 128");

  // Building: 36 TXT records of 255-byte strings exceed 9000 bytes.
  Message m;
  m.flags = kFlagResponse;
  for (int i = 0; i < 36; ++i) {
    Record t;
    t.name = "x.local";
    t.type = kTypeTxt;
    t.txt = {std::string(250, 'a')};
    m.answers.push_back(t);
  }
  auto b = build_message(m);
  CHECK(b.err() == Err::limit);
  CHECK(b.what().rfind("dns: message exceeds 9000 bytes (", 0) == 0);
  m.answers.resize(34);
  CHECK(build_message(m).ok());
  m.answers.resize(129);
  b = build_message(m);
  CHECK(b.err() == Err::invalid);
  CHECK(b.what() == "dns: 129 answer records exceed 128");
}
