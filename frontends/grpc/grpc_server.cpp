// frontends/grpc/grpc_server.cpp — see grpc_server.hpp.
#include "frontends/grpc/grpc_server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "frontends/cli/listen_addr.hpp"
#include "frontends/grpc/grpc_reflection.hpp"

namespace frontends::grpc {
namespace {

// Rounds of "flush the connections handlers wrote to" per loop turn before
// the rest waits for the next turn (a hook that writes on every flush must
// not starve the loop).
constexpr int kFlushRoundsPerTurn = 16;
// After shutdown: connections still open this long past the grace period
// are reset.
constexpr uint64_t kShutdownHardStopNs = 1 * net::kSecond;
// nghttp2 hands its output over one frame at a time; frames are gathered up
// to this many bytes and written with one system call (a task's reply is a
// HEADERS, a DATA and a trailer: three sendmsg calls before). Written only
// while the socket is writable, so a gather always fits the socket's buffer.
constexpr size_t kFlushGatherLen = 64 * 1024;
static_assert(net::kTcpHighWater + kFlushGatherLen <= net::kTcpOutLimit);

net::Error bad_listen(std::string_view addr, const std::string& why) {
  return {net::Err::invalid, "grpc listen \"" + std::string(addr) + "\": " + why};
}

}  // namespace

Server::Server(net::Loop& loop, ServerOptions opt, net::Log* log)
    : loop_(loop), opt_(std::move(opt)), log_(log), engine_(opt_.limits, log) {
  engine_.set_wakeup([this](ConnId c) { dirty_.push_back(c); });
  hook_ = loop_.add_before_sleep([this] { flush_dirty(); });
  if (opt_.health) health_.register_into(engine_);
  if (opt_.reflection) register_reflection(engine_);
}

Server::~Server() {
  loop_.remove_before_sleep(hook_);
  if (shutdown_timer_ != net::kNoTimer) loop_.cancel_timer(shutdown_timer_);
  close_listeners();
  for (auto& [id, l] : links_) loop_.cancel_timer(l->timer);
  links_.clear();  // sockets close silently; engine_'s destructor cancels the calls
}

net::Status Server::listen(std::string_view addr) {
  auto g = cli::parse_grpc_listen(addr);
  if (!g) return bad_listen(addr, g.what());
  Listener lis;
  std::string endpoint;
  if (g->kind == cli::GrpcListen::Kind::unix_socket) {
    if (g->path[0] == '~') return bad_listen(addr, "'~' is not expanded here");
    auto fd = net::unix_listen(g->path, 0600);
    if (!fd) return fd.take_error();
    struct stat sb {};
    if (::stat(g->path.c_str(), &sb) == 0) {
      lis.dev = sb.st_dev;
      lis.ino = sb.st_ino;
    }
    lis.unix_path = g->path;
    endpoint = "unix://" + g->path;
    auto acc = net::Acceptor::start(loop_, fd.take(), [this](net::Fd f, const net::SockAddr& p) { on_accept(std::move(f), p); },
                                    log_);
    if (!acc) return acc.take_error();
    lis.acc = acc.take();
  } else {
    const std::string& host = g->tcp.host;
    net::Result<net::SockAddr> sa = host.empty()          ? net::Result<net::SockAddr>(net::SockAddr::any4(g->tcp.port))
                                    : host == "localhost" ? net::Result<net::SockAddr>(net::SockAddr::loopback4(g->tcp.port))
                                                          : net::SockAddr::parse_ip(host, g->tcp.port);
    if (!sa) return bad_listen(addr, "host must be an IP address, \"localhost\" or empty");
    auto fd = net::tcp_listen(*sa);
    if (!fd) return fd.take_error();
    auto local = net::local_addr(fd->get());
    if (!local) return local.take_error();
    endpoint = "tcp://" + local->to_string();
    auto acc = net::Acceptor::start(loop_, fd.take(), [this](net::Fd f, const net::SockAddr& p) { on_accept(std::move(f), p); },
                                    log_);
    if (!acc) return acc.take_error();
    lis.acc = acc.take();
  }
  AAC_LOG(log_, info, "grpc", "listening", {{"addr", endpoint}});
  endpoints_.push_back(std::move(endpoint));
  listeners_.push_back(std::move(lis));
  return {};
}

void Server::close_listeners() {
  for (Listener& l : listeners_) {
    l.acc.reset();
    if (l.unix_path.empty()) continue;
    struct stat sb {};
    // Remove the socket file only if it is still ours (a new daemon may
    // have replaced it).
    if (::stat(l.unix_path.c_str(), &sb) == 0 && sb.st_dev == l.dev && sb.st_ino == l.ino)
      ::unlink(l.unix_path.c_str());
  }
  listeners_.clear();
}

void Server::on_accept(net::Fd fd, const net::SockAddr& peer) {
  if (links_.size() >= opt_.max_connections || shutting_down_) {
    ++refused_;
    if (!refused_logged_) {
      refused_logged_ = true;
      AAC_LOG(log_, warn, "grpc", "connection refused: limit reached", {{"max", opt_.max_connections}});
    }
    return;  // fd closes
  }
  ++accepted_;
  if (auto st = adopt(std::move(fd), peer.to_string()); !st)
    AAC_LOG(log_, warn, "grpc", "cannot serve connection", {{"why", st.what()}});
}

net::Status Server::adopt(net::Fd fd, std::string peer) {
  auto s = net::TcpStream::adopt(loop_, std::move(fd));
  if (!s) return s.take_error();
  auto c = engine_.open(loop_.now(), std::move(peer));
  if (!c) return c.take_error();
  ConnId id = *c;
  auto link = std::make_unique<Link>();
  link->id = id;
  link->tcp = s.take();
  link->tcp->on_data([this, id](net::BytesView b) {
    auto st = engine_.feed(id, b, loop_.now());
    flush(id);
    if (!st) {
      auto it = links_.find(id);
      if (it != links_.end() && !it->second->closing) {
        it->second->closing = true;
        it->second->tcp->close();  // what we queued (a GOAWAY) still goes out
      }
    }
  });
  link->tcp->on_drain([this, id] {
    auto it = links_.find(id);
    if (it == links_.end()) return;
    it->second->tcp->resume_reading();
    flush(id);
  });
  link->tcp->on_close([this, id](const net::Error&) { on_link_close(id); });
  link->timer = loop_.create_timer([this, id] {
    engine_.on_timeout(id, loop_.now());
    flush(id);
  });
  links_.emplace(id, std::move(link));
  flush(id);  // our SETTINGS
  return {};
}

void Server::flush(ConnId id) {
  auto it = links_.find(id);
  if (it == links_.end()) return;
  Link& l = *it->second;
  if (l.closing) return;
  // Taken from the member for this call (its memory is reused; a nested
  // flush, should a callback ever cause one, would get a fresh buffer).
  net::Bytes gather;
  gather.swap(gather_);
  gather.clear();
  for (;;) {
    if (!l.tcp->writable()) {
      l.tcp->pause_reading();  // resumed by on_drain
      break;
    }
    net::BytesView out = engine_.pending_output(id);
    if (out.empty()) break;
    if (gather.size() + out.size() <= kFlushGatherLen) {
      gather.insert(gather.end(), out.begin(), out.end());
      engine_.consume_output(id, out.size());
      continue;
    }
    if (!gather.empty()) {
      if (!l.tcp->write(gather)) break;  // the socket failed: on_close follows
      gather.clear();
      continue;  // writable() again before the next frame
    }
    if (!l.tcp->write(out)) break;
    engine_.consume_output(id, out.size());
  }
  // Fits (see kFlushGatherLen); false only when the socket failed.
  if (!gather.empty()) (void)l.tcp->write(gather);
  gather_.swap(gather);
  if (engine_.done(id)) {
    l.closing = true;
    loop_.cancel_timer(l.timer);
    l.timer = net::kNoTimer;
    l.tcp->close();
    return;
  }
  rearm(l);
}

void Server::rearm(Link& l) {
  if (l.timer != net::kNoTimer) loop_.arm_timer(l.timer, engine_.next_deadline(l.id));
}

void Server::flush_dirty() {
  for (int round = 0; round < kFlushRoundsPerTurn && !dirty_.empty(); ++round) {
    std::vector<ConnId> ids;
    ids.swap(dirty_);
    for (ConnId id : ids) flush(id);
  }
  if (!dirty_.empty()) loop_.defer([] {});  // keeps the next wait from blocking
}

void Server::on_link_close(ConnId id) {
  engine_.close(id);  // cancel hooks of its calls run here
  auto it = links_.find(id);
  if (it == links_.end()) return;
  if (it->second->timer != net::kNoTimer) loop_.cancel_timer(it->second->timer);
  links_.erase(it);  // destroys the TcpStream from its own on_close: allowed
  check_shutdown_done();
}

void Server::shutdown(net::SmallFn<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  close_listeners();
  health_.set_all_not_serving();
  engine_.shutdown(loop_.now(), opt_.shutdown_grace_ns);
  std::vector<ConnId> ids;
  for (auto& [id, l] : links_) ids.push_back(id);
  for (ConnId id : ids) flush(id);
  uint64_t hard = opt_.limits.shutdown_ping_timeout_ns + opt_.shutdown_grace_ns + kShutdownHardStopNs;
  shutdown_timer_ = loop_.add_timer(loop_.now() + hard, [this] {
    shutdown_timer_ = net::kNoTimer;
    for (auto& [id, l] : links_) l->tcp->abort();  // on_close follows from the loop
  });
  check_shutdown_done();
}

void Server::check_shutdown_done() {
  if (!shutting_down_ || !links_.empty() || !shutdown_done_) return;
  if (shutdown_timer_ != net::kNoTimer) {
    loop_.cancel_timer(shutdown_timer_);
    shutdown_timer_ = net::kNoTimer;
  }
  auto fn = std::move(shutdown_done_);
  fn();
}

ServerStats Server::stats() const {
  return {engine_.stats(), accepted_, refused_};
}

}  // namespace frontends::grpc
