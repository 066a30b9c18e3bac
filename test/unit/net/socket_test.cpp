#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "net/acceptor.hpp"
#include "net/loop.hpp"
#include "net/socket.hpp"
#include "net/sockaddr.hpp"

using namespace net;

namespace {

std::unique_ptr<Loop> make_loop() {
  auto l = Loop::create();
  REQUIRE(l);
  return l.take();
}

template <class Pred>
bool run_until(Loop& loop, Pred done, uint64_t limit_ns = 5 * kSecond) {
  bool expired = false;
  TimerId guard = loop.add_timer(loop.now() + limit_ns, [&] { expired = true; });
  while (!done() && !expired) REQUIRE(loop.run_once(-1));
  loop.cancel_timer(guard);
  return done();
}

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/aac-net-XXXXXX";
    REQUIRE(mkdtemp(t) != nullptr);
    path = t;
  }
  ~TempDir() { (void)system(("rm -rf '" + path + "'").c_str()); }
};

int sockopt_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof(v);
  REQUIRE(getsockopt(fd, level, name, &v, &len) == 0);
  return v;
}

bool have_ipv6_loopback() {
  auto fd = udp_bind(SockAddr::loopback6(0));
  return fd.ok();
}

}  // namespace

// ---------------------------------------------------------------- SockAddr

TEST_CASE("sockaddr: parse and format round-trip") {
  const struct {
    const char* in;
    const char* out;
    int family;
    uint16_t port;
  } ok[] = {
      {"1.2.3.4:80", "1.2.3.4:80", AF_INET, 80},
      {"0.0.0.0:0", "0.0.0.0:0", AF_INET, 0},
      {"255.255.255.255:65535", "255.255.255.255:65535", AF_INET, 65535},
      {"127.0.0.1:080", "127.0.0.1:80", AF_INET, 80},
      {"[::1]:80", "[::1]:80", AF_INET6, 80},
      {"[::]:4001", "[::]:4001", AF_INET6, 4001},
      {"[2001:DB8::1]:443", "[2001:db8::1]:443", AF_INET6, 443},
      {"[::ffff:1.2.3.4]:1", "[::ffff:1.2.3.4]:1", AF_INET6, 1},
      {"[fe80::1%1]:5353", "[fe80::1%1]:5353", AF_INET6, 5353},
      {"[fe80::1%lo]:5353", "[fe80::1%1]:5353", AF_INET6, 5353},
      {"unix:/run/aac.sock", "unix:/run/aac.sock", AF_UNIX, 0},
  };
  for (const auto& t : ok) {
    CAPTURE(t.in);
    auto a = SockAddr::parse(t.in);
    REQUIRE(a);
    CHECK(a->family() == t.family);
    CHECK(a->port() == t.port);
    CHECK(a->to_string() == t.out);
    auto b = SockAddr::parse(a->to_string());
    REQUIRE(b);
    CHECK(*b == *a);
  }
}

TEST_CASE("sockaddr: bad input is refused with the reason") {
  const struct {
    const char* in;
    const char* what;
  } bad[] = {
      {"", "sockaddr \"\": empty"},
      {"1.2.3.4", "sockaddr \"1.2.3.4\": missing port"},
      {"1.2.3.4:", "sockaddr \"1.2.3.4:\": port must be a number 0-65535"},
      {"1.2.3.4:65536", "sockaddr \"1.2.3.4:65536\": port must be a number 0-65535"},
      {"1.2.3.4:+80", "sockaddr \"1.2.3.4:+80\": port must be a number 0-65535"},
      {"1.2.3.4:8 0", "sockaddr \"1.2.3.4:8 0\": port must be a number 0-65535"},
      {"1.2.3.4:123456", "sockaddr \"1.2.3.4:123456\": port must be a number 0-65535"},
      {"256.0.0.1:80", "sockaddr \"256.0.0.1:80\": not a numeric IPv4 address"},
      {"1.2.3:80", "sockaddr \"1.2.3:80\": not a numeric IPv4 address"},
      {"localhost:80", "sockaddr \"localhost:80\": not a numeric IPv4 address"},
      {":80", "sockaddr \":80\": empty host"},
      {"::1:80", "sockaddr \"::1:80\": IPv6 address needs brackets"},
      {"[::1]80", "sockaddr \"[::1]80\": expected ':' after ']'"},
      {"[::1]", "sockaddr \"[::1]\": missing port"},
      {"[::1:80", "sockaddr \"[::1:80\": missing ']'"},
      {"[1.2.3.4]:80", "sockaddr \"[1.2.3.4]:80\": brackets around a non-IPv6 host"},
      {"[::g]:80", "sockaddr \"[::g]:80\": not a numeric IPv6 address"},
      {"[fe80::1%]:80", "sockaddr \"[fe80::1%]:80\": empty scope id"},
      {"[fe80::1%nosuchif0]:80", "sockaddr \"[fe80::1%nosuchif0]:80\": unknown interface in scope id"},
      {"1.2.3.4%1:80", "sockaddr \"1.2.3.4%1:80\": scope id on an IPv4 address"},
  };
  for (const auto& t : bad) {
    CAPTURE(t.in);
    auto a = SockAddr::parse(t.in);
    REQUIRE_FALSE(a);
    CHECK(a.err() == Err::invalid);
    CHECK(a.what() == t.what);
  }
}

TEST_CASE("sockaddr: unix path limits (sun_path is 108 bytes with the NUL)") {
  CHECK(SockAddr::unix_path(std::string(107, 'a')).ok());
  auto r = SockAddr::unix_path(std::string(108, 'a'));
  REQUIRE_FALSE(r);
  CHECK(r.err() == Err::invalid);
  CHECK(r.what() == "unix socket path too long (108 bytes, max 107)");
  CHECK(SockAddr::unix_path("").what() == "unix socket path is empty");
  CHECK(SockAddr::unix_path(std::string("a\0b", 3)).what() == "unix socket path contains a NUL byte");
  CHECK(SockAddr::parse("unix:").what() == "unix socket path is empty");
}

TEST_CASE("sockaddr: sockaddr_storage round-trip and classification") {
  for (const char* s : {"10.1.2.3:9", "[2001:db8::7]:9", "[fe80::2%1]:9", "unix:/tmp/x"}) {
    CAPTURE(s);
    auto a = SockAddr::parse(s);
    REQUIRE(a);
    auto b = SockAddr::from_storage(a->storage(), a->len());
    REQUIRE(b);
    CHECK(*b == *a);
    CHECK(b->len() == a->len());
  }
  sockaddr_storage ss{};
  ss.ss_family = AF_INET;
  CHECK(SockAddr::from_storage(ss, 4).what() == "sockaddr: too short for AF_INET");
  ss.ss_family = AF_APPLETALK;
  CHECK(SockAddr::from_storage(ss, sizeof(ss)).what() ==
        "sockaddr: unsupported family " + std::to_string(AF_APPLETALK));
  CHECK(SockAddr::any4(1).is_unspecified());
  CHECK(SockAddr::any6(1).is_unspecified());
  CHECK(SockAddr::loopback4(1).is_loopback());
  CHECK(SockAddr::loopback6(1).is_loopback());
  CHECK(SockAddr::parse("[fe80::1]:1")->is_link_local());
  CHECK(SockAddr::parse("169.254.9.9:1")->is_link_local());
  CHECK(SockAddr::parse("224.0.0.251:5353")->is_multicast());
  CHECK(SockAddr::parse("[ff02::fb]:5353")->is_multicast());
  CHECK_FALSE(SockAddr::parse("1.2.3.4:1")->is_multicast());
  CHECK(SockAddr::parse("[::1]:1")->ip_string() == "::1");
  CHECK(SockAddr().to_string().empty());
}

// ---------------------------------------------------------------- TCP

TEST_CASE("tcp: v4 and v6 wildcard listeners coexist on one port (IPV6_V6ONLY)") {
  if (!have_ipv6_loopback()) {
    MESSAGE("no IPv6 on this host: skipped");
    return;
  }
  auto l4 = tcp_listen(SockAddr::any4(0));
  REQUIRE(l4);
  auto a4 = local_addr(l4->get());
  REQUIRE(a4);
  CHECK(a4->port() != 0);
  auto l6 = tcp_listen(SockAddr::any6(a4->port()));
  REQUIRE(l6);
  CHECK(sockopt_int(l6->get(), IPPROTO_IPV6, IPV6_V6ONLY) == 1);
  CHECK(sockopt_int(l4->get(), SOL_SOCKET, SO_REUSEADDR) == 1);
  CHECK(local_addr(l6->get())->port() == a4->port());
  // The same v4 port twice is refused, with the address and errno text.
  auto again = tcp_listen(SockAddr::any4(a4->port()));
  REQUIRE_FALSE(again);
  CHECK(again.err() == Err::io);
  CHECK(again.what() == "tcp listen 0.0.0.0:" + std::to_string(a4->port()) + ": Address already in use");
}

TEST_CASE("tcp: SO_REUSEPORT listeners share a port") {
  TcpListenOptions o;
  o.reuse_port = true;
  auto a = tcp_listen(SockAddr::loopback4(0), o);
  REQUIRE(a);
  auto b = tcp_listen(SockAddr::loopback4(local_addr(a->get())->port()), o);
  REQUIRE(b);
}

TEST_CASE("tcp: listen refuses a unix address") {
  auto r = tcp_listen(*SockAddr::unix_path("/tmp/x"));
  CHECK(r.err() == Err::invalid);
  CHECK(r.what() == "tcp listen unix:/tmp/x: not an IP address");
}

TEST_CASE("tcp: accept through an Acceptor, addresses and TCP_NODELAY on both ends") {
  auto loop = make_loop();
  for (bool v6 : {false, true}) {
    CAPTURE(v6);
    if (v6 && !have_ipv6_loopback()) {
      MESSAGE("no IPv6 on this host: skipped");
      continue;
    }
    auto l = tcp_listen(v6 ? SockAddr::loopback6(0) : SockAddr::loopback4(0));
    REQUIRE(l);
    SockAddr where = *local_addr(l->get());
    std::vector<Fd> accepted;
    std::vector<SockAddr> peers;
    auto acc = Acceptor::start(*loop, l.take(), [&](Fd fd, const SockAddr& peer) {
      accepted.push_back(std::move(fd));
      peers.push_back(peer);
    });
    REQUIRE(acc);
    CHECK((*acc)->local()->port() == where.port());
    bool in_progress = false;
    auto c = tcp_connect(where, &in_progress);
    REQUIRE(c);
    CHECK(sockopt_int(c->get(), IPPROTO_TCP, TCP_NODELAY) == 1);
    REQUIRE(run_until(*loop, [&] { return accepted.size() == 1; }));
    CHECK(connect_result(c->get(), "x"));
    CHECK(sockopt_int(accepted[0].get(), IPPROTO_TCP, TCP_NODELAY) == 1);
    auto local = local_addr(c->get());
    REQUIRE(local);
    CHECK(peers[0] == *local);
    CHECK(*peer_addr(c->get()) == where);
    CHECK(*peer_addr(accepted[0].get()) == *local);
    CHECK((*acc)->accepted() == 1);
  }
}

TEST_CASE("tcp: connect to a closed port is refused with the errno text") {
  // A bound but not listening socket reserves the port: nothing answers on it.
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(s >= 0);
  Fd reserve(s);
  SockAddr a = SockAddr::loopback4(0);
  REQUIRE(::bind(reserve.get(), a.sa(), a.len()) == 0);
  SockAddr target = *local_addr(reserve.get());
  bool in_progress = false;
  auto c = tcp_connect(target, &in_progress);
  std::string want = "tcp connect " + target.to_string() + ": Connection refused";
  if (!c) {
    CHECK(c.err() == Err::io);
    CHECK(c.what() == want);
    return;
  }
  REQUIRE(in_progress);
  auto loop = make_loop();
  bool done = false;
  auto id = loop->add_fd(c->get(), kWritable, [&](uint32_t) { done = true; });
  REQUIRE(id);
  REQUIRE(run_until(*loop, [&] { return done; }));
  Status st = connect_result(c->get(), "tcp connect " + target.to_string());
  CHECK(st.err() == Err::io);
  CHECK(st.what() == want);
  loop->remove_fd(*id);
}

TEST_CASE("tcp: accept backs off on EMFILE and resumes when fds are free") {
  auto loop = make_loop();
  auto l = tcp_listen(SockAddr::loopback4(0));
  REQUIRE(l);
  SockAddr where = *local_addr(l->get());
  std::vector<Fd> accepted;
  auto acc = Acceptor::start(*loop, l.take(), [&](Fd fd, const SockAddr&) { accepted.push_back(std::move(fd)); });
  REQUIRE(acc);
  // Three connections complete in the kernel backlog before anyone accepts.
  std::vector<Fd> clients;
  for (int i = 0; i < 3; i++) {
    bool ip = false;
    auto c = tcp_connect(where, &ip);
    REQUIRE(c);
    clients.push_back(c.take());
  }
  // Exhaust the fd table under a lowered soft limit, restored afterwards.
  rlimit old{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
  std::vector<Fd> filler;
  {
    int probe = ::dup(0);
    REQUIRE(probe >= 0);
    ::close(probe);
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(probe) + 16;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    for (;;) {
      int d = ::dup(0);
      if (d < 0) break;
      filler.emplace_back(d);
    }
  }
  REQUIRE(run_until(*loop, [&] { return (*acc)->backing_off(); }));
  CHECK(accepted.empty());
  CHECK((*acc)->backoffs() >= 1);
  filler.clear();
  REQUIRE(setrlimit(RLIMIT_NOFILE, &old) == 0);
  // The back-off timer (100 ms) re-enables accepting; all three are still queued.
  REQUIRE(run_until(*loop, [&] { return accepted.size() == 3; }));
  CHECK_FALSE((*acc)->backing_off());
}

TEST_CASE("tcp: an Acceptor may be destroyed from its own callback") {
  auto loop = make_loop();
  auto l = tcp_listen(SockAddr::loopback4(0));
  REQUIRE(l);
  SockAddr where = *local_addr(l->get());
  std::unique_ptr<Acceptor> acc;
  int calls = 0;
  auto a = Acceptor::start(*loop, l.take(), [&](Fd, const SockAddr&) {
    calls++;
    acc.reset();
  });
  REQUIRE(a);
  acc = a.take();
  std::vector<Fd> clients;
  for (int i = 0; i < 2; i++) {
    bool ip = false;
    clients.push_back(tcp_connect(where, &ip).take());
  }
  REQUIRE(run_until(*loop, [&] { return !acc; }));
  REQUIRE(loop->run_once(0));
  CHECK(calls == 1);
  CHECK(loop->fd_count() == 0);
}

// ---------------------------------------------------------------- unix

TEST_CASE("unix: listen with mode 0600, connect, accept") {
  TempDir d;
  std::string p = d.path + "/daemon.sock";
  mode_t old_umask = umask(0);  // the mode must not depend on the umask being tight
  auto l = unix_listen(p);
  umask(old_umask);
  REQUIRE(l);
  struct stat st;
  REQUIRE(lstat(p.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  auto c = unix_connect(p);
  REQUIRE(c);
  SockAddr peer;
  auto a = tcp_accept(l->get(), &peer);
  REQUIRE(a);
  CHECK(peer.is_unix());
  CHECK(local_addr(l->get())->path() == p);
}

TEST_CASE("unix: a stale socket file is replaced, a live one is refused") {
  TempDir d;
  std::string p = d.path + "/s.sock";
  {
    auto l = unix_listen(p);
    REQUIRE(l);
  }  // closed without unlink: a stale socket file remains
  struct stat st;
  REQUIRE(lstat(p.c_str(), &st) == 0);
  CHECK(unix_connect(p).what() == "unix connect " + p + ": Connection refused");
  auto l2 = unix_listen(p);
  REQUIRE(l2);  // replaced
  auto l3 = unix_listen(p);
  REQUIRE_FALSE(l3);
  CHECK(l3.err() == Err::io);
  CHECK(l3.what() == "unix listen " + p + ": another process is listening on this socket");
  // The live listener still works.
  auto c = unix_connect(p);
  CHECK(c.ok());
}

TEST_CASE("unix: a path that is not a socket is never removed") {
  TempDir d;
  std::string p = d.path + "/file";
  std::ofstream(p) << "keep me";
  auto l = unix_listen(p);
  REQUIRE_FALSE(l);
  CHECK(l.what() == "unix listen " + p + ": exists and is not a socket");
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  CHECK(s == "keep me");
  auto l2 = unix_listen(d.path + "/" + std::string(120, 'x'));
  CHECK(l2.err() == Err::invalid);
  CHECK(l2.what().find("unix socket path too long") != std::string::npos);
}

// ---------------------------------------------------------------- UDP

TEST_CASE("udp: send and receive on loopback (v4 and v6), EAGAIN and truncation") {
  for (bool v6 : {false, true}) {
    CAPTURE(v6);
    if (v6 && !have_ipv6_loopback()) {
      MESSAGE("no IPv6 on this host: skipped");
      continue;
    }
    SockAddr lo = v6 ? SockAddr::loopback6(0) : SockAddr::loopback4(0);
    auto a = udp_bind(lo);
    auto b = udp_bind(lo);
    REQUIRE(a);
    REQUIRE(b);
    SockAddr to = *local_addr(b->get());
    uint8_t buf[8];
    SockAddr from;
    auto none = udp_recv_from(b->get(), buf, &from);
    CHECK(none.err() == Err::need_more);
    CHECK(none.what().empty());
    auto n = udp_send_to(a->get(), as_bytes("hello world"), to);
    REQUIRE(n);
    CHECK(*n == 11);
    auto loop = make_loop();
    bool readable = false;
    auto id = loop->add_fd(b->get(), kReadable, [&](uint32_t) { readable = true; });
    REQUIRE(run_until(*loop, [&] { return readable; }));
    loop->remove_fd(*id);
    bool trunc = false;
    auto got = udp_recv_from(b->get(), buf, &from, &trunc);
    REQUIRE(got);
    CHECK(*got == 8);
    CHECK(trunc);
    CHECK(as_chars(BytesView(buf, 8)) == "hello wo");
    CHECK(from == *local_addr(a->get()));
  }
}

TEST_CASE("udp: pktinfo reports the arrival interface") {
  auto ifs = list_interfaces();
  REQUIRE(ifs);
  unsigned lo = 0;
  for (auto& i : *ifs)
    if (i.loopback) lo = i.index;
  for (bool v6 : {false, true}) {
    CAPTURE(v6);
    if (v6 && !have_ipv6_loopback()) continue;
    UdpOptions o;
    o.pktinfo = true;
    auto r = udp_bind(v6 ? SockAddr::any6(0) : SockAddr::any4(0), o);
    REQUIRE(r);
    auto s = udp_bind(v6 ? SockAddr::loopback6(0) : SockAddr::loopback4(0));
    REQUIRE(s);
    SockAddr to = v6 ? SockAddr::loopback6(local_addr(r->get())->port())
                     : SockAddr::loopback4(local_addr(r->get())->port());
    REQUIRE(udp_send_to(s->get(), as_bytes("q"), to));
    auto loop = make_loop();
    bool readable = false;
    auto id = loop->add_fd(r->get(), kReadable, [&](uint32_t) { readable = true; });
    REQUIRE(run_until(*loop, [&] { return readable; }));
    loop->remove_fd(*id);
    uint8_t buf[4];
    unsigned ifindex = 12345;
    auto got = udp_recv_from(r->get(), buf, nullptr, nullptr, &ifindex);
    REQUIRE(got);
    CHECK(*got == 1);
    CHECK(ifindex == lo);
  }
}

TEST_CASE("udp: SO_REUSEADDR lets two sockets share a port (mDNS :5353 style)") {
  UdpOptions o;
  o.reuse_addr = true;
  auto a = udp_bind(SockAddr::any4(0), o);
  REQUIRE(a);
  uint16_t port = local_addr(a->get())->port();
  auto b = udp_bind(SockAddr::any4(port), o);
  CHECK(b.ok());
  auto c = udp_bind(SockAddr::any4(port));  // without the option
  CHECK(c.err() == Err::io);
  CHECK(c.what() == "udp bind 0.0.0.0:" + std::to_string(port) + ": Address already in use");
}

TEST_CASE("udp: multicast join on lo (224.0.0.251 and ff02::fb), traffic stays on lo") {
  auto ifs = list_interfaces();
  REQUIRE(ifs);
  unsigned lo = 0;
  bool lo_mc = false;
  for (auto& i : *ifs) {
    if (i.loopback) {
      lo = i.index;
      lo_mc = i.multicast;
    }
  }
  REQUIRE(lo != 0);
  if (!lo_mc) MESSAGE("lo lacks IFF_MULTICAST (ip link set lo multicast on): joins may still succeed");

  UdpOptions o;
  o.reuse_addr = true;
  auto s = udp_bind(SockAddr::any4(0), o);
  REQUIRE(s);
  uint16_t port = local_addr(s->get())->port();
  SockAddr group = *SockAddr::parse("224.0.0.251:" + std::to_string(port));
  CHECK(multicast_set_ttl(s->get(), AF_INET, 255));
  CHECK(sockopt_int(s->get(), IPPROTO_IP, IP_MULTICAST_TTL) == 255);
  CHECK(multicast_set_loop(s->get(), AF_INET, true));
  CHECK(multicast_set_interface(s->get(), AF_INET, lo));  // never eth0 in tests
  Status j = multicast_join(s->get(), group, lo);
  if (!j) {
    MESSAGE("kernel refused the IPv4 join on lo: " << j.what());
    CHECK(j.err() == Err::io);
  } else {
    auto sent = udp_send_to(s->get(), as_bytes("mdns?"), group);
    if (!sent) {
      MESSAGE("multicast send on lo refused: " << sent.what());
    } else {
      auto loop = make_loop();
      bool readable = false;
      auto id = loop->add_fd(s->get(), kReadable, [&](uint32_t) { readable = true; });
      REQUIRE(run_until(*loop, [&] { return readable; }, kSecond));
      loop->remove_fd(*id);
      uint8_t buf[64];
      auto got = udp_recv_from(s->get(), buf, nullptr);
      REQUIRE(got);
      CHECK(as_chars(BytesView(buf, *got)) == "mdns?");
    }
    CHECK(multicast_leave(s->get(), group, lo));
  }
  // Error paths: not a multicast group; an interface that does not exist.
  Status bad = multicast_join(s->get(), *SockAddr::parse("10.0.0.1:1"), lo);
  CHECK(bad.err() == Err::invalid);
  CHECK(bad.what() == "multicast join 10.0.0.1 on ifindex " + std::to_string(lo) + ": not a multicast address");
  Status nodev = multicast_join(s->get(), group, 999999);
  CHECK(nodev.err() == Err::io);
  CHECK(nodev.what() == "multicast join 224.0.0.251 on ifindex 999999: No such device");

  if (!have_ipv6_loopback()) {
    MESSAGE("no IPv6 on this host: IPv6 multicast skipped");
    return;
  }
  auto s6 = udp_bind(SockAddr::any6(0), o);
  REQUIRE(s6);
  SockAddr group6 = *SockAddr::parse("[ff02::fb]:5353");
  CHECK(multicast_set_ttl(s6->get(), AF_INET6, 255));
  CHECK(multicast_set_loop(s6->get(), AF_INET6, true));
  CHECK(multicast_set_interface(s6->get(), AF_INET6, lo));
  Status j6 = multicast_join(s6->get(), group6, lo);
  if (!j6) {
    MESSAGE("kernel refused the IPv6 join on lo: " << j6.what());
    CHECK(j6.err() == Err::io);
  } else {
    CHECK(multicast_leave(s6->get(), group6, lo));
  }
  CHECK(multicast_set_ttl(s6->get(), AF_INET6, 256).what() == "multicast ttl 256: not 0-255");
}

// ---------------------------------------------------------------- interfaces

TEST_CASE("interfaces: lo is listed and 0.0.0.0 expands to concrete addresses") {
  auto ifs = list_interfaces();
  REQUIRE(ifs);
  bool saw_lo4 = false;
  for (auto& i : *ifs) {
    CHECK_FALSE(i.name.empty());
    CHECK(i.index != 0);
    for (auto& a : i.addrs) {
      CHECK(a.port() == 0);
      if (i.loopback && a.is_v4() && a.is_loopback()) saw_lo4 = true;
    }
  }
  CHECK(saw_lo4);
  auto ex = expand_unspecified(SockAddr::any4(4001), *ifs);
  REQUIRE_FALSE(ex.empty());
  bool has_lo = false;
  for (auto& a : ex) {
    CHECK(a.is_v4());
    CHECK(a.port() == 4001);
    CHECK_FALSE(a.is_unspecified());
    if (a == SockAddr::loopback4(4001)) has_lo = true;
  }
  CHECK(has_lo);
  for (auto& a : expand_unspecified(SockAddr::any6(7), *ifs)) {
    CHECK(a.is_v6());
    CHECK_FALSE(a.is_link_local());
  }
  auto one = expand_unspecified(SockAddr::loopback4(9), *ifs);
  REQUIRE(one.size() == 1);
  CHECK(one[0] == SockAddr::loopback4(9));
  // A synthetic table: down interfaces and link-local addresses are skipped.
  std::vector<Interface> fake(2);
  fake[0].name = "up0";
  fake[0].up = true;
  fake[0].addrs = {*SockAddr::parse("10.0.0.2:0"), *SockAddr::parse("[fe80::2%3]:0"),
                   *SockAddr::parse("[2001:db8::2]:0")};
  fake[1].name = "down0";
  fake[1].addrs = {*SockAddr::parse("10.9.9.9:0")};
  auto e4 = expand_unspecified(SockAddr::any4(1), fake);
  REQUIRE(e4.size() == 1);
  CHECK(e4[0].to_string() == "10.0.0.2:1");
  auto e6 = expand_unspecified(SockAddr::any6(1), fake);
  REQUIRE(e6.size() == 1);
  CHECK(e6[0].to_string() == "[2001:db8::2]:1");
  CHECK(expand_unspecified(SockAddr::any6(1), fake, true).size() == 2);
}
