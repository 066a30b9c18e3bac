// net/sockaddr.hpp — one socket address type: IPv4, IPv6 (with scope id) or
// a unix socket path. Parsing is numeric only: nothing here resolves names
// (no getaddrinfo on the loop thread, STYLE.md §9).
//
// Text forms (parse() accepts them, to_string() prints them):
//   "1.2.3.4:80"            IPv4
//   "[::1]:80"              IPv6 (brackets required)
//   "[fe80::1%2]:80"        IPv6 link-local with scope id (parse also takes "%eth0")
//   "unix:/run/x.sock"      unix socket path (abstract sockets are not supported)
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace net {

class SockAddr {
 public:
  SockAddr() = default;  // family() == AF_UNSPEC

  // Errors: Err::invalid with the input quoted and the reason, e.g.
  // "sockaddr \"1.2.3.4\": missing port".
  static Result<SockAddr> parse(std::string_view text);
  // A numeric host ("1.2.3.4", "::1", "fe80::1%2", no brackets) and a port.
  static Result<SockAddr> parse_ip(std::string_view host, uint16_t port);
  static SockAddr ip4(const std::array<uint8_t, 4>& a, uint16_t port);
  static SockAddr ip6(const std::array<uint8_t, 16>& a, uint16_t port, uint32_t scope_id = 0);
  static SockAddr any4(uint16_t port);  // 0.0.0.0
  static SockAddr any6(uint16_t port);  // ::
  static SockAddr loopback4(uint16_t port);
  static SockAddr loopback6(uint16_t port);
  // Errors: Err::invalid (empty, too long for sun_path, contains NUL).
  static Result<SockAddr> unix_path(std::string_view path);
  // Errors: Err::invalid (unknown family, length too short for the family).
  static Result<SockAddr> from_sockaddr(const sockaddr* sa, socklen_t len);
  static Result<SockAddr> from_storage(const sockaddr_storage& ss, socklen_t len) {
    return from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
  }

  int family() const { return ss_.ss_family; }
  bool is_v4() const { return family() == AF_INET; }
  bool is_v6() const { return family() == AF_INET6; }
  bool is_ip() const { return is_v4() || is_v6(); }
  bool is_unix() const { return family() == AF_UNIX; }

  uint16_t port() const;  // 0 for unix / unspecified
  void set_port(uint16_t port);
  uint32_t scope_id() const;          // IPv6 only, else 0
  std::array<uint8_t, 4> v4() const;   // zeros unless is_v4()
  std::array<uint8_t, 16> v6() const;  // zeros unless is_v6()
  std::string path() const;            // unix only, else ""

  bool is_unspecified() const;  // 0.0.0.0 or ::
  bool is_loopback() const;     // 127/8 or ::1
  bool is_link_local() const;   // 169.254/16 or fe80::/10
  bool is_multicast() const;    // 224/4 or ff00::/8

  // "1.2.3.4:80", "[::1]:80", "[fe80::1%2]:80", "unix:/p", "" (unspecified).
  std::string to_string() const;
  // The host part only: "1.2.3.4", "::1", "fe80::1%2".
  std::string ip_string() const;

  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&ss_); }
  socklen_t len() const { return len_; }
  sockaddr_storage storage() const { return ss_; }

  bool operator==(const SockAddr& o) const;
  bool operator!=(const SockAddr& o) const { return !(*this == o); }

 private:
  sockaddr_storage ss_{};
  socklen_t len_ = 0;
};

}  // namespace net
