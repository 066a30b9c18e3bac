#include "net/sockaddr.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstring>

namespace net {
namespace {

Error bad(std::string_view text, const char* why) {
  std::string m = "sockaddr \"";
  m.append(text);
  m.append("\": ");
  m.append(why);
  return Error{Err::invalid, std::move(m)};
}

bool parse_port(std::string_view s, uint16_t* out) {
  if (s.empty() || s.size() > 5) return false;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool parse_u32(std::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

// Returns nullptr on success, else the reason.
const char* parse_host(std::string_view host, uint16_t port, SockAddr* out) {
  if (host.empty()) return "empty host";
  if (host.size() > INET6_ADDRSTRLEN + IF_NAMESIZE) return "host too long";
  std::string h(host);
  if (h.find(':') == std::string::npos) {
    if (h.find('%') != std::string::npos) return "scope id on an IPv4 address";
    std::array<uint8_t, 4> a;
    if (inet_pton(AF_INET, h.c_str(), a.data()) != 1) return "not a numeric IPv4 address";
    *out = SockAddr::ip4(a, port);
    return nullptr;
  }
  uint32_t scope = 0;
  size_t pct = h.find('%');
  if (pct != std::string::npos) {
    std::string zone = h.substr(pct + 1);
    h.resize(pct);
    if (zone.empty()) return "empty scope id";
    if (!parse_u32(zone, &scope)) {
      scope = if_nametoindex(zone.c_str());
      if (scope == 0) return "unknown interface in scope id";
    }
  }
  std::array<uint8_t, 16> a;
  if (inet_pton(AF_INET6, h.c_str(), a.data()) != 1) return "not a numeric IPv6 address";
  *out = SockAddr::ip6(a, port, scope);
  return nullptr;
}

}  // namespace

Result<SockAddr> SockAddr::parse_ip(std::string_view host, uint16_t port) {
  SockAddr s;
  if (const char* why = parse_host(host, port, &s)) return bad(host, why);
  return s;
}

Result<SockAddr> SockAddr::parse(std::string_view text) {
  if (text.substr(0, 5) == "unix:") return unix_path(text.substr(5));
  if (text.empty()) return bad(text, "empty");
  std::string_view host, port;
  if (text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return bad(text, "missing ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (rest.empty()) return bad(text, "missing port");
    if (rest[0] != ':') return bad(text, "expected ':' after ']'");
    port = rest.substr(1);
    if (host.find(':') == std::string_view::npos) return bad(text, "brackets around a non-IPv6 host");
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad(text, "missing port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad(text, "IPv6 address needs brackets");
  }
  uint16_t p = 0;
  if (!parse_port(port, &p)) return bad(text, "port must be a number 0-65535");
  SockAddr s;
  if (const char* why = parse_host(host, p, &s)) return bad(text, why);
  return s;
}

SockAddr SockAddr::ip4(const std::array<uint8_t, 4>& a, uint16_t port) {
  SockAddr s;
  auto* sin = reinterpret_cast<sockaddr_in*>(&s.ss_);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  memcpy(&sin->sin_addr, a.data(), 4);
  s.len_ = sizeof(sockaddr_in);
  return s;
}

SockAddr SockAddr::ip6(const std::array<uint8_t, 16>& a, uint16_t port, uint32_t scope_id) {
  SockAddr s;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&s.ss_);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  memcpy(&sin6->sin6_addr, a.data(), 16);
  sin6->sin6_scope_id = scope_id;
  s.len_ = sizeof(sockaddr_in6);
  return s;
}

SockAddr SockAddr::any4(uint16_t port) { return ip4({0, 0, 0, 0}, port); }
SockAddr SockAddr::any6(uint16_t port) { return ip6({}, port); }
SockAddr SockAddr::loopback4(uint16_t port) { return ip4({127, 0, 0, 1}, port); }
SockAddr SockAddr::loopback6(uint16_t port) {
  std::array<uint8_t, 16> a{};
  a[15] = 1;
  return ip6(a, port);
}

Result<SockAddr> SockAddr::unix_path(std::string_view path) {
  SockAddr s;
  auto* sun = reinterpret_cast<sockaddr_un*>(&s.ss_);
  if (path.empty()) return Error{Err::invalid, "unix socket path is empty"};
  if (path.find('\0') != std::string_view::npos)
    return Error{Err::invalid, "unix socket path contains a NUL byte"};
  if (path.size() >= sizeof(sun->sun_path))
    return Error{Err::invalid, "unix socket path too long (" + std::to_string(path.size()) +
                                   " bytes, max " + std::to_string(sizeof(sun->sun_path) - 1) + ")"};
  sun->sun_family = AF_UNIX;
  memcpy(sun->sun_path, path.data(), path.size());
  s.len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return s;
}

Result<SockAddr> SockAddr::from_sockaddr(const sockaddr* sa, socklen_t len) {
  if (!sa || len < static_cast<socklen_t>(sizeof(sa_family_t)))
    return Error{Err::invalid, "sockaddr: too short"};
  SockAddr s;
  switch (sa->sa_family) {
    case AF_INET:
      if (len < static_cast<socklen_t>(sizeof(sockaddr_in)))
        return Error{Err::invalid, "sockaddr: too short for AF_INET"};
      memcpy(&s.ss_, sa, sizeof(sockaddr_in));
      s.len_ = sizeof(sockaddr_in);
      return s;
    case AF_INET6:
      if (len < static_cast<socklen_t>(sizeof(sockaddr_in6)))
        return Error{Err::invalid, "sockaddr: too short for AF_INET6"};
      memcpy(&s.ss_, sa, sizeof(sockaddr_in6));
      s.len_ = sizeof(sockaddr_in6);
      return s;
    case AF_UNIX: {
      if (len > static_cast<socklen_t>(sizeof(sockaddr_un)))
        return Error{Err::invalid, "sockaddr: too long for AF_UNIX"};
      const auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
      size_t max = static_cast<size_t>(len) - offsetof(sockaddr_un, sun_path);
      if (static_cast<size_t>(len) <= offsetof(sockaddr_un, sun_path)) max = 0;
      size_t n = strnlen(sun->sun_path, max);
      if (n == 0) {  // unnamed (a connected client) or abstract
        s.ss_.ss_family = AF_UNIX;
        s.len_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path));
        return s;
      }
      return unix_path(std::string_view(sun->sun_path, n));
    }
    default:
      return Error{Err::invalid, "sockaddr: unsupported family " + std::to_string(sa->sa_family)};
  }
}

uint16_t SockAddr::port() const {
  if (is_v4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss_)->sin_port);
  if (is_v6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss_)->sin6_port);
  return 0;
}

void SockAddr::set_port(uint16_t port) {
  if (is_v4()) reinterpret_cast<sockaddr_in*>(&ss_)->sin_port = htons(port);
  if (is_v6()) reinterpret_cast<sockaddr_in6*>(&ss_)->sin6_port = htons(port);
}

uint32_t SockAddr::scope_id() const {
  return is_v6() ? reinterpret_cast<const sockaddr_in6*>(&ss_)->sin6_scope_id : 0;
}

std::array<uint8_t, 4> SockAddr::v4() const {
  std::array<uint8_t, 4> a{};
  if (is_v4()) memcpy(a.data(), &reinterpret_cast<const sockaddr_in*>(&ss_)->sin_addr, 4);
  return a;
}

std::array<uint8_t, 16> SockAddr::v6() const {
  std::array<uint8_t, 16> a{};
  if (is_v6()) memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(&ss_)->sin6_addr, 16);
  return a;
}

std::string SockAddr::path() const {
  if (!is_unix()) return {};
  const auto* sun = reinterpret_cast<const sockaddr_un*>(&ss_);
  size_t max = len_ > offsetof(sockaddr_un, sun_path) ? len_ - offsetof(sockaddr_un, sun_path) : 0;
  return std::string(sun->sun_path, strnlen(sun->sun_path, max));
}

bool SockAddr::is_unspecified() const {
  if (is_v4()) return v4() == std::array<uint8_t, 4>{};
  if (is_v6()) return v6() == std::array<uint8_t, 16>{};
  return false;
}

bool SockAddr::is_loopback() const {
  if (is_v4()) return v4()[0] == 127;
  if (is_v6()) {
    std::array<uint8_t, 16> l{};
    l[15] = 1;
    return v6() == l;
  }
  return false;
}

bool SockAddr::is_link_local() const {
  if (is_v4()) return v4()[0] == 169 && v4()[1] == 254;
  if (is_v6()) return v6()[0] == 0xfe && (v6()[1] & 0xc0) == 0x80;
  return false;
}

bool SockAddr::is_multicast() const {
  if (is_v4()) return (v4()[0] & 0xf0) == 224;
  if (is_v6()) return v6()[0] == 0xff;
  return false;
}

std::string SockAddr::ip_string() const {
  char b[INET6_ADDRSTRLEN + 16];
  if (is_v4()) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss_)->sin_addr, b, sizeof(b));
    return b;
  }
  if (is_v6()) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss_)->sin6_addr, b, sizeof(b));
    std::string s = b;
    if (scope_id() != 0) s += "%" + std::to_string(scope_id());
    return s;
  }
  return {};
}

std::string SockAddr::to_string() const {
  if (is_v4()) return ip_string() + ":" + std::to_string(port());
  if (is_v6()) return "[" + ip_string() + "]:" + std::to_string(port());
  if (is_unix()) return "unix:" + path();
  return {};
}

bool SockAddr::operator==(const SockAddr& o) const {
  if (family() != o.family()) return false;
  if (is_v4()) return port() == o.port() && v4() == o.v4();
  if (is_v6()) return port() == o.port() && v6() == o.v6() && scope_id() == o.scope_id();
  if (is_unix()) return path() == o.path();
  return true;
}

}  // namespace net
