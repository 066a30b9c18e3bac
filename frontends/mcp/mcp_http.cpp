// frontends/mcp/mcp_http.cpp — see mcp_http.hpp.
#include "frontends/mcp/mcp_http.hpp"

#include "crypto/init.hpp"
#include "net/bytes.hpp"

namespace frontends::mcp {
namespace {

http::Response json_rpc_error(int status, int code, std::string_view msg) {
  return http::Response::json(status, error_response("null", code, msg));
}

bool local_origin(std::string_view o) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (o.substr(0, scheme.size()) != scheme) continue;
    std::string_view host = o.substr(scheme.size());
    for (std::string_view h : {"localhost", "127.0.0.1", "[::1]"}) {
      if (host.substr(0, h.size()) != h) continue;
      std::string_view rest = host.substr(h.size());
      if (rest.empty()) return true;
      if (rest[0] != ':' || rest.size() < 2) return false;
      for (char c : rest.substr(1))
        if (c < '0' || c > '9') return false;
      return true;
    }
  }
  return false;
}

}  // namespace

net::Result<std::unique_ptr<McpHttp>> McpHttp::start(net::Loop& loop, Server& server, const std::string& listen,
                                                    McpHttpOptions opt, net::Log* log) {
  std::unique_ptr<McpHttp> m(new McpHttp(loop, server, std::move(opt)));
  McpHttp* self = m.get();
  m->router_.post(m->opt_.path, [self](http::Request& q, http::Responder r) { self->on_post(q, r); });
  m->router_.add("DELETE", m->opt_.path, [self](http::Request& q, http::Responder r) { self->on_delete(q, r); });
  m->router_.get(m->opt_.path, [](http::Request&, http::Responder r) {
    http::Response resp = http::Response::text(405, "no server-to-client stream: use POST");
    resp.set("Allow", "POST, DELETE");
    r.respond(std::move(resp));
  });
  http::ServerOptions so;
  so.name = "mcp";
  so.limits.max_body_len = kMaxMessageLen;
  m->http_ = std::make_unique<http::Server>(loop, std::move(so), m->router_.handler(), log);
  AAC_TRY(m->http_->listen(listen));
  return m;
}

McpHttp::~McpHttp() { *alive_ = false; }

bool McpHttp::origin_ok(const http::Request& req) const {
  const std::string* o = req.header("origin");
  if (!o) return true;  // not a browser
  if (local_origin(*o)) return true;
  for (const auto& a : opt_.allowed_origins)
    if (a == *o || a == "*") return true;
  return false;
}

void McpHttp::expire() {
  net::Instant now = loop_.now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - std::min(now, it->second.last_used) > kSessionIdleNs) it = sessions_.erase(it);
    else ++it;
  }
  while (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    sessions_.erase(oldest);
  }
}

Session* McpHttp::find_session(const http::Request& req, http::Responder& r) {
  const std::string* id = req.header("mcp-session-id");
  if (!id) {
    r.respond(json_rpc_error(400, kInvalidRequest, "Bad Request: Mcp-Session-Id header is required"));
    return nullptr;
  }
  auto it = sessions_.find(*id);
  if (it == sessions_.end()) {
    r.respond(json_rpc_error(404, kInvalidRequest, "Session not found"));
    return nullptr;
  }
  it->second.last_used = loop_.now();
  return &it->second.s;
}

void McpHttp::on_post(http::Request& req, http::Responder r) {
  if (!origin_ok(req)) return r.respond(json_rpc_error(403, kInvalidRequest, "Forbidden: origin not allowed"));
  if (const std::string* v = req.header("mcp-protocol-version"); v && !supported_version(*v))
    return r.respond(json_rpc_error(400, kInvalidRequest, "Bad Request: unsupported MCP-Protocol-Version: " + *v));
  // Which method? (initialize is the only one without a session.)
  json::Parser peek({.max_len = kMaxMessageLen, .max_depth = 64});
  std::string_view method;
  bool is_initialize = false;
  auto doc = peek.parse(req.body);
  if (!doc) return r.respond(json_rpc_error(400, kParseError, "Parse error: " + doc.what()));
  simdjson::dom::object o;
  if (doc->get_object().get(o) == simdjson::SUCCESS && o.at_key("method").get_string().get(method) == simdjson::SUCCESS)
    is_initialize = method == "initialize";
  Session fresh;
  Session* s = &fresh;
  if (!is_initialize) {
    s = find_session(req, r);
    if (!s) return;
  }
  // A synchronous answer is held until handle() returns (initialize needs
  // its session header); a later one goes out directly.
  struct Pending {
    bool returned = false;
    bool have = false;
    std::string json;
  };
  auto p = std::make_shared<Pending>();
  std::weak_ptr<bool> alive = alive_;
  HandleResult hr = server_.handle(*s, req.body, [p, r, alive](std::string json) mutable {
    if (!p->returned) {
      p->have = true;
      p->json = std::move(json);
      return;
    }
    r.respond(http::Response::json(200, std::move(json)));
  });
  p->returned = true;
  if (!hr.is_request) return r.respond(http::Response{.status = 202});
  if (!p->have) return;  // answered later
  http::Response resp = http::Response::json(200, std::move(p->json));
  if (hr.is_initialize) {
    expire();
    uint8_t raw[16];
    crypto::random_bytes(raw);
    std::string id = net::to_hex({raw, sizeof raw});
    sessions_[id] = Entry{fresh, loop_.now()};
    resp.set("Mcp-Session-Id", id);
  }
  r.respond(std::move(resp));
}

void McpHttp::on_delete(http::Request& req, http::Responder r) {
  if (!origin_ok(req)) return r.respond(json_rpc_error(403, kInvalidRequest, "Forbidden: origin not allowed"));
  const std::string* id = req.header("mcp-session-id");
  if (!id) return r.respond(json_rpc_error(400, kInvalidRequest, "Bad Request: Mcp-Session-Id header is required"));
  if (sessions_.erase(*id) == 0) return r.respond(json_rpc_error(404, kInvalidRequest, "Session not found"));
  r.respond(http::Response{.status = 204});
}

}  // namespace frontends::mcp
