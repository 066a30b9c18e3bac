// net/socket.hpp — non-blocking sockets: TCP (v4/v6), UDP with multicast,
// unix stream sockets, and interface enumeration.
//
// Every socket is created SOCK_NONBLOCK | SOCK_CLOEXEC. Failures return
// Err::io (Err::limit for EMFILE/ENFILE) with "<op> <address>: <strerror>";
// "would block" is Err::need_more with an empty message (no allocation).
// Nothing here blocks or resolves names.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "net/bytes.hpp"
#include "net/net_limits.hpp"
#include "net/result.hpp"
#include "net/sockaddr.hpp"

namespace net {

// An owned file descriptor, closed on destruction. Move-only.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// ---- TCP ----

struct TcpListenOptions {
  int backlog = kListenBacklog;
  // SO_REUSEPORT: several sockets on one port (hole punching dials from the
  // listen port, as go-libp2p's reuseport transport does).
  bool reuse_port = false;
};

// socket + SO_REUSEADDR (+ IPV6_V6ONLY for IPv6, so "[::]:P" and
// "0.0.0.0:P" are two independent listeners, like go-libp2p's separate
// /ip4/0.0.0.0 and /ip6/:: listeners) + bind + listen.
// Errors: Err::invalid (not an IP address), Err::io ("tcp listen
// 127.0.0.1:80: Permission denied"), Err::limit (out of fds).
Result<Fd> tcp_listen(const SockAddr& addr, const TcpListenOptions& opt = {});

// One accept4(). Err::need_more (empty message) when no connection is
// pending, also for the transient errors Linux passes up from the new
// connection (ECONNABORTED, EPROTO, ENETDOWN, …: just call again later);
// Err::limit for EMFILE/ENFILE/ENOBUFS/ENOMEM (see net::Acceptor's back-off);
// Err::io otherwise. Sets TCP_NODELAY on TCP sockets.
Result<Fd> tcp_accept(int listen_fd, SockAddr* peer);

// Starts a non-blocking connect with TCP_NODELAY set. *in_progress is true
// on EINPROGRESS (wait for writable, then call connect_result()); false
// when connect() completed at once. Errors: Err::io ("tcp connect
// 127.0.0.1:9: Connection refused"), Err::limit, Err::invalid.
Result<Fd> tcp_connect(const SockAddr& addr, bool* in_progress);

// SO_ERROR of a socket whose connect was in progress: ok, or Err::io with
// "<what>: <strerror>" (what: e.g. "tcp connect 127.0.0.1:9").
Status connect_result(int fd, const std::string& what);

Status set_nodelay(int fd, bool on);
// SO_LINGER {1, 0}: the next close() sends RST and discards unsent data.
Status set_linger_zero(int fd);

Result<SockAddr> local_addr(int fd);
Result<SockAddr> peer_addr(int fd);

// ---- UDP ----

struct UdpOptions {
  bool reuse_addr = false;  // SO_REUSEADDR: several mDNS responders on :5353
  bool reuse_port = false;  // SO_REUSEPORT
  // IP_PKTINFO / IPV6_RECVPKTINFO: udp_recv_from reports the arrival
  // interface (an mDNS responder answers on the interface a query came in on).
  bool pktinfo = false;
};

// socket + options (+ IPV6_V6ONLY for IPv6) + bind. Errors: Err::io, Err::limit.
Result<Fd> udp_bind(const SockAddr& addr, const UdpOptions& opt = {});
// One datagram. Err::need_more (empty message) when the socket would block.
Result<size_t> udp_send_to(int fd, BytesView data, const SockAddr& to);
// One datagram into buf (truncated if longer; *truncated says so). With
// UdpOptions::pktinfo, *ifindex is the arrival interface (else 0).
// Err::need_more (empty message) when nothing is queued.
Result<size_t> udp_recv_from(int fd, std::span<uint8_t> buf, SockAddr* from, bool* truncated = nullptr,
                             unsigned* ifindex = nullptr);

// Multicast (mDNS: 224.0.0.251 / ff02::fb port 5353). `family` selects
// IPPROTO_IP or IPPROTO_IPV6 options; ifindex 0 = the kernel's choice.
// IPv4 joins use ip_mreqn with the interface index, IPv6 ones ipv6_mreq.
// Errors: Err::invalid (group not multicast), Err::io ("multicast join
// 224.0.0.251 on ifindex 1: No such device").
Status multicast_join(int fd, const SockAddr& group, unsigned ifindex);
Status multicast_leave(int fd, const SockAddr& group, unsigned ifindex);
Status multicast_set_loop(int fd, int family, bool on);           // IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP
Status multicast_set_ttl(int fd, int family, int ttl);            // IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS
Status multicast_set_interface(int fd, int family, unsigned ifindex);  // IP_MULTICAST_IF / IPV6_MULTICAST_IF

// ---- unix stream sockets ----

// Listens on `path` with the socket file's mode set to `mode` before
// listen() (so nobody can connect while it is wider). An existing path:
//   - a socket nobody listens on (connect fails with ECONNREFUSED): stale,
//     unlinked and replaced;
//   - a socket a live process answers on: Err::io "unix listen <path>:
//     another process is listening on this socket";
//   - not a socket: Err::io "unix listen <path>: exists and is not a socket".
// The caller unlinks the path when it stops listening.
Result<Fd> unix_listen(const std::string& path, unsigned mode = 0600, int backlog = kListenBacklog);
// Non-blocking connect (unix connects complete at once or fail).
// Errors: Err::io ("unix connect <path>: Connection refused").
Result<Fd> unix_connect(const std::string& path);

// ---- interfaces ----

struct Interface {
  std::string name;
  unsigned index = 0;
  bool up = false;
  bool loopback = false;
  bool multicast = false;  // IFF_MULTICAST
  std::vector<SockAddr> addrs;  // port 0; IPv6 link-local ones carry the scope id
};

// getifaddrs(), grouped by interface, in kernel order. Errors: Err::io.
Result<std::vector<Interface>> list_interfaces();

// Expands an unspecified listen address ("0.0.0.0:P" or "[::]:P") into the
// same-family addresses of the up interfaces, port P, loopback included,
// IPv6 link-local excluded unless asked (a multiaddr cannot carry the scope).
// A specified address is returned as the only element.
std::vector<SockAddr> expand_unspecified(const SockAddr& a, const std::vector<Interface>& ifs,
                                         bool include_link_local = false);

}  // namespace net
