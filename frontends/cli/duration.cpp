// frontends/cli/duration.cpp — see duration.hpp. Follows the structure of Go's
// src/time/format.go ParseDuration (leadingInt, leadingFraction, unitMap),
// including its overflow rules, so that every string Go accepts we accept
// with the same value, and every string Go refuses we refuse.
#include "frontends/cli/duration.hpp"

#include <cstddef>

namespace frontends::cli {
namespace {

constexpr uint64_t kBit63 = uint64_t{1} << 63;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Consumes [0-9]*; false on overflow past 1<<63 (Go: errLeadingInt).
bool leading_int(std::string_view& s, uint64_t* x) {
  size_t i = 0;
  uint64_t v = 0;
  for (; i < s.size() && is_digit(s[i]); i++) {
    if (v > kBit63 / 10) return false;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (v > kBit63) return false;
  }
  s.remove_prefix(i);
  *x = v;
  return true;
}

// Consumes [0-9]* after a '.'; stops gaining precision instead of failing.
void leading_fraction(std::string_view& s, uint64_t* x, double* scale) {
  size_t i = 0;
  uint64_t v = 0;
  double sc = 1;
  bool overflow = false;
  for (; i < s.size() && is_digit(s[i]); i++) {
    if (overflow) continue;
    if (v > (kBit63 - 1) / 10) {
      overflow = true;
      continue;
    }
    uint64_t y = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (y > kBit63) {
      overflow = true;
      continue;
    }
    v = y;
    sc *= 10;
  }
  s.remove_prefix(i);
  *x = v;
  *scale = sc;
}

uint64_t unit_ns(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xc2\xb5s" /* U+00B5 micro sign */ || u == "\xce\xbcs" /* U+03BC mu */)
    return 1000;
  if (u == "ms") return 1000 * 1000;
  if (u == "s") return static_cast<uint64_t>(kSecond);
  if (u == "m") return static_cast<uint64_t>(kMinute);
  if (u == "h") return static_cast<uint64_t>(kHour);
  return 0;
}

net::Error invalid(std::string_view orig) {
  return {net::Err::invalid, "time: invalid duration " + go_quote(orig)};
}

// Appends v / unit with up to the needed decimal places ("1.5", "90", "0.001").
void append_scaled(std::string& out, uint64_t v, uint64_t unit) {
  out += std::to_string(v / unit);
  uint64_t frac = v % unit;
  if (frac == 0) return;
  std::string digits;
  for (uint64_t u = unit / 10; u > 0; u /= 10) {
    digits += static_cast<char>('0' + (frac / u) % 10);
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  out += '.';
  out += digits;
}

}  // namespace

std::string go_quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += ch;
    }
  }
  out += '"';
  return out;
}

net::Result<int64_t> parse_go_duration(std::string_view s) {
  const std::string_view orig = s;
  uint64_t d = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid(orig);
  while (!s.empty()) {
    uint64_t v = 0, f = 0;
    double scale = 1;
    if (!(s[0] == '.' || is_digit(s[0]))) return invalid(orig);
    size_t before = s.size();
    if (!leading_int(s, &v)) return invalid(orig);
    bool pre = before != s.size();
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t pl = s.size();
      leading_fraction(s, &f, &scale);
      post = pl != s.size();
    }
    if (!pre && !post) return invalid(orig);  // e.g. ".s"
    size_t i = 0;
    while (i < s.size() && s[i] != '.' && !is_digit(s[i])) i++;
    if (i == 0) return net::Error{net::Err::invalid, "time: missing unit in duration " + go_quote(orig)};
    std::string_view u = s.substr(0, i);
    s.remove_prefix(i);
    uint64_t unit = unit_ns(u);
    if (unit == 0)
      return net::Error{net::Err::invalid,
                        "time: unknown unit " + go_quote(u) + " in duration " + go_quote(orig)};
    if (v > kBit63 / unit) return invalid(orig);
    v *= unit;
    if (f > 0) {
      // Go: float64 keeps fractions of an hour nanosecond-accurate; the
      // product is at most 3.6e12, so the cast cannot overflow.
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kBit63) return invalid(orig);
    }
    d += v;
    if (d > kBit63) return invalid(orig);
  }
  if (neg) return static_cast<int64_t>(0 - d);  // d <= 2^63: wraps to -d exactly
  if (d > kBit63 - 1) return invalid(orig);
  return static_cast<int64_t>(d);
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0";
  std::string out;
  uint64_t v = static_cast<uint64_t>(ns);
  if (ns < 0) {
    out += '-';
    v = 0 - v;
  }
  const auto sec = static_cast<uint64_t>(kSecond);
  if (v < sec) {
    uint64_t unit = v >= 1000000 ? 1000000 : v >= 1000 ? 1000 : 1;
    append_scaled(out, v, unit);
    out += unit == 1000000 ? "ms" : unit == 1000 ? "us" : "ns";
    return out;
  }
  uint64_t h = v / static_cast<uint64_t>(kHour);
  v %= static_cast<uint64_t>(kHour);
  uint64_t m = v / static_cast<uint64_t>(kMinute);
  v %= static_cast<uint64_t>(kMinute);
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (v) {
    append_scaled(out, v, sec);
    out += 's';
  }
  return out;
}

}  // namespace frontends::cli
