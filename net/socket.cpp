#include "net/socket.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/sys_error.hpp"

namespace net {
namespace {

Err errno_code(int e) { return e == EMFILE || e == ENFILE ? Err::limit : Err::io; }

Error fail(const std::string& what, int e) { return sys_error(errno_code(e), what, e); }

Status setopt(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) == 0) return {};
  return sys_error(what, errno);
}

Result<Fd> new_socket(int family, int type, const std::string& what) {
  int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(what, errno);
  return Fd(fd);
}

bool transient_accept_error(int e) {
  // accept(2), "Error handling": Linux passes already-pending network errors
  // of the new socket up from accept; treat them like EAGAIN.
  switch (e) {
    case EAGAIN:
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM:  // firewall rules
      return true;
    default:
      return false;
  }
}

}  // namespace

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

// ---------------------------------------------------------------- TCP

Result<Fd> tcp_listen(const SockAddr& addr, const TcpListenOptions& opt) {
  std::string what = "tcp listen " + addr.to_string();
  if (!addr.is_ip()) return Error{Err::invalid, what + ": not an IP address"};
  auto fd = new_socket(addr.family(), SOCK_STREAM, what);
  if (!fd) return fd;
  int s = fd->get();
  AAC_TRY(setopt(s, SOL_SOCKET, SO_REUSEADDR, 1, (what + ": SO_REUSEADDR").c_str()));
  if (opt.reuse_port) AAC_TRY(setopt(s, SOL_SOCKET, SO_REUSEPORT, 1, (what + ": SO_REUSEPORT").c_str()));
  if (addr.is_v6()) AAC_TRY(setopt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1, (what + ": IPV6_V6ONLY").c_str()));
  if (::bind(s, addr.sa(), addr.len()) != 0) return fail(what, errno);
  if (::listen(s, opt.backlog) != 0) return fail(what, errno);
  return fd;
}

Result<Fd> tcp_accept(int listen_fd, SockAddr* peer) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (transient_accept_error(e)) return Err::need_more;
    if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)
      return sys_error(Err::limit, "tcp accept", e);
    return sys_error("tcp accept", e);
  }
  Fd out(fd);
  auto a = SockAddr::from_storage(ss, len);
  if (a && a->is_ip()) (void)set_nodelay(fd, true);  // best effort: the socket is usable anyway
  if (peer) *peer = a ? *a : SockAddr();
  return out;
}

Result<Fd> tcp_connect(const SockAddr& addr, bool* in_progress) {
  std::string what = "tcp connect " + addr.to_string();
  if (!addr.is_ip()) return Error{Err::invalid, what + ": not an IP address"};
  auto fd = new_socket(addr.family(), SOCK_STREAM, what);
  if (!fd) return fd;
  (void)set_nodelay(fd->get(), true);
  *in_progress = false;
  if (::connect(fd->get(), addr.sa(), addr.len()) == 0) return fd;
  if (errno == EINPROGRESS) {
    *in_progress = true;
    return fd;
  }
  return fail(what, errno);
}

Status connect_result(int fd, const std::string& what) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return sys_error(what, errno);
  if (err != 0) return sys_error(what, err);
  return {};
}

Status set_nodelay(int fd, bool on) { return setopt(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0, "TCP_NODELAY"); }

Status set_linger_zero(int fd) {
  linger l{1, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) == 0) return {};
  return sys_error("SO_LINGER", errno);
}

Result<SockAddr> local_addr(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return sys_error("getsockname", errno);
  return SockAddr::from_storage(ss, len);
}

Result<SockAddr> peer_addr(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return sys_error("getpeername", errno);
  return SockAddr::from_storage(ss, len);
}

// ---------------------------------------------------------------- UDP

Result<Fd> udp_bind(const SockAddr& addr, const UdpOptions& opt) {
  std::string what = "udp bind " + addr.to_string();
  if (!addr.is_ip()) return Error{Err::invalid, what + ": not an IP address"};
  auto fd = new_socket(addr.family(), SOCK_DGRAM, what);
  if (!fd) return fd;
  int s = fd->get();
  if (opt.reuse_addr) AAC_TRY(setopt(s, SOL_SOCKET, SO_REUSEADDR, 1, (what + ": SO_REUSEADDR").c_str()));
  if (opt.reuse_port) AAC_TRY(setopt(s, SOL_SOCKET, SO_REUSEPORT, 1, (what + ": SO_REUSEPORT").c_str()));
  if (addr.is_v6()) AAC_TRY(setopt(s, IPPROTO_IPV6, IPV6_V6ONLY, 1, (what + ": IPV6_V6ONLY").c_str()));
  if (opt.pktinfo) {
    if (addr.is_v4()) AAC_TRY(setopt(s, IPPROTO_IP, IP_PKTINFO, 1, (what + ": IP_PKTINFO").c_str()));
    if (addr.is_v6()) AAC_TRY(setopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, (what + ": IPV6_RECVPKTINFO").c_str()));
  }
  if (::bind(s, addr.sa(), addr.len()) != 0) return fail(what, errno);
  return fd;
}

Result<size_t> udp_send_to(int fd, BytesView data, const SockAddr& to) {
  for (;;) {
    ssize_t n = ::sendto(fd, data.data(), data.size(), MSG_NOSIGNAL, to.sa(), to.len());
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Err::need_more;
    return sys_error("udp send to " + to.to_string(), errno);
  }
}

Result<size_t> udp_recv_from(int fd, std::span<uint8_t> buf, SockAddr* from, bool* truncated,
                             unsigned* ifindex) {
  for (;;) {
    sockaddr_storage ss;
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) uint8_t ctl[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))];
    msghdr mh{};
    mh.msg_name = &ss;
    mh.msg_namelen = sizeof(ss);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (ifindex) {
      *ifindex = 0;
      mh.msg_control = ctl;
      mh.msg_controllen = sizeof(ctl);
    }
    ssize_t n = ::recvmsg(fd, &mh, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Err::need_more;
      return sys_error("udp recv", errno);
    }
    if (truncated) *truncated = (mh.msg_flags & MSG_TRUNC) != 0;
    if (ifindex) {
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo pi;
          memcpy(&pi, CMSG_DATA(c), sizeof(pi));
          *ifindex = static_cast<unsigned>(pi.ipi_ifindex);
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          in6_pktinfo pi;
          memcpy(&pi, CMSG_DATA(c), sizeof(pi));
          *ifindex = pi.ipi6_ifindex;
        }
      }
    }
    if (from) {
      auto a = SockAddr::from_storage(ss, mh.msg_namelen);
      *from = a ? *a : SockAddr();
    }
    return static_cast<size_t>(n);
  }
}

namespace {

Status multicast_membership(int fd, const SockAddr& group, unsigned ifindex, bool join) {
  std::string what = std::string(join ? "multicast join " : "multicast leave ") + group.ip_string() +
                     " on ifindex " + std::to_string(ifindex);
  if (!group.is_multicast()) return Error{Err::invalid, what + ": not a multicast address"};
  int rc;
  if (group.is_v4()) {
    ip_mreqn m{};
    auto g = group.v4();
    memcpy(&m.imr_multiaddr, g.data(), 4);
    m.imr_ifindex = static_cast<int>(ifindex);
    rc = setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m, sizeof(m));
  } else {
    ipv6_mreq m{};
    auto g = group.v6();
    memcpy(&m.ipv6mr_multiaddr, g.data(), 16);
    m.ipv6mr_interface = ifindex;
    rc = setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof(m));
  }
  if (rc != 0) return sys_error(what, errno);
  return {};
}

}  // namespace

Status multicast_join(int fd, const SockAddr& group, unsigned ifindex) {
  return multicast_membership(fd, group, ifindex, true);
}

Status multicast_leave(int fd, const SockAddr& group, unsigned ifindex) {
  return multicast_membership(fd, group, ifindex, false);
}

Status multicast_set_loop(int fd, int family, bool on) {
  if (family == AF_INET) return setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0, "IP_MULTICAST_LOOP");
  return setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, on ? 1 : 0, "IPV6_MULTICAST_LOOP");
}

Status multicast_set_ttl(int fd, int family, int ttl) {
  if (ttl < 0 || ttl > 255) return Error{Err::invalid, "multicast ttl " + std::to_string(ttl) + ": not 0-255"};
  if (family == AF_INET) return setopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
  return setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl, "IPV6_MULTICAST_HOPS");
}

Status multicast_set_interface(int fd, int family, unsigned ifindex) {
  if (family == AF_INET) {
    ip_mreqn m{};
    m.imr_ifindex = static_cast<int>(ifindex);
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) == 0) return {};
    return sys_error("IP_MULTICAST_IF ifindex " + std::to_string(ifindex), errno);
  }
  return setopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, static_cast<int>(ifindex),
                ("IPV6_MULTICAST_IF ifindex " + std::to_string(ifindex)).c_str());
}

// ---------------------------------------------------------------- unix

Result<Fd> unix_connect(const std::string& path) {
  std::string what = "unix connect " + path;
  auto a = SockAddr::unix_path(path);
  if (!a) return Error{Err::invalid, what + ": " + a.what()};
  auto fd = new_socket(AF_UNIX, SOCK_STREAM, what);
  if (!fd) return fd;
  for (;;) {
    if (::connect(fd->get(), a->sa(), a->len()) == 0) return fd;
    if (errno == EINTR) continue;
    // EAGAIN: the listener's backlog is full; EINPROGRESS does not happen
    // for unix sockets on Linux.
    return fail(what, errno);
  }
}

Result<Fd> unix_listen(const std::string& path, unsigned mode, int backlog) {
  std::string what = "unix listen " + path;
  auto a = SockAddr::unix_path(path);
  if (!a) return Error{Err::invalid, what + ": " + a.what()};

  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return Error{Err::io, what + ": exists and is not a socket"};
    Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!probe) return fail(what + ": probing the existing socket", errno);
    int e = ::connect(probe.get(), a->sa(), a->len()) == 0 ? 0 : errno;
    // EAGAIN: alive, its backlog is full.
    if (e == 0 || e == EAGAIN) return Error{Err::io, what + ": another process is listening on this socket"};
    if (e != ECONNREFUSED && e != ENOENT) return sys_error(what + ": probing the existing socket", e);
    if (e == ECONNREFUSED && ::unlink(path.c_str()) != 0 && errno != ENOENT)
      return sys_error(what + ": removing the stale socket", errno);
  }

  auto fd = new_socket(AF_UNIX, SOCK_STREAM, what);
  if (!fd) return fd;
  // Linux creates the socket file with the socket inode's mode (minus
  // umask), so set it before bind; chmod after bind in case the platform
  // ignores that; listen() only after, so nobody connects through a wider mode.
  (void)fchmod(fd->get(), static_cast<mode_t>(mode));
  if (::bind(fd->get(), a->sa(), a->len()) != 0) return fail(what, errno);
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    int e = errno;
    ::unlink(path.c_str());
    return sys_error(what + ": chmod", e);
  }
  if (::listen(fd->get(), backlog) != 0) {
    int e = errno;
    ::unlink(path.c_str());
    return fail(what, e);
  }
  return fd;
}

// ---------------------------------------------------------------- interfaces

Result<std::vector<Interface>> list_interfaces() {
  ifaddrs* head = nullptr;
  if (getifaddrs(&head) != 0) return sys_error("getifaddrs", errno);
  std::vector<Interface> out;
  for (ifaddrs* p = head; p; p = p->ifa_next) {
    if (!p->ifa_name) continue;
    Interface* it = nullptr;
    for (auto& i : out) {
      if (i.name == p->ifa_name) it = &i;
    }
    if (!it) {
      out.emplace_back();
      it = &out.back();
      it->name = p->ifa_name;
      it->index = if_nametoindex(p->ifa_name);
      it->up = (p->ifa_flags & IFF_UP) != 0;
      it->loopback = (p->ifa_flags & IFF_LOOPBACK) != 0;
      it->multicast = (p->ifa_flags & IFF_MULTICAST) != 0;
    }
    if (!p->ifa_addr) continue;
    int fam = p->ifa_addr->sa_family;
    if (fam != AF_INET && fam != AF_INET6) continue;
    auto a = SockAddr::from_sockaddr(p->ifa_addr, fam == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6));
    if (!a) continue;
    a->set_port(0);
    it->addrs.push_back(*a);
  }
  freeifaddrs(head);
  return out;
}

std::vector<SockAddr> expand_unspecified(const SockAddr& a, const std::vector<Interface>& ifs,
                                         bool include_link_local) {
  if (!a.is_unspecified()) return {a};
  std::vector<SockAddr> out;
  for (const auto& i : ifs) {
    if (!i.up) continue;
    for (SockAddr x : i.addrs) {
      if (x.family() != a.family()) continue;
      if (x.is_link_local() && !include_link_local) continue;
      x.set_port(a.port());
      out.push_back(x);
    }
  }
  return out;
}

}  // namespace net
