// frontends/a2a_client/url_router.hpp — routing SendTask{url}: the task goes
// to an external HTTP(S) A2A agent as a JSON-RPC client, and the agent's
// states come back into the local task (a2a::Engine::apply_url_status), so
// GetTask, SubscribeTaskUpdates and the store see it as a task sent to a
// peer. The thin driver on the loop around the sans-I/O ClientCall.
//
// Per task: message/send (A2A 0.3, configuration.blocking = false); on
// JSON-RPC -32601 the original's tasks/send instead; then tasks/get with
// back-off (kPollFirstNs doubling to kPollMaxIntervalNs) until the agent's
// task is terminal. One connection per call ("Connection: close").
// The local task fails, with the reason as its agent message, when:
//   the send fails (connect refused / timeout, TLS verification, an HTTP or
//   JSON-RPC error, a malformed answer): "agent at <url>: <why>";
//   polls fail kMaxPollFailures times in a row, the agent answers tasks/get
//   with a JSON-RPC error, or kMaxPollDuration passes.
// A local CancelTask stops the polling and sends tasks/cancel (one try).
//
// TLS: https:// agents are verified against the system's CA store, or
// only against `ca_file` when set (config bridge.ca_file); the host name
// (or IP address) of the URL is checked and sent as SNI (names only).
//
// Names: numeric hosts are used as they are; a name is resolved with
// getaddrinfo on the loop thread. That blocks the loop for the resolver's
// time (from /etc/hosts: microseconds; DNS: at most resolv.conf's timeout
// x attempts, 5 s x 2 by default) once per call to a named agent — accepted
// for now since SendTask{url} is rare next to the daemon's other work; an
// asynchronous resolver is the fix when it is not.
//
// Restart: what is followed is kept in the store (store/url_task_dao.hpp),
// written in the same transaction as the task. At start, tasks whose agent
// had answered (its task id is known) are followed again (tasks/get);
// tasks whose send had not been answered fail with "the daemon restarted
// before the agent at <url> answered": the agent may or may not hold the
// task, and sending it again could run it twice.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "a2a/engine.hpp"
#include "crypto/tls.hpp"
#include "frontends/a2a_client/a2a_client_limits.hpp"
#include "frontends/a2a_client/client_call.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/tcp_stream.hpp"
#include "store/url_task_dao.hpp"

namespace frontends::a2a_client {

struct UrlRouterOptions {
  std::string ca_file;  // PEM CA bundle for https agents; empty: the system store
  uint64_t connect_timeout_ns = kConnectTimeoutNs;
  uint64_t tls_timeout_ns = kTlsHandshakeTimeoutNs;
  uint64_t response_timeout_ns = kResponseTimeoutNs;
  uint64_t poll_first_ns = kPollFirstNs;
  uint64_t poll_max_interval_ns = kPollMaxIntervalNs;
  uint64_t max_poll_duration_ns = kMaxPollDurationNs;
  int max_poll_failures = kMaxPollFailures;
  size_t max_active = kMaxActiveTasks;
};

struct UrlRouterStats {
  uint64_t tasks = 0;       // SendTask{url} accepted
  uint64_t calls = 0;       // JSON-RPC calls started
  uint64_t fallbacks = 0;   // message/send -> tasks/send
  uint64_t polls = 0;       // tasks/get calls
  uint64_t poll_errors = 0;
  uint64_t finished = 0;    // followed to a terminal state reported by the agent
  uint64_t failed = 0;      // failed by us (the reasons above)
  uint64_t resumed = 0;     // followed again after a restart
};

class UrlRouter {
 public:
  // Loads the TLS context (Err::invalid "tls: cannot load CA <file>: ...")
  // and what was followed before a restart.
  static net::Result<std::unique_ptr<UrlRouter>> create(net::Loop& loop, a2a::Engine& engine,
                                                        UrlRouterOptions opt, net::Log* log);
  ~UrlRouter();
  UrlRouter(const UrlRouter&) = delete;
  UrlRouter& operator=(const UrlRouter&) = delete;

  // SendTask{url}. INVALID_ARGUMENT "url: ..." (agent_url.hpp);
  // RESOURCE_EXHAUSTED past max_active; else the engine's answer: the
  // local task, SUBMITTED, once stored. The HTTP call starts then.
  void send_task(std::string url, a2a::SendTaskArgs args, a2a::Reply<a2a::Task> reply);

  size_t active() const { return jobs_.size(); }
  const UrlRouterStats& stats() const { return stats_; }

 private:
  enum class Phase : uint8_t { send, wait, poll, cancel };
  struct Conn;
  struct Job;

  UrlRouter(net::Loop& loop, a2a::Engine& engine, UrlRouterOptions opt, net::Log* log);
  net::Status resume();
  net::Status ensure_tls();  // creates tls_ on first use
  Job& add_job(std::string task_id, AgentUrl url, Protocol proto);
  void start_call(Job& j, Phase phase, std::string body);
  void on_conn_data(Job& j, net::BytesView data);
  void on_conn_end(Job& j, const net::Error& reason);
  void on_timer(Job& j);
  void call_done(Job& j, net::Result<RpcOutcome> r);
  void schedule_poll(Job& j);
  void poll(Job& j);
  // true when the local task reached a terminal state.
  bool apply(Job& j, const RemoteTask& t);
  void fail(Job& j, const std::string& why);
  void drop(Job& j);
  void save(const Job& j);
  std::string where(const Job& j) const;  // "agent at <url>"

  net::Loop& loop_;
  a2a::Engine& engine_;
  UrlRouterOptions opt_;
  net::Log* log_;
  std::unique_ptr<crypto::TlsContext> tls_;  // null until the first https:// URL (or a CA file is set)
  std::unique_ptr<store::UrlTaskDao> dao_;
  json::Parser parser_;
  std::unordered_map<std::string, std::unique_ptr<Job>> jobs_;
  uint64_t rpc_seq_ = 0;
  UrlRouterStats stats_;
};

}  // namespace frontends::a2a_client
