// frontends/anp/anp_http.hpp — the ANP bridge (-anp-listen, [anp];
// upstream.md §8.2): GET /agent/ad.json, GET /agent/interface.json,
// POST /agent/rpc (documents and JSON-RPC in anp_rpc.hpp). An rpc call
// becomes a task for our own agents (engine local delivery) and is
// answered once the task reaches a terminal or input-required state, or
// after bridge::kBlockingWaitNs with the task as it is. The documents use
// the card our agent set at the time of the request (the original used the
// card present at daemon start, usually none). No authentication.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "a2a/engine.hpp"
#include "frontends/anp/anp_rpc.hpp"
#include "frontends/cli/config.hpp"
#include "frontends/http/http_router.hpp"
#include "frontends/http/http_server.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"

namespace frontends::anp {

class AnpServer {
 public:
  // did_web: [identity] did_web ("" = use our did:key). Errors: the listener's.
  static net::Result<std::unique_ptr<AnpServer>> start(net::Loop& loop, a2a::Engine& engine, const std::string& listen,
                                                       std::string did_web, net::Log* log);
  ~AnpServer();
  AnpServer(const AnpServer&) = delete;
  AnpServer& operator=(const AnpServer&) = delete;
  uint16_t port() const { return http_->port(); }
  size_t waiters() const { return waiters_.size(); }

 private:
  struct Waiter {
    http::Responder r;
    std::string id_json, task_id;
    a2a::SubId sub = 0;
    net::TimerId timer = net::kNoTimer;
  };
  AnpServer(net::Loop& loop, a2a::Engine& engine, std::string listen, std::string did_web);
  void on_doc(http::Request& req, http::Responder r, bool ad);
  void on_rpc(http::Request& req, http::Responder r);
  void wait_for(std::string id_json, http::Responder r, const std::string& task_id);
  void finish(uint64_t id);
  std::string base_url(const http::Request& req) const;

  net::Loop& loop_;
  a2a::Engine& engine_;
  std::string listen_, did_web_, self_;
  Rpc rpc_;
  http::Router router_;
  std::unique_ptr<http::Server> http_;
  std::unordered_map<uint64_t, Waiter> waiters_;
  uint64_t next_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace frontends::anp
