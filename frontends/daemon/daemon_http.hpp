// frontends/daemon/daemon_http.hpp — the daemon's HTTP side: the [metrics]
// listener, the HTTP A2A bridge (-bridge-listen / [bridge]), the ANP bridge
// (-anp-listen / [anp]), the MCP server (-mcp on stdio, -mcp-listen / [mcp] Streamable
// HTTP), and the metric updates that come from the libp2p host
// (connections, connected peers, transports), hooked through the host's
// on_connected / on_disconnected notifications.
#pragma once

#include <memory>

#include "a2a/engine.hpp"
#include "frontends/anp/anp_http.hpp"
#include "frontends/bridge/bridge_http.hpp"
#include "frontends/cli/config.hpp"
#include "frontends/mcp/mcp_http.hpp"
#include "frontends/mcp/mcp_server.hpp"
#include "frontends/mcp/mcp_stdio.hpp"
#include "frontends/metrics/metrics_http.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "p2p/host/host.hpp"

namespace frontends {

class DaemonHttp {
 public:
  // Hooks the host's connection events into net::metrics::agent_metrics();
  // with [metrics] enabled listens on metrics.listen; with -mcp serves MCP
  // on stdin/stdout (end of stdin stops the loop); with [mcp] enabled
  // listens on mcp.listen. The loop and host must outlive this object.
  // Errors: those of the listeners and of stdio.
  // `engine` (may be null: the A2A tools then answer "not available") must
  // outlive this object too.
  static net::Result<std::unique_ptr<DaemonHttp>> start(net::Loop& loop, p2p::Host& host, a2a::Engine* engine,
                                                        const cli::Config& cfg, net::Log* log);
  ~DaemonHttp();
  DaemonHttp(const DaemonHttp&) = delete;
  DaemonHttp& operator=(const DaemonHttp&) = delete;

  metrics::MetricsHttp* metrics() { return metrics_.get(); }
  mcp::McpHttp* mcp_http() { return mcp_http_.get(); }
  bridge::Bridge* bridge() { return bridge_.get(); }
  anp::AnpServer* anp() { return anp_.get(); }

 private:
  DaemonHttp(net::Loop& loop, p2p::Host& host) : loop_(loop), host_(host) {}
  void update_peers();

  net::Loop& loop_;
  p2p::Host& host_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // host callbacks outlive us
  std::unique_ptr<metrics::MetricsHttp> metrics_;
  std::unique_ptr<mcp::Backend> mcp_backend_;
  std::unique_ptr<mcp::Server> mcp_;
  std::unique_ptr<mcp::McpStdio> mcp_stdio_;
  std::unique_ptr<mcp::McpHttp> mcp_http_;
  std::unique_ptr<bridge::Bridge> bridge_;  // [bridge] / -bridge-listen (needs the engine)
  std::unique_ptr<anp::AnpServer> anp_;     // [anp] / -anp-listen (needs the engine)
};

// "tcp", "quic", "webtransport" or "unknown" for a connection's remote
// address (the original's transport label values).
const char* transport_label(const std::string& multiaddr);

}  // namespace frontends
