// frontends/grpc/grpc_status.cpp — see grpc_status.hpp.
#include "frontends/grpc/grpc_status.hpp"

#include <array>

namespace frontends::grpc {
namespace {

constexpr std::array<const char*, kCodeCount> kNames = {
    "OK",        "CANCELLED",           "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",         "DATA_LOSS",
    "UNAUTHENTICATED"};

constexpr char kHex[] = "0123456789ABCDEF";

// Length of the valid UTF-8 sequence at s[i] (1..4), or 0 if invalid
// (overlong forms, surrogates and values above U+10FFFF are invalid).
size_t utf8_len(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  uint8_t c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const char* code_name(Code c) {
  auto i = static_cast<size_t>(c);
  return i < kNames.size() ? kNames[i] : "UNKNOWN_CODE";
}

std::string percent_encode(std::string_view msg, size_t max_len) {
  std::string out;
  out.reserve(msg.size());
  auto put = [&](std::string_view piece) {
    if (out.size() + piece.size() > max_len) return false;
    out += piece;
    return true;
  };
  for (size_t i = 0; i < msg.size();) {
    uint8_t c = static_cast<uint8_t>(msg[i]);
    if (c >= 0x20 && c <= 0x7E && c != '%') {
      if (!put(std::string_view(&msg[i], 1))) break;
      ++i;
      continue;
    }
    size_t n = utf8_len(msg, i);
    std::string_view seq = n ? msg.substr(i, n) : std::string_view("\xEF\xBF\xBD");  // U+FFFD
    std::string enc;
    for (char ch : seq) {
      auto u = static_cast<uint8_t>(ch);
      enc += '%';
      enc += kHex[u >> 4];
      enc += kHex[u & 15];
    }
    if (!put(enc)) break;  // a whole character or nothing
    i += n ? n : 1;
  }
  return out;
}

std::string percent_decode(std::string_view wire) {
  std::string out;
  out.reserve(wire.size());
  for (size_t i = 0; i < wire.size(); ++i) {
    if (wire[i] == '%' && i + 2 < wire.size()) {
      int hi = hex_val(wire[i + 1]), lo = hex_val(wire[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += wire[i];
  }
  return out;
}

}  // namespace frontends::grpc
