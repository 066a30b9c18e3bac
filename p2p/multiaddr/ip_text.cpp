#include "p2p/multiaddr/ip_text.hpp"

namespace p2p {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool parse_ip4(std::string_view s, Ip4Bytes* out) {
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + unsigned(s[i++] - '0');
    const size_t len = i - start;
    if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return false;
    (*out)[part] = static_cast<uint8_t>(v);
  }
  return i == s.size();
}

bool parse_ip6(std::string_view s, Ip6Bytes* out) {
  constexpr size_t kMaxText = 45;  // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
  if (s.size() < 2 || s.size() > kMaxText) return false;
  uint16_t groups[8] = {};
  int n = 0;
  int gap = -1;  // index in groups where "::" stands
  size_t i = 0;
  if (s[0] == ':') {
    if (s[1] != ':') return false;
    gap = 0;
    i = 2;
    if (i == s.size()) {
      out->fill(0);
      return true;
    }
  }
  while (true) {
    const size_t start = i;
    unsigned v = 0;
    while (i < s.size() && hex_digit(s[i]) >= 0 && i - start < 4) v = v * 16 + unsigned(hex_digit(s[i++]));
    if (i < s.size() && s[i] == '.') {
      // Dotted IPv4 tail: the last two groups.
      Ip4Bytes v4;
      if (n > 6 || !parse_ip4(s.substr(start), &v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    if (i == start || n == 8) return false;
    groups[n++] = static_cast<uint16_t>(v);
    if (i == s.size()) break;
    if (s[i] != ':') return false;  // a 5th hex digit lands here too
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = n;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  if (gap < 0 ? n != 8 : n > 7) return false;
  uint16_t full[8] = {};
  if (gap < 0) {
    for (int k = 0; k < 8; ++k) full[k] = groups[k];
  } else {
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    const int tail = n - gap;
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  }
  for (int k = 0; k < 8; ++k) {
    (*out)[2 * k] = static_cast<uint8_t>(full[k] >> 8);
    (*out)[2 * k + 1] = static_cast<uint8_t>(full[k]);
  }
  return true;
}

std::string format_ip4(const uint8_t* b) {
  std::string s;
  for (int k = 0; k < 4; ++k) {
    if (k) s.push_back('.');
    s += std::to_string(b[k]);
  }
  return s;
}

std::string format_ip6(const uint8_t* b) {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted tail.
  bool mapped = b[10] == 0xff && b[11] == 0xff;
  for (int k = 0; k < 10 && mapped; ++k) mapped = b[k] == 0;
  if (mapped) return "::ffff:" + format_ip4(b + 12);

  uint16_t g[8];
  for (int k = 0; k < 8; ++k) g[k] = static_cast<uint16_t>(b[2 * k] << 8 | b[2 * k + 1]);
  // RFC 5952 §4.2: compress the longest run of >= 2 zero groups, the first
  // one if two runs tie.
  int best = -1, best_len = 1;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int e = k;
    while (e < 8 && g[e] == 0) ++e;
    if (e - k > best_len) best = k, best_len = e - k;
    k = e;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      s += "::";
      k += best_len - 1;
      continue;
    }
    if (!s.empty() && s.back() != ':') s.push_back(':');
    // RFC 5952 §4.1: no leading zeros; §4.3: lower case.
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const int d = (g[k] >> shift) & 15;
      if (d || started || shift == 0) {
        s.push_back(kHex[d]);
        started = true;
      }
    }
  }
  return s;
}

}  // namespace p2p
