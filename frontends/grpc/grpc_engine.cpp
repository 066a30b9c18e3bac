// frontends/grpc/grpc_engine.cpp — Engine (registry, connections) and the
// Call handle. See grpc_engine.hpp, grpc_call.hpp.
#include "frontends/grpc/grpc_engine.hpp"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "frontends/grpc/grpc_conn.hpp"

namespace frontends::grpc {

// ---- the thread's call table ----

namespace {
struct CallTable {
  std::unordered_map<uint64_t, CallState*> map;
  uint64_t next_id = 1;
};
CallTable& table() {
  thread_local CallTable t;
  return t;
}
}  // namespace

CallState* find_call(uint64_t id) {
  if (!id) return nullptr;
  auto& m = table().map;
  auto it = m.find(id);
  return it == m.end() ? nullptr : it->second;
}

uint64_t insert_call(CallState* cs) {
  uint64_t id = table().next_id++;
  table().map.emplace(id, cs);
  return id;
}

void erase_call(uint64_t id) { table().map.erase(id); }

std::string unmarshal_error(const std::string& what) { return "grpc: error unmarshalling request: " + what; }

void registration_failed(const std::string& what) {
  std::fprintf(stderr, "grpc: method registration failed: %s\n", what.c_str());
  std::abort();
}

// ---- Call ----

Call::Call(uint64_t id, Adopt) : id_(id) {
  if (CallState* cs = find_call(id)) ++cs->refs;
}

Call::Call(const Call& o) : id_(o.id_), counted_(o.counted_) {
  if (counted_)
    if (CallState* cs = find_call(id_)) ++cs->refs;
}

Call& Call::operator=(const Call& o) {
  if (this != &o) {
    Call tmp(o);
    *this = std::move(tmp);
  }
  return *this;
}

Call& Call::operator=(Call&& o) noexcept {
  if (this != &o) {
    Call old(std::move(*this));  // releases our reference when it goes
    id_ = std::exchange(o.id_, 0);
    counted_ = o.counted_;
  }
  return *this;
}

Call::~Call() {
  if (!counted_) return;
  CallState* cs = find_call(id_);
  if (!cs) return;
  if (--cs->refs == 0 && !cs->over)
    cs->conn->app_finish(cs, {Code::internal, "grpc: the handler dropped the call without finishing it"});
}

net::Bytes& Call::scratch() {
  thread_local net::Bytes b;
  return b;
}

bool Call::active() const { return find_call(id_) != nullptr; }

Flow Call::write(net::BytesView message) {
  CallState* cs = find_call(id_);
  return cs ? cs->conn->write(cs, message) : Flow::closed;
}

void Call::finish(Status st) {
  if (CallState* cs = find_call(id_)) cs->conn->app_finish(cs, std::move(st));
}

bool Call::writable() const {
  CallState* cs = find_call(id_);
  return cs && cs->out.size() <= cs->conn->limits().stream_out_high_water;
}

size_t Call::buffered() const {
  CallState* cs = find_call(id_);
  return cs ? cs->out.size() : 0;
}

void Call::pause_reading() {
  if (CallState* cs = find_call(id_)) cs->paused = true;
}

void Call::resume_reading() {
  CallState* cs = find_call(id_);
  if (cs && cs->paused) cs->conn->resume(cs);
}

void Call::on_cancel(net::SmallFn<void(const Status&)> fn) {
  if (CallState* cs = find_call(id_)) cs->on_cancel = std::move(fn);
}

void Call::on_writable(net::SmallFn<void()> fn) {
  if (CallState* cs = find_call(id_)) cs->on_writable = std::move(fn);
}

void Call::on_message(net::SmallFn<void(net::BytesView)> fn) {
  CallState* cs = find_call(id_);
  if (!cs) return;
  bool first = !cs->on_message;
  cs->on_message = std::move(fn);
  if (first) cs->conn->resume(cs);  // messages may be waiting for a hook
}

void Call::on_half_close(net::SmallFn<void()> fn) {
  if (CallState* cs = find_call(id_)) cs->on_half_close = std::move(fn);
}

std::string_view Call::path() const {
  CallState* cs = find_call(id_);
  return cs ? std::string_view(cs->path) : std::string_view();
}

std::string_view Call::peer() const {
  CallState* cs = find_call(id_);
  return cs ? std::string_view(cs->conn->peer()) : std::string_view();
}

net::Instant Call::deadline() const {
  CallState* cs = find_call(id_);
  return cs ? cs->deadline : net::kNever;
}

std::string_view Call::metadata(std::string_view name) const {
  CallState* cs = find_call(id_);
  if (!cs) return {};
  for (const auto& [k, v] : cs->metadata)
    if (k == name) return v;
  return {};
}

// ---- Engine ----

Engine::Engine(const Limits& lim, net::Log* log) : lim_(lim), log_(log) {}

Engine::~Engine() {
  std::vector<std::pair<net::SmallFn<void(const Status&)>, Status>> hooks;
  for (auto& [id, c] : conns_) {
    auto h = c->take_all_calls({Code::unavailable, "server stopped"});
    for (auto& e : h) hooks.push_back(std::move(e));
  }
  conns_.clear();
  for (auto& [fn, st] : hooks) fn(st);
}

net::Status Engine::add_method(std::string_view path, MethodKind kind, RawHandler h) {
  size_t slash = path.rfind('/');
  if (path.size() < 4 || path[0] != '/' || slash == 0 || slash == std::string_view::npos || slash + 1 == path.size())
    return net::Error{net::Err::invalid, "grpc: malformed method path \"" + std::string(path) + "\""};
  if (!h) return net::Error{net::Err::invalid, "grpc: empty handler for " + std::string(path)};
  auto [it, fresh] = methods_.try_emplace(std::string(path), Method{kind, std::move(h)});
  if (!fresh) return net::Error{net::Err::invalid, "grpc: method " + std::string(path) + " registered twice"};
  return {};
}

const Engine::Method* Engine::find_method(std::string_view path) const {
  auto it = methods_.find(path);
  return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> Engine::service_names() const {
  std::set<std::string> names;
  for (const auto& [path, m] : methods_) names.insert(path.substr(1, path.rfind('/') - 1));
  return {names.begin(), names.end()};
}

Conn* Engine::conn(ConnId c) const {
  auto it = conns_.find(c);
  return it == conns_.end() ? nullptr : it->second.get();
}

void Engine::wake(ConnId c) {
  if (wakeup_) wakeup_(c);
}

net::Result<ConnId> Engine::open(net::Instant now, std::string peer) {
  ConnId id = next_conn_++;
  auto c = std::make_unique<Conn>(*this, id, std::move(peer), now);
  AAC_TRY(c->init());
  if (shutting_down_) {
    net::Instant end = shutdown_at_ + grace_ns_;
    c->start_shutdown(now, end > now ? end - now : 0);
  }
  conns_.emplace(id, std::move(c));
  return id;
}

net::Status Engine::feed(ConnId c, net::BytesView in, net::Instant now) {
  Conn* k = conn(c);
  if (!k) return net::Error{net::Err::closed, "grpc: unknown connection"};
  return k->feed(in, now);
}

net::BytesView Engine::pending_output(ConnId c) {
  Conn* k = conn(c);
  return k ? k->pending_output() : net::BytesView();
}

void Engine::consume_output(ConnId c, size_t n) {
  if (Conn* k = conn(c)) k->consume_output(n);
}

bool Engine::done(ConnId c) const {
  Conn* k = conn(c);
  return !k || k->done();
}

net::Instant Engine::next_deadline(ConnId c) const {
  Conn* k = conn(c);
  return k ? k->next_deadline() : net::kNever;
}

void Engine::on_timeout(ConnId c, net::Instant now) {
  if (Conn* k = conn(c)) k->on_timeout(now);
}

void Engine::close(ConnId c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  auto hooks = it->second->take_all_calls({Code::cancelled, "connection closed"});
  conns_.erase(it);
  for (auto& [fn, st] : hooks) fn(st);
}

void Engine::shutdown(net::Instant now, uint64_t grace_ns) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_at_ = now;
  grace_ns_ = grace_ns;
  for (auto& [id, c] : conns_) c->start_shutdown(now, grace_ns);
}

EngineStats Engine::stats() const {
  EngineStats s = counters_;
  s.connections = conns_.size();
  for (const auto& [id, c] : conns_) {
    s.calls_active += c->active_calls();
    s.recv_buffered += c->recv_buffered();
    s.session_memory += c->session_memory();
  }
  return s;
}

size_t Engine::session_memory(ConnId c) const {
  Conn* k = conn(c);
  return k ? k->session_memory() : 0;
}

}  // namespace frontends::grpc
