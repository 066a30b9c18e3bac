// frontends/http/http_server.hpp — the HTTP/1.1 server driver: binds
// Connection cores (http_conn.hpp) to listening sockets and one TcpStream
// per client on the daemon's loop. Shared by the metrics listener, the
// HTTP bridge, MCP Streamable HTTP and ANP.
//
//   http::Router router;
//   router.get("/health", [](http::Request&, http::Responder r) { r.respond(Response::json(200, "{}")); });
//   http::Server srv(loop, {.name = "metrics"}, router.handler(), &log);
//   if (auto st = srv.listen(":9090"); !st) ...
//
// Driver duties: read -> Connection::feed; hand each complete request to the
// handler (only while the connection's output is below its high-water mark,
// so a client that pipelines without reading cannot make us queue
// answers); flush the output into the TcpStream while it is writable; stop
// reading while the core buffers kInputPauseLen; one timer per connection
// re-armed from next_deadline(); a before-sleep hook flushes connections
// that handlers answered later (asynchronously).
//
// A handler answers through its Responder, at once or later, exactly once:
// respond(), or begin_stream() + write()* + end(). A Responder outliving its
// connection does nothing (alive() is false). With ServerOptions::tls every
// connection is TLS (crypto/tls.hpp) between the socket and the core; a
// failed handshake closes it (after OpenSSL's alert). CORS preflights are answered
// by the server when ServerOptions::cors is enabled, and every answer gets
// the CORS headers for its request's Origin.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/tls.hpp"
#include "frontends/http/http_conn.hpp"
#include "frontends/http/http_cors.hpp"
#include "net/acceptor.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/tcp_stream.hpp"

namespace frontends::http {

class Server;

class Responder {
 public:
  Responder() = default;
  // True while the connection lives and this request is unanswered (or its
  // stream is open).
  bool alive() const;
  void respond(Response r);
  // Starts a chunked answer (SSE: Content-Type text/event-stream).
  bool begin_stream(int status, std::vector<Header> headers);
  // Queues one piece of the stream; false if the connection is gone or its
  // output limit was crossed (the connection is then reset). Check
  // writable() first and wait for on_writable when it is false.
  bool write(std::string_view data);
  bool writable() const;
  void end();
  // Fired (once per registration) when the output has drained below the
  // high-water mark.
  void on_writable(std::function<void()> cb);
  // Fired if the connection ends before the stream does.
  void on_gone(std::function<void()> cb);
  // The client's address ("127.0.0.1:5000").
  std::string peer() const;

 private:
  friend class Server;
  Responder(Server* s, uint64_t conn, uint64_t seq) : s_(s), conn_(conn), seq_(seq) {}
  Server* s_ = nullptr;
  uint64_t conn_ = 0;
  uint64_t seq_ = 0;
};

using Handler = std::function<void(Request& req, Responder r)>;

struct ServerOptions {
  std::string name = "http";  // log module and messages: "metrics", "bridge", "mcp", "anp"
  Limits limits;
  size_t max_connections = kMaxConnections;
  CorsPolicy cors;  // disabled by default
  // HTTPS: every connection speaks TLS with this server context (not
  // owned; outlives the server). nullptr: plain HTTP.
  crypto::TlsContext* tls = nullptr;
};

struct ServerStats {
  uint64_t accepted = 0;
  uint64_t refused = 0;     // over max_connections
  uint64_t requests = 0;    // handed to the handler
  uint64_t rejected = 0;    // answered by the core (4xx on bad input, 408)
  uint64_t aborted = 0;     // reset: write stall or output limit
  uint64_t tls_failed = 0;  // handshake or record errors
};

class Server {
 public:
  Server(net::Loop& loop, ServerOptions opt, Handler h, net::Log* log = nullptr);
  // Closes listeners and connections (open streams see on_gone).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Go-style "host:port" (upstream.md §7.2: ":9090" = all interfaces, IPv4
  // and IPv6; "localhost:P" = 127.0.0.1; an IP literal; port 0 picks one).
  // Errors: Err::invalid ("metrics listen \":x\": ..."), Err::io, Err::limit.
  net::Status listen(std::string_view host_port);
  // Bound addresses, e.g. "127.0.0.1:39211".
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  // The first bound port (tests).
  uint16_t port() const { return port_; }

  // Stops accepting; connections close after their current answer.
  void shutdown();

  size_t connections() const { return links_.size(); }
  const ServerStats& stats() const { return stats_; }
  const ServerOptions& options() const { return opt_; }

 private:
  friend class Responder;
  struct Link {
    uint64_t id = 0;
    std::unique_ptr<net::TcpStream> tcp;
    net::TimerId timer = net::kNoTimer;
    Connection conn;
    std::unique_ptr<crypto::TlsSession> tls;
    uint64_t seq = 0;  // of the request being answered
    std::string origin;
    bool has_origin = false;
    bool closing = false;
    bool in_flush = false;
    std::function<void()> on_writable;
    std::function<void()> on_gone;
    std::string peer;
    Link(const Limits& lim, net::Instant now) : conn(lim, now) {}
  };

  void on_accept(net::Fd fd, const net::SockAddr& peer);
  void on_bytes(uint64_t id, net::BytesView b);
  void write_out(Link& l);
  void flush(uint64_t id);
  void dispatch(Link& l);
  void mark_dirty(uint64_t id);
  void flush_dirty();
  void on_link_close(uint64_t id);
  Link* live(uint64_t conn, uint64_t seq);
  const Link* live(uint64_t conn, uint64_t seq) const;

  net::Loop& loop_;
  ServerOptions opt_;
  Handler handler_;
  net::Log* log_;
  std::vector<std::unique_ptr<net::Acceptor>> acceptors_;
  std::vector<std::string> endpoints_;
  uint16_t port_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Link>> links_;
  uint64_t next_id_ = 1;
  std::vector<uint64_t> dirty_;
  net::HookId hook_{};
  bool shutting_down_ = false;
  bool refused_logged_ = false;
  ServerStats stats_;
};

}  // namespace frontends::http
