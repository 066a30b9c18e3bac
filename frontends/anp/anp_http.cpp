// frontends/anp/anp_http.cpp — see anp_http.hpp.
#include "frontends/anp/anp_http.hpp"

#include <cctype>

#include "a2a/envelope.hpp"
#include "crypto/init.hpp"
#include "frontends/bridge/a2a_json.hpp"
#include "frontends/bridge/bridge_limits.hpp"
#include "net/metrics.hpp"

namespace frontends::anp {
namespace {

std::string new_uuid() {
  uint8_t rnd[16];
  crypto::random_bytes(rnd);
  return a2a::uuid_v4(rnd);
}

bool sane_host(std::string_view h) {
  if (h.empty() || h.size() > 255) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      return false;
  return true;
}

void count(bool ok) { net::metrics::agent_metrics().bridge_requests.with({"inbound", ok ? "ok" : "error"}).inc(); }

}  // namespace

AnpServer::AnpServer(net::Loop& loop, a2a::Engine& engine, std::string listen, std::string did_web)
    : loop_(loop),
      engine_(engine),
      listen_(std::move(listen)),
      did_web_(std::move(did_web)),
      self_(engine.self().to_base58()),
      rpc_(new_uuid) {}

net::Result<std::unique_ptr<AnpServer>> AnpServer::start(net::Loop& loop, a2a::Engine& engine,
                                                         const std::string& listen, std::string did_web,
                                                         net::Log* log) {
  std::unique_ptr<AnpServer> a(new AnpServer(loop, engine, listen, std::move(did_web)));
  AnpServer* self = a.get();
  a->router_.get("/agent/ad.json", [self](http::Request& q, http::Responder r) { self->on_doc(q, r, true); });
  a->router_.get("/agent/interface.json", [self](http::Request& q, http::Responder r) { self->on_doc(q, r, false); });
  a->router_.post("/agent/rpc", [self](http::Request& q, http::Responder r) { self->on_rpc(q, r); });
  http::ServerOptions so;
  so.name = "anp";
  so.limits.max_body_len = kMaxBodyLen;
  a->http_ = std::make_unique<http::Server>(loop, std::move(so), a->router_.handler(), log);
  AAC_TRY(a->http_->listen(listen));
  return a;
}

AnpServer::~AnpServer() {
  *alive_ = false;
  for (auto& [id, w] : waiters_) {
    if (w.sub) engine_.unsubscribe(w.sub);
    if (w.timer != net::kNoTimer) loop_.cancel_timer(w.timer);
  }
  waiters_.clear();
  http_.reset();
}

std::string AnpServer::base_url(const http::Request& req) const {
  if (const std::string* h = req.header("host"); h && sane_host(*h)) return "http://" + *h;
  std::string l = listen_;
  if (!l.empty() && l[0] == ':') l = "localhost" + l;
  return "http://" + l;
}

void AnpServer::on_doc(http::Request& req, http::Responder r, bool ad) {
  const auto& card = engine_.card();
  if (!card) return r.respond(http::Response::text(404, "no agent card configured"));
  std::string base = base_url(req);
  std::string did = did_web_;
  if (did.empty() && card->p2p_extension) did = card->p2p_extension->did_key;
  http::Response resp = http::Response::json(200, ad ? ad_json(*card, base, did) : interface_json(*card, base));
  if (ad) resp.headers[0].value = "application/ld+json";  // JSON-LD
  r.respond(std::move(resp));
}

void AnpServer::on_rpc(http::Request& req, http::Responder r) {
  const auto& card = engine_.card();
  AnpCall c = rpc_.parse(req.body, card ? &*card : nullptr, self_);
  if (c.respond) {
    count(false);
    return r.respond(http::Response::json(200, std::move(c.response)));
  }
  if (waiters_.size() >= bridge::kMaxWaiters) {
    count(false);
    return r.respond(http::Response::json(200, error_response(c.id_json, -32603, "too many open calls")));
  }
  std::weak_ptr<bool> alive = alive_;
  std::string id_json = c.id_json;
  engine_.send_task(std::move(c.send), [this, alive, id_json, r](a2a::ApiResult<a2a::Task> t) mutable {
    if (alive.expired()) return;
    if (!t) {
      count(false);
      return r.respond(http::Response::json(200, error_response(id_json, -32603, t.message())));
    }
    wait_for(id_json, r, t->task_id);
  });
}

void AnpServer::wait_for(std::string id_json, http::Responder r, const std::string& task_id) {
  uint64_t id = next_++;
  Waiter& w = waiters_[id];
  w.r = r;
  w.id_json = std::move(id_json);
  w.task_id = task_id;
  std::weak_ptr<bool> alive = alive_;
  w.timer = loop_.add_timer(loop_.now() + bridge::kBlockingWaitNs, [this, id] {
    if (auto it = waiters_.find(id); it != waiters_.end()) it->second.timer = net::kNoTimer;
    finish(id);
  });
  w.r.on_gone([this, alive, id] {
    if (alive.expired()) return;
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
    if (it->second.sub) engine_.unsubscribe(it->second.sub);
    if (it->second.timer != net::kNoTimer) loop_.cancel_timer(it->second.timer);
    waiters_.erase(it);
  });
  a2a::Sink<a2a::TaskUpdate> sink;
  sink.deliver = [this, alive, id](const a2a::TaskUpdate& u) {
    if (alive.expired() || !waiters_.count(id)) return a2a::Flow::closed;
    if (bridge::is_final(u.status)) finish(id);
    return a2a::Flow::ready;
  };
  sink.end = [this, alive, id](const a2a::ApiError&) {
    if (alive.expired()) return;
    if (auto it = waiters_.find(id); it != waiters_.end()) it->second.sub = 0;
    finish(id);
  };
  auto sub = engine_.subscribe_updates(task_id, std::move(sink));
  if (!sub) return finish(id);
  if (auto it = waiters_.find(id); it != waiters_.end()) it->second.sub = *sub;
}

void AnpServer::finish(uint64_t id) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Waiter w = std::move(it->second);
  waiters_.erase(it);
  if (w.sub) engine_.unsubscribe(w.sub);
  if (w.timer != net::kNoTimer) loop_.cancel_timer(w.timer);
  w.r.on_gone(nullptr);
  auto t = engine_.get_task(w.task_id);
  count(static_cast<bool>(t));
  w.r.respond(http::Response::json(200, t ? task_result(w.id_json, *t) : error_response(w.id_json, -32603, t.message())));
}

}  // namespace frontends::anp
