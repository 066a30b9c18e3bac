// Unit tests: frontends/json/json_parse — limits (size, depth; crossed by
// one), 10 000-deep nesting refused cleanly, precise errors with offsets,
// re-serialization through the writer, field helpers.
#include <doctest/doctest.h>

#include <string>

#include "frontends/json/json_parse.hpp"

using namespace frontends::json;
using net::Err;

namespace {
std::string nested_arrays(size_t n) { return std::string(n, '[') + std::string(n, ']'); }
std::string nested_objects(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; i++) s += "{\"a\":";
  s += "1";
  s += std::string(n, '}');
  return s;
}
}  // namespace

TEST_CASE("json parse: a JSON-RPC request and the field helpers") {
  Parser p;
  auto doc = p.parse(R"({"jsonrpc":"2.0","id":3,"method":"message/send","params":{"message":{"parts":[]},"x":true}})");
  REQUIRE(doc);
  simdjson::dom::object o;
  REQUIRE(doc->get_object().get(o) == simdjson::SUCCESS);
  auto m = get_string(o, "method");
  REQUIRE(m);
  REQUIRE(m->has_value());
  CHECK(**m == "message/send");
  auto id = get_int64(o, "id");
  REQUIRE(id);
  CHECK(**id == 3);
  auto missing = get_string(o, "nope");
  REQUIRE(missing);
  CHECK_FALSE(missing->has_value());
  auto wrong = get_string(o, "params");
  CHECK(wrong.err() == Err::proto);
  CHECK(wrong.what() == "json: \"params\" must be a string, got object");
  auto params = get_object(o, "params");
  REQUIRE(params);
  auto x = get_bool(**params, "x");
  REQUIRE(x);
  CHECK(**x);
  CHECK(get_array(**params, "x").what() == "json: \"x\" must be an array, got boolean");
  CHECK(get_int64(o, "method").what() == "json: \"method\" must be an integer, got string");
  CHECK(get_object(o, "id").what() == "json: \"id\" must be an object, got integer");
}

TEST_CASE("json parse: depth limit crossed by one, arrays and objects") {
  Parser p;  // kMaxDepth = 64
  CHECK(p.parse(nested_arrays(kMaxDepth)));
  CHECK(p.parse(nested_objects(kMaxDepth)));
  auto a = p.parse(nested_arrays(kMaxDepth + 1));
  CHECK(a.err() == Err::limit);
  CHECK(a.what() == "json: nesting deeper than 64 levels at offset 64");
  auto o = p.parse(nested_objects(kMaxDepth + 1));
  CHECK(o.err() == Err::limit);
  CHECK(o.what() == "json: nesting deeper than 64 levels at offset 320");
  Parser small({.max_depth = 2});
  CHECK(small.parse(R"({"a":[1]})"));
  CHECK(small.parse(R"({"a":[{}]})").what() == "json: nesting deeper than 2 levels at offset 6");
  // Brackets inside strings do not count.
  CHECK(small.parse(R"(["[[[[{{{{\"]]]"])"));
}

TEST_CASE("json parse: 10 000 nested arrays are refused cleanly (no stack, no simdjson)") {
  Parser p;
  for (std::string s : {nested_arrays(10000), std::string(10000, '['), nested_objects(10000)}) {
    auto r = p.parse(s);
    CHECK(r.err() == Err::limit);
    CHECK(r.what().rfind("json: nesting deeper than 64 levels at offset ", 0) == 0);
  }
  // A syntax error before the deep part is reported first.
  auto r = p.parse("[x" + nested_arrays(10000));
  CHECK(r.err() == Err::proto);
  CHECK(r.what() == "json: unexpected 'x' at offset 1");
}

TEST_CASE("json parse: size limit crossed by one") {
  Parser p({.max_len = 10});
  CHECK(p.parse("\"12345678\""));  // 10 bytes
  auto r = p.parse("\"123456789\"");
  CHECK(r.err() == Err::limit);
  CHECK(r.what() == "json: document of 11 bytes exceeds the limit of 10 bytes");
  Parser huge({.max_len = SIZE_MAX});
  CHECK(huge.limits().max_len == kMaxDocumentLenCeiling);
}

TEST_CASE("json parse: precise errors with byte offsets") {
  struct V {
    std::string in, what;
  };
  const V table[] = {
      {"", "json: empty document"},
      {"   ", "json: empty document"},
      {"{\"a\" 1}", "json: expected ':' after object key at offset 5"},
      {"{\"a\":1 \"b\":2}", "json: expected ',' or '}' at offset 7"},
      {"[1 2]", "json: expected ',' or ']' at offset 3"},
      {"[1,]", "json: unexpected ']' at offset 3"},
      {"{,}", "json: expected a string key at offset 1"},
      {"{\"a\":}", "json: unexpected '}' at offset 5"},
      {"[1", "json: unexpected end of input at offset 2"},
      {"{\"a\":1", "json: unexpected end of input at offset 6"},
      {"\"abc", "json: unterminated string at offset 0"},
      {"[\"a\x01\"]", "json: control character in string at offset 3"},
      {"[\"a\\x\"]", "json: invalid escape at offset 3"},
      {"\"\\u12G4\"", "json: invalid escape at offset 1"},
      {"\"\\ud800\"", "json: lone surrogate in \\u escape at offset 1"},
      {"\"\\udc00\"", "json: lone surrogate in \\u escape at offset 1"},
      {"\"\\ud800\\u0041\"", "json: lone surrogate in \\u escape at offset 1"},
      {"[\"ok\",\"\xff\"]", "json: invalid UTF-8 at offset 7"},
      {"[\"\xed\xa0\x80\"]", "json: invalid UTF-8 at offset 2"},
      {"[\"\xc3\xa9\x81\"]", "json: invalid UTF-8 at offset 4"},  // stray continuation byte (found by fuzz_json_parse)
      {"[\"\xe2\x82\"]", "json: invalid UTF-8 at offset 2"},       // truncated sequence
      {"[\xc3\xa9]", "json: unexpected character at offset 1"},  // valid UTF-8 but not a value
      {"01", "json: invalid number at offset 0"},
      {"[1.]", "json: invalid number at offset 1"},
      {"-", "json: invalid number at offset 0"},
      {"1e", "json: invalid number at offset 0"},
      {"18446744073709551616", "json: integer out of range at offset 0"},
      {"[-9223372036854775809]", "json: integer out of range at offset 1"},
      {"1e400", "json: number out of range at offset 0"},
      {"tru", "json: invalid literal at offset 0"},
      {"[nul]", "json: invalid literal at offset 1"},
      {"1 2", "json: unexpected content after the value at offset 2"},
      {"{} x", "json: unexpected content after the value at offset 3"},
  };
  Parser p;
  for (const V& v : table) {
    CAPTURE(v.in);
    auto r = p.parse(v.in);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == v.what);
  }
}

TEST_CASE("json parse: accepted edge values") {
  Parser p;
  for (const char* s : {"18446744073709551615", "-9223372036854775808", "1e-400", "-0", "-0.0", "\"\\u0000\"",
                        "\"\\ud83d\\ude00\"", "{\"a\":1,\"a\":2}", " [ ] ", "0", "\"\\/\""}) {
    CAPTURE(s);
    auto r = p.parse(s);
    CHECK(r);
    CHECK_FALSE(find_error(s).has_value());
  }
}

TEST_CASE("json parse: parse -> write -> parse is stable") {
  Parser p;
  const char* docs[] = {
      R"({"a":[1,-2,3.5,1e-7,18446744073709551615,-9223372036854775808],"b":{"c":null,"d":true,"e":false}})",
      R"(["\u0000\u001f\"\\\/\b\f\n\r\t","\u00e9\u20ac\ud83d\ude00","\u2028"])",
      R"(0.30000000000000004)",
      R"({"":{"":[[],{}]}})",
  };
  for (const char* d : docs) {
    CAPTURE(d);
    auto r1 = p.parse(d);
    REQUIRE(r1);
    std::string s1 = to_json(*r1);
    auto r2 = p.parse(s1);
    REQUIRE(r2);
    std::string s2 = to_json(*r2);
    CHECK(s1 == s2);
  }
  auto r = p.parse(R"({"s":"\u00e9\n","n":1.0,"big":1E2})");
  REQUIRE(r);
  CHECK(to_json(*r) == "{\"s\":\"\xc3\xa9\\n\",\"n\":1,\"big\":100}");
}

TEST_CASE("json parse: capacity shrinks back after a large document") {
  Parser p({.max_len = 8 * 1024 * 1024});
  std::string big = "[";
  while (big.size() < 3 * 1024 * 1024) big += "1234567,";
  big += "0]";
  REQUIRE(p.parse(big));
  CHECK(p.capacity() >= big.size());
  REQUIRE(p.parse("[1]"));
  CHECK(p.capacity() <= kParserKeepCapacity);
}

TEST_CASE("json parse: nesting_depth skips strings and reports the offset") {
  size_t over;
  CHECK(nesting_depth(R"([{"a":"[[[["}])", 8, &over) == 2);
  CHECK(over == SIZE_MAX);
  CHECK(nesting_depth("[[[", 2, &over) == 3);
  CHECK(over == 2);
  CHECK(nesting_depth("\"unterminated [[[", 1, &over) == 0);
  CHECK(nesting_depth("\"\\", 1, &over) == 0);
}
