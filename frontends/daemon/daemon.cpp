#include "frontends/daemon/daemon.hpp"

#include <csignal>

#include "build_info.hpp"
#include "crypto/init.hpp"
#include "crypto/key_file.hpp"
#include "crypto/keys.hpp"
#include "p2p/transport/tcp_addr.hpp"

namespace frontends {

net::Result<std::unique_ptr<Daemon>> Daemon::start(const cli::Config& cfg, net::Log& log,
                                                   ConfigReloader reload) {
  AAC_TRY(crypto::init());
  std::unique_ptr<Daemon> d(new Daemon(cfg, log));
  d->reload_ = std::move(reload);

  bool created = false;
  auto key = crypto::load_or_create_identity(cfg.key_path, &created);
  if (!key) return key.take_error();
  d->key_ = key.take();
  d->peer_id_ = p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(d->key_.public_key()));
  if (created) log.write(net::LogLevel::info, "", "identity created", {{"key_path", cfg.key_path}});

  auto db = store::Database::open(cfg.store_path);
  if (!db) return db.take_error();
  d->db_ = db.take();

  auto loop = net::Loop::create();
  if (!loop) return loop.take_error();
  d->loop_ = loop.take();
  AAC_TRY(d->listen_all());

  net::Loop& l = *d->loop_;
  Daemon* self = d.get();
  for (int sig : {SIGINT, SIGTERM}) {
    AAC_TRY(l.on_signal(sig, [self](int signo) {
      self->log_.write(net::LogLevel::info, "", "stopping", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
      self->loop_->stop();
    }));
  }
  AAC_TRY(l.on_signal(SIGHUP, [self](int) { self->on_hangup(); }));
  // A closed stdout (the SDK's log file rotated away) must not kill us.
  signal(SIGPIPE, SIG_IGN);
  return d;
}

Daemon::~Daemon() = default;

net::Status Daemon::listen_all() {
  auto ifs = net::list_interfaces();
  if (!ifs) return ifs.take_error();
  for (const auto& text : cfg_.listen_addrs) {
    auto ma = p2p::Multiaddr::parse(text);
    if (!ma) return {net::Err::invalid, "listen address " + text + ": " + ma.what()};
    auto sa = p2p::tcp_sockaddr(*ma);
    if (!sa) return {sa.err(), "listen address " + text + ": " + sa.what()};
    auto fd = net::tcp_listen(*sa);
    if (!fd) return {fd.err(), "listen address " + text + ": " + fd.what()};
    auto bound = net::local_addr(fd->get());
    if (!bound) return bound.take_error();
    // Until the libp2p host lands (issue 4) an inbound connection is
    // accepted and closed at once.
    auto acc = net::Acceptor::start(*loop_, std::move(*fd), [](net::Fd, const net::SockAddr&) {}, &log_);
    if (!acc) return acc.take_error();
    acceptors_.push_back(acc.take());
    for (auto& m : p2p::tcp_listen_addrs(*bound, *ifs)) listen_addrs_.push_back(std::move(m));
  }
  return {};
}

std::vector<std::string> Daemon::listen_addr_strings() const {
  std::vector<std::string> out;
  for (const auto& m : listen_addrs_) out.push_back(m.to_string());
  return out;
}

void Daemon::on_hangup() {
  // SIGHUP: reopen the log file (after rotation) and re-read the level/format.
  if (!log_.reopen()) log_.write(net::LogLevel::warn, "", "cannot reopen log file", {{"path", cfg_.log_file}});
  if (reload_) {
    auto c = reload_();
    if (!c) {
      log_.write(net::LogLevel::warn, "", "config reload failed", {{"error", c.what()}});
      return;
    }
    log_.set_level(c->level());
    log_.set_format(c->format());
  }
  log_.write(net::LogLevel::info, "", "reloaded", {{"log_level", net::log_level_name(log_.level())}});
}

int Daemon::run() {
  log_.write(net::LogLevel::info, "", "started",
             {{"peer_id", peer_id_.to_base58()},
              {"listen_addrs", listen_addr_strings()},
              {"version", build_info::kVersion}});
  auto r = loop_->run();
  if (!r) {
    log_.write(net::LogLevel::error, "", r.what());
    return 1;
  }
  log_.write(net::LogLevel::info, "", "stopped");
  return 0;
}

}  // namespace frontends
