// frontends/daemon/daemon.hpp — agentanycastd assembled: identity, store,
// event loop, listeners, and (as they land) the libp2p host, the A2A engine
// and the frontends. One thread; everything runs on the loop.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "frontends/cli/config.hpp"
#include "a2a/engine.hpp"
#include "a2a/p2p_binding.hpp"
#include "frontends/daemon/daemon_grpc.hpp"
#include "frontends/daemon/daemon_http.hpp"
#include "frontends/mcp_proxy/mcp_proxy.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "p2p/host/host.hpp"
#include "p2p/mdns/mdns_driver.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/peer_id.hpp"
#include "p2p/services/identify_service.hpp"
#include "p2p/services/perf_service.hpp"
#include "p2p/services/ping_service.hpp"
#include "store/a2a_store.hpp"
#include "store/database.hpp"

namespace frontends {

// Re-reads the configuration on SIGHUP (log level and format only).
using ConfigReloader = std::function<net::Result<cli::Config>()>;

class Daemon {
 public:
  // Loads or creates the identity, opens the store, binds every listen
  // address. Errors are one line naming the file / address and the problem.
  static net::Result<std::unique_ptr<Daemon>> start(const cli::Config& cfg, net::Log& log,
                                                    ConfigReloader reload = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  const p2p::PeerId& peer_id() const { return peer_id_; }
  // Every address we listen on, with the real bound ports, 0.0.0.0 and ::
  // expanded to the interfaces' addresses (no /p2p suffix).
  const std::vector<p2p::Multiaddr>& listen_addrs() const { return listen_addrs_; }
  std::vector<std::string> listen_addr_strings() const;

  // Runs until SIGINT/SIGTERM (or stop()); returns the process exit status.
  int run();
  void stop() { loop_->stop(); }
  net::Loop& loop() { return *loop_; }
  p2p::Host& host() { return *host_; }

 private:
  Daemon(const cli::Config& cfg, net::Log& log) : cfg_(cfg), log_(log) {}
  net::Status listen_all();
  void on_hangup();
  void start_bootstrap();
  void dial_bootstrap(size_t i);
  net::Status start_a2a();  // the engine, its libp2p binding and the gRPC API
  void stop_a2a();
  void begin_stop();  // SIGINT/SIGTERM
  void start_mdns();  // daemon_mdns.cpp
  void on_mdns_peer(const p2p::mdns::PeerFound& f);

  cli::Config cfg_;
  net::Log& log_;
  ConfigReloader reload_;
  std::unique_ptr<net::Loop> loop_;
  crypto::Ed25519PrivateKey key_;
  p2p::PeerId peer_id_;
  std::unique_ptr<store::Database> db_;
  // Destroyed before the loop (declaration order): the host cancels its
  // timers and sockets on the loop.
  std::unique_ptr<p2p::Host> host_;
  std::unique_ptr<p2p::services::IdentifyService> identify_;
  std::unique_ptr<p2p::services::PingService> ping_;
  std::unique_ptr<p2p::services::PerfService> perf_;
  std::unique_ptr<p2p::mdns::Driver> mdns_;
  std::unique_ptr<DaemonHttp> http_;  // metrics listener + host metric hooks
  // The A2A side, torn down before the host (stop_a2a): the gRPC server
  // first (its calls' cancel hooks unsubscribe from the engine), then the
  // binding detaches, the engine commits its last turn and goes.
  std::unique_ptr<store::A2aStore> a2a_store_;
  std::unique_ptr<a2a::LoopClock> clock_;
  std::unique_ptr<a2a::P2pBinding> binding_;
  std::unique_ptr<a2a::Engine> engine_;
  std::unique_ptr<DaemonGrpc> grpc_;
  // -mcp-proxy: claims its tools' tasks from the engine; goes first in
  // stop_a2a (fails its calls in flight, stops the MCP server).
  std::unique_ptr<mcp_proxy::McpProxy> mcp_proxy_;
  bool stopping_ = false;
  std::vector<p2p::Multiaddr> listen_addrs_;
  struct Bootstrap {
    p2p::Multiaddr addr;
    p2p::PeerId peer;
    uint64_t backoff_ns = 0;
    bool dialing = false;
  };
  std::vector<Bootstrap> bootstrap_;
};

}  // namespace frontends
