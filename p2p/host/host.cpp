#include "p2p/host/host.hpp"

#include <algorithm>

#include "crypto/keys.hpp"
#include "p2p/host/connection.hpp"
#include "p2p/transport/tcp_addr.hpp"

namespace p2p {

Host::Host(net::Loop& loop, HostConfig cfg) : loop_(loop), cfg_(std::move(cfg)) {
  self_ = PeerId::from_public_key_proto(crypto::marshal_public_key(cfg_.identity->public_key()));
  if (cfg_.noise_static_per_host) noise_static_ = noise::make_local_static(*cfg_.identity, {std::string(noise::kYamuxId)});
}

Host::~Host() { shutdown(); }

void Host::shutdown() {
  shutting_down_ = true;
  close_listeners();
  std::vector<ConnId> ids;
  for (auto& [id, c] : conns_) ids.push_back(id);
  for (ConnId id : ids)
    if (Connection* c = find_conn(id)) c->abort({net::Err::closed, "host shutting down"});
  for (auto& [id, d] : dials_) loop_.cancel_timer(d->timer);
  dials_.clear();
  dial_by_peer_.clear();
  graveyard_.clear();
}

// ---- listening -------------------------------------------------------------

net::Status Host::listen(const Multiaddr& addr) {
  auto sa = tcp_sockaddr(addr);
  if (!sa) return {sa.err(), "listen " + addr.to_string() + ": " + sa.what()};
  auto fd = net::tcp_listen(*sa);
  if (!fd) return {fd.err(), "listen " + addr.to_string() + ": " + fd.what()};
  auto bound = net::local_addr(fd->get());
  if (!bound) return bound.take_error();
  auto acc = net::Acceptor::start(
      loop_, std::move(*fd), [this](net::Fd f, const net::SockAddr& peer) { on_accept(std::move(f), peer); },
      cfg_.log);
  if (!acc) return acc.take_error();
  acceptors_.push_back(acc.take());
  auto ifs = net::list_interfaces();
  std::vector<net::Interface> none;
  for (auto& m : tcp_listen_addrs(*bound, ifs ? *ifs : none))
    if (std::find(listen_addrs_.begin(), listen_addrs_.end(), m) == listen_addrs_.end())
      listen_addrs_.push_back(std::move(m));
  return {};
}

void Host::close_listeners() { acceptors_.clear(); }

void Host::on_accept(net::Fd fd, const net::SockAddr& peer) {
  if (shutting_down_) return;
  if (conns_.size() >= cfg_.limits.max_connections ||
      inbound_handshakes_ >= cfg_.limits.max_inbound_handshakes) {
    // Over a limit: the socket closes when fd goes out of scope.
    if (stats_.refused_over_limit++ % 1000 == 0)
      AAC_LOG(cfg_.log, warn, "host", "inbound connection refused: limit reached",
              {{"connections", conns_.size()}, {"handshakes", inbound_handshakes_}});
    return;
  }
  auto tcp = net::TcpStream::adopt(loop_, std::move(fd));
  if (!tcp) return;
  ConnCoreConfig cc;
  cc.direction = ConnDirection::inbound;
  cc.identity = cfg_.identity;
  cc.noise_static = noise_static_;
  cc.now = loop_.now();
  cc.upgrade_timeout_ns = cfg_.limits.upgrade_timeout_ns;
  cc.yamux_limits = cfg_.yamux_limits;
  cc.log = cfg_.log;
  ++inbound_handshakes_;
  adopt(std::make_unique<Connection>(*this, next_conn_id_++, tcp.take(), cc, tcp_multiaddr(peer)));
}

void Host::adopt(std::unique_ptr<Connection> c) {
  Connection* raw = c.get();
  conns_[raw->id()] = std::move(c);
  // The constructor may already have failed the connection (terminate()
  // ran before it was registered): settle that now.
  if (raw->dead()) conn_closed(*raw, {net::Err::closed, "conn: failed at start"});
}

// ---- protocols ---------------------------------------------------------------

void Host::set_stream_handler(const std::string& protocol, StreamHandler h) {
  handlers_[protocol] = std::move(h);
  protocol_list_.clear();
  for (const auto& [p, _] : handlers_) protocol_list_.push_back(p);
}

void Host::remove_stream_handler(const std::string& protocol) {
  handlers_.erase(protocol);
  protocol_list_.clear();
  for (const auto& [p, _] : handlers_) protocol_list_.push_back(p);
}

// ---- connections ---------------------------------------------------------------

Connection* Host::find_conn(ConnId id) {
  auto it = conns_.find(id);
  return it == conns_.end() || it->second->dead() ? nullptr : it->second.get();
}

Stream* Host::find_stream(StreamGlobalId id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second;
}

Connection* Host::best_conn(const PeerId& peer) {
  Connection* best = nullptr;
  auto [b, e] = by_peer_.equal_range(peer);
  for (auto it = b; it != e; ++it) {
    Connection* c = find_conn(it->second);
    if (c && c->usable() && (!best || c->id() < best->id())) best = c;
  }
  return best;
}

bool Host::is_connected(const PeerId& peer) const {
  auto [b, e] = by_peer_.equal_range(peer);
  return b != e;
}

std::vector<PeerId> Host::connected_peers() const {
  std::vector<PeerId> out;
  for (const auto& [p, id] : by_peer_)
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  return out;
}

std::optional<ConnInfo> Host::connection(ConnId id) const {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second->dead()) return std::nullopt;
  const Connection& c = *it->second;
  return ConnInfo{c.id(), c.peer(), c.inbound(), c.remote_addr(), c.local_addr(), c.opened_at(), c.stream_count(),
                  c.rtt_ns()};
}

std::vector<ConnInfo> Host::connections() const {
  std::vector<ConnInfo> out;
  for (const auto& [id, c] : conns_)
    if (c->announced() && !c->dead())
      out.push_back({c->id(), c->peer(), c->inbound(), c->remote_addr(), c->local_addr(), c->opened_at(),
                     c->stream_count(), c->rtt_ns()});
  std::sort(out.begin(), out.end(), [](const ConnInfo& a, const ConnInfo& b) { return a.id < b.id; });
  return out;
}

HostUsage Host::usage() const {
  HostUsage u;
  u.inbound_handshakes = inbound_handshakes_;
  u.streams = streams_.size();
  for (const auto& [id, c] : conns_) {
    if (c->dead()) continue;
    ++u.connections;
    u.out_bytes += c->out_buffered();
    u.in_bytes += c->in_buffered();
  }
  return u;
}

void Host::close_connection(ConnId id) {
  if (Connection* c = find_conn(id)) c->close();
}

void Host::close_peer(const PeerId& peer) {
  std::vector<ConnId> ids;
  auto [b, e] = by_peer_.equal_range(peer);
  for (auto it = b; it != e; ++it) ids.push_back(it->second);
  for (ConnId id : ids) close_connection(id);
}

void Host::conn_opened(Connection& c) {
  if (c.inbound() && inbound_handshakes_ > 0) --inbound_handshakes_;
  const PeerId& peer = c.peer();
  size_t same = by_peer_.count(peer);
  if (peer == self_ || same >= cfg_.limits.max_connections_per_peer) {
    AAC_LOG(cfg_.log, debug, "host", "connection refused", {{"peer", peer.short_string()},
                                                              {"reason", peer == self_ ? "self" : "per-peer limit"}});
    c.abort({net::Err::limit, peer == self_ ? "conn: connected to ourselves"
                                            : "conn: too many connections to " + peer.to_base58()});
    return;
  }
  c.set_announced();
  by_peer_.emplace(peer, c.id());
  const net::Instant now = loop_.now();
  peers_.set_connected(peer, true, now);
  peers_.set_public_key(peer, c.remote_public_key());
  if (!c.inbound()) peers_.add_addrs(peer, {c.remote_addr()}, now);
  (c.inbound() ? stats_.connections_opened_in : stats_.connections_opened_out)++;
  AAC_LOG(cfg_.log, debug, "host", "connection opened",
          {{"peer", peer.short_string()}, {"conn", c.id()}, {"inbound", c.inbound()},
           {"addr", c.remote_addr().to_string()}});
  const ConnId id = c.id();
  auto cbs = connected_cbs_;
  for (auto& f : cbs) {
    f(peer, id);
    if (!find_conn(id)) return;
  }
  if (c.dial_id) {
    uint64_t d = c.dial_id;
    c.dial_id = 0;
    finish_dial(d, id);
  }
}

void Host::conn_closed(Connection& c, const net::Error& why) {
  auto it = conns_.find(c.id());
  if (it == conns_.end()) return;
  std::unique_ptr<Connection> owned = std::move(it->second);
  conns_.erase(it);
  const PeerId peer = c.peer();
  if (c.announced()) {
    auto [b, e] = by_peer_.equal_range(peer);
    for (auto i = b; i != e; ++i)
      if (i->second == c.id()) {
        by_peer_.erase(i);
        break;
      }
    const bool still = by_peer_.count(peer) != 0;
    if (!still) peers_.set_connected(peer, false, loop_.now());
    AAC_LOG(cfg_.log, debug, "host", "connection closed",
            {{"peer", peer.short_string()}, {"conn", c.id()}, {"reason", why.what}});
    const ConnId id = c.id();
    auto cbs = disconnected_cbs_;
    for (auto& f : cbs) f(peer, id);
  } else {
    if (c.inbound() && inbound_handshakes_ > 0) --inbound_handshakes_;
    stats_.handshakes_failed++;
    AAC_LOG(cfg_.log, debug, "host", "handshake failed",
            {{"conn", c.id()}, {"addr", c.remote_addr().to_string()}, {"reason", why.what}});
  }
  if (c.dial_id) {
    uint64_t d = c.dial_id;
    c.dial_id = 0;
    auto dit = dials_.find(d);
    if (dit != dials_.end()) dial_attempt_done(*dit->second, &c, why);
  }
  graveyard_.push_back(std::move(owned));
  if (!reap_scheduled_) {
    reap_scheduled_ = true;
    loop_.defer([this] { reap(); });
  }
}

void Host::reap() {
  reap_scheduled_ = false;
  graveyard_.clear();
}

// ---- streams ----------------------------------------------------------------------

void Host::new_stream(const PeerId& peer, std::vector<std::string> protocols, StreamCallback cb) {
  if (Connection* c = best_conn(peer)) {
    open_stream_on(*c, std::move(protocols), std::move(cb));
    return;
  }
  connect(peer, {}, [this, protocols = std::move(protocols), cb = std::move(cb)](net::Result<ConnId> r) mutable {
    if (!r) {
      cb(r.take_error());
      return;
    }
    Connection* c = find_conn(*r);
    if (!c) {
      cb(net::Error{net::Err::closed, "conn: closed before the stream opened"});
      return;
    }
    open_stream_on(*c, std::move(protocols), std::move(cb));
  });
}

void Host::new_stream_on(ConnId id, std::vector<std::string> protocols, StreamCallback cb) {
  Connection* c = find_conn(id);
  if (!c) {
    loop_.defer([cb = std::move(cb)]() mutable { cb(net::Error{net::Err::closed, "conn: no such connection"}); });
    return;
  }
  open_stream_on(*c, std::move(protocols), std::move(cb));
}

void Host::open_stream_on(Connection& c, std::vector<std::string> protocols, StreamCallback cb) {
  // Answer from the loop, never from inside the caller's call.
  ConnId id = c.id();
  loop_.defer([this, id, protocols = std::move(protocols), cb = std::move(cb)]() mutable {
    Connection* conn = find_conn(id);
    if (!conn) {
      cb(net::Error{net::Err::closed, "conn: connection closed"});
      return;
    }
    conn->open_stream(std::move(protocols), std::move(cb));
  });
}

}  // namespace p2p
