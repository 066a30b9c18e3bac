// p2p/host/dialer.cpp — outbound connections: address selection, one dial
// per peer at a time (callers of connect() for a peer already being dialed
// join that dial), addresses tried in turn, a deadline for the whole dial.
#include <algorithm>

#include "p2p/host/connection.hpp"
#include "p2p/host/host.hpp"
#include "p2p/multiaddr/multiaddr_protocols.hpp"
#include "p2p/transport/tcp_addr.hpp"

namespace p2p {

void Host::connect(const PeerId& peer, const std::vector<Multiaddr>& addrs, ConnectCallback cb) {
  if (peer == self_) {
    loop_.defer([cb = std::move(cb)]() mutable { cb(net::Error{net::Err::invalid, "dial: cannot dial ourselves"}); });
    return;
  }
  if (Connection* c = best_conn(peer)) {
    ConnId id = c->id();
    loop_.defer([cb = std::move(cb), id]() mutable { cb(id); });
    return;
  }
  if (auto it = dial_by_peer_.find(peer); it != dial_by_peer_.end()) {
    auto& d = *dials_[it->second];
    d.cbs.push_back(std::move(cb));
    for (const auto& a : addrs)
      if (std::find(d.addrs.begin(), d.addrs.end(), a.without_peer_id()) == d.addrs.end())
        d.addrs.push_back(a.without_peer_id());
    return;
  }
  auto d = std::make_unique<Dial>();
  d->id = next_dial_id_++;
  d->peer = peer;
  std::vector<Multiaddr> all = addrs;
  for (auto& a : peers_.addrs(peer)) all.push_back(std::move(a));
  for (const auto& a0 : all) {
    Multiaddr a = a0.without_peer_id();
    if (a.has_protocol(ma::kP2pCircuit) || !a.to_tcp_endpoint()) continue;  // TCP only (for now)
    if (std::find(d->addrs.begin(), d->addrs.end(), a) != d->addrs.end()) continue;
    d->addrs.push_back(std::move(a));
    if (d->addrs.size() >= kMaxAddrsPerDial) break;
  }
  d->cbs.push_back(std::move(cb));
  d->last_error = {net::Err::not_found, "dial " + peer.to_base58() + ": no dialable addresses"};
  Dial& ref = *d;
  dial_by_peer_[peer] = d->id;
  dials_[d->id] = std::move(d);
  start_dial(ref);
}

void Host::dial(const Multiaddr& addr, ConnectCallback cb) {
  if (auto p = addr.peer_id()) {
    connect(*p, {addr}, std::move(cb));
    return;
  }
  auto d = std::make_unique<Dial>();
  d->id = next_dial_id_++;
  d->addrs.push_back(addr);
  d->cbs.push_back(std::move(cb));
  d->last_error = {net::Err::invalid, "dial " + addr.to_string() + ": not dialable"};
  Dial& ref = *d;
  dials_[d->id] = std::move(d);
  start_dial(ref);
}

void Host::start_dial(Dial& d) {
  uint64_t id = d.id;
  d.timer = loop_.add_timer(loop_.now() + cfg_.limits.dial_timeout_ns, [this, id] {
    auto it = dials_.find(id);
    if (it == dials_.end()) return;
    it->second->timer = net::kNoTimer;
    std::string who = it->second->peer.empty() ? it->second->addrs.front().to_string() : it->second->peer.to_base58();
    finish_dial(id, net::Error{net::Err::timeout, "dial " + who + ": timed out"});
  });
  // Always answer from the loop.
  loop_.defer([this, id] {
    auto it = dials_.find(id);
    if (it != dials_.end()) dial_next(*it->second);
  });
}

void Host::dial_next(Dial& d) {
  while (d.next < d.addrs.size()) {
    const Multiaddr& a = d.addrs[d.next++];
    net::Error err;
    auto c = dial_tcp(a, d.peer, &err);
    if (!c) {
      d.last_error = err;
      continue;
    }
    c->dial_id = d.id;
    d.attempting = true;
    adopt(std::move(c));
    return;
  }
  finish_dial(d.id, d.last_error);
}

void Host::dial_attempt_done(Dial& d, Connection* c, const net::Error& why) {
  (void)c;
  d.attempting = false;
  std::string who = d.peer.empty() ? "" : d.peer.to_base58() + " ";
  d.last_error = {why.code, "dial " + who + "at " + (c ? c->remote_addr().to_string() : "") + ": " + why.what};
  // Continue from the loop: we are inside the failing connection's teardown.
  uint64_t id = d.id;
  loop_.defer([this, id] {
    auto it = dials_.find(id);
    if (it != dials_.end() && !it->second->attempting) dial_next(*it->second);
  });
}

void Host::finish_dial(uint64_t dial_id, net::Result<ConnId> r) {
  auto it = dials_.find(dial_id);
  if (it == dials_.end()) return;
  std::unique_ptr<Dial> d = std::move(it->second);
  dials_.erase(it);
  if (!d->peer.empty()) {
    auto pit = dial_by_peer_.find(d->peer);
    if (pit != dial_by_peer_.end() && pit->second == dial_id) dial_by_peer_.erase(pit);
  }
  if (d->timer != net::kNoTimer) loop_.cancel_timer(d->timer);
  // A failed dial may leave an attempt upgrading: it no longer belongs to us.
  for (auto& [cid, c] : conns_)
    if (c->dial_id == dial_id) c->dial_id = 0;
  for (auto& cb : d->cbs) {
    if (r) cb(*r);
    else cb(r.error());
  }
}

std::unique_ptr<Connection> Host::dial_tcp(const Multiaddr& addr, const PeerId& expected, net::Error* err) {
  if (shutting_down_) {
    *err = {net::Err::closed, "dial: host shutting down"};
    return nullptr;
  }
  if (conns_.size() >= cfg_.limits.max_connections) {
    *err = {net::Err::limit, "dial: connection limit reached"};
    return nullptr;
  }
  auto sa = tcp_sockaddr(addr);
  if (!sa) {
    *err = {sa.err(), "dial " + addr.to_string() + ": " + sa.what()};
    return nullptr;
  }
  auto tcp = net::TcpStream::dial(loop_, *sa, cfg_.limits.dial_addr_timeout_ns);
  if (!tcp) {
    *err = {tcp.err(), "dial " + addr.to_string() + ": " + tcp.what()};
    return nullptr;
  }
  ConnCoreConfig cc;
  cc.direction = ConnDirection::outbound;
  cc.identity = cfg_.identity;
  cc.noise_static = noise_static_;
  cc.expected_peer = expected;
  cc.now = loop_.now();
  cc.upgrade_timeout_ns = cfg_.limits.upgrade_timeout_ns;
  cc.yamux_limits = cfg_.yamux_limits;
  cc.log = cfg_.log;
  return std::make_unique<Connection>(*this, next_conn_id_++, tcp.take(), cc, addr.without_peer_id());
}

}  // namespace p2p
