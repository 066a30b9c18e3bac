// frontends/mcp/mcp_http.hpp — MCP Streamable HTTP (specs.md §16.4; the
// original's -mcp-listen / [mcp], endpoint /mcp as mcp-go's default).
//
// POST /mcp: one JSON-RPC message. A request is answered with
// Content-Type application/json (we never need SSE: no server-to-client
// requests or notifications); a notification or response with 202.
// initialize creates a session: its id (32 hex digits from the CSPRNG)
// goes out in Mcp-Session-Id and must come back on every later POST
// (missing: 400; unknown or expired: 404, the client re-initializes).
// DELETE /mcp with the header ends the session (204). GET /mcp (the
// optional server-to-client stream) is 405.
// MCP-Protocol-Version on a later request must be a supported revision
// (else 400). Origin, when present, must be an allowed origin — by default
// only http(s)://localhost, 127.0.0.1 and [::1] on any port — else 403
// (DNS-rebinding defence the spec requires). No authentication.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontends/http/http_router.hpp"
#include "frontends/http/http_server.hpp"
#include "frontends/mcp/mcp_limits.hpp"
#include "frontends/mcp/mcp_server.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"

namespace frontends::mcp {

struct McpHttpOptions {
  std::string path = "/mcp";
  std::vector<std::string> allowed_origins;  // exact origins allowed besides the local ones
};

class McpHttp {
 public:
  static net::Result<std::unique_ptr<McpHttp>> start(net::Loop& loop, Server& server, const std::string& listen,
                                                     McpHttpOptions opt, net::Log* log);
  ~McpHttp();
  const std::vector<std::string>& endpoints() const { return http_->endpoints(); }
  uint16_t port() const { return http_->port(); }
  size_t sessions() const { return sessions_.size(); }

 private:
  McpHttp(net::Loop& loop, Server& server, McpHttpOptions opt) : loop_(loop), server_(server), opt_(std::move(opt)) {}
  bool origin_ok(const http::Request& req) const;
  void on_post(http::Request& req, http::Responder r);
  void on_delete(http::Request& req, http::Responder r);
  Session* find_session(const http::Request& req, http::Responder& r);
  void expire();

  struct Entry {
    Session s;
    net::Instant last_used = 0;
  };
  net::Loop& loop_;
  Server& server_;
  McpHttpOptions opt_;
  http::Router router_;
  std::unique_ptr<http::Server> http_;
  std::unordered_map<std::string, Entry> sessions_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace frontends::mcp
