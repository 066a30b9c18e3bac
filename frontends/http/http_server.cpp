// frontends/http/http_server.cpp — see http_server.hpp.
#include "frontends/http/http_server.hpp"

#include <algorithm>

#include "frontends/cli/listen_addr.hpp"

namespace frontends::http {
namespace {

// Bytes handed to TcpStream::write at once: with the stream's high-water
// mark (256 KiB) it never holds more than ~512 KiB, well under its 4 MiB cap.
constexpr size_t kWriteSliceLen = 256 * 1024;
// Rounds of "flush the connections handlers answered" per loop turn.
constexpr int kFlushRoundsPerTurn = 16;

}  // namespace

// ---- Responder

Server::Link* Server::live(uint64_t conn, uint64_t seq) {
  auto it = links_.find(conn);
  if (it == links_.end() || it->second->closing || it->second->seq != seq || !it->second->conn.answering())
    return nullptr;
  return it->second.get();
}
const Server::Link* Server::live(uint64_t conn, uint64_t seq) const {
  return const_cast<Server*>(this)->live(conn, seq);
}

bool Responder::alive() const { return s_ && s_->live(conn_, seq_); }

void Responder::respond(Response r) {
  if (!s_) return;
  Server::Link* l = s_->live(conn_, seq_);
  if (!l) return;
  add_cors_headers(s_->opt_.cors, l->has_origin ? &l->origin : nullptr, r.headers);
  if (auto st = l->conn.respond(std::move(r), s_->loop_.now()); !st)
    AAC_LOG(s_->log_, warn, s_->opt_.name, "bad response", {{"why", st.what()}});
  l->on_writable = nullptr;
  l->on_gone = nullptr;
  s_->mark_dirty(conn_);
}

bool Responder::begin_stream(int status, std::vector<Header> headers) {
  if (!s_) return false;
  Server::Link* l = s_->live(conn_, seq_);
  if (!l) return false;
  add_cors_headers(s_->opt_.cors, l->has_origin ? &l->origin : nullptr, headers);
  auto st = l->conn.begin_stream(status, std::move(headers), s_->loop_.now());
  s_->mark_dirty(conn_);
  if (!st) AAC_LOG(s_->log_, warn, s_->opt_.name, "bad response", {{"why", st.what()}});
  return static_cast<bool>(st);
}

bool Responder::write(std::string_view data) {
  if (!s_) return false;
  Server::Link* l = s_->live(conn_, seq_);
  if (!l) return false;
  auto st = l->conn.write_stream(data, s_->loop_.now());
  s_->mark_dirty(conn_);
  return static_cast<bool>(st);
}

bool Responder::writable() const {
  const Server::Link* l = s_ ? s_->live(conn_, seq_) : nullptr;
  return l && l->conn.writable();
}

void Responder::end() {
  if (!s_) return;
  Server::Link* l = s_->live(conn_, seq_);
  if (!l) return;
  (void)l->conn.end_stream(s_->loop_.now());
  l->on_writable = nullptr;
  l->on_gone = nullptr;
  s_->mark_dirty(conn_);
}

void Responder::on_writable(std::function<void()> cb) {
  if (Server::Link* l = s_ ? s_->live(conn_, seq_) : nullptr) l->on_writable = std::move(cb);
}

void Responder::on_gone(std::function<void()> cb) {
  if (Server::Link* l = s_ ? s_->live(conn_, seq_) : nullptr) l->on_gone = std::move(cb);
}

std::string Responder::peer() const {
  if (!s_) return {};
  auto it = s_->links_.find(conn_);
  return it == s_->links_.end() ? std::string() : it->second->peer;
}

// ---- Server

Server::Server(net::Loop& loop, ServerOptions opt, Handler h, net::Log* log)
    : loop_(loop), opt_(std::move(opt)), handler_(std::move(h)), log_(log) {
  hook_ = loop_.add_before_sleep([this] { flush_dirty(); });
}

Server::~Server() {
  loop_.remove_before_sleep(hook_);
  acceptors_.clear();
  std::vector<std::function<void()>> gone;
  for (auto& [id, l] : links_) {
    if (l->timer != net::kNoTimer) loop_.cancel_timer(l->timer);
    if (l->on_gone) gone.push_back(std::move(l->on_gone));
  }
  links_.clear();  // sockets close silently
  for (auto& g : gone) g();
}

net::Status Server::listen(std::string_view host_port) {
  auto bad = [&](const std::string& why) {
    return net::Error{net::Err::invalid, opt_.name + " listen \"" + std::string(host_port) + "\": " + why};
  };
  auto hp = cli::parse_host_port(host_port);
  if (!hp) return bad(hp.what());
  std::vector<net::SockAddr> addrs;
  if (hp->host.empty()) {
    addrs = {net::SockAddr::any4(hp->port), net::SockAddr::any6(hp->port)};
  } else if (hp->host == "localhost") {
    addrs = {net::SockAddr::loopback4(hp->port)};
  } else {
    auto sa = net::SockAddr::parse_ip(hp->host, hp->port);
    if (!sa) return bad("host must be an IP address, \"localhost\" or empty");
    addrs = {*sa};
  }
  for (size_t i = 0; i < addrs.size(); ++i) {
    net::SockAddr a = addrs[i];
    // ":0" on both families: the IPv6 socket takes the port IPv4 got.
    if (i > 0 && a.port() == 0 && port_ != 0) {
      auto sa = net::SockAddr::parse_ip("::", port_);
      if (sa) a = *sa;
    }
    auto fd = net::tcp_listen(a);
    if (!fd) {
      // "All interfaces" on a host without IPv6: IPv4 alone is enough.
      if (i > 0) continue;
      return fd.take_error();
    }
    auto local = net::local_addr(fd->get());
    if (!local) return local.take_error();
    auto acc = net::Acceptor::start(
        loop_, fd.take(), [this](net::Fd f, const net::SockAddr& p) { on_accept(std::move(f), p); }, log_);
    if (!acc) return acc.take_error();
    acceptors_.push_back(acc.take());
    endpoints_.push_back(local->to_string());
    if (port_ == 0) port_ = local->port();
    AAC_LOG(log_, info, opt_.name, "listening", {{"addr", local->to_string()}});
  }
  return {};
}

void Server::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  acceptors_.clear();
  std::vector<uint64_t> ids;
  for (auto& [id, l] : links_) ids.push_back(id);
  for (uint64_t id : ids) {
    auto it = links_.find(id);
    if (it == links_.end()) continue;
    it->second->conn.close_after_response();
    flush(id);
  }
}

void Server::on_accept(net::Fd fd, const net::SockAddr& peer) {
  if (links_.size() >= opt_.max_connections || shutting_down_) {
    ++stats_.refused;
    if (!refused_logged_) {
      refused_logged_ = true;
      AAC_LOG(log_, warn, opt_.name, "connection refused: limit reached", {{"max", opt_.max_connections}});
    }
    return;  // fd closes
  }
  auto s = net::TcpStream::adopt(loop_, std::move(fd));
  if (!s) {
    AAC_LOG(log_, warn, opt_.name, "cannot serve connection", {{"why", s.what()}});
    return;
  }
  ++stats_.accepted;
  uint64_t id = next_id_++;
  auto link = std::make_unique<Link>(opt_.limits, loop_.now());
  link->id = id;
  link->peer = peer.to_string();
  link->tcp = s.take();
  if (opt_.tls) link->tls = std::make_unique<crypto::TlsSession>(*opt_.tls);
  link->tcp->on_data([this, id](net::BytesView b) { on_bytes(id, b); });
  link->tcp->on_eof([this, id] {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    it->second->conn.feed_eof(loop_.now());
    flush(id);
  });
  link->tcp->on_drain([this, id] { flush(id); });
  link->tcp->on_close([this, id](const net::Error&) { on_link_close(id); });
  link->timer = loop_.create_timer([this, id] {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    it->second->conn.on_timeout(loop_.now());
    flush(id);
  });
  links_.emplace(id, std::move(link));
  flush(id);  // arms the idle timer
}

void Server::on_bytes(uint64_t id, net::BytesView b) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  Link& l = *it->second;
  net::Status st;
  std::string plain;
  if (l.tls) {
    if (auto t = l.tls->feed(b); !t) {
      ++stats_.tls_failed;
      AAC_LOG(log_, info, opt_.name, "tls failed", {{"peer", l.peer}, {"why", t.what()}});
      l.closing = true;
      loop_.cancel_timer(l.timer);
      l.timer = net::kNoTimer;
      net::BytesView alert = l.tls->pending_output();
      if (!alert.empty()) (void)l.tcp->write(alert);
      l.tcp->close();
      return;
    }
    if (auto t = l.tls->read(plain, kMaxInputLen); !t) {
      ++stats_.tls_failed;
      l.closing = true;
      l.tcp->abort();
      return;
    }
    if (!plain.empty()) st = l.conn.feed({reinterpret_cast<const uint8_t*>(plain.data()), plain.size()}, loop_.now());
    if (st && l.tls->peer_closed()) l.conn.feed_eof(loop_.now());
  } else {
    st = l.conn.feed(b, loop_.now());
  }
  if (!st) {
    // The core's input buffer overflowed: only if we failed to pause.
    AAC_LOG(log_, warn, opt_.name, "connection reset", {{"why", st.what()}});
    ++stats_.aborted;
    l.closing = true;
    l.tcp->abort();
    return;
  }
  flush(id);
}

// Moves the core's output to the socket (through TLS if any) while the
// socket takes it.
void Server::write_out(Link& l) {
  while (l.tcp->writable()) {
    if (l.tls) {
      if (l.tls->output_size() == 0) {
        net::BytesView out = l.conn.pending_output();
        if (out.empty()) break;
        out = out.first(std::min(out.size(), kWriteSliceLen));
        if (!l.tls->write(out)) break;
        l.conn.consume_output(out.size(), loop_.now());
      }
      net::BytesView c = l.tls->pending_output();
      if (c.empty()) break;
      c = c.first(std::min(c.size(), kWriteSliceLen));
      if (!l.tcp->write(c)) break;
      l.tls->consume_output(c.size());
      continue;
    }
    net::BytesView out = l.conn.pending_output();
    if (out.empty()) break;
    out = out.first(std::min(out.size(), kWriteSliceLen));
    if (!l.tcp->write(out)) break;  // the socket failed: on_close follows
    l.conn.consume_output(out.size(), loop_.now());
  }
}

void Server::dispatch(Link& l) {
  // New requests only while the answers already queued are below the
  // high-water mark: a client pipelining without reading stalls here.
  while (!l.closing && !l.conn.answering() && l.conn.writable()) {
    auto req = l.conn.poll_request();
    if (!req) break;
    ++stats_.requests;
    ++l.seq;
    const std::string* origin = req->header("origin");
    l.has_origin = origin != nullptr;
    l.origin = origin ? *origin : std::string();
    Responder r(this, l.id, l.seq);
    if (opt_.cors.enabled() && is_preflight(*req)) {
      r.respond(preflight_response(opt_.cors, *req));
      continue;
    }
    handler_(*req, r);
  }
}

void Server::flush(uint64_t id) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  Link& l = *it->second;
  if (l.closing || l.in_flush) return;
  l.in_flush = true;
  dispatch(l);
  // dispatch may have run handlers; the link is still ours (handlers cannot
  // remove links: only on_close does, from the loop).
  write_out(l);
  l.in_flush = false;
  if (l.conn.done()) {
    if (!l.conn.last_error().empty()) {
      if (l.conn.aborted()) ++stats_.aborted; else ++stats_.rejected;
      AAC_LOG(log_, info, opt_.name, "connection closed", {{"peer", l.peer}, {"why", l.conn.last_error()}});
    }
    l.closing = true;
    loop_.cancel_timer(l.timer);
    l.timer = net::kNoTimer;
    if (l.conn.aborted()) {
      l.tcp->abort();
    } else {
      if (l.tls) {
        l.tls->close();  // close_notify after the last answer
        net::BytesView c = l.tls->pending_output();
        if (!c.empty()) (void)l.tcp->write(c);
      }
      l.tcp->close();
    }
    return;
  }
  if (l.conn.wants_input()) l.tcp->resume_reading(); else l.tcp->pause_reading();
  loop_.arm_timer(l.timer, l.conn.next_deadline());
  if (l.on_writable && l.conn.writable() && l.tcp->writable()) {
    auto cb = std::move(l.on_writable);
    l.on_writable = nullptr;
    cb();  // may write (marks the link dirty) or end the stream
  }
}

void Server::mark_dirty(uint64_t id) {
  if (std::find(dirty_.begin(), dirty_.end(), id) == dirty_.end()) dirty_.push_back(id);
}

void Server::flush_dirty() {
  for (int round = 0; round < kFlushRoundsPerTurn && !dirty_.empty(); ++round) {
    std::vector<uint64_t> ids;
    ids.swap(dirty_);
    for (uint64_t id : ids) flush(id);
  }
  if (!dirty_.empty()) loop_.defer([] {});  // keeps the next wait from blocking
}

void Server::on_link_close(uint64_t id) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  std::function<void()> gone = std::move(it->second->on_gone);
  if (it->second->timer != net::kNoTimer) loop_.cancel_timer(it->second->timer);
  links_.erase(it);  // destroys the TcpStream from its own on_close: allowed
  if (gone) gone();
}

}  // namespace frontends::http
