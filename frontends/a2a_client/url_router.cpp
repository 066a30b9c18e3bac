// frontends/a2a_client/url_router.cpp — see url_router.hpp.
#include "frontends/a2a_client/url_router.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

namespace frontends::a2a_client {

namespace {

using S = a2a::TaskStatus;

a2a::Message agent_text(const std::string& text) {
  a2a::Message m;
  m.role = a2a::v1::MessageRole::MESSAGE_ROLE_AGENT;
  m.parts.emplace_back().mutable_text_part().text = text;
  return m;
}

// Numeric hosts directly; names by getaddrinfo (blocking: see the header).
net::Result<net::SockAddr> resolve(const AgentUrl& u) {
  if (u.kind != AgentUrl::HostKind::name) return net::SockAddr::parse_ip(u.host, u.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(u.port);
  int rc = ::getaddrinfo(u.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res) {
    if (res) ::freeaddrinfo(res);
    return net::Error{net::Err::io, "cannot resolve " + u.host + ": " + ::gai_strerror(rc)};
  }
  auto a = net::SockAddr::from_sockaddr(res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  return a;
}

}  // namespace

struct UrlRouter::Conn {
  std::unique_ptr<net::TcpStream> tcp;
  std::unique_ptr<crypto::TlsSession> tls;
  std::unique_ptr<ClientCall> call;
  bool connected = false;
  bool handshaken = false;
};

struct UrlRouter::Job {
  std::string task_id;
  AgentUrl url;
  Protocol proto = Protocol::current;
  std::string remote_id;
  Phase phase = Phase::send;
  // Kept for a fallback to tasks/send (then dropped).
  a2a::Message message;
  std::string context_id;
  std::map<std::string, std::string> metadata;
  net::Instant started = 0;
  uint64_t interval = 0;
  int failures = 0;
  net::TimerId timer = net::kNoTimer;
  std::unique_ptr<Conn> conn;
};

std::string UrlRouter::where(const Job& j) const { return "agent at " + j.url.text; }

UrlRouter::UrlRouter(net::Loop& loop, a2a::Engine& engine, UrlRouterOptions opt, net::Log* log)
    : loop_(loop), engine_(engine), opt_(std::move(opt)), log_(log), parser_({.max_len = kMaxResponseLen}) {}

UrlRouter::~UrlRouter() {
  for (auto& [id, j] : jobs_) loop_.cancel_timer(j->timer);
  jobs_.clear();  // connections close with their streams
}

net::Result<std::unique_ptr<UrlRouter>> UrlRouter::create(net::Loop& loop, a2a::Engine& engine, UrlRouterOptions opt,
                                                          net::Log* log) {
  std::unique_ptr<UrlRouter> r(new UrlRouter(loop, engine, std::move(opt), log));
  // A configured CA file is checked at start (a typo should stop the
  // daemon). The system store is loaded on the first https:// URL instead:
  // parsing Debian's bundle took ~55 ms of every start and ~4 MB of RSS.
  if (!r->opt_.ca_file.empty()) AAC_TRY(r->ensure_tls());
  auto dao = store::UrlTaskDao::open(engine.store().db, engine.store().batch);
  if (!dao) return dao.take_error();
  r->dao_ = dao.take();
  AAC_TRY(r->resume());
  return r;
}

net::Status UrlRouter::ensure_tls() {
  if (tls_) return {};
  auto ctx = crypto::TlsContext::client(opt_.ca_file);
  if (!ctx) return ctx.take_error();
  tls_ = ctx.take();
  return {};
}

net::Status UrlRouter::resume() {
  auto rows = dao_->list();
  if (!rows) return rows.take_error();
  for (auto& row : *rows) {
    auto t = engine_.store().tasks->find(row.task_id);
    if (!t) return t.take_error();
    auto u = parse_agent_url(row.url);
    if (!*t || !u || a2a::is_terminal(static_cast<S>((*t)->status))) {
      AAC_TRY(dao_->erase(row.task_id));
      continue;
    }
    Job& j = add_job(row.task_id, u.take(), row.protocol == 1 ? Protocol::legacy : Protocol::current);
    j.remote_id = row.remote_task_id;
    if (j.remote_id.empty()) {
      fail(j, "the daemon restarted before the " + where(j) +
                  " answered; the agent may or may not hold the task, which is not sent again");
      continue;
    }
    ++stats_.resumed;
    AAC_LOG(log_, info, "a2a_client", "following a url task again after restart",
            {{"task", row.task_id}, {"url", row.url}});
    schedule_poll(j);
  }
  return {};
}

UrlRouter::Job& UrlRouter::add_job(std::string task_id, AgentUrl url, Protocol proto) {
  auto j = std::make_unique<Job>();
  j->task_id = std::move(task_id);
  j->url = std::move(url);
  j->proto = proto;
  j->started = loop_.now();
  Job* jp = j.get();
  j->timer = loop_.create_timer([this, jp] { on_timer(*jp); });
  auto& slot = jobs_[jp->task_id];
  if (slot) loop_.cancel_timer(slot->timer);
  slot = std::move(j);
  return *jp;
}

void UrlRouter::save(const Job& j) {
  store::UrlTaskRow row{j.task_id, j.proto == Protocol::legacy ? 1 : 0, j.url.text, j.remote_id};
  if (auto st = dao_->put(row); !st)
    AAC_LOG(log_, error, "a2a_client", "cannot store url task", {{"task", j.task_id}, {"error", st.what()}});
}

void UrlRouter::send_task(std::string url_text, a2a::SendTaskArgs args, a2a::Reply<a2a::Task> reply) {
  auto u = parse_agent_url(url_text);
  if (!u) return reply(a2a::ApiError{a2a::ApiCode::invalid_argument, u.what()});
  if (jobs_.size() >= opt_.max_active)
    return reply(a2a::ApiError{a2a::ApiCode::resource_exhausted, "too many tasks routed by url in flight (" +
                                                                     std::to_string(opt_.max_active) + ")"});
  a2a::Message message = args.message;
  std::string context_id = args.context_id;
  std::map<std::string, std::string> metadata = args.metadata;
  // The call starts once the task is stored (after the commit): an agent
  // never works on a task the daemon could lose.
  auto pending = std::make_shared<std::string>();
  auto on_stored = [this, pending, reply = std::move(reply)](a2a::ApiResult<a2a::Task> res) mutable {
    if (res) {
      auto it = jobs_.find(*pending);
      if (it != jobs_.end() && it->second->phase == Phase::send && !it->second->conn) {
        Job& j = *it->second;
        start_call(j, Phase::send, send_body(j.proto, j.task_id, j.task_id, j.message, j.context_id, j.metadata));
      }
    } else if (!pending->empty()) {
      if (auto it = jobs_.find(*pending); it != jobs_.end()) drop(*it->second);
    }
    reply(std::move(res));
  };
  std::string id = engine_.send_task_url(std::move(args), std::move(on_stored));
  if (id.empty()) return;  // refused; the reply ran
  *pending = id;
  ++stats_.tasks;
  Job& j = add_job(id, u.take(), Protocol::current);
  j.message = std::move(message);
  j.context_id = std::move(context_id);
  j.metadata = std::move(metadata);
  save(j);
}

void UrlRouter::start_call(Job& j, Phase phase, std::string body) {
  j.phase = phase;
  ++stats_.calls;
  j.conn = std::make_unique<Conn>();
  Conn& c = *j.conn;
  c.call = std::make_unique<ClientCall>(j.url, j.proto, body);
  auto addr = resolve(j.url);
  if (!addr) return call_done(j, addr.take_error());
  net::TcpStreamOptions o;
  o.out_limit = std::max(o.out_limit, c.call->output().size() + 64 * 1024);
  o.high_water = o.out_limit;
  auto tcp = net::TcpStream::dial(loop_, *addr, opt_.connect_timeout_ns, o);
  if (!tcp) return call_done(j, net::Error{tcp.err(), "connect to " + j.url.host_header + ": " + tcp.what()});
  c.tcp = tcp.take();
  Job* jp = &j;
  c.tcp->on_connect([this, jp] {
    Conn& cc = *jp->conn;
    cc.connected = true;
    loop_.arm_timer(jp->timer, loop_.now() + (cc.tls ? opt_.tls_timeout_ns : opt_.response_timeout_ns));
  });
  c.tcp->on_data([this, jp](net::BytesView d) { on_conn_data(*jp, d); });
  c.tcp->on_eof([this, jp] { on_conn_end(*jp, net::Error{}); });
  c.tcp->on_close([this, jp](const net::Error& why) { on_conn_end(*jp, why); });
  bool ok = true;
  if (j.url.tls) {
    if (auto st = ensure_tls(); !st) return call_done(j, st.error());
    c.tls = std::make_unique<crypto::TlsSession>(*tls_, j.url.host);
    if (c.tls->failed()) return call_done(j, net::Error{net::Err::crypto, "tls: cannot create a session"});
    if (auto st = c.tls->write(c.call->output()); !st) return call_done(j, st.error());
    c.call->consume(c.call->output().size());
    ok = c.tcp->write(c.tls->pending_output());
    c.tls->consume_output(c.tls->pending_output().size());
  } else {
    ok = c.tcp->write(c.call->output());
    c.call->consume(c.call->output().size());
  }
  if (!ok) return call_done(j, net::Error{net::Err::io, "cannot write the request to " + j.url.host_header});
  // The connect timeout is the stream's; the timer covers what follows.
  loop_.arm_timer(j.timer, net::kNever);
}

void UrlRouter::on_conn_data(Job& j, net::BytesView data) {
  Conn& c = *j.conn;
  std::optional<net::Result<RpcOutcome>> r;
  if (c.tls) {
    auto st = c.tls->feed(data);
    if (c.tls->output_size() > 0) {
      (void)c.tcp->write(c.tls->pending_output());
      c.tls->consume_output(c.tls->output_size());
    }
    if (!st) return call_done(j, net::Error{st.err(), st.what() + " (" + j.url.host_header + ")"});
    if (c.tls->handshake_done() && !c.handshaken) {
      c.handshaken = true;
      loop_.arm_timer(j.timer, loop_.now() + opt_.response_timeout_ns);
    }
    std::string plain;
    if (auto rs = c.tls->read(plain, kMaxResponseLen); !rs) return call_done(j, rs.error());
    if (c.tls->output_size() > 0) {
      (void)c.tcp->write(c.tls->pending_output());
      c.tls->consume_output(c.tls->output_size());
    }
    if (plain.empty()) return;
    r = c.call->feed(net::BytesView(reinterpret_cast<const uint8_t*>(plain.data()), plain.size()), parser_);
  } else {
    r = c.call->feed(data, parser_);
  }
  if (r) call_done(j, std::move(*r));
}

void UrlRouter::on_conn_end(Job& j, const net::Error& reason) {
  Conn& c = *j.conn;
  if (c.call->finished()) return;
  if (reason.code != net::Err::ok) {
    std::string why = reason.what.empty() ? net::err_name(reason.code) : reason.what;
    if (!c.connected) why = "connect to " + j.url.host_header + ": " + why;
    return call_done(j, net::Error{reason.code, why});
  }
  if (c.tls && !c.handshaken) return call_done(j, net::Error{net::Err::crypto, "tls: connection closed during the handshake"});
  call_done(j, c.call->eof(parser_));
}

void UrlRouter::on_timer(Job& j) {
  if (j.conn) {
    const bool hs = j.conn->tls && !j.conn->handshaken;
    const uint64_t s = (hs ? opt_.tls_timeout_ns : opt_.response_timeout_ns) / net::kSecond;
    return call_done(j, net::Error{net::Err::timeout, hs ? "no TLS handshake within " + std::to_string(s) + " s"
                                                         : "no answer within " + std::to_string(s) + " s"});
  }
  poll(j);
}

void UrlRouter::call_done(Job& j, net::Result<RpcOutcome> r) {
  // The connection goes now; from inside its own callback that is allowed
  // (net/tcp_stream.hpp), and nothing below touches it.
  j.conn.reset();
  loop_.arm_timer(j.timer, net::kNever);
  const Phase phase = j.phase;
  if (phase == Phase::cancel) return drop(j);
  if (!r) {
    if (phase == Phase::send) return fail(j, where(j) + ": " + r.what());
    ++stats_.poll_errors;
    if (++j.failures >= opt_.max_poll_failures)
      return fail(j, where(j) + " did not answer tasks/get " + std::to_string(j.failures) + " times: " + r.what());
    AAC_LOG(log_, debug, "a2a_client", "poll failed", {{"task", j.task_id}, {"error", r.what()}});
    return schedule_poll(j);
  }
  if (r->error) {
    const RpcError& e = *r->error;
    if (phase == Phase::send && j.proto == Protocol::current && e.code == kMethodNotFound) {
      ++stats_.fallbacks;
      j.proto = Protocol::legacy;
      save(j);
      return start_call(j, Phase::send, send_body(j.proto, j.task_id, j.task_id, j.message, j.context_id, j.metadata));
    }
    const std::string method = phase == Phase::send ? send_method(j.proto) : "tasks/get";
    return fail(j, where(j) + " answered " + method + " with JSON-RPC error " + std::to_string(e.code) + ": " +
                       e.message);
  }
  j.failures = 0;
  const RemoteTask& t = *r->task;
  if (phase == Phase::send) {
    j.message = {};
    j.metadata.clear();
    j.remote_id = t.direct_message ? j.task_id : t.id;
    if (!t.direct_message) save(j);
    j.interval = 0;
  }
  if (apply(j, t)) {
    ++stats_.finished;
    return drop(j);
  }
  if (t.direct_message) return drop(j);
  schedule_poll(j);
}

void UrlRouter::schedule_poll(Job& j) {
  j.phase = Phase::wait;
  j.interval = j.interval == 0 ? opt_.poll_first_ns : std::min(j.interval * 2, opt_.poll_max_interval_ns);
  loop_.arm_timer(j.timer, loop_.now() + j.interval);
}

void UrlRouter::poll(Job& j) {
  auto row = engine_.store().tasks->find(j.task_id);
  if (!row || !*row) return drop(j);
  if (a2a::is_terminal(static_cast<S>((*row)->status))) {
    // Canceled (or failed) here: tell the agent, once, and stop.
    AAC_LOG(log_, info, "a2a_client", "url task ended locally; canceling at the agent",
            {{"task", j.task_id}, {"url", j.url.text}});
    return start_call(j, Phase::cancel, cancel_body(j.proto, "cancel-" + std::to_string(++rpc_seq_), j.remote_id));
  }
  if (loop_.now() - j.started > opt_.max_poll_duration_ns)
    return fail(j, where(j) + " did not finish the task within " +
                       std::to_string(opt_.max_poll_duration_ns / net::kSecond) + " s");
  ++stats_.polls;
  start_call(j, Phase::poll, get_body(j.proto, "get-" + std::to_string(++rpc_seq_), j.remote_id));
}

bool UrlRouter::apply(Job& j, const RemoteTask& t) {
  if (t.status == S::TASK_STATUS_UNSPECIFIED) return false;
  auto row = engine_.store().tasks->find(j.task_id);
  if (!row || !*row) return true;
  const S from = static_cast<S>((*row)->status);
  if (a2a::is_terminal(from)) return true;
  const bool terminal = a2a::is_terminal(t.status);
  if (t.status == from) return false;  // nothing new (the same state polled again)
  const a2a::Message* msg = t.message ? &*t.message : nullptr;
  const std::vector<a2a::Artifact>* arts = terminal ? &t.artifacts : nullptr;
  if (!engine_.apply_url_status(j.task_id, t.status, msg, arts)) {
    AAC_LOG(log_, debug, "a2a_client", "agent's state not applied",
            {{"task", j.task_id}, {"from", a2a::status_name(from)}, {"to", a2a::status_name(t.status)}});
    return terminal;
  }
  return terminal;
}

void UrlRouter::fail(Job& j, const std::string& why) {
  ++stats_.failed;
  AAC_LOG(log_, warn, "a2a_client", "url task failed", {{"task", j.task_id}, {"error", why}});
  a2a::Message m = agent_text(why);
  (void)engine_.apply_url_status(j.task_id, S::TASK_STATUS_FAILED, &m, nullptr);
  drop(j);
}

void UrlRouter::drop(Job& j) {
  if (auto st = dao_->erase(j.task_id); !st)
    AAC_LOG(log_, error, "a2a_client", "cannot erase url task", {{"task", j.task_id}, {"error", st.what()}});
  loop_.cancel_timer(j.timer);
  const std::string id = j.task_id;  // the key must outlive the erase
  jobs_.erase(id);                   // j is gone
}

}  // namespace frontends::a2a_client
