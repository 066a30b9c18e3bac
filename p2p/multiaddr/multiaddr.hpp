// p2p/multiaddr/multiaddr.hpp — multiaddr: binary <-> text network addresses
// (specs.md §1.5, multiformats/multiaddr).
//
// A Multiaddr holds the binary form, always valid: every component's code is
// known, every value passed its protocol's check, a path protocol (unix) is
// last, and the size and component count are within multiaddr_limits.hpp.
// parse() and from_bytes() are the only ways in from outside; their errors
// name the character offset (text) or byte offset (binary) and the problem:
//   multiaddr: unknown protocol "foo" at offset 13
//   multiaddr: invalid ip4 address "1.2.3" at offset 5
//   multiaddr: truncated value for tcp at byte 6
//
// Text rules (go-multiaddr compatible; differences noted in README):
//  * trailing '/' are ignored; "ipfs" is read as "p2p" and printed as "p2p";
//  * ip6 prints in RFC 5952 form; p2p values parse from base58btc or a
//    libp2p-key CID and print as base58btc; certhash parses from any
//    multibase and prints as base64url ('u');
//  * unix takes the rest of the text ("/unix/tmp/p2p.sock"); js-multiaddr's
//    single percent-encoded segment ("/unix/%2Ftmp%2Fp2p.sock") is read too;
//  * http-path is one percent-encoded segment, stored decoded (as go/rust).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/multiaddr/multiaddr_limits.hpp"
#include "p2p/multiaddr/multiaddr_protocols.hpp"
#include "p2p/peer_id.hpp"

namespace p2p {

struct MultiaddrComponent {
  uint64_t code = 0;
  std::string_view name;  // static storage
  net::BytesView value;   // into the Multiaddr's bytes: valid while it lives unchanged
  size_t offset = 0;      // byte offset of the component in Multiaddr::bytes()
  size_t size = 0;        // encoded size: code, length prefix, value

  // The value as text ("127.0.0.1", "4001", "12D3KooW…"); "" if none.
  std::string value_text() const;
};

enum class HostFamily : uint8_t { ip4, ip6, dns, dns4, dns6 };

struct HostPort {
  std::string host;  // "1.2.3.4", "::1", "fe80::1%eth0", "example.com"
  HostFamily family = HostFamily::ip4;
  uint16_t port = 0;
};

class Multiaddr {
 public:
  Multiaddr() = default;  // empty (no components)

  static net::Result<Multiaddr> parse(std::string_view text);
  static net::Result<Multiaddr> from_bytes(net::BytesView b);
  // host: an IPv4 or IPv6 literal (optionally "[…]" and "%zone") or a DNS
  // name (-> /dns/); `transport` is tcp or udp (or any port protocol).
  static net::Result<Multiaddr> from_host_port(std::string_view host, uint16_t port,
                                               uint64_t transport = ma::kTcp);

  bool empty() const { return b_.empty(); }
  const net::Bytes& bytes() const { return b_; }
  std::string to_string() const;
  // The components' values point into this Multiaddr: not callable on a
  // temporary.
  std::vector<MultiaddrComponent> components() const&;
  std::vector<MultiaddrComponent> components() const&& = delete;
  size_t component_count() const;
  bool has_protocol(uint64_t code) const;

  // Appends one component; the value is checked as from_bytes would.
  net::Status push(uint64_t code, net::BytesView value = {});
  // this + other. Fails on the limits or when this ends in a path protocol.
  net::Result<Multiaddr> encapsulate(const Multiaddr& other) const;
  // Drops the last component with `code` and everything after it; unchanged
  // if there is none. "/ip4/…/tcp/1/p2p/R/p2p-circuit/p2p/T" minus
  // p2p-circuit is "/ip4/…/tcp/1/p2p/R".
  Multiaddr decapsulate_code(uint64_t code) const;
  // Drops the last occurrence of `suffix` (as a run of whole components) and
  // everything after it; unchanged if absent (go-multiaddr Decapsulate).
  Multiaddr decapsulate(const Multiaddr& suffix) const;

  // The peer ID of a trailing /p2p component, if any.
  std::optional<PeerId> peer_id() const;
  // Replaces a trailing /p2p component or appends one.
  net::Result<Multiaddr> with_peer_id(const PeerId& id) const;
  Multiaddr without_peer_id() const;

  // On the first IP component (after an optional ip6zone), as go's manet:
  bool is_loopback() const;     // 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104
  bool is_private() const;      // loopback, 10/8, 100.64/10, 172.16/12, 192.168/16,
                                // 169.254/16, fc00::/7, fe80::/10
  bool is_unspecified() const;  // 0.0.0.0 or ::

  // Host and port of a leading ip4|ip6|dns|dns4|dns6 (ip6 possibly after an
  // ip6zone) followed by `transport`; later components are not looked at
  // (the caller decides whether /ws, /p2p, … are acceptable).
  std::optional<HostPort> host_port(uint64_t transport) const;
  std::optional<HostPort> to_tcp_endpoint() const { return host_port(ma::kTcp); }

  friend bool operator==(const Multiaddr& a, const Multiaddr& b) { return a.b_ == b.b_; }
  friend bool operator!=(const Multiaddr& a, const Multiaddr& b) { return !(a == b); }
  friend bool operator<(const Multiaddr& a, const Multiaddr& b) { return a.b_ < b.b_; }

 private:
  explicit Multiaddr(net::Bytes b) : b_(std::move(b)) {}
  net::Bytes b_;
};

}  // namespace p2p

template <>
struct std::hash<p2p::Multiaddr> {
  size_t operator()(const p2p::Multiaddr& m) const noexcept {
    return std::hash<std::string_view>{}(net::as_chars(m.bytes()));
  }
};
