// Unit tests: frontends/json/json_writer — escaping table, UTF-8
// validation and replacement, numbers, structure, pretty printing.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "frontends/json/json_limits.hpp"
#include "frontends/json/json_writer.hpp"

using namespace frontends::json;

namespace {
std::string str(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}
std::string dbl(double d) {
  std::string out;
  append_double(out, d);
  return out;
}
}  // namespace

TEST_CASE("json writer: string escaping table (Go encoding/json rules)") {
  struct V {
    std::string in, out;
  };
  const V table[] = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"a\"b", R"("a\"b")"},
      {"a\\b", R"("a\\b")"},
      {"/ < > & stay", R"("/ < > & stay")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string("\0", 1), R"("\u0000")"},
      {"\x01\x1f", R"("\u0001\u001f")"},
      {"\x0b", R"("\u000b")"},
      {"\x7f", "\"\x7f\""},
      {"\xc3\xa9t\xc3\xa9", "\"\xc3\xa9t\xc3\xa9\""},          // été kept
      {"\xe2\x82\xac", "\"\xe2\x82\xac\""},                     // €
      {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},             // U+1F600
      {"\xe2\x80\xa8 \xe2\x80\xa9", R"("\u2028 \u2029")"},      // line/paragraph separators
      {"\xe2\x80\xa7", "\"\xe2\x80\xa7\""},                     // U+2027 kept
  };
  for (const V& v : table) {
    CAPTURE(v.in);
    CHECK(str(v.in) == v.out);
  }
}

TEST_CASE("json writer: invalid UTF-8 becomes one U+FFFD per bad byte") {
  const std::string R = "\xef\xbf\xbd";
  struct V {
    std::string in, out;
    size_t replaced;
  };
  const V table[] = {
      {"bad \xff byte", "\"bad " + R + " byte\"", 1},
      {"\xc3", "\"" + R + "\"", 1},                          // truncated
      {"\xc0\xaf", "\"" + R + R + "\"", 2},                  // overlong '/'
      {"\xe0\x80\xaf", "\"" + R + R + R + "\"", 3},          // overlong 3-byte
      {"\xed\xa0\x80", "\"" + R + R + R + "\"", 3},          // surrogate U+D800
      {"\xf4\x90\x80\x80", "\"" + R + R + R + R + "\"", 4},  // above U+10FFFF
      {"\xf5\x80", "\"" + R + R + "\"", 2},
      {"\x80", "\"" + R + "\"", 1},                          // lone continuation
      {"a\xe2\x82", "\"a" + R + R + "\"", 2},                // truncated at the end
  };
  for (const V& v : table) {
    CAPTURE(v.in);
    std::string out;
    CHECK(append_string(out, v.in) == v.replaced);
    CHECK(out == v.out);
    CHECK(utf8_valid(out));
  }
  std::string out;
  Writer w(out);
  w.begin_object().member("k\xff", "v\xfe\xfd").end_object();
  CHECK(w.complete());
  CHECK(w.replaced() == 3);
}

TEST_CASE("json writer: utf8_valid reports the first bad offset") {
  size_t off = 99;
  CHECK(utf8_valid(""));
  CHECK(utf8_valid("ascii"));
  CHECK(utf8_valid("\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));
  CHECK_FALSE(utf8_valid("ab\xc1\x81", &off));
  CHECK(off == 2);
  CHECK_FALSE(utf8_valid("abc\xed\xbf\xbf", &off));  // U+DFFF
  CHECK(off == 3);
  CHECK_FALSE(utf8_valid("\xf0\x8f\xbf\xbf", &off));  // overlong 4-byte
  CHECK(off == 0);
  CHECK_FALSE(utf8_valid("x\xe2\x82", &off));
  CHECK(off == 1);
}

TEST_CASE("json writer: numbers — integers exact, doubles shortest round trip") {
  std::string out;
  Writer w(out);
  w.begin_array()
      .value(0)
      .value(-1)
      .value(std::numeric_limits<int64_t>::min())
      .value(std::numeric_limits<int64_t>::max())
      .value(std::numeric_limits<uint64_t>::max())
      .value(static_cast<uint8_t>(255))
      .value(static_cast<short>(-3))
      .end_array();
  CHECK(w.complete());
  CHECK(out == "[0,-1,-9223372036854775808,9223372036854775807,18446744073709551615,255,-3]");

  CHECK(dbl(0.1) == "0.1");
  CHECK(dbl(1.0) == "1");
  CHECK(dbl(-2.6666666666666668e19) == "-2.666666666666667e+19");  // not an out-of-range integer (fuzz-found)
  CHECK(dbl(1e21) == "1e+21");
  CHECK(dbl(-9223372036854774784.0) == "-9223372036854774784");  // fits int64: integral form is fine
  CHECK(dbl(-0.0) == "-0.0");  // not "-0": that reads back as integer 0 (found by fuzz_json_parse)
  CHECK(dbl(1.5e-3) == "0.0015");
  CHECK(dbl(1e21) == "1e+21");
  CHECK(dbl(123456789.125) == "123456789.125");
  CHECK(dbl(5e-324) == "5e-324");
  CHECK(dbl(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(dbl(0.1 + 0.2) == "0.30000000000000004");
  CHECK(dbl(std::nan("")) == "null");
  CHECK(dbl(std::numeric_limits<double>::infinity()) == "null");
  CHECK(dbl(-std::numeric_limits<double>::infinity()) == "null");
  // Round trip of a few awkward values.
  for (double d : {3.141592653589793, 2.2250738585072014e-308, 1e-7, 9007199254740993.0, 1e23}) {
    std::string s = dbl(d);
    CHECK(std::strtod(s.c_str(), nullptr) == d);
  }
}

TEST_CASE("json writer: compact structure, bools, null, raw") {
  std::string out;
  Writer w(out);
  w.begin_object()
      .member("jsonrpc", "2.0")
      .member("id", 7)
      .key("result")
      .begin_object()
      .member("ok", true)
      .member("no", false)
      .member_null("nothing")
      .key("empty_o").begin_object().end_object()
      .key("empty_a").begin_array().end_array()
      .member_raw("raw", R"({"x":[1,2]})")
      .key("list").begin_array().value("a").value(1.5).null().begin_array().end_array().end_array()
      .end_object()
      .end_object();
  CHECK(w.complete());
  CHECK(out == R"({"jsonrpc":"2.0","id":7,"result":{"ok":true,"no":false,"nothing":null,"empty_o":{},)"
               R"("empty_a":[],"raw":{"x":[1,2]},"list":["a",1.5,null,[]]}})");
}

TEST_CASE("json writer: pretty printing matches Go's MarshalIndent(v, \"\", \"  \")") {
  std::string out;
  Writer w(out, {.pretty = true});
  w.begin_object()
      .member("peer_id", "12D3KooW")
      .key("listen_addresses").begin_array().value("/ip4/127.0.0.1/tcp/1").value("/ip6/::1/tcp/1").end_array()
      .member("connected_peers", 0)
      .key("empty").begin_array().end_array()
      .key("obj").begin_object().member("a", 1).end_object()
      .end_object();
  CHECK(w.complete());
  CHECK(out ==
        "{\n"
        "  \"peer_id\": \"12D3KooW\",\n"
        "  \"listen_addresses\": [\n"
        "    \"/ip4/127.0.0.1/tcp/1\",\n"
        "    \"/ip6/::1/tcp/1\"\n"
        "  ],\n"
        "  \"connected_peers\": 0,\n"
        "  \"empty\": [],\n"
        "  \"obj\": {\n"
        "    \"a\": 1\n"
        "  }\n"
        "}");
  std::string top;
  Writer t(top, {.pretty = true});
  t.value("scalar");
  CHECK(t.complete());
  CHECK(top == "\"scalar\"");
}

TEST_CASE("json writer: misuse is a sticky failure") {
  {
    std::string out;
    Writer w(out);
    w.begin_object().value(1);  // value without key
    CHECK_FALSE(w.ok());
    w.end_object();
    CHECK_FALSE(w.complete());
  }
  {
    std::string out;
    Writer w(out);
    w.key("k");  // key outside an object
    CHECK_FALSE(w.ok());
  }
  {
    std::string out;
    Writer w(out);
    w.begin_array().end_object();  // mismatched end
    CHECK_FALSE(w.ok());
  }
  {
    std::string out;
    Writer w(out);
    w.begin_object().key("a").end_object();  // key without value
    CHECK_FALSE(w.ok());
  }
  {
    std::string out;
    Writer w(out);
    w.value(1).value(2);  // two top-level values
    CHECK_FALSE(w.ok());
    CHECK(out == "1");
  }
  {
    std::string out;
    Writer w(out);
    w.begin_object().key("a").key("b");
    CHECK_FALSE(w.ok());
  }
  {
    std::string out;
    Writer w(out);
    CHECK_FALSE(w.complete());  // nothing written
    for (size_t i = 0; i < kMaxWriteDepth; i++) w.begin_array();
    CHECK(w.ok());
    CHECK(w.depth() == kMaxWriteDepth);
    w.begin_array();  // one past the bound
    CHECK_FALSE(w.ok());
  }
}
