#include "frontends/daemon/daemon.hpp"

#include <csignal>

#include "build_info.hpp"
#include "crypto/init.hpp"
#include "crypto/key_file.hpp"
#include "crypto/keys.hpp"
#include "net/fd_limit.hpp"

namespace frontends {

net::Result<std::unique_ptr<Daemon>> Daemon::start(const cli::Config& cfg, net::Log& log,
                                                   ConfigReloader reload) {
  AAC_TRY(crypto::init());
  net::raise_fd_limit();
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

  p2p::HostConfig hc;
  hc.identity = &d->key_;
  hc.log = &log;
  d->host_ = std::make_unique<p2p::Host>(*d->loop_, hc);
  d->identify_ = std::make_unique<p2p::services::IdentifyService>(
      *d->host_, std::string("agentanycastd/") + build_info::kVersion);
  d->ping_ = std::make_unique<p2p::services::PingService>(*d->host_);
  d->perf_ = std::make_unique<p2p::services::PerfService>(*d->host_, cfg.enable_perf);
  AAC_TRY(d->start_a2a());
  {
    // After the engine (MCP tools, bridge), before listening: counts every connection.
    auto http = DaemonHttp::start(*d->loop_, *d->host_, d->engine_.get(), cfg, &log);
    if (!http) return http.take_error();
    d->http_ = http.take();
  }
  if (!cfg.mcp_proxy.empty()) {
    auto p = mcp_proxy::McpProxy::start(*d->loop_, *d->engine_, {cfg.mcp_proxy, build_info::kVersion, &log});
    if (!p) return p.take_error();
    d->mcp_proxy_ = p.take();
  }
  AAC_TRY(d->listen_all());
  d->binding_->restore_peer_book();  // after listening: identify carries our addresses
  d->start_bootstrap();
  d->start_mdns();

  net::Loop& l = *d->loop_;
  Daemon* self = d.get();
  for (int sig : {SIGINT, SIGTERM}) {
    AAC_TRY(l.on_signal(sig, [self](int signo) {
      self->log_.write(net::LogLevel::info, "", "stopping", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
      self->begin_stop();
    }));
  }
  AAC_TRY(l.on_signal(SIGHUP, [self](int) { self->on_hangup(); }));
  // A closed stdout (the SDK's log file rotated away) must not kill us.
  signal(SIGPIPE, SIG_IGN);
  return d;
}

Daemon::~Daemon() { stop_a2a(); }

net::Status Daemon::start_a2a() {
  auto st = store::A2aStore::open(*db_);
  if (!st) return st.take_error();
  a2a_store_ = st.take();
  clock_ = std::make_unique<a2a::LoopClock>(*loop_);
  binding_ = std::make_unique<a2a::P2pBinding>(*host_, *a2a_store_, &log_);
  a2a::EngineConfig ec;
  ec.self = peer_id_;
  ec.clock = clock_.get();
  ec.log = &log_;
  ec.limits.offline_queue_ttl_ns = static_cast<uint64_t>(cfg_.offline_queue_ttl_ns);
  auto e = a2a::Engine::create(*a2a_store_, *binding_, std::move(ec));
  if (!e) return e.take_error();
  engine_ = e.take();
  binding_->attach(*engine_);
  auto g = DaemonGrpc::start(*loop_, *host_, *engine_, *binding_, cfg_.grpc_listen, &log_, cfg_.bridge.ca_file);
  if (!g) return g.take_error();
  grpc_ = g.take();
  return {};
}

// Graceful: subscriptions end with UNAVAILABLE, the gRPC server sends
// GOAWAY and gives open calls its grace period; the loop stops when the
// last API connection closed, or at the deadline, or at a second signal.
void Daemon::begin_stop() {
  if (stopping_ || !grpc_) {
    loop_->stop();
    return;
  }
  stopping_ = true;
  engine_->shutdown();
  grpc_->shutdown([this] { loop_->stop(); });
  loop_->add_timer(loop_->now() + grpc::kShutdownGraceNs + net::kSecond, [this] { loop_->stop(); });
}

void Daemon::stop_a2a() {
  mcp_proxy_.reset();  // its calls in flight fail while the engine lives; the MCP server stops
  http_.reset();  // MCP / bridge calls and subscriptions into the engine go first
  grpc_.reset();
  if (binding_) binding_->detach();
  if (engine_) engine_->flush();  // the last turn's writes commit
  engine_.reset();
  binding_.reset();
  clock_.reset();
  a2a_store_.reset();
}

net::Status Daemon::listen_all() {
  for (const auto& text : cfg_.listen_addrs) {
    auto ma = p2p::Multiaddr::parse(text);
    if (!ma) return {net::Err::invalid, "listen address " + text + ": " + ma.what()};
    if (!ma->to_tcp_endpoint()) {
      // QUIC and other transports arrive later; say so instead of failing.
      log_.write(net::LogLevel::warn, "", "listen address skipped: transport not supported yet", {{"addr", text}});
      continue;
    }
    AAC_TRY(host_->listen(*ma));
  }
  listen_addrs_ = host_->listen_addrs();
  return {};
}

// -bootstrap-peers: dialed at start, and again with exponential back-off
// whenever the connection to one of them is lost.
void Daemon::start_bootstrap() {
  for (const auto& text : cfg_.bootstrap_peers) {
    auto ma = p2p::Multiaddr::parse(text);
    if (!ma) continue;  // validated by the config loader
    auto pid = ma->peer_id();
    if (!pid) {
      log_.write(net::LogLevel::warn, "", "bootstrap peer has no /p2p/ component: ignored", {{"addr", text}});
      continue;
    }
    bootstrap_.push_back({*ma, *pid, 0, false});
  }
  host_->on_disconnected([this](const p2p::PeerId& p, p2p::ConnId) {
    for (size_t i = 0; i < bootstrap_.size(); ++i)
      if (bootstrap_[i].peer == p && !host_->is_connected(p) && !bootstrap_[i].dialing) dial_bootstrap(i);
  });
  for (size_t i = 0; i < bootstrap_.size(); ++i) dial_bootstrap(i);
}

void Daemon::dial_bootstrap(size_t i) {
  auto& b = bootstrap_[i];
  b.dialing = true;
  host_->connect(b.peer, {b.addr}, [this, i](net::Result<p2p::ConnId> r) {
    auto& b = bootstrap_[i];
    b.dialing = false;
    if (r) {
      b.backoff_ns = 0;
      log_.write(net::LogLevel::info, "", "bootstrap peer connected", {{"peer_id", b.peer.to_base58()}});
      return;
    }
    b.backoff_ns = b.backoff_ns ? std::min(b.backoff_ns * 2, p2p::kBootstrapBackoffMaxNs) : p2p::kBootstrapBackoffMinNs;
    log_.write(net::LogLevel::warn, "", "bootstrap dial failed",
               {{"peer_id", b.peer.to_base58()}, {"error", r.what()}, {"retry_in_s", b.backoff_ns / net::kSecond}});
    b.dialing = true;
    loop_->add_timer(loop_->now() + b.backoff_ns, [this, i] { dial_bootstrap(i); });
  });
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
              {"grpc", grpc_->endpoints()},
              {"version", build_info::kVersion}});
  identify_->refresh();
  auto r = loop_->run();
  if (!r) {
    log_.write(net::LogLevel::error, "", r.what());
    return 1;
  }
  mdns_.reset();  // its goodbye (TTL 0) goes out while the loop lives
  stop_a2a();
  host_->shutdown();
  log_.write(net::LogLevel::info, "", "stopped");
  return 0;
}

}  // namespace frontends
