// frontends/daemon/daemon_http.cpp — see daemon_http.hpp.
#include "frontends/daemon/daemon_http.hpp"

#include <unistd.h>

#include "build_info.hpp"
#include "net/metrics.hpp"
#include "p2p/multiformats/multibase.hpp"

namespace frontends {
namespace {

// The MCP tools' view of the node. The A2A tools keep the Backend
// defaults (tool errors) until the engine is wired in.
class HostBackend : public mcp::Backend {
 public:
  explicit HostBackend(p2p::Host& h) : host_(h) {}
  mcp::NodeInfo node_info() override {
    mcp::NodeInfo n;
    n.peer_id = host_.peer_id().to_base58();
    // did:key: multicodec ed25519-pub (0xed 0x01) + the raw key, base58btc.
    const auto& pub = host_.identity().public_raw();
    net::Bytes b = {0xed, 0x01};
    b.insert(b.end(), pub.begin(), pub.end());
    n.did_key = "did:key:z" + p2p::multibase::base58btc_encode(b);
    for (const auto& a : host_.listen_addrs()) n.listen_addresses.push_back(a.to_string());
    n.connected_peers = host_.connected_peers().size();
    return n;
  }
  std::vector<mcp::PeerInfo> connected_peers() override {
    std::vector<mcp::PeerInfo> out;
    for (const auto& p : host_.connected_peers()) {
      mcp::PeerInfo pi;
      pi.peer_id = p.to_base58();
      for (const auto& a : host_.peer_store().addrs(p)) pi.addresses.push_back(a.to_string());
      out.push_back(std::move(pi));
    }
    return out;
  }

 private:
  p2p::Host& host_;
};

}  // namespace

const char* transport_label(const std::string& ma) {
  if (ma.find("/webtransport") != std::string::npos) return "webtransport";
  if (ma.find("/quic") != std::string::npos) return "quic";
  if (ma.find("/tcp/") != std::string::npos) return "tcp";
  return "unknown";
}

net::Result<std::unique_ptr<DaemonHttp>> DaemonHttp::start(net::Loop& loop, p2p::Host& host, const cli::Config& cfg,
                                                          net::Log* log) {
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
    d->mcp_backend_ = std::make_unique<HostBackend>(host);
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
