// frontends/bridge/bridge_http.cpp — see bridge_http.hpp.
#include "frontends/bridge/bridge_http.hpp"

#include <cctype>

#include "a2a/envelope.hpp"
#include "crypto/init.hpp"
#include "frontends/bridge/bridge_card.hpp"
#include "frontends/bridge/bridge_limits.hpp"
#include "frontends/json/json_writer.hpp"
#include "net/clock.hpp"
#include "net/metrics.hpp"

namespace frontends::bridge {
namespace {

constexpr std::string_view kP2pPrefix = "/p2p/";
constexpr std::string_view kCardPaths[] = {"/.well-known/agent-card.json", "/.well-known/agent.json"};
constexpr std::string_view kLegacyCardPath = "/.well-known/a2a-agent-card";

std::string new_uuid() {
  uint8_t rnd[16];
  crypto::random_bytes(rnd);
  return a2a::uuid_v4(rnd);
}

void count(bool ok) { net::metrics::agent_metrics().bridge_requests.with({"inbound", ok ? "ok" : "error"}).inc(); }

bool is_error_response(const std::string& json) { return json.find(",\"error\":{") != std::string::npos; }

// A Host header we are willing to echo into the card's url.
bool sane_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      return false;
  return true;
}

// The value of key in a query string ("a=1&A2A-Version=1.0"), not
// percent-decoded (version values need none).
bool query_param(std::string_view q, std::string_view key, std::string* out) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    if (kv.size() > key.size() && kv.substr(0, key.size()) == key && kv[key.size()] == '=') {
      *out = std::string(kv.substr(key.size() + 1));
      return true;
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return false;
}

http::Response json_answer(int status, std::string body) { return http::Response::json(status, std::move(body)); }

}  // namespace

struct Bridge::Waiter {
  http::Responder r;
  Call call;
  std::string task_id, context_id;
  bool stream = false;
  a2a::SubId updates = 0, chunks = 0;
  net::TimerId timer = net::kNoTimer;       // blocking: deadline; stream: keep-alive
  a2a::v1::TaskStatus last = a2a::v1::TaskStatus::TASK_STATUS_UNSPECIFIED;
  struct Open {
    std::string name, media_type;
    uint32_t chunks = 0;
  };
  std::unordered_map<std::string, Open> artifacts;  // streamed artifacts by id
};

Bridge::Bridge(net::Loop& loop, a2a::Engine& engine, const cli::BridgeConfig& cfg)
    : loop_(loop), engine_(engine), cfg_(cfg), self_(engine.self().to_base58()), dispatcher_(new_uuid) {}

net::Result<std::unique_ptr<Bridge>> Bridge::start(net::Loop& loop, a2a::Engine& engine, const cli::BridgeConfig& cfg,
                                                   net::Log* log) {
  std::unique_ptr<Bridge> b(new Bridge(loop, engine, cfg));
  http::ServerOptions so;
  so.name = "bridge";
  so.limits.max_body_len = kMaxBodyLen;
  so.cors.origins = cfg.cors_origins;
  so.cors.allow_headers = "Content-Type, A2A-Version, A2A-Extensions";
  if (!cfg.tls_cert.empty() && !cfg.tls_key.empty()) {
    auto t = crypto::TlsContext::server_from_files(cfg.tls_cert, cfg.tls_key);
    if (!t) return net::Error{t.error().code, "bridge: " + t.what()};
    b->tls_ = t.take();
    so.tls = b->tls_.get();
  }
  Bridge* self = b.get();
  for (std::string_view p : kCardPaths)
    b->router_.get(std::string(p), [self](http::Request& q, http::Responder r) { self->serve_card(q, r, "", false); });
  b->router_.get(std::string(kLegacyCardPath),
                 [self](http::Request& q, http::Responder r) { self->serve_card(q, r, "", true); });
  b->router_.post("/", [self](http::Request& q, http::Responder r) { self->serve_rpc(q, r, self->self_); });
  b->router_.fallback([self](http::Request& q, http::Responder r) { self->route(q, r); });
  b->http_ = std::make_unique<http::Server>(loop, std::move(so), b->router_.handler(), log);
  AAC_TRY(b->http_->listen(cfg.listen));
  return b;
}

Bridge::~Bridge() {
  *alive_ = false;
  for (auto& [id, w] : waiters_) {
    if (w->updates) engine_.unsubscribe(w->updates);
    if (w->chunks) engine_.unsubscribe(w->chunks);
    if (w->timer != net::kNoTimer) loop_.cancel_timer(w->timer);
  }
  waiters_.clear();
  http_.reset();
}

// Paths the router does not know: /p2p/<peer>/..., and the original's
// catch-all POST.
void Bridge::route(http::Request& req, http::Responder r) {
  std::string_view path = req.path;
  if (path.substr(0, kP2pPrefix.size()) == kP2pPrefix) {
    std::string_view rest = path.substr(kP2pPrefix.size());
    size_t slash = rest.find('/');
    std::string peer(rest.substr(0, slash));
    std::string_view tail = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (!peer.empty() && (tail.empty() || tail == "/")) {
      if (req.method == "POST") return serve_rpc(req, r, peer);
      http::Response resp = http::Response::text(405, "method not allowed");
      resp.set("Allow", "POST");
      return r.respond(std::move(resp));
    }
    for (std::string_view p : kCardPaths)
      if (tail == p && (req.method == "GET" || req.method == "HEAD")) return serve_card(req, r, peer, false);
    if (tail == kLegacyCardPath && (req.method == "GET" || req.method == "HEAD")) return serve_card(req, r, peer, true);
    return r.respond(http::Response::text(404, "not found"));
  }
  if (req.method == "POST") return serve_rpc(req, r, self_);
  r.respond(http::Response::text(404, "not found"));
}

std::string Bridge::base_url(const http::Request& req) const {
  std::string scheme = tls_ ? "https://" : "http://";
  if (const std::string* h = req.header("host"); h && sane_host(*h)) return scheme + *h;
  std::string l = cfg_.listen;
  if (!l.empty() && l[0] == ':') l = "localhost" + l;
  return scheme + l;
}

void Bridge::serve_card(http::Request& req, http::Responder r, const std::string& peer, bool legacy) {
  std::string url = base_url(req);
  a2a::AgentCard card;
  if (peer.empty() || peer == self_) {
    if (!engine_.card()) return r.respond(http::Response::text(404, "no agent card configured"));
    card = *engine_.card();
  } else {
    auto c = engine_.peer_card(peer);
    if (!c) return r.respond(http::Response::text(c.code() == a2a::ApiCode::not_found ? 404 : 400, c.message()));
    card = c.take();
    url += std::string(kP2pPrefix) + peer;
  }
  http::Response resp = json_answer(200, legacy ? legacy_card_json(card, url) : a2a_card_json(card, url));
  resp.set("Cache-Control", "no-cache");
  r.respond(std::move(resp));
}

void Bridge::answer(http::Responder& r, const std::string& json) {
  bool ok = !is_error_response(json);
  ++stats_.rpc;
  if (!ok) ++stats_.rpc_errors;
  count(ok);
  r.respond(json_answer(200, json));
}

void Bridge::serve_rpc(http::Request& req, http::Responder r, const std::string& peer) {
  RpcContext ctx;
  ctx.target_peer = peer;
  ctx.version = req.header("a2a-version");
  std::string from_query;  // ?A2A-Version=1.0 (specs.md §15) when there is no header
  if (!ctx.version && query_param(req.query, "A2A-Version", &from_query)) ctx.version = &from_query;
  Call c = dispatcher_.parse(req.body, ctx);
  std::weak_ptr<bool> alive = alive_;
  switch (c.op) {
    case Op::respond: return answer(r, c.response);
    case Op::get: {
      auto t = engine_.get_task(c.task_id);
      return answer(r, t ? task_response(c, *t) : api_error_response(c, t.error()));
    }
    case Op::cancel: {
      std::string task_id = c.task_id;
      engine_.cancel_task(task_id, [this, alive, c = std::move(c), r](a2a::ApiResult<a2a::Task> t) mutable {
        if (alive.expired()) return;
        answer(r, t ? task_response(c, *t) : api_error_response(c, t.error()));
      });
      return;
    }
    case Op::subscribe: {
      auto t = engine_.get_task(c.task_id);
      if (!t) return answer(r, api_error_response(c, t.error()));
      if (is_terminal(t->status))
        return answer(r, error_response(c.id_json, kUnsupportedOperation,
                                        "task " + c.task_id + " is in terminal state " +
                                            std::string(state_name(t->status, Dialect::v1).substr(11))));
      if (waiters_.size() >= kMaxWaiters)
        return answer(r, error_response(c.id_json, kInternalError, "too many open streams"));
      return open_waiter(std::move(c), r, *t, true);
    }
    case Op::send:
    case Op::stream: return run_send(std::move(c), r);
  }
}

void Bridge::run_send(Call c, http::Responder r) {
  if (!c.continue_task.empty()) {
    auto t = engine_.get_task(c.continue_task);
    if (!t) return answer(r, error_response(c.id_json, kTaskNotFound, "task not found: " + c.continue_task));
    return answer(r, error_response(c.id_json, kUnsupportedOperation,
                                    "continuing task " + c.continue_task + " with a new message is not supported"));
  }
  const bool wait = c.op == Op::stream || c.blocking;
  if (wait && waiters_.size() >= kMaxWaiters)
    return answer(r, error_response(c.id_json, kInternalError, "too many open streams"));
  a2a::SendTaskArgs args = c.send;  // the call keeps its copy for the answer
  std::weak_ptr<bool> alive = alive_;
  engine_.send_task(std::move(args), [this, alive, c = std::move(c), r, wait](a2a::ApiResult<a2a::Task> t) mutable {
    if (alive.expired()) return;
    if (!t) return answer(r, api_error_response(c, t.error()));
    if (!wait) return answer(r, task_response(c, *t));
    bool stream = c.op == Op::stream;
    open_waiter(std::move(c), r, *t, stream);
  });
}

void Bridge::open_waiter(Call c, http::Responder r, const a2a::Task& t, bool stream) {
  uint64_t id = next_waiter_++;
  auto w = std::make_unique<Waiter>();
  w->r = r;
  w->call = std::move(c);
  w->task_id = t.task_id;
  w->context_id = t.context_id;
  w->stream = stream;
  w->last = t.status;
  Waiter& wr = *w;
  waiters_.emplace(id, std::move(w));
  std::weak_ptr<bool> alive = alive_;
  if (stream) {
    ++stats_.rpc;
    ++stats_.streams;
    count(true);
    if (!wr.r.begin_stream(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}})) {
      waiters_.erase(id);
      return;
    }
    write_event(wr, stream_task(wr.call, t));
    wr.timer = loop_.add_periodic(kKeepAliveNs, [this, id] {
      auto it = waiters_.find(id);
      if (it != waiters_.end() && it->second->r.writable()) it->second->r.write(": keep-alive\n\n");
    });
  } else {
    wr.timer = loop_.add_timer(loop_.now() + kBlockingWaitNs, [this, id] {
      if (auto it = waiters_.find(id); it != waiters_.end()) it->second->timer = net::kNoTimer;
      finish(id, nullptr);
    });
  }
  wr.r.on_gone([this, alive, id] {
    if (alive.expired()) return;
    if (auto it = waiters_.find(id); it != waiters_.end()) {
      if (it->second->updates) engine_.unsubscribe(it->second->updates);
      if (it->second->chunks) engine_.unsubscribe(it->second->chunks);
      if (it->second->timer != net::kNoTimer) loop_.cancel_timer(it->second->timer);
      waiters_.erase(it);
    }
  });
  if (!subscribe(id)) return;
}

bool Bridge::subscribe(uint64_t id) {
  Waiter& w = *waiters_.at(id);
  std::weak_ptr<bool> alive = alive_;
  a2a::Sink<a2a::TaskUpdate> us;
  us.deliver = [this, alive, id](const a2a::TaskUpdate& u) {
    if (alive.expired()) return a2a::Flow::closed;
    return on_update(id, u);
  };
  us.end = [this, alive, id](const a2a::ApiError& e) {
    if (alive.expired()) return;
    if (auto it = waiters_.find(id); it != waiters_.end()) it->second->updates = 0;
    finish(id, &e);
  };
  auto sub = engine_.subscribe_updates(w.task_id, std::move(us));
  if (!sub) {
    finish(id, &sub.error());
    return false;
  }
  w.updates = *sub;
  if (!w.stream) return true;
  a2a::Sink<a2a::StreamEvent> ss;
  ss.deliver = [this, alive, id](const a2a::StreamEvent& e) {
    if (alive.expired()) return a2a::Flow::closed;
    return on_stream_event(id, e);
  };
  ss.end = [this, alive, id](const a2a::ApiError&) {
    if (alive.expired()) return;
    if (auto it = waiters_.find(id); it != waiters_.end()) it->second->chunks = 0;
  };
  auto s2 = engine_.subscribe_stream(w.task_id, std::move(ss));
  if (s2) w.chunks = *s2;  // without it the stream still carries whole artifacts
  return true;
}

void Bridge::write_event(Waiter& w, const std::string& json) {
  ++stats_.events;
  w.r.write(sse_event(json));
}

a2a::Flow Bridge::after_write(Waiter& w) {
  if (w.r.writable()) return a2a::Flow::ready;
  ++stats_.blocked;
  std::weak_ptr<bool> alive = alive_;
  a2a::SubId u = w.updates, c = w.chunks;
  w.r.on_writable([this, alive, u, c] {
    if (alive.expired()) return;
    if (u) engine_.resume(u);
    if (c) engine_.resume(c);
  });
  return a2a::Flow::blocked;
}

a2a::Flow Bridge::on_update(uint64_t id, const a2a::TaskUpdate& u) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return a2a::Flow::closed;
  Waiter& w = *it->second;
  if (!w.stream) {
    if (is_final(u.status)) finish(id, nullptr);
    return a2a::Flow::ready;
  }
  // The subscription's first event repeats the current state when the task
  // already moved: skip what the client has seen.
  if (u.status == w.last && !u.message && u.artifacts.empty()) return after_write(w);
  w.last = u.status;
  for (const auto& a : u.artifacts)
    write_event(w, stream_artifact(w.call, w.task_id, w.context_id, a, false, true));
  write_event(w, stream_status(w.call, w.task_id, w.context_id, u.status, u.message ? &*u.message : nullptr,
                               static_cast<int64_t>(net::unix_now_ns())));
  if (is_final(u.status)) {
    finish(id, nullptr);
    return a2a::Flow::ready;
  }
  return after_write(w);
}

a2a::Flow Bridge::on_stream_event(uint64_t id, const a2a::StreamEvent& e) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return a2a::Flow::closed;
  Waiter& w = *it->second;
  using EC = a2a::StreamEvent::EventCase;
  if (e.event_case == EC::stream_start) {
    auto& o = w.artifacts[e.stream_start.artifact_id];
    o.name = e.stream_start.artifact_name;
    o.media_type = e.stream_start.media_type;
    return a2a::Flow::ready;
  }
  if (e.event_case != EC::stream_chunk) {
    if (e.event_case == EC::stream_end) w.artifacts.erase(e.stream_end.artifact_id);
    return a2a::Flow::ready;
  }
  const auto& ch = e.stream_chunk;
  auto& o = w.artifacts[ch.artifact_id];
  a2a::Artifact a;
  a.artifact_id = ch.artifact_id;
  a.name = o.name;
  auto& p = a.parts.emplace_back();
  p.media_type = o.media_type;
  bool text = (o.media_type.empty() || o.media_type.rfind("text/", 0) == 0) &&
              json::utf8_valid(std::string_view(net::as_chars(ch.data)));
  if (text) {
    p.content_case = a2a::v1::Part::ContentCase::text_part;
    p.text_part.text = std::string(net::as_chars(ch.data));
  } else {
    p.content_case = a2a::v1::Part::ContentCase::raw_part;
    p.raw_part.data = ch.data;
  }
  write_event(w, stream_artifact(w.call, w.task_id, w.context_id, a, o.chunks > 0, ch.is_last));
  ++o.chunks;
  return after_write(w);
}

// Ends a waiter: a blocking send answers with the whole task (or the
// engine's error), a stream writes the error event if any and ends.
void Bridge::finish(uint64_t id, const a2a::ApiError* err) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  std::unique_ptr<Waiter> w = std::move(it->second);
  waiters_.erase(it);
  if (w->updates) engine_.unsubscribe(w->updates);
  if (w->chunks) engine_.unsubscribe(w->chunks);
  if (w->timer != net::kNoTimer) loop_.cancel_timer(w->timer);
  w->r.on_gone(nullptr);
  if (!w->stream) {
    if (err) return answer(w->r, api_error_response(w->call, *err));
    auto t = engine_.get_task(w->task_id);
    return answer(w->r, t ? task_response(w->call, *t) : api_error_response(w->call, t.error()));
  }
  if (err) write_event(*w, api_error_response(w->call, *err));
  w->r.end();
}

}  // namespace frontends::bridge
