#include "frontends/json/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

#include "frontends/json/json_limits.hpp"

namespace frontends::json {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 §4
// table), or 0 if ill-formed.
size_t utf8_seq_len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  size_t left = s.size() - i;
  uint8_t c = b(0);
  if (c < 0x80) return 1;
  if (c < 0xC2) return 0;  // continuation byte or overlong 2-byte lead
  if (c < 0xE0) {
    return left >= 2 && (b(1) & 0xC0) == 0x80 ? 2 : 0;
  }
  if (c < 0xF0) {
    if (left < 3) return 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates U+D800..DFFF
    return b(1) >= lo && b(1) <= hi && (b(2) & 0xC0) == 0x80 ? 3 : 0;
  }
  if (c < 0xF5) {
    if (left < 4) return 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    return b(1) >= lo && b(1) <= hi && (b(2) & 0xC0) == 0x80 && (b(3) & 0xC0) == 0x80 ? 4 : 0;
  }
  return 0;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

bool utf8_valid(std::string_view s, size_t* bad_offset) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      i++;
      continue;
    }
    size_t n = utf8_seq_len(s, i);
    if (n == 0) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

size_t append_string(std::string& out, std::string_view s) {
  size_t replaced = 0;
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  size_t i = 0;
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  auto flush = [&] {
    out.append(s.data() + run, i - run);
  };
  while (i < s.size()) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      i++;
      continue;
    }
    if (c < 0x80) {
      flush();
      out.push_back('\\');
      switch (c) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '\b': out.push_back('b'); break;
        case '\f': out.push_back('f'); break;
        case '\n': out.push_back('n'); break;
        case '\r': out.push_back('r'); break;
        case '\t': out.push_back('t'); break;
        default:
          out.append("u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
      }
      run = ++i;
      continue;
    }
    size_t n = utf8_seq_len(s, i);
    if (n == 0) {
      flush();
      out.append("\xEF\xBF\xBD");  // U+FFFD
      replaced++;
      run = ++i;
      continue;
    }
    // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: E2 80 A8/A9.
    if (n == 3 && c == 0xE2 && static_cast<uint8_t>(s[i + 1]) == 0x80 &&
        (static_cast<uint8_t>(s[i + 2]) & 0xFE) == 0xA8) {
      flush();
      out.append(static_cast<uint8_t>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
      i += 3;
      run = i;
      continue;
    }
    i += n;
  }
  flush();
  out.push_back('"');
  return replaced;
}

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  if (d == 0 && std::signbit(d)) {
    // "-0" would read back as the integer 0; "-0.0" stays a negative zero.
    out.append("-0.0");
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  // An integral form outside int64/uint64 ("-26666666666666668032") would
  // read back as an out-of-range integer: use the exponent form instead.
  if ((d <= -0x1p63 || d >= 0x1p64) && std::string_view(buf, static_cast<size_t>(r.ptr - buf)).find_first_of(".e") == std::string_view::npos)
    r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

void Writer::newline_indent(size_t level) {
  out_.push_back('\n');
  out_.append(level * opt_.indent, ' ');
}

bool Writer::before_value() {
  if (failed_) return false;
  if (stack_.empty()) {
    if (top_done_) {
      failed_ = true;  // a second top-level value
      return false;
    }
    top_done_ = true;
    return true;
  }
  Frame& f = stack_.back();
  if (f.object) {
    if (!after_key_) {
      failed_ = true;  // value without key
      return false;
    }
    after_key_ = false;
    return true;
  }
  if (f.any) out_.push_back(',');
  f.any = true;
  if (opt_.pretty) newline_indent(stack_.size());
  return true;
}

Writer& Writer::key(std::string_view k) {
  if (failed_) return *this;
  if (stack_.empty() || !stack_.back().object || after_key_) {
    failed_ = true;
    return *this;
  }
  Frame& f = stack_.back();
  if (f.any) out_.push_back(',');
  f.any = true;
  if (opt_.pretty) newline_indent(stack_.size());
  replaced_ += append_string(out_, k);
  out_.push_back(':');
  if (opt_.pretty) out_.push_back(' ');
  after_key_ = true;
  return *this;
}

Writer& Writer::open(bool object) {
  if (!before_value()) return *this;
  if (stack_.size() >= kMaxWriteDepth) {
    failed_ = true;
    return *this;
  }
  out_.push_back(object ? '{' : '[');
  stack_.push_back(Frame{object});
  return *this;
}

Writer& Writer::close(bool object) {
  if (failed_) return *this;
  if (stack_.empty() || stack_.back().object != object || after_key_) {
    failed_ = true;
    return *this;
  }
  bool any = stack_.back().any;
  stack_.pop_back();
  if (opt_.pretty && any) newline_indent(stack_.size());
  out_.push_back(object ? '}' : ']');
  return *this;
}

Writer& Writer::begin_object() { return open(true); }
Writer& Writer::end_object() { return close(true); }
Writer& Writer::begin_array() { return open(false); }
Writer& Writer::end_array() { return close(false); }

Writer& Writer::value(std::string_view s) {
  if (before_value()) replaced_ += append_string(out_, s);
  return *this;
}

Writer& Writer::value(bool b) {
  if (before_value()) out_.append(b ? "true" : "false");
  return *this;
}

Writer& Writer::value(double d) {
  if (before_value()) append_double(out_, d);
  return *this;
}

Writer& Writer::int_value(int64_t v) {
  if (!before_value()) return *this;
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
  return *this;
}

Writer& Writer::uint_value(uint64_t v) {
  if (!before_value()) return *this;
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
  return *this;
}

Writer& Writer::null() {
  if (before_value()) out_.append("null");
  return *this;
}

Writer& Writer::raw(std::string_view json) {
  if (before_value()) out_.append(json);
  return *this;
}

}  // namespace frontends::json
