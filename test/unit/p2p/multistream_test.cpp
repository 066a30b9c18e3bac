#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/bytes.hpp"
#include "p2p/multistream/multistream.hpp"
#include "pair.hpp"

using namespace p2p::multistream;
using net::Bytes;
using net::Err;
using test::Split;

namespace {

std::string hex_msg(std::string_view line) {
  Bytes b;
  encode_message(line, b);
  return net::to_hex(b);
}

Bytes msgs(std::initializer_list<std::string_view> lines) {
  Bytes b;
  for (auto l : lines) encode_message(l, b);
  return b;
}

Bytes cat(Bytes a, net::BytesView b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<std::string> kServed = {"/noise", "/tls/1.0.0", "/yamux/1.0.0"};

}  // namespace

TEST_CASE("multistream: spec vectors (specs.md §3)") {
  CHECK(hex_msg("/multistream/1.0.0") == "132f6d756c746973747265616d2f312e302e300a");
  CHECK(hex_msg("/noise") == "072f6e6f6973650a");
  CHECK(hex_msg("/yamux/1.0.0") == "0d2f79616d75782f312e302e300a");
  CHECK(hex_msg("na") == "036e610a");
  CHECK(hex_msg("ls") == "036c730a");
  Bytes b;
  REQUIRE(net::from_hex("072f6e6f6973650a", &b));
  auto m = decode_message(b);
  REQUIRE(m);
  CHECK(m->line == "/noise");
  CHECK(m->consumed == 8);
}

TEST_CASE("multistream: codec errors and the 1024-byte limit crossed by one") {
  SUBCASE("1024 accepted, 1025 refused before the body arrives") {
    std::string ok(kMaxMessageLen - 1, 'a');
    Bytes b = msgs({ok});
    auto m = decode_message(b);
    REQUIRE(m);
    CHECK(m->line.size() == 1023);
    Bytes big = msgs({ok + "a"});
    big.resize(3);  // only the prefix: refused already
    auto r = decode_message(big);
    CHECK(r.err() == Err::limit);
    CHECK(r.what() == "multistream: message of 1025 bytes exceeds 1024");
  }
  SUBCASE("incomplete") {
    Bytes b = msgs({"/noise"});
    for (size_t n = 0; n < b.size(); ++n) {
      auto r = decode_message(net::BytesView(b).first(n));
      CHECK(r.err() == Err::need_more);
    }
  }
  SUBCASE("missing newline") {
    Bytes b = {0x03, 'a', 'b', 'c'};
    auto r = decode_message(b);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "multistream: message does not end in newline");
    Bytes z = {0x00};
    CHECK(decode_message(z).what() == "multistream: message does not end in newline");
  }
  SUBCASE("bad varint") {
    Bytes b = {0x80, 0x00};
    auto r = decode_message(b);
    CHECK(r.err() == Err::proto);
    CHECK(r.what().rfind("multistream: bad length prefix: ", 0) == 0);
  }
  SUBCASE("protocol id checks") {
    CHECK(check_protocol_id("/a"));
    CHECK(check_protocol_id(std::string(1023, 'x')));
    CHECK(check_protocol_id(std::string(1024, 'x')).what() == "multistream: protocol id of 1024 bytes exceeds 1023");
    CHECK(check_protocol_id("").err() == Err::invalid);
    CHECK(check_protocol_id("/a\nb").what() == "multistream: protocol id contains a newline");
    CHECK(check_protocol_id("na").what() == "multistream: protocol id 'na' is reserved");
  }
}

TEST_CASE("multistream: ls response round trip and size cap") {
  Bytes out;
  encode_ls_response(kServed, out);
  auto m = decode_message(out);
  REQUIRE(m);
  CHECK(m->consumed == out.size());
  Bytes body(out.begin() + 1, out.end());  // outer prefix is 1 byte here
  auto list = decode_ls_response(body);
  REQUIRE(list);
  CHECK(*list == kServed);
  // Many protocols: the response stays within 1024 bytes.
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i) many.push_back("/proto/number/" + std::to_string(i));
  Bytes big;
  encode_ls_response(many, big);
  auto mm = decode_message(big);
  REQUIRE(mm);
  CHECK(mm->consumed == big.size());
  auto l2 = decode_ls_response(net::BytesView(big).subspan(2));
  REQUIRE(l2);
  CHECK(l2->size() < many.size());
  CHECK(l2->front() == "/proto/number/0");
  Bytes trunc = {0x05, '/', 'a'};
  CHECK(decode_ls_response(trunc).what() == "multistream: truncated ls response");
}

TEST_CASE("multistream: initiator and responder agree on the first protocol") {
  for (Split sp : {Split::whole, Split::bytes, Split::random}) {
    Initiator ini({"/yamux/1.0.0", "/mplex/6.7.0"}, 0);
    Responder rsp(kServed, 0);
    test::Pair p(test::endpoint_of(ini), test::endpoint_of(rsp), 7);
    p.split = sp;
    p.max_piece = 5;
    p.drive();
    CHECK(ini.state() == State::selected);
    CHECK(rsp.state() == State::selected);
    CHECK(ini.protocol() == "/yamux/1.0.0");
    CHECK(rsp.protocol() == "/yamux/1.0.0");
    CHECK(rsp.rounds() == 1);
    CHECK(p.a().unconsumed.empty());
    CHECK(p.b().unconsumed.empty());
    CHECK(ini.next_deadline() == net::kNever);
  }
}

TEST_CASE("multistream: na then accept") {
  Initiator ini({"/mplex/6.7.0", "/unknown", "/yamux/1.0.0"}, 0);
  Responder rsp(kServed, 0);
  test::Pair p(test::endpoint_of(ini), test::endpoint_of(rsp));
  p.drive();
  CHECK(ini.state() == State::selected);
  CHECK(ini.protocol() == "/yamux/1.0.0");
  CHECK(rsp.protocol() == "/yamux/1.0.0");
  CHECK(rsp.rounds() == 3);
  CHECK(!ini.lazy());
}

TEST_CASE("multistream: all refused") {
  SUBCASE("several") {
    Initiator ini({"/a", "/b"}, 0);
    Responder rsp(kServed, 0);
    test::Pair p(test::endpoint_of(ini), test::endpoint_of(rsp));
    p.drive();
    CHECK(ini.state() == State::failed);
    CHECK(ini.error().code == Err::unsupported);
    CHECK(ini.error().what == "multistream: peer refused all 2 proposed protocols");
    REQUIRE(p.a().error);
    CHECK(rsp.state() == State::negotiating);  // the initiator closes the stream
  }
  SUBCASE("one, lazy") {
    Initiator ini({"/a"}, 0);
    Responder rsp(kServed, 0);
    test::Pair p(test::endpoint_of(ini), test::endpoint_of(rsp));
    p.drive();
    CHECK(ini.error().what == "multistream: peer refused protocol '/a'");
  }
}

TEST_CASE("multistream: lazy select with early data both ways in one read") {
  for (Split sp : {Split::whole, Split::bytes, Split::random}) {
    Initiator ini({"/noise"}, 0);
    REQUIRE(ini.lazy());
    REQUIRE(ini.may_send_early());
    // The dialer's first flight: header + proposal + early app data.
    Bytes flight(ini.pending_output().begin(), ini.pending_output().end());
    ini.consume_output(flight.size());
    Bytes early = net::to_bytes("EARLY-DATA-FROM-DIALER");
    flight = cat(flight, early);

    Responder rsp(kServed, 0);
    Bytes rsp_out;
    size_t fed = 0;
    size_t piece = sp == Split::bytes ? 1 : sp == Split::random ? 3 : flight.size();
    Bytes app_in;
    while (fed < flight.size()) {
      size_t n = std::min(piece, flight.size() - fed);
      auto chunk = net::BytesView(flight).subspan(fed, n);
      auto r = rsp.feed(chunk, 1);
      REQUIRE(r);
      app_in.insert(app_in.end(), chunk.begin() + static_cast<ptrdiff_t>(*r), chunk.end());
      fed += n;
    }
    CHECK(rsp.state() == State::selected);
    CHECK(rsp.protocol() == "/noise");
    CHECK(app_in == early);
    // The listener answers header + echo + its own first app bytes at once.
    Bytes back(rsp.pending_output().begin(), rsp.pending_output().end());
    rsp.consume_output(back.size());
    CHECK(net::to_hex(back) == hex_msg("/multistream/1.0.0") + hex_msg("/noise"));
    Bytes reply = net::to_bytes("listener-says-hi");
    back = cat(back, reply);
    auto r = ini.feed(back, 2);
    REQUIRE(r);
    CHECK(ini.state() == State::selected);
    CHECK(Bytes(back.begin() + static_cast<ptrdiff_t>(*r), back.end()) == reply);
    // Once selected, feed consumes nothing: it is all application data.
    auto again = ini.feed(reply, 3);
    REQUIRE(again);
    CHECK(*again == 0);
  }
}

TEST_CASE("multistream: lazy through the pair harness keeps trailing bytes for the app") {
  Initiator ini({"/yamux/1.0.0"}, 0);
  Responder rsp(kServed, 0);
  test::Endpoint ea = test::endpoint_of(ini);
  // The dialer's application writes right behind the negotiation output.
  Bytes app = net::to_bytes("hello");
  bool appended = false;
  Bytes staged;
  ea.pending_output = [&]() -> net::BytesView {
    if (!appended) {
      staged.assign(ini.pending_output().begin(), ini.pending_output().end());
      staged.insert(staged.end(), app.begin(), app.end());
      appended = true;
    }
    return staged;
  };
  ea.consume_output = [&](size_t n) {
    ini.consume_output(std::min(n, ini.pending_output().size()));
    staged.erase(staged.begin(), staged.begin() + static_cast<ptrdiff_t>(n));
  };
  test::Pair p(ea, test::endpoint_of(rsp));
  p.split = Split::random;
  p.max_piece = 4;
  p.drive();
  CHECK(rsp.state() == State::selected);
  CHECK(ini.state() == State::selected);
  CHECK(p.b().unconsumed == app);
}

TEST_CASE("multistream: bad header") {
  SUBCASE("responder") {
    Responder rsp(kServed, 0);
    Bytes in = msgs({"/multistream/2.0.0", "/noise"});
    auto r = rsp.feed(in, 0);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "multistream: bad header '/multistream/2.0.0'");
    CHECK(rsp.state() == State::failed);
    CHECK(rsp.feed(in, 0).what() == r.what());  // sticky
  }
  SUBCASE("initiator") {
    Initiator ini({"/noise"}, 0);
    Bytes in = msgs({"/noise"});
    auto r = ini.feed(in, 0);
    CHECK(r.what() == "multistream: bad header '/noise'");
  }
  SUBCASE("garbage bytes are quoted safely") {
    Responder rsp(kServed, 0);
    Bytes in = {0x03, 0x01, 0xff, '\n'};
    CHECK(rsp.feed(in, 0).what() == "multistream: bad header '?" "?'");
  }
}

TEST_CASE("multistream: unexpected response to a proposal") {
  Initiator ini({"/noise"}, 0);
  Bytes in = msgs({"/multistream/1.0.0", "/tls/1.0.0"});
  auto r = ini.feed(in, 0);
  CHECK(r.err() == Err::proto);
  CHECK(r.what() == "multistream: unexpected response '/tls/1.0.0' to proposal '/noise'");
}

TEST_CASE("multistream: oversize line and missing newline fail the core") {
  SUBCASE("oversize") {
    Responder rsp(kServed, 0);
    Bytes in = msgs({"/multistream/1.0.0"});
    in.push_back(0x82);  // 0x0402 = 1026 > 1024
    in.push_back(0x08);
    auto r = rsp.feed(in, 0);
    CHECK(r.err() == Err::limit);
    CHECK(r.what() == "multistream: message of 1026 bytes exceeds 1024");
  }
  SUBCASE("exactly 1024 is fine, split byte by byte") {
    Responder rsp(kServed, 0);
    Bytes in = msgs({"/multistream/1.0.0", std::string(1023, 'p'), "/noise"});
    for (size_t i = 0; i < in.size(); ++i) REQUIRE(rsp.feed(net::BytesView(in).subspan(i, 1), 0));
    CHECK(rsp.state() == State::selected);
    CHECK(rsp.rounds() == 2);
  }
  SUBCASE("missing newline") {
    Responder rsp(kServed, 0);
    Bytes in = msgs({"/multistream/1.0.0"});
    Bytes bad = {0x07, '/', 'n', 'o', 'i', 's', 'e', '!'};
    in = cat(in, bad);
    CHECK(rsp.feed(in, 0).what() == "multistream: message does not end in newline");
  }
}

TEST_CASE("multistream: too many rounds (16 answered, the 17th refused)") {
  Responder rsp(kServed, 0);
  Bytes in = msgs({"/multistream/1.0.0"});
  for (int i = 0; i < 16; ++i) encode_message("/nope/" + std::to_string(i), in);
  auto r = rsp.feed(in, 0);
  REQUIRE(r);
  CHECK(rsp.rounds() == 16);
  CHECK(rsp.state() == State::negotiating);
  Bytes one = msgs({"/noise"});
  auto r2 = rsp.feed(one, 0);
  CHECK(r2.err() == Err::limit);
  CHECK(r2.what() == "multistream: more than 16 proposals");
  // The initiator side: 16 proposals allowed, 17 refused at construction.
  std::vector<std::string> p16, p17;
  for (int i = 0; i < 16; ++i) p16.push_back("/p/" + std::to_string(i));
  p17 = p16;
  p17.push_back("/p/16");
  CHECK(Initiator(p16, 0).state() == State::negotiating);
  Initiator bad(p17, 0);
  CHECK(bad.state() == State::failed);
  CHECK(bad.error().what == "multistream: 17 protocols exceed the limit of 16");
  CHECK(bad.pending_output().empty());
}

TEST_CASE("multistream: ls is answered with the supported list, then a proposal") {
  Responder rsp(kServed, 0);
  Bytes in = msgs({"/multistream/1.0.0", "ls"});
  REQUIRE(rsp.feed(in, 0));
  Bytes out(rsp.pending_output().begin(), rsp.pending_output().end());
  rsp.consume_output(out.size());
  auto hdr = decode_message(out);
  REQUIRE(hdr);
  CHECK(hdr->line == "/multistream/1.0.0");
  auto lsm = decode_message(net::BytesView(out).subspan(hdr->consumed));
  REQUIRE(lsm);
  Bytes body(out.begin() + static_cast<ptrdiff_t>(hdr->consumed) + 1, out.end());
  auto list = decode_ls_response(body);
  REQUIRE(list);
  CHECK(*list == kServed);
  Bytes sel = msgs({"/tls/1.0.0"});
  REQUIRE(rsp.feed(sel, 0));
  CHECK(rsp.protocol() == "/tls/1.0.0");
  CHECK(rsp.rounds() == 2);
}

TEST_CASE("multistream: a proposal of 'na' or an empty line gets na") {
  Responder rsp(kServed, 0);
  Bytes in = msgs({"/multistream/1.0.0", "na", ""});
  REQUIRE(rsp.feed(in, 0));
  Bytes want = msgs({"/multistream/1.0.0", "na", "na"});
  CHECK(net::to_hex(rsp.pending_output()) == net::to_hex(want));
}

TEST_CASE("multistream: negotiation timeout") {
  Initiator ini({"/noise"}, 5 * net::kSecond);
  CHECK(ini.next_deadline() == 15 * net::kSecond);
  ini.on_timeout(15 * net::kSecond - 1);
  CHECK(ini.state() == State::negotiating);
  ini.on_timeout(15 * net::kSecond);
  CHECK(ini.state() == State::failed);
  CHECK(ini.error().code == Err::timeout);
  CHECK(ini.error().what == "multistream: negotiation timed out");
  CHECK(ini.next_deadline() == net::kNever);
  // Through the pair: a responder whose peer never answers.
  Responder rsp(kServed, 0);
  test::Endpoint silent;
  silent.pending_output = [] { return net::BytesView(); };
  silent.consume_output = [](size_t) {};
  silent.feed = [](net::BytesView in, net::Instant) -> net::Result<size_t> { return in.size(); };
  silent.next_deadline = [] { return net::kNever; };
  silent.on_timeout = [](net::Instant) {};
  test::Pair p(test::endpoint_of(rsp), silent);
  p.run_for(20 * net::kSecond);
  CHECK(rsp.state() == State::failed);
  CHECK(rsp.error().code == Err::timeout);
  // A feed after the deadline fails too.
  Responder late(kServed, 0);
  CHECK(late.feed(msgs({"/multistream/1.0.0"}), kNegotiationTimeoutNs).err() == Err::timeout);
}

TEST_CASE("multistream: invalid local configuration") {
  CHECK(Initiator(std::vector<std::string>{}, 0).error().what == "multistream: no protocol to propose");
  CHECK(Initiator({"/a\n"}, 0).error().code == Err::invalid);
  std::vector<std::string> bad = {"ls"};
  CHECK(Responder(bad, 0).error().what == "multistream: protocol id 'ls' is reserved");
}

TEST_CASE("multistream: split invariance of the responder") {
  Bytes in = msgs({"/multistream/1.0.0", "/a", "ls", "/b", "/yamux/1.0.0"});
  Bytes tail = net::to_bytes("app");
  in = cat(in, tail);
  auto run = [&](size_t seed_or_zero) {
    Responder rsp(kServed, 0);
    std::mt19937_64 rng(seed_or_zero);
    Bytes rest;
    size_t off = 0;
    while (off < in.size()) {
      size_t n = seed_or_zero == 0 ? in.size() : seed_or_zero == 1 ? 1 : 1 + rng() % 9;
      n = std::min(n, in.size() - off);
      auto chunk = net::BytesView(in).subspan(off, n);
      auto r = rsp.feed(chunk, 0);
      REQUIRE(r);
      rest.insert(rest.end(), chunk.begin() + static_cast<ptrdiff_t>(*r), chunk.end());
      off += n;
    }
    return std::make_pair(net::to_hex(rsp.pending_output()) + "|" + rsp.protocol(), rest);
  };
  auto whole = run(0);
  CHECK(whole.second == tail);
  CHECK(run(1) == whole);
  for (size_t seed = 2; seed < 40; ++seed) CHECK(run(seed) == whole);
}
