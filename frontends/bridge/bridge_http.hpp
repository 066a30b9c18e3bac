// frontends/bridge/bridge_http.hpp — the HTTP A2A bridge (-bridge-listen,
// [bridge]; upstream.md §8.1, specs.md §15): the routes, the engine calls
// behind the JSON-RPC methods (bridge_rpc.hpp), blocking sends and SSE
// streams.
//
// Routes:
//   GET /.well-known/agent-card.json, /.well-known/agent.json
//        our card in A2A JSON (bridge_card.hpp); 404 "no agent card
//        configured" until an agent set one (SetAgentCard)
//   GET /.well-known/a2a-agent-card   the same card in the original's shape
//   POST / (and any other path, as the original's mux "/")
//        JSON-RPC; tasks go to our own agents (engine local delivery, no
//        libp2p dial to ourselves: what the original meant by sending to its
//        own peer id)
//   GET  /p2p/<peer-id>/.well-known/{agent-card.json,agent.json,a2a-agent-card}
//        the card that peer sent us (card exchange), url = /p2p/<peer-id>
//   POST /p2p/<peer-id>[/]
//        JSON-RPC whose tasks go to that peer's agents over libp2p
// The card's url is built from the request's Host header (else the listen
// address with ":port" read as "localhost:port", as the original).
//
// Engine mapping. send: Engine::send_task to the target, context id from
// the message or a new UUID. Blocking (1.0 default, 0.3 blocking != false):
// the answer waits for a terminal or input-required state (update
// subscription), at most kBlockingWaitNs, then carries the whole task.
// Streams: first the SUBMITTED task, then per engine update its artifacts
// (artifactUpdate, lastChunk) and a statusUpdate; streamed artifact chunks
// (SendStreamingArtifact) as artifactUpdate with append / lastChunk; the
// stream ends after a terminal or input-required state. Back-pressure: a
// stream whose connection is above the output high-water mark pauses its
// engine subscriptions until it drains. get / cancel map to get_task /
// cancel_task; resubscribe streams a task's current state then its updates
// (a terminal task: UnsupportedOperation).
//
// No authentication (like the original): bind to loopback, or TLS
// (tls_cert / tls_key) behind an authenticating proxy.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "a2a/engine.hpp"
#include "crypto/tls.hpp"
#include "frontends/bridge/bridge_rpc.hpp"
#include "frontends/cli/config.hpp"
#include "frontends/http/http_router.hpp"
#include "frontends/http/http_server.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"

namespace frontends::bridge {

struct BridgeStats {
  uint64_t rpc = 0;          // JSON-RPC requests
  uint64_t rpc_errors = 0;   // answered with an error
  uint64_t streams = 0;      // SSE streams opened
  uint64_t events = 0;       // SSE events written
  uint64_t blocked = 0;      // times a stream paused for back-pressure
};

class Bridge {
 public:
  // Listens on cfg.listen (TLS when cfg.tls_cert and cfg.tls_key are set;
  // CORS from cfg.cors_origins). The loop and engine must outlive it.
  // Errors: the listener's, the TLS files'.
  static net::Result<std::unique_ptr<Bridge>> start(net::Loop& loop, a2a::Engine& engine,
                                                    const cli::BridgeConfig& cfg, net::Log* log);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  const std::vector<std::string>& endpoints() const { return http_->endpoints(); }
  uint16_t port() const { return http_->port(); }
  size_t waiters() const { return waiters_.size(); }
  const BridgeStats& stats() const { return stats_; }

 private:
  struct Waiter;
  Bridge(net::Loop& loop, a2a::Engine& engine, const cli::BridgeConfig& cfg);

  void route(http::Request& req, http::Responder r);
  void serve_card(http::Request& req, http::Responder r, const std::string& peer, bool legacy);
  void serve_rpc(http::Request& req, http::Responder r, const std::string& peer);
  void answer(http::Responder& r, const std::string& json);
  void run_send(Call c, http::Responder r);
  void open_waiter(Call c, http::Responder r, const a2a::Task& t, bool stream);
  bool subscribe(uint64_t id);
  a2a::Flow on_update(uint64_t id, const a2a::TaskUpdate& u);
  a2a::Flow on_stream_event(uint64_t id, const a2a::StreamEvent& e);
  a2a::Flow after_write(Waiter& w);
  void write_event(Waiter& w, const std::string& json);
  void finish(uint64_t id, const a2a::ApiError* err);
  std::string base_url(const http::Request& req) const;

  net::Loop& loop_;
  a2a::Engine& engine_;
  cli::BridgeConfig cfg_;
  std::string self_;
  Dispatcher dispatcher_;
  std::unique_ptr<crypto::TlsContext> tls_;  // outlives http_
  http::Router router_;
  std::unique_ptr<http::Server> http_;
  std::unordered_map<uint64_t, std::unique_ptr<Waiter>> waiters_;
  uint64_t next_waiter_ = 1;
  BridgeStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace frontends::bridge
