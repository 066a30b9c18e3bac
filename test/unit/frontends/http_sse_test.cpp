// Unit tests: frontends/http/http_sse — the Server-Sent Events writer: the
// exact bytes of each field, data split at every line break, fields that
// would break the framing refused with nothing written.
#include <doctest/doctest.h>

#include <string>

#include "frontends/http/http_sse.hpp"

namespace sse = frontends::http::sse;
using net::Err;

TEST_CASE("sse: data-only event, as the bridge sends its JSON-RPC answers") {
  CHECK(sse::data_event("{\"a\":1}") == "data: {\"a\":1}\n\n");
  CHECK(sse::data_event("") == "data: \n\n");
}

TEST_CASE("sse: event, id, retry and data lines in order") {
  std::string out;
  REQUIRE(sse::append_event(out, {.event = "update", .id = "7", .data = "x", .retry_ms = 1500}));
  CHECK(out == "event: update\nid: 7\nretry: 1500\ndata: x\n\n");
}

TEST_CASE("sse: data is split at CRLF, CR and LF; a leading space survives") {
  std::string out;
  REQUIRE(sse::append_event(out, {.data = "a\r\nb\rc\nd\n"}));
  CHECK(out == "data: a\ndata: b\ndata: c\ndata: d\ndata: \n\n");
  out.clear();
  REQUIRE(sse::append_event(out, {.data = " lead"}));
  CHECK(out == "data:  lead\n\n");
}

TEST_CASE("sse: a line break in event or id, or NUL in id, is refused and nothing written") {
  std::string out = "kept";
  auto r = sse::append_event(out, {.event = "a\nevent: b", .data = "x"});
  CHECK(r.err() == Err::invalid);
  CHECK(r.what() == "sse: event name holds a line break");
  CHECK(sse::append_event(out, {.id = "1\r", .data = "x"}).err() == Err::invalid);
  CHECK(sse::append_event(out, {.id = std::string_view("1\0", 2), .data = "x"}).what() == "sse: id holds NUL");
  CHECK(out == "kept");
}

TEST_CASE("sse: comments are split per line, every line a comment") {
  std::string out;
  sse::append_comment(out, "keep-alive");
  CHECK(out == ": keep-alive\n");
  out.clear();
  sse::append_comment(out, "a\n\ndata: x");
  CHECK(out == ": a\n: \n: data: x\n");
}
