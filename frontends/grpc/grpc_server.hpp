// frontends/grpc/grpc_server.hpp — the gRPC server on the event loop: the
// driver (STYLE.md §2) that binds an Engine to listening sockets and one
// TcpStream per accepted connection, with the standard health and
// reflection services registered.
//
//   frontends::grpc::Server srv(loop, {}, &log);
//   using NS = pb::agentanycast::v1::NodeService;
//   srv.register_unary<NS::GetNodeInfo>([&](NS::GetNodeInfo::Request&&, grpc::Responder<NS::GetNodeInfo> r) {
//     r.reply({.node_info = info()});
//   });
//   srv.health().set_status("agentanycast.v1.NodeService", grpc::ServingStatus::SERVING);
//   if (auto st = srv.listen(cfg.grpc_listen); !st) ...   // "unix:///home/u/.agentanycast/daemon.sock"
//
// Driver duties: read -> Engine::feed; flush Engine::pending_output into the
// TcpStream while it is writable (else stop reading that connection until
// it drains: a client that does not read cannot make us queue control
// frames); one timer per connection re-armed from next_deadline(); a
// before-sleep hook flushes connections that handlers wrote to.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "frontends/grpc/grpc_engine.hpp"
#include "frontends/grpc/grpc_health.hpp"
#include "net/acceptor.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/tcp_stream.hpp"

namespace frontends::grpc {

struct ServerOptions {
  Limits limits;
  size_t max_connections = kMaxConnections;
  uint64_t shutdown_grace_ns = kShutdownGraceNs;
  bool health = true;      // grpc.health.v1.Health
  bool reflection = true;  // grpc.reflection.v1 (+ v1alpha)
};

struct ServerStats {
  EngineStats engine;
  uint64_t accepted = 0;
  uint64_t refused = 0;  // over max_connections
};

class Server {
 public:
  Server(net::Loop& loop, ServerOptions opt = {}, net::Log* log = nullptr);
  // Closes listeners (removing unix socket files we created), drops
  // connections; open calls see on_cancel (UNAVAILABLE "server stopped").
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Engine& engine() { return engine_; }
  Health& health() { return health_; }

  template <class M, class F>
  void register_unary(F&& f) { engine_.register_unary<M>(std::forward<F>(f)); }
  template <class M, class F>
  void register_server_streaming(F&& f) { engine_.register_server_streaming<M>(std::forward<F>(f)); }
  template <class M, class F>
  void register_client_streaming(F&& f) { engine_.register_client_streaming<M>(std::forward<F>(f)); }
  template <class M, class F>
  void register_bidi_streaming(F&& f) { engine_.register_bidi_streaming<M>(std::forward<F>(f)); }

  // grpc_listen forms (upstream.md §1.4): "unix:///abs/path", "unix://path",
  // a bare path (unix), "tcp://host:port" with host an IP literal,
  // "localhost" (127.0.0.1) or "" (0.0.0.0); port 0 picks one. Unix sockets
  // are created mode 0600; a stale socket file is replaced; one a live
  // process answers on is an error. May be called more than once.
  // Errors: Err::invalid ("grpc listen \"x\": ..."), Err::io
  // ("unix listen /p: another process is listening on this socket"), Err::limit.
  net::Status listen(std::string_view addr);
  // What we listen on, with real ports: "unix:///p", "tcp://127.0.0.1:50051".
  const std::vector<std::string>& endpoints() const { return endpoints_; }

  // Serves an already connected socket (tests, inherited fds).
  net::Status adopt(net::Fd fd, std::string peer = {});

  // Stops accepting (unix socket files removed), sets every health status
  // NOT_SERVING, sends GOAWAY (two-step) on every connection; calls get
  // shutdown_grace_ns to finish. `done` runs once the last connection is
  // closed.
  void shutdown(net::SmallFn<void()> done = nullptr);

  size_t connection_count() const { return links_.size(); }
  ServerStats stats() const;

 private:
  struct Link {
    ConnId id = 0;
    std::unique_ptr<net::TcpStream> tcp;
    net::TimerId timer = net::kNoTimer;
    bool closing = false;
  };
  struct Listener {
    std::unique_ptr<net::Acceptor> acc;
    std::string unix_path;  // "" for TCP
    dev_t dev = 0;          // the socket file we created (so we never unlink another's)
    ino_t ino = 0;
  };

  void on_accept(net::Fd fd, const net::SockAddr& peer);
  void flush(ConnId id);
  void on_link_close(ConnId id);
  void rearm(Link& l);
  void flush_dirty();
  void close_listeners();
  void check_shutdown_done();

  net::Loop& loop_;
  ServerOptions opt_;
  net::Log* log_;
  // Declared before engine_: destroyed after it, so the engine's final
  // cancel hooks still find the health service alive.
  Health health_;
  Engine engine_;
  std::vector<Listener> listeners_;
  std::vector<std::string> endpoints_;
  std::unordered_map<ConnId, std::unique_ptr<Link>> links_;
  std::vector<ConnId> dirty_;
  net::Bytes gather_;  // flush()'s frames for one write; kept to reuse its memory
  net::HookId hook_{};
  net::TimerId shutdown_timer_ = net::kNoTimer;
  net::SmallFn<void()> shutdown_done_;
  bool shutting_down_ = false;
  bool refused_logged_ = false;
  uint64_t accepted_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace frontends::grpc
