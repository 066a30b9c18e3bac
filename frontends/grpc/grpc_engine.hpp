// frontends/grpc/grpc_engine.hpp — the gRPC server core: a method registry
// and HTTP/2 server connections (nghttp2 server sessions driven through
// mem_recv / mem_send), with no socket, clock or loop (STYLE.md §2). The
// driver (grpc_server.hpp) feeds each connection the bytes it reads and the
// current time, writes pending_output(), and re-arms one timer per
// connection from next_deadline(). Tests and the fuzzer drive it in memory.
//
// Per connection: client preface + SETTINGS (max concurrent streams, initial
// window, max header list size), flow control tied to our buffers (request
// data is acknowledged once handed to the handler, or while the message
// being assembled is incomplete; responses are produced only as the
// client's window and the driver's socket allow), keepalive PINGs, the
// client-ping policy of doc/keepalive.md (GOAWAY ENHANCE_YOUR_CALM
// "too_many_pings"), graceful two-step GOAWAY on shutdown. Per call: routing
// by :path, content-type / te / method checks, grpc-timeout deadlines,
// 5-byte message framing, size limits, trailers-only errors, cancellation.
//
// Handlers and hooks run only from feed(), on_timeout(), pending_output()
// and close() (never from inside nghttp2 or a handle operation).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/grpc/grpc_call.hpp"
#include "frontends/grpc/grpc_limits.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "net/small_function.hpp"

namespace frontends::grpc {

struct Limits {
  uint32_t max_recv_message_len = kMaxRecvMessageLen;
  uint32_t max_send_message_len = kMaxSendMessageLen;
  uint32_t max_concurrent_streams = kMaxConcurrentStreams;
  uint32_t max_header_list_len = kMaxHeaderListLen;
  uint32_t stream_window = kStreamWindow;
  uint32_t conn_window = kConnWindow;
  size_t conn_recv_buffer_limit = kConnRecvBufferLimit;
  size_t stream_out_high_water = kStreamOutHighWater;
  size_t stream_out_low_water = kStreamOutLowWater;
  size_t session_mem_limit = kSessionMemLimit;
  uint64_t keepalive_time_ns = kKeepaliveTimeNs;
  uint64_t keepalive_timeout_ns = kKeepaliveTimeoutNs;
  uint64_t min_recv_ping_interval_ns = kMinRecvPingIntervalNs;
  uint64_t min_recv_ping_interval_idle_ns = kMinRecvPingIntervalIdleNs;
  uint32_t max_ping_strikes = kMaxPingStrikes;
  uint64_t preface_timeout_ns = kPrefaceTimeoutNs;
  uint64_t shutdown_ping_timeout_ns = kShutdownPingTimeoutNs;
};

using ConnId = uint64_t;

struct EngineStats {
  size_t connections = 0;
  size_t calls_active = 0;       // dispatched and not over
  size_t calls_peak = 0;         // highest calls_active of one connection seen
  uint64_t calls_started = 0;    // request HEADERS accepted (any outcome)
  uint64_t calls_finished = 0;   // ended by the handler or by us
  uint64_t calls_cancelled = 0;  // ended by the client, a deadline or a lost connection
  size_t recv_buffered = 0;      // request bytes held, all connections
  size_t session_memory = 0;     // bytes nghttp2 holds, all connections
};

class Conn;

class Engine {
 public:
  using RawHandler = net::SmallFn<void(Call, net::BytesView request)>;

  explicit Engine(const Limits& lim = {}, net::Log* log = nullptr);
  ~Engine();  // cancels every call (on_cancel: UNAVAILABLE "server stopped")
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- methods ----
  // `path` is "/<package>.<Service>/<Method>". For unary and server
  // streaming the handler runs once the client half-closed, with the one
  // request message; for client and bidi streaming it runs on the request
  // headers, with an empty view, and messages follow through on_message.
  // Errors: Err::invalid (malformed path, or already registered).
  net::Status add_method(std::string_view path, MethodKind kind, RawHandler h);

  // Typed registration on a generated method struct M (M::kPath,
  // M::Request, M::Response, M::kClientStreaming, M::kServerStreaming).
  //   unary:            f(M::Request&& req, Responder<M> r)
  //   server streaming: f(M::Request&& req, ServerWriter<M> w)
  //   client streaming: f(ClientReader<M> r)
  //   bidi streaming:   f(BidiStream<M> s)
  template <class M, class F>
  void register_unary(F&& f);
  template <class M, class F>
  void register_server_streaming(F&& f);
  template <class M, class F>
  void register_client_streaming(F&& f);
  template <class M, class F>
  void register_bidi_streaming(F&& f);

  // "grpc.health.v1.Health", ... : the services with a registered method, sorted.
  std::vector<std::string> service_names() const;

  // ---- connections ----
  // A new server connection (nothing is sent before the client preface
  // arrives... except our SETTINGS, which pending_output() has at once).
  // Errors: Err::nomem (nghttp2 could not allocate the session).
  net::Result<ConnId> open(net::Instant now, std::string peer = {});
  // Bytes read from the transport. Errors: Err::proto (the client broke
  // HTTP/2 beyond recovery: "http2: bad client magic" ...), Err::nomem
  // (session memory limit). After an error, flush pending_output() and close.
  net::Status feed(ConnId c, net::BytesView in, net::Instant now);
  // The next bytes to send; empty when there is nothing (or the connection
  // is unknown). Valid until the next call on this engine; consume_output(n)
  // marks n of them written. Runs deferred work (hooks) first.
  net::BytesView pending_output(ConnId c);
  void consume_output(ConnId c, size_t n);
  // True when the connection has nothing more to say: flush, then close.
  bool done(ConnId c) const;
  net::Instant next_deadline(ConnId c) const;
  void on_timeout(ConnId c, net::Instant now);
  // The transport is gone (or the driver drops it): open calls are
  // cancelled (on_cancel: UNAVAILABLE "connection closed").
  void close(ConnId c);

  // Graceful shutdown of every connection (doc/PROTOCOL-HTTP2.md): GOAWAY
  // with last-stream-id 2^31-1 and a PING; on its ack (or after
  // shutdown_ping_timeout_ns) the final GOAWAY; calls still open grace_ns
  // later are cancelled (UNAVAILABLE "server is shutting down"). New
  // connections opened afterwards are shut down at once.
  void shutdown(net::Instant now, uint64_t grace_ns = kShutdownGraceNs);
  bool shutting_down() const { return shutting_down_; }

  // Called (once until its output is taken) when a connection has output
  // that no feed()/on_timeout() produced: a handle wrote or finished.
  void set_wakeup(net::SmallFn<void(ConnId)> fn) { wakeup_ = std::move(fn); }

  EngineStats stats() const;
  size_t session_memory(ConnId c) const;
  size_t connection_count() const { return conns_.size(); }
  const Limits& limits() const { return lim_; }
  net::Log* log() const { return log_; }

  // internal (the connection code dispatches through it)
  struct Method {
    MethodKind kind;
    RawHandler handler;
  };

 private:
  friend class Conn;
  const Method* find_method(std::string_view path) const;
  Conn* conn(ConnId c) const;
  void wake(ConnId c);

  Limits lim_;
  net::Log* log_;
  std::map<std::string, Method, std::less<>> methods_;  // node-based: a running handler never moves
  std::map<ConnId, std::unique_ptr<Conn>> conns_;
  ConnId next_conn_ = 1;
  bool shutting_down_ = false;
  net::Instant shutdown_at_ = 0;
  uint64_t grace_ns_ = 0;
  net::SmallFn<void(ConnId)> wakeup_;
  EngineStats counters_;
};

// ---- template definitions ----

// A malformed or duplicate registration is a programming error: prints it
// and aborts (registration happens at startup, before the loop runs).
[[noreturn]] void registration_failed(const std::string& what);

template <class M, class F>
void Engine::register_unary(F&& f) {
  static_assert(!M::kClientStreaming && !M::kServerStreaming, "not a unary method");
  auto st = add_method(M::kPath, MethodKind::unary, [f = std::forward<F>(f)](Call c, net::BytesView b) mutable {
    typename M::Request req;
    if (auto d = req.decode(b); !d) return c.finish(Code::internal, unmarshal_error(d.what()));
    f(std::move(req), Responder<M>(std::move(c)));
  });
  if (!st) registration_failed(st.what());
}

template <class M, class F>
void Engine::register_server_streaming(F&& f) {
  static_assert(!M::kClientStreaming && M::kServerStreaming, "not a server-streaming method");
  auto st = add_method(M::kPath, MethodKind::server_streaming,
                       [f = std::forward<F>(f)](Call c, net::BytesView b) mutable {
                         typename M::Request req;
                         if (auto d = req.decode(b); !d) return c.finish(Code::internal, unmarshal_error(d.what()));
                         f(std::move(req), ServerWriter<M>(std::move(c)));
                       });
  if (!st) registration_failed(st.what());
}

template <class M, class F>
void Engine::register_client_streaming(F&& f) {
  static_assert(M::kClientStreaming && !M::kServerStreaming, "not a client-streaming method");
  auto st = add_method(M::kPath, MethodKind::client_streaming,
                       [f = std::forward<F>(f)](Call c, net::BytesView) mutable { f(ClientReader<M>(std::move(c))); });
  if (!st) registration_failed(st.what());
}

template <class M, class F>
void Engine::register_bidi_streaming(F&& f) {
  static_assert(M::kClientStreaming && M::kServerStreaming, "not a bidi-streaming method");
  auto st = add_method(M::kPath, MethodKind::bidi_streaming,
                       [f = std::forward<F>(f)](Call c, net::BytesView) mutable { f(BidiStream<M>(std::move(c))); });
  if (!st) registration_failed(st.what());
}

}  // namespace frontends::grpc
