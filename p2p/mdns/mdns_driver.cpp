// p2p/mdns/mdns_driver.cpp — see mdns_driver.hpp.
#include "p2p/mdns/mdns_driver.hpp"

#include <algorithm>
#include <utility>

#include "crypto/init.hpp"
#include "net/destroy_guard.hpp"

namespace p2p::mdns {

using net::Err;
using net::Error;

namespace {

net::SockAddr group_addr(int family, uint16_t port, unsigned ifindex) {
  if (family == AF_INET) {
    auto a = net::SockAddr::parse_ip(kGroupV4, port);
    return a ? *a : net::SockAddr{};
  }
  auto a = net::SockAddr::parse_ip(kGroupV6, port);
  return a ? net::SockAddr::ip6(a->v6(), port, ifindex) : net::SockAddr{};
}

bool same_ip(const net::SockAddr& a, const net::SockAddr& b) {
  if (a.family() != b.family()) return false;
  return a.is_v4() ? a.v4() == b.v4() : a.v6() == b.v6();
}

}  // namespace

Driver::Driver(net::Loop& loop, Config cfg, DriverOptions opt, OnPeerFound cb, net::Log* log, Rng rng)
    : loop_(loop), opt_(std::move(opt)), core_(std::move(cfg), std::move(rng), log), on_found_(std::move(cb)),
      log_(log) {}

net::Result<std::unique_ptr<Driver>> Driver::start(net::Loop& loop, const PeerId& local_id, DriverOptions opt,
                                                    OnPeerFound on_found, net::Log* log, Rng rng) {
  if (!opt.ipv4 && !opt.ipv6) return Error{Err::invalid, "mdns: both IPv4 and IPv6 are disabled"};
  if (!rng) rng = [] { return crypto::random_u64(); };
  Config cfg;
  cfg.local_id = local_id;
  cfg.advertise_loopback = opt.loopback;
  cfg.limits = opt.limits;
  std::unique_ptr<Driver> d(new Driver(loop, std::move(cfg), std::move(opt), std::move(on_found), log, std::move(rng)));
  std::string why;
  bool any = false;
  if (d->opt_.ipv4) {
    auto st = d->open(d->v4_, AF_INET);
    if (st) any = true; else why += st.what();
  }
  if (d->opt_.ipv6) {
    auto st = d->open(d->v6_, AF_INET6);
    if (st) {
      any = true;
    } else {
      if (!why.empty()) why += "; ";
      why += st.what();
    }
  }
  if (!any) return Error{Err::io, "mdns: " + why};
  if (!why.empty()) AAC_LOG(log, warn, "mdns", "one address family unavailable", {{"error", why}});
  Driver* self = d.get();
  d->timer_ = loop.create_timer([self] {
    self->core_.on_timeout(self->loop_.now());
    self->pump();
  });
  d->refresh_ = loop.add_periodic(d->opt_.interface_refresh_ns, [self] { self->refresh_interfaces(); });
  d->refresh_interfaces();
  AAC_LOG(log, info, "mdns", "mdns started",
          {{"peer_name", d->core_.peer_name()},
           {"ipv4_ifaces", d->v4_.joined.size()},
           {"ipv6_ifaces", d->v6_.joined.size()}});
  d->core_.start(loop.now());
  d->pump();
  return d;
}

Driver::~Driver() {
  if (dead_flag_) *dead_flag_ = true;
  core_.shutdown();
  while (auto t = core_.poll_transmit()) {
    if (t->to_source) continue;
    for (Sock* s : {&v4_, &v6_})
      if (s->fd) send_multicast(*s, t->data);
  }
  loop_.cancel_timer(timer_);
  loop_.cancel_timer(refresh_);
  for (Sock* s : {&v4_, &v6_}) {
    if (s->io != net::kNoIo) loop_.remove_fd(s->io);
  }
}

net::Status Driver::open(Sock& s, int family) {
  net::UdpOptions uo;
  uo.reuse_addr = true;
  uo.reuse_port = true;
  net::SockAddr any = family == AF_INET ? net::SockAddr::any4(opt_.port) : net::SockAddr::any6(opt_.port);
  auto fd = net::udp_bind(any, uo);
  if (!fd) return fd.take_error();
  AAC_TRY(net::multicast_set_loop(fd->get(), family, true));
  AAC_TRY(net::multicast_set_ttl(fd->get(), family, 255));
  if (opt_.port == 0) {
    auto la = net::local_addr(fd->get());
    if (la) port_ = la->port();
  } else {
    port_ = opt_.port;
  }
  s.family = family;
  s.fd = fd.take();
  Sock* sp = &s;
  auto io = loop_.add_fd(s.fd.get(), net::kReadable, [this, sp](uint32_t) { on_readable(*sp); });
  if (!io) {
    s.fd.reset();
    return io.take_error();
  }
  s.io = *io;
  return {};
}

void Driver::refresh_interfaces() {
  auto ifs = net::list_interfaces();
  if (!ifs) {
    AAC_LOG(log_, warn, "mdns", "cannot list interfaces", {{"error", ifs.what()}});
    return;
  }
  ifs_ = ifs.take();
  for (Sock* s : {&v4_, &v6_}) {
    if (!s->fd) continue;
    std::vector<unsigned> now_joined;
    for (const net::Interface& i : ifs_) {
      if (!i.up || (i.loopback && !opt_.loopback) || (!i.multicast && !i.loopback)) continue;
      if (!opt_.interfaces.empty() &&
          std::find(opt_.interfaces.begin(), opt_.interfaces.end(), i.name) == opt_.interfaces.end())
        continue;
      bool has_family = std::any_of(i.addrs.begin(), i.addrs.end(),
                                    [&](const net::SockAddr& a) { return a.family() == s->family; });
      if (!has_family) continue;
      if (std::find(s->joined.begin(), s->joined.end(), i.index) == s->joined.end()) {
        auto st = net::multicast_join(s->fd.get(), group_addr(s->family, opt_.port, i.index), i.index);
        if (!st) {
          AAC_LOG(log_, warn, "mdns", "multicast join failed", {{"iface", i.name}, {"error", st.what()}});
          continue;
        }
        AAC_LOG(log_, debug, "mdns", "joined", {{"iface", i.name}, {"family", s->family == AF_INET ? 4 : 6}});
      }
      now_joined.push_back(i.index);
    }
    // Interfaces that went away take their memberships with them.
    s->joined = std::move(now_joined);
  }
  if (!listen_.empty()) apply_addresses();
}

void Driver::set_addresses(const std::vector<Multiaddr>& listen_addrs) {
  listen_ = listen_addrs;
  apply_addresses();
}

void Driver::apply_addresses() {
  std::vector<Multiaddr> out;
  for (const Multiaddr& a : listen_) {
    if (!a.is_unspecified()) {
      out.push_back(a);
      continue;
    }
    auto comps = a.components();
    if (comps.empty()) continue;
    int family = comps[0].code == ma::kIp4 ? AF_INET : AF_INET6;
    for (const net::Interface& i : ifs_) {
      if (!i.up) continue;
      for (const net::SockAddr& ip : i.addrs) {
        if (ip.family() != family || ip.is_link_local()) continue;  // a multiaddr cannot carry the scope
        Multiaddr m;
        net::Status st;
        if (family == AF_INET) {
          auto v = ip.v4();
          st = m.push(ma::kIp4, net::BytesView(v.data(), v.size()));
        } else {
          auto v = ip.v6();
          st = m.push(ma::kIp6, net::BytesView(v.data(), v.size()));
        }
        for (size_t k = 1; st && k < comps.size(); ++k) st = m.push(comps[k].code, comps[k].value);
        if (st) out.push_back(std::move(m));
      }
    }
  }
  core_.set_addresses(out, loop_.now());
  pump();
}

bool Driver::is_local(const net::SockAddr& a) const {
  if (a.is_loopback()) return true;
  for (const net::Interface& i : ifs_)
    for (const net::SockAddr& ip : i.addrs)
      if (same_ip(ip, a)) return true;
  return false;
}

void Driver::on_readable(Sock& s) {
  for (size_t n = 0; n < kMaxDatagramsPerTurn; ++n) {
    std::span<uint8_t> buf = loop_.scratch();
    net::SockAddr from;
    bool truncated = false;
    auto r = net::udp_recv_from(s.fd.get(), buf, &from, &truncated);
    if (!r) {
      if (r.err() != Err::need_more) AAC_LOG(log_, debug, "mdns", "recv failed", {{"error", r.what()}});
      return;
    }
    if (truncated) continue;
    PacketInfo info;
    info.legacy = from.port() != opt_.port;
    info.from_local = is_local(from);
    src_sock_ = &s;
    src_addr_ = from;
    auto st = core_.handle_packet(net::BytesView(buf.data(), *r), loop_.now(), info);
    if (!st) AAC_LOG(log_, debug, "mdns", "bad packet", {{"from", from.to_string()}, {"error", st.what()}});
    bool dead = false;
    {
      net::DestroyGuard g(dead_flag_);
      pump();
      dead = g.dead();
    }
    if (dead) return;
    src_sock_ = nullptr;
  }
}

void Driver::send_multicast(Sock& s, net::BytesView data) {
  for (unsigned idx : s.joined) {
    auto st = net::multicast_set_interface(s.fd.get(), s.family, idx);
    if (!st) {
      AAC_LOG(log_, debug, "mdns", "cannot select interface", {{"error", st.what()}});
      continue;
    }
    auto r = net::udp_send_to(s.fd.get(), data, group_addr(s.family, opt_.port, idx));
    if (!r && r.err() != Err::need_more)
      AAC_LOG(log_, debug, "mdns", "send failed", {{"ifindex", idx}, {"error", r.what()}});
  }
}

void Driver::pump() {
  while (auto t = core_.poll_transmit()) {
    if (t->to_source) {
      if (src_sock_) (void)net::udp_send_to(src_sock_->fd.get(), t->data, src_addr_);
      continue;
    }
    for (Sock* s : {&v4_, &v6_})
      if (s->fd) send_multicast(*s, t->data);
  }
  while (auto e = core_.poll_event()) {
    if (log_ && log_->enabled(net::LogLevel::info)) {
      std::vector<std::string> addrs;
      for (const Multiaddr& a : e->addrs) addrs.push_back(a.to_string());
      AAC_LOG(log_, info, "mdns", "mdns peer found", {{"peer_id", e->peer_id.to_base58()}, {"addrs", addrs}});
    }
    if (on_found_) {
      net::DestroyGuard g(dead_flag_);
      on_found_(*e);
      if (g.dead()) return;
    }
  }
  loop_.arm_timer(timer_, core_.next_deadline());
}

}  // namespace p2p::mdns
