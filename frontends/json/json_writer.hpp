// frontends/json/json_writer.hpp — the one JSON writer of the frontends
// (bridge, MCP, ANP, metrics' /health): appends RFC 8259 text to a
// std::string, no DOM, no allocation beyond the output string.
//
//   std::string out;
//   json::Writer w(out);
//   w.begin_object()
//       .member("jsonrpc", "2.0")
//       .member("id", 7)
//       .key("result").begin_object().member("status", "completed").end_object()
//       .end_object();
//   // out == R"({"jsonrpc":"2.0","id":7,"result":{"status":"completed"}})"
//
// Strings are escaped as Go's encoding/json does (the original daemon's
// output): `"` `\` and the short forms \b \f \n \r \t, other control
// characters as \u00xx, U+2028/U+2029 as \u2028/\u2029; '/', '<', '>', '&'
// and DEL are written as is. Invalid UTF-8 is replaced, one U+FFFD per bad
// byte (Go's rule), and counted in replaced(): the output is always valid
// UTF-8 JSON.
//
// Numbers: integers exactly (int64 and uint64 range); doubles in the
// shortest form that reads back to the same double (std::to_chars), e.g.
// 0.1, 1e+21, -0.0 (not Go's "-0", which parsers read as the integer 0); NaN and infinities have no JSON form and are written as
// null (as JavaScript's JSON.stringify does).
//
// Pretty printing (WriterOptions::pretty) matches Go's
// json.MarshalIndent(v, "", "  "), which the original's MCP tools used for
// their text output: one member or element per line, `"key": value`, empty
// containers as {} and [].
//
// Misuse (a value where a key is due, a key outside an object, an
// unbalanced end, a second top-level value, nesting beyond kMaxWriteDepth)
// sets a sticky failure: ok() turns false and further calls do nothing.
// That is a bug in our code, not bad input; tests assert ok().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace frontends::json {

struct WriterOptions {
  bool pretty = false;
  unsigned indent = 2;  // spaces per level when pretty
};

class Writer {
 public:
  explicit Writer(std::string& out, WriterOptions opt = {}) : out_(out), opt_(opt) {}

  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  // An object member's name; the next call writes its value.
  Writer& key(std::string_view k);

  Writer& value(std::string_view s);
  Writer& value(const char* s) { return value(std::string_view(s)); }
  Writer& value(const std::string& s) { return value(std::string_view(s)); }
  Writer& value(bool b);
  Writer& value(double d);
  Writer& value(float f) { return value(static_cast<double>(f)); }
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Writer& value(T v) {
    if constexpr (std::is_signed_v<T>) {
      return int_value(static_cast<int64_t>(v));
    } else {
      return uint_value(static_cast<uint64_t>(v));
    }
  }
  Writer& null();
  // Embeds a complete JSON value verbatim (the caller vouches for it: e.g.
  // text produced by another Writer or by simdjson::minify). Not re-indented.
  Writer& raw(std::string_view json);

  // key(k) then value(v).
  template <class T>
  Writer& member(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  Writer& member_null(std::string_view k) {
    key(k);
    return null();
  }
  Writer& member_raw(std::string_view k, std::string_view json) {
    key(k);
    return raw(json);
  }

  bool ok() const { return !failed_; }
  // One top-level value written and every container closed.
  bool complete() const { return ok() && stack_.empty() && top_done_; }
  // Invalid UTF-8 bytes replaced by U+FFFD so far.
  size_t replaced() const { return replaced_; }
  size_t depth() const { return stack_.size(); }

 private:
  struct Frame {
    bool object;
    bool any = false;  // at least one member/element written
  };
  bool before_value();  // comma, newline, indent; false on misuse
  void newline_indent(size_t level);
  Writer& int_value(int64_t v);
  Writer& uint_value(uint64_t v);
  Writer& open(bool object);
  Writer& close(bool object);

  std::string& out_;
  WriterOptions opt_;
  std::vector<Frame> stack_;
  bool after_key_ = false;
  bool top_done_ = false;
  bool failed_ = false;
  size_t replaced_ = 0;
};

// Appends `s` as a quoted JSON string (rules above). Returns the number of
// invalid UTF-8 bytes replaced.
size_t append_string(std::string& out, std::string_view s);
// Appends the shortest round-trip form of d ("null" if not finite).
void append_double(std::string& out, double d);

// True if s is well-formed UTF-8 (no overlong forms, no surrogates, nothing
// above U+10FFFF). On false, *bad_offset (if given) is the offset of the
// first byte of the first ill-formed sequence.
bool utf8_valid(std::string_view s, size_t* bad_offset = nullptr);

}  // namespace frontends::json
