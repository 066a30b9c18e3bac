// frontends/daemon/daemon_grpc.hpp — the daemon's gRPC API: the gRPC server
// (frontends/grpc) on grpc_listen, serving NodeService over the A2A engine
// and the libp2p host, plus grpc.health.v1 (NodeService = SERVING, as the
// original) and server reflection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "a2a/engine.hpp"
#include "a2a/p2p_binding.hpp"
#include "frontends/a2a_client/url_router.hpp"
#include "frontends/grpc/grpc_server.hpp"
#include "frontends/grpc/node_host_p2p.hpp"
#include "frontends/grpc/node_service.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "p2p/host/host.hpp"

namespace frontends {

class DaemonGrpc {
 public:
  // Listens on `grpc_listen` (already ~-expanded by the config loader):
  // unix://path (mode 0600; its directory is created 0700 when missing; a
  // stale socket file is replaced) or tcp://host:port. The engine, binding,
  // host and loop must outlive this object.
  // Errors: those of grpc::Server::listen, Err::io for the directory.
  // ca_file: CAs for SendTask{url} to https:// agents ("" = system store);
  // Err::invalid when it does not load.
  static net::Result<std::unique_ptr<DaemonGrpc>> start(net::Loop& loop, p2p::Host& host, a2a::Engine& engine,
                                                        a2a::P2pBinding& binding, const std::string& grpc_listen,
                                                        net::Log* log, const std::string& ca_file = {});
  ~DaemonGrpc();
  DaemonGrpc(const DaemonGrpc&) = delete;
  DaemonGrpc& operator=(const DaemonGrpc&) = delete;

  // "unix:///home/u/.agentanycast/daemon.sock", "tcp://127.0.0.1:50051".
  const std::vector<std::string>& endpoints() const { return server_->endpoints(); }
  // Graceful stop: no new connections (the socket file goes), GOAWAY, open
  // calls get the grace period; `done` runs once every connection closed.
  void shutdown(net::SmallFn<void()> done) { server_->shutdown(std::move(done)); }
  grpc::Server& server() { return *server_; }

 private:
  DaemonGrpc(net::Loop& loop, p2p::Host& host, a2a::Engine& engine, a2a::P2pBinding& binding, net::Log* log);

  net::Loop& loop_;
  a2a::Engine& engine_;
  // Declaration order = reverse destruction order: the server (and its
  // calls' cancel hooks) goes first, then the service it calls into.
  grpc::NodeHostP2p node_host_;
  std::unique_ptr<a2a_client::UrlRouter> url_router_;  // SendTask{url}
  grpc::NodeService service_;
  std::unique_ptr<grpc::Server> server_;
  net::HookId hook_{};
};

}  // namespace frontends
