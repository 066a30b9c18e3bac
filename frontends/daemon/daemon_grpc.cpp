// frontends/daemon/daemon_grpc.cpp — see daemon_grpc.hpp.
#include "frontends/daemon/daemon_grpc.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "build_info.hpp"
#include "frontends/cli/listen_addr.hpp"
#include "net/clock.hpp"

namespace frontends {

namespace {

// The socket's directory (~/.agentanycast by default) may not exist yet on
// a fresh machine when the key lives elsewhere: create it, owner only.
net::Status ensure_socket_dir(const std::string& grpc_listen) {
  auto g = cli::parse_grpc_listen(grpc_listen);
  if (!g || g->kind != cli::GrpcListen::Kind::unix_socket) return {};
  const std::string& path = g->path;
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  std::string dir = path.substr(0, slash);
  struct stat sb {};
  if (::stat(dir.c_str(), &sb) == 0) return {};
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return net::Error{net::Err::io, "grpc listen: cannot create " + dir + ": " + std::strerror(errno)};
  return {};
}

}  // namespace

DaemonGrpc::DaemonGrpc(net::Loop& loop, p2p::Host& host, a2a::Engine& engine, a2a::P2pBinding& binding,
                       net::Log* log)
    : loop_(loop),
      engine_(engine),
      node_host_(host, binding, static_cast<int64_t>(net::unix_now_ns()), build_info::kVersion),
      service_(engine, node_host_, log) {
  server_ = std::make_unique<grpc::Server>(loop, grpc::ServerOptions{}, log);
  service_.register_into(server_->engine());
  server_->health().set_status("agentanycast.v1.NodeService", grpc::ServingStatus::SERVING);
  // Handlers hand work to the A2A engine, whose replies wait for its
  // commit in the binding's before-sleep hook. A hook that runs after the
  // gRPC server's flush may leave new engine work (a hook resumed reading
  // an upload, say): keep the loop from sleeping on it.
  hook_ = loop_.add_before_sleep([this] {
    if (engine_.has_pending()) loop_.defer([] {});
  });
}

DaemonGrpc::~DaemonGrpc() {
  loop_.remove_before_sleep(hook_);
  server_.reset();  // cancel hooks unsubscribe from the engine: it is still alive
}

net::Result<std::unique_ptr<DaemonGrpc>> DaemonGrpc::start(net::Loop& loop, p2p::Host& host, a2a::Engine& engine,
                                                           a2a::P2pBinding& binding, const std::string& grpc_listen,
                                                           net::Log* log, const std::string& ca_file) {
  AAC_TRY(ensure_socket_dir(grpc_listen));
  std::unique_ptr<DaemonGrpc> d(new DaemonGrpc(loop, host, engine, binding, log));
  // SendTask{url}: the outbound A2A client (resumes the url tasks it was
  // following before a restart).
  auto router = a2a_client::UrlRouter::create(loop, engine, {.ca_file = ca_file}, log);
  if (!router) return router.take_error();
  d->url_router_ = router.take();
  d->service_.set_url_sender([r = d->url_router_.get()](std::string url, a2a::SendTaskArgs args,
                                                        a2a::Reply<a2a::Task> reply) {
    r->send_task(std::move(url), std::move(args), std::move(reply));
  });
  AAC_TRY(d->server_->listen(grpc_listen));
  return d;
}

}  // namespace frontends
