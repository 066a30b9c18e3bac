// frontends/daemon/daemon_http.cpp — see daemon_http.hpp.
#include "frontends/daemon/daemon_http.hpp"

#include <unistd.h>

#include "build_info.hpp"
#include "net/metrics.hpp"
#include "frontends/daemon/mcp_backend.hpp"

namespace frontends {

const char* transport_label(const std::string& ma) {
  if (ma.find("/webtransport") != std::string::npos) return "webtransport";
  if (ma.find("/quic") != std::string::npos) return "quic";
  if (ma.find("/tcp/") != std::string::npos) return "tcp";
  return "unknown";
}

net::Result<std::unique_ptr<DaemonHttp>> DaemonHttp::start(net::Loop& loop, p2p::Host& host, a2a::Engine* engine,
                                                          const cli::Config& cfg, net::Log* log) {
  std::unique_ptr<DaemonHttp> d(new DaemonHttp(loop, host));
  auto& m = net::metrics::agent_metrics();
  std::weak_ptr<bool> alive = d->alive_;
  DaemonHttp* self = d.get();
  host.on_connected([self, alive, &m, &host](const p2p::PeerId&, p2p::ConnId id) {
    if (alive.expired()) return;
    if (auto info = host.connection(id)) {
      m.connections.with({info->inbound ? "inbound" : "outbound"}).inc();
      m.connections_by_transport.with({transport_label(info->remote_addr.to_string())}).inc();
    }
    self->update_peers();
  });
  host.on_disconnected([self, alive](const p2p::PeerId&, p2p::ConnId) {
    if (alive.expired()) return;
    self->update_peers();
  });
  self->update_peers();

  if (cfg.metrics.enabled) {
    bool no_bootstrap = cfg.bootstrap_peers.empty();
    auto healthy = [&host, no_bootstrap] { return no_bootstrap || !host.connected_peers().empty(); };
    auto mh = metrics::MetricsHttp::start(loop, cfg.metrics.listen, net::metrics::default_registry(), healthy,
                                          build_info::kVersion, log);
    if (!mh) return mh.take_error();
    d->metrics_ = mh.take();
  }
  if (cfg.mcp_stdio || cfg.mcp.enabled) {
    d->mcp_backend_ = std::make_unique<McpBackend>(host, engine);
    d->mcp_ = std::make_unique<mcp::Server>(*d->mcp_backend_, build_info::kVersion);
  }
  if (cfg.mcp_stdio) {
    auto st = mcp::McpStdio::start(loop, *d->mcp_, STDIN_FILENO, STDOUT_FILENO, [&loop] { loop.stop(); }, log);
    if (!st) return st.take_error();
    d->mcp_stdio_ = st.take();
  }
  if (cfg.mcp.enabled) {
    auto mh = mcp::McpHttp::start(loop, *d->mcp_, cfg.mcp.listen, {}, log);
    if (!mh) return mh.take_error();
    d->mcp_http_ = mh.take();
  }
  if (cfg.bridge.enabled && engine) {
    auto b = bridge::Bridge::start(loop, *engine, cfg.bridge, log);
    if (!b) return b.take_error();
    d->bridge_ = b.take();
  }
  if (cfg.anp.enabled && engine) {
    auto a = anp::AnpServer::start(loop, *engine, cfg.anp.listen, cfg.identity.did_web, log);
    if (!a) return a.take_error();
    d->anp_ = a.take();
  }
  return d;
}

DaemonHttp::~DaemonHttp() { *alive_ = false; }

void DaemonHttp::update_peers() {
  // After the event: the host may call us before its peer table changes.
  std::weak_ptr<bool> alive = alive_;
  loop_.defer([this, alive] {
    if (alive.expired()) return;
    net::metrics::agent_metrics().connected_peers.get().set(static_cast<double>(host_.connected_peers().size()));
  });
}

}  // namespace frontends
