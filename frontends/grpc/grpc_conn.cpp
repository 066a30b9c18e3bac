// frontends/grpc/grpc_conn.cpp — one HTTP/2 server connection: nghttp2
// glue, request validation, message flow, keepalive, shutdown. See
// grpc_conn.hpp and grpc_engine.hpp.
#include "frontends/grpc/grpc_conn.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace frontends::grpc {
namespace {

constexpr uint8_t kShutdownPingOpaque[8] = {'s', 'h', 'u', 't', 'd', 'o', 'w', 'n'};
constexpr uint8_t kKeepalivePingOpaque[8] = {'k', 'e', 'e', 'p', 'a', 'l', 'i', 'v'};
constexpr size_t kMemHeader = alignof(std::max_align_t);  // size prefix of each nghttp2 allocation

net::Instant add_sat(net::Instant a, uint64_t b) { return a > net::kNever - b ? net::kNever : a + b; }

Conn* self(void* user) { return static_cast<Conn*>(user); }

nghttp2_nv nv(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

// ---- static nghttp2 callbacks: forward to the Conn ----

int cb_begin_headers(nghttp2_session*, const nghttp2_frame* f, void* u) { return self(u)->on_begin_headers(f); }
int cb_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* name, size_t namelen, const uint8_t* value,
              size_t valuelen, uint8_t, void* u) {
  return self(u)->on_header(f, {reinterpret_cast<const char*>(name), namelen},
                            {reinterpret_cast<const char*>(value), valuelen});
}
int cb_frame_recv(nghttp2_session*, const nghttp2_frame* f, void* u) { return self(u)->on_frame_recv(f); }
int cb_data_chunk(nghttp2_session*, uint8_t, int32_t sid, const uint8_t* data, size_t len, void* u) {
  return self(u)->on_data_chunk(sid, {data, len});
}
int cb_stream_close(nghttp2_session*, int32_t sid, uint32_t code, void* u) {
  return self(u)->on_stream_close(sid, code);
}
int cb_frame_send(nghttp2_session*, const nghttp2_frame* f, void* u) { return self(u)->on_frame_send(f); }
ssize_t cb_read(nghttp2_session*, int32_t, uint8_t* buf, size_t len, uint32_t* flags, nghttp2_data_source* src,
                void* u) {
  return self(u)->read_data(static_cast<CallState*>(src->ptr), buf, len, flags);
}
void* cb_malloc(size_t n, void* u) { return self(u)->mem_alloc(n); }
void cb_free(void* p, void* u) { self(u)->mem_free(p); }
void* cb_calloc(size_t k, size_t n, void* u) {
  if (n && k > SIZE_MAX / n) return nullptr;
  void* p = self(u)->mem_alloc(k * n);
  if (p) std::memset(p, 0, k * n);
  return p;
}
void* cb_realloc(void* p, size_t n, void* u) { return self(u)->mem_realloc(p, n); }

// Callbacks and options are copied into each session: build them once.
struct Setup {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_option* opt = nullptr;
  Setup() {
    if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0) std::abort();
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, cb_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, cb_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, cb_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, cb_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, cb_stream_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, cb_frame_send);
    nghttp2_option_set_no_auto_window_update(opt, 1);  // we acknowledge data as handlers take it
    nghttp2_option_set_no_closed_streams(opt, 1);      // no priority tree of closed streams to keep
    nghttp2_option_set_max_outbound_ack(opt, kMaxOutboundAck);
    nghttp2_option_set_stream_reset_rate_limit(opt, kStreamResetBurst, kStreamResetRate);
    nghttp2_option_set_max_continuations(opt, kMaxContinuations);
  }
  ~Setup() {
    nghttp2_session_callbacks_del(cbs);
    nghttp2_option_del(opt);
  }
};
const Setup& setup() {
  static const Setup s;
  return s;
}

// application/grpc, application/grpc+proto, application/grpc;params.
bool grpc_content_type(std::string_view ct, std::string* subtype) {
  constexpr std::string_view kBase = "application/grpc";
  if (ct.substr(0, kBase.size()) != kBase) return false;
  std::string_view rest = ct.substr(kBase.size());
  if (rest.empty() || rest[0] == ';') return true;
  if (rest[0] != '+') return false;
  rest = rest.substr(1);
  *subtype = std::string(rest.substr(0, rest.find(';')));
  return true;
}

}  // namespace

CallState::CallState(Conn* c, int32_t sid, const Limits& lim)
    : conn(c),
      stream_id(sid),
      in(lim.max_recv_message_len, size_t{lim.max_recv_message_len} + kMessagePrefixLen + lim.stream_window),
      out(lim.stream_out_high_water + kMessagePrefixLen + lim.max_send_message_len) {}

Conn::Conn(Engine& eng, ConnId id, std::string peer, net::Instant now)
    : eng_(eng), lim_(eng.lim_), id_(id), peer_(std::move(peer)), now_(now) {
  preface_deadline_ = add_sat(now, lim_.preface_timeout_ns);
  last_recv_ = now;
}

Conn::~Conn() {
  if (session_) nghttp2_session_del(session_);
  for (auto& [sid, cs] : calls_) end_call(cs.get());
}

net::Status Conn::init() {
  mem_ = {this, cb_malloc, cb_free, cb_calloc, cb_realloc};
  if (nghttp2_session_server_new3(&session_, setup().cbs, this, setup().opt, &mem_) != 0) {
    session_ = nullptr;
    return net::Error{net::Err::nomem, "http2: cannot create a session"};
  }
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, lim_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, lim_.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, lim_.max_header_list_len},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, std::size(iv)) != 0 ||
      nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                            static_cast<int32_t>(lim_.conn_window)) != 0)
    return net::Error{net::Err::nomem, "http2: cannot queue SETTINGS"};
  return {};
}

// ---- memory: every nghttp2 allocation of this connection is counted ----

void* Conn::mem_alloc(size_t n) {
  if (n > lim_.session_mem_limit || mem_used_ + n > lim_.session_mem_limit) return nullptr;
  auto* p = static_cast<uint8_t*>(std::malloc(n + kMemHeader));
  if (!p) return nullptr;
  std::memcpy(p, &n, sizeof n);
  mem_used_ += n;
  return p + kMemHeader;
}

void Conn::mem_free(void* q) {
  if (!q) return;
  auto* p = static_cast<uint8_t*>(q) - kMemHeader;
  size_t n;
  std::memcpy(&n, p, sizeof n);
  mem_used_ -= n;
  std::free(p);
}

void* Conn::mem_realloc(void* q, size_t n) {
  if (!q) return mem_alloc(n);
  auto* p = static_cast<uint8_t*>(q) - kMemHeader;
  size_t old;
  std::memcpy(&old, p, sizeof old);
  if (n > old && (n > lim_.session_mem_limit || mem_used_ - old + n > lim_.session_mem_limit)) return nullptr;
  auto* r = static_cast<uint8_t*>(std::realloc(p, n + kMemHeader));
  if (!r) return nullptr;
  std::memcpy(r, &n, sizeof n);
  mem_used_ = mem_used_ - old + n;
  return r + kMemHeader;
}

// ---- driver-facing ----

net::Status Conn::feed(net::BytesView in, net::Instant now) {
  now_ = now;
  last_recv_ = now;
  if (ping_sent_at_ != net::kNever) ping_sent_at_ = net::kNever;  // the client is alive
  if (!error_.what.empty()) return error_;
  ssize_t rv = nghttp2_session_mem_recv(session_, in.data(), in.size());
  if (rv < 0) {
    error_ = {rv == NGHTTP2_ERR_NOMEM ? net::Err::nomem : net::Err::proto,
              rv == NGHTTP2_ERR_BAD_CLIENT_MAGIC ? std::string("http2: bad client magic (not an HTTP/2 client preface)")
                                                 : std::string("http2: ") + nghttp2_strerror(static_cast<int>(rv))};
    close_now_ = true;
    AAC_LOG(eng_.log_, info, "grpc", "connection error", {{"conn", id_}, {"peer", peer_}, {"why", error_.what}});
  }
  run_events();
  if (!error_.what.empty()) return error_;
  return {};
}

net::BytesView Conn::pending_output() {
  run_events();
  if (!staged_.empty() || !session_) return staged_;
  const uint8_t* p = nullptr;
  ssize_t n = nghttp2_session_mem_send(session_, &p);
  if (n < 0) {
    if (error_.what.empty()) error_ = {net::Err::nomem, std::string("http2: ") + nghttp2_strerror(static_cast<int>(n))};
    close_now_ = true;
    return {};
  }
  staged_ = {p, static_cast<size_t>(n)};
  run_events();  // writable hooks (the queue drained), cancels (streams closed)
  if (staged_.empty()) dirty_ = false;
  return staged_;
}

void Conn::consume_output(size_t n) { staged_ = staged_.subspan(std::min(n, staged_.size())); }

bool Conn::done() const {
  if (close_now_) return true;
  if (!staged_.empty() || !session_) return false;
  if (nghttp2_session_want_write(session_)) return false;
  return close_when_flushed_ || !nghttp2_session_want_read(session_);
}

net::Instant Conn::next_deadline() const {
  net::Instant d = net::kNever;
  if (!preface_ok_) d = std::min(d, preface_deadline_);
  if (ping_sent_at_ != net::kNever)
    d = std::min(d, add_sat(ping_sent_at_, lim_.keepalive_timeout_ns));
  else
    d = std::min(d, add_sat(last_recv_, lim_.keepalive_time_ns));
  if (!deadlines_.empty()) d = std::min(d, deadlines_.begin()->first);
  if (shutdown_ == Shutdown::notice_sent) d = std::min(d, shutdown_ping_deadline_);
  if (shutdown_ == Shutdown::goaway_sent) d = std::min(d, grace_deadline_);
  return d;
}

void Conn::on_timeout(net::Instant now) {
  now_ = now;
  if (close_now_) return;
  if (!preface_ok_ && now >= preface_deadline_) {
    error_ = {net::Err::timeout, "http2: no client preface within " +
                                     std::to_string(lim_.preface_timeout_ns / net::kMillisecond) + " ms"};
    close_now_ = true;
    return;
  }
  if (ping_sent_at_ != net::kNever && now >= add_sat(ping_sent_at_, lim_.keepalive_timeout_ns)) {
    error_ = {net::Err::timeout, "http2: no answer to a keepalive PING within " +
                                     std::to_string(lim_.keepalive_timeout_ns / net::kMillisecond) + " ms"};
    AAC_LOG(eng_.log_, info, "grpc", "keepalive timeout", {{"conn", id_}, {"peer", peer_}});
    close_now_ = true;
    return;
  }
  if (ping_sent_at_ == net::kNever && now >= add_sat(last_recv_, lim_.keepalive_time_ns)) {
    if (nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, kKeepalivePingOpaque) == 0) ping_sent_at_ = now;
  }
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    CallState* cs = call_of(deadlines_.begin()->second);
    deadlines_.erase(deadlines_.begin());
    if (cs) server_abort(cs, {Code::deadline_exceeded, "Deadline Exceeded"}, NGHTTP2_CANCEL);
  }
  if (shutdown_ == Shutdown::notice_sent && now >= shutdown_ping_deadline_) final_goaway();
  if (shutdown_ == Shutdown::goaway_sent && now >= grace_deadline_) {
    for (auto& [sid, cs] : calls_)
      if (!cs->over) server_abort(cs.get(), {Code::unavailable, "server is shutting down"}, NGHTTP2_CANCEL);
    // Their statuses / RST_STREAMs go out with the next flush, then we close
    // (terminating the session now would drop them).
    grace_deadline_ = net::kNever;
    close_when_flushed_ = true;
  }
  run_events();
}

void Conn::start_shutdown(net::Instant now, uint64_t grace_ns) {
  if (shutdown_ != Shutdown::none || !session_) return;
  now_ = now;
  grace_ns_ = grace_ns;
  // doc/PROTOCOL-HTTP2.md: GOAWAY(2^31-1) + PING, then the real GOAWAY.
  if (nghttp2_submit_shutdown_notice(session_) != 0 ||
      nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, kShutdownPingOpaque) != 0) {
    final_goaway();
    return;
  }
  shutdown_ = Shutdown::notice_sent;
  shutdown_ping_deadline_ = add_sat(now, lim_.shutdown_ping_timeout_ns);
  mark_dirty();
}

void Conn::final_goaway() {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  shutdown_ = Shutdown::goaway_sent;
  grace_deadline_ = add_sat(now_, grace_ns_);
  mark_dirty();
}

void Conn::terminate(uint32_t code, std::string_view debug) {
  if (terminating_) return;
  terminating_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_), code,
                        reinterpret_cast<const uint8_t*>(debug.data()), debug.size());
  mark_dirty();
}

std::vector<std::pair<net::SmallFn<void(const Status&)>, Status>> Conn::take_all_calls(const Status& why) {
  std::vector<std::pair<net::SmallFn<void(const Status&)>, Status>> hooks;
  for (auto& e : events_)
    if (e.kind == Ev::cancel && e.hook) hooks.emplace_back(std::move(e.hook), std::move(e.status));
  events_.clear();
  for (auto& [sid, cs] : calls_) {
    if (cs->over) continue;
    bool was = cs->dispatched;
    end_call(cs.get());
    ++eng_.counters_.calls_cancelled;
    if (was && cs->on_cancel) hooks.emplace_back(std::move(cs->on_cancel), why);
  }
  return hooks;
}

// ---- calls ----

CallState* Conn::call_of(int32_t sid) const {
  auto it = calls_.find(sid);
  return it == calls_.end() ? nullptr : it->second.get();
}

void Conn::mark_dirty() {
  if (dirty_) return;
  dirty_ = true;
  eng_.wake(id_);
}

void Conn::end_call(CallState* cs) {
  if (cs->over) return;
  cs->over = true;
  if (cs->id) erase_call(cs->id);
  if (cs->dispatched) --active_;
  if (cs->deadline != net::kNever) deadlines_.erase({cs->deadline, cs->stream_id});
}

void Conn::consume_stream(CallState* cs, size_t n) {
  if (n) nghttp2_session_consume_stream(session_, cs->stream_id, n);
}

void Conn::sync_recv(CallState* cs) {
  size_t held = cs->in.buffered() + cs->request.size();
  recv_buffered_ = recv_buffered_ - cs->accounted + held;
  cs->accounted = held;
}

void Conn::discard_input(CallState* cs) {
  cs->discard_in = true;
  consume_stream(cs, cs->in.discard());
  cs->request = {};
  sync_recv(cs);
}

void Conn::submit_status_headers(CallState* cs, int http_status, const Status& st, bool trailers_only) {
  std::string status = std::to_string(http_status);
  std::string code = std::to_string(static_cast<int>(st.code));
  std::string msg = percent_encode(st.message, kMaxStatusMessageLen);
  nghttp2_nv h[6];
  size_t n = 0;
  if (trailers_only) {
    h[n++] = nv(":status", status);
    h[n++] = nv("content-type", "application/grpc");
  }
  h[n++] = nv("grpc-status", code);
  if (!msg.empty()) h[n++] = nv("grpc-message", msg);
  if (cs->accept_encoding_hint) h[n++] = nv("grpc-accept-encoding", "identity");
  if (trailers_only)
    nghttp2_submit_response(session_, cs->stream_id, h, n, nullptr);
  else
    nghttp2_submit_trailer(session_, cs->stream_id, h, n);
}

void Conn::early_abort(CallState* cs, int http_status, Status st) {
  submit_status_headers(cs, http_status, st, true);
  cs->headers_sent = true;
  end_call(cs);
  ++eng_.counters_.calls_finished;
  discard_input(cs);
}

void Conn::start_response(CallState* cs) {
  if (cs->headers_sent) return;
  cs->headers_sent = true;
  nghttp2_nv h[] = {nv(":status", "200"), nv("content-type", "application/grpc")};
  nghttp2_data_provider prd;
  prd.source.ptr = cs;
  prd.read_callback = cb_read;
  nghttp2_submit_response(session_, cs->stream_id, h, std::size(h), &prd);
  mark_dirty();
}

void Conn::server_abort(CallState* cs, Status st, uint32_t rst_code) {
  if (cs->over) return;
  bool was = cs->dispatched;
  end_call(cs);
  ++eng_.counters_.calls_cancelled;
  if (!cs->headers_sent) {
    submit_status_headers(cs, 200, st, true);
    cs->headers_sent = true;
    cs->rst_after_end = rst_code;
  } else if (rst_code != NGHTTP2_NO_ERROR) {
    cs->out.clear();
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, cs->stream_id, rst_code);
  } else {
    cs->out.clear();
    cs->final_status = st;
    cs->trailers_due = true;
    nghttp2_session_resume_data(session_, cs->stream_id);
  }
  discard_input(cs);
  if (was) fire_cancel(cs, std::move(st));
  mark_dirty();
}

void Conn::fire_cancel(CallState* cs, Status st) {
  if (cs->on_cancel) events_.push_back({Ev::cancel, cs->stream_id, std::move(cs->on_cancel), std::move(st)});
}

Flow Conn::write(CallState* cs, net::BytesView msg) {
  if (cs->over) return Flow::closed;
  if (msg.size() > lim_.max_send_message_len) {
    app_finish(cs, {Code::resource_exhausted, "grpc: trying to send message larger than max (" +
                                                  std::to_string(msg.size()) + " vs. " +
                                                  std::to_string(lim_.max_send_message_len) + ")"});
    return Flow::closed;
  }
  if (cs->out.size() > lim_.stream_out_high_water) {
    cs->want_writable = true;
    return Flow::full;
  }
  uint8_t prefix[kMessagePrefixLen];
  write_prefix(prefix, false, static_cast<uint32_t>(msg.size()));
  // Cannot fail: the queue is at most high-water + prefix + max message.
  (void)cs->out.append({prefix, kMessagePrefixLen});
  (void)cs->out.append(msg);
  if (cs->headers_sent)
    nghttp2_session_resume_data(session_, cs->stream_id);
  else
    start_response(cs);
  mark_dirty();
  if (cs->out.size() > lim_.stream_out_high_water) {
    cs->want_writable = true;
    return Flow::blocked;
  }
  return Flow::ready;
}

void Conn::app_finish(CallState* cs, Status st) {
  if (cs->over) return;
  end_call(cs);
  ++eng_.counters_.calls_finished;
  if (!cs->headers_sent) {
    submit_status_headers(cs, 200, st, true);
    cs->headers_sent = true;
  } else {
    cs->final_status = std::move(st);
    cs->trailers_due = true;
    nghttp2_session_resume_data(session_, cs->stream_id);
  }
  discard_input(cs);
  mark_dirty();
}

void Conn::resume(CallState* cs) {
  cs->paused = false;
  if (!cs->deliver_queued) {
    cs->deliver_queued = true;
    events_.push_back({Ev::deliver, cs->stream_id, {}, {}});
  }
  mark_dirty();
}

ssize_t Conn::read_data(CallState* cs, uint8_t* buf, size_t len, uint32_t* flags) {
  size_t n = std::min(len, cs->out.size());
  if (n) {
    std::memcpy(buf, cs->out.data().data(), n);
    cs->out.consume(n);
  }
  if (cs->out.empty()) {
    if (cs->out.capacity() > lim_.stream_out_high_water) cs->out.release();
    if (cs->trailers_due) {
      cs->trailers_due = false;
      *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
      submit_status_headers(cs, 200, cs->final_status, false);
    } else if (n == 0) {
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  if (cs->want_writable && !cs->over && cs->out.size() <= lim_.stream_out_low_water)
    events_.push_back({Ev::writable, cs->stream_id, {}, {}});
  return static_cast<ssize_t>(n);
}

// ---- nghttp2 callbacks ----

int Conn::on_begin_headers(const nghttp2_frame* f) {
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  calls_[f->hd.stream_id] = std::make_unique<CallState>(this, f->hd.stream_id, lim_);
  ++eng_.counters_.calls_started;
  return 0;
}

int Conn::on_header(const nghttp2_frame* f, std::string_view name, std::string_view value) {
  if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;  // client trailers: ignored
  CallState* cs = call_of(f->hd.stream_id);
  if (!cs || cs->header_overflow) return 0;
  cs->header_list_len += name.size() + value.size() + 32;  // RFC 9113 §6.5.2
  if (cs->header_list_len > lim_.max_header_list_len) {
    cs->header_overflow = true;
    cs->metadata.clear();
    return 0;
  }
  if (name == ":method") cs->method = value;
  else if (name == ":path") cs->path = value;
  else if (name == ":authority") ++cs->authority_count;
  else if (name == "content-type") cs->content_type = value;
  else if (name == "te") {
    cs->has_te = true;
    cs->has_te_trailers = value == "trailers";
  }
  else if (name == "grpc-timeout") cs->timeout = value;
  else if (name == "grpc-encoding") cs->encoding = value;
  else if (!name.empty() && name[0] != ':') cs->metadata.emplace_back(name, value);
  return 0;
}

void Conn::on_request_headers(CallState* cs) {
  // Checks in grpc-go's order (internal/transport/http2_server.go operateHeaders).
  if (cs->header_overflow)
    return early_abort(cs, 200, {Code::resource_exhausted, "grpc: header list size exceeds the limit of " +
                                                               std::to_string(lim_.max_header_list_len) + " bytes"});
  if (cs->authority_count > 1) return early_abort(cs, 400, {Code::internal, "grpc: more than one :authority"});
  std::string subtype;
  if (!grpc_content_type(cs->content_type, &subtype))
    return early_abort(cs, 415, {Code::invalid_argument,
                                 "invalid gRPC request content-type \"" + cs->content_type.substr(0, 64) + "\""});
  if (!subtype.empty() && subtype != "proto")
    return early_abort(cs, 415, {Code::invalid_argument, "unsupported gRPC content-subtype \"" +
                                                             subtype.substr(0, 64) + "\" (only proto)"});
  uint64_t timeout_ns = UINT64_MAX;
  if (!cs->timeout.empty()) {
    auto t = parse_timeout(cs->timeout);
    if (!t) return early_abort(cs, 400, {Code::internal, "malformed grpc-timeout: " + t.what()});
    timeout_ns = *t;
  }
  if (cs->method != "POST")
    return early_abort(cs, 405, {Code::internal, "Received a HEADERS frame with :method \"" + cs->method.substr(0, 16) +
                                                     "\" which should be POST"});
  // grpc C++ (http_server_filter) insists on "te: trailers"; nghttp2 has
  // already refused any other te value.
  if (!cs->has_te_trailers) return early_abort(cs, 400, {Code::internal, "missing \"te: trailers\" header"});
  if (timeout_ns == 0) return early_abort(cs, 200, {Code::deadline_exceeded, "Deadline Exceeded"});
  const Engine::Method* m = eng_.find_method(cs->path);
  if (!m) {
    std::string_view p = cs->path;
    size_t slash = p.rfind('/');
    if (p.empty() || p[0] != '/' || slash == 0 || slash == std::string_view::npos)
      return early_abort(cs, 200, {Code::unimplemented, "malformed method name: \"" + cs->path.substr(0, 128) + "\""});
    std::string service(p.substr(1, slash - 1));
    bool known = false;
    for (const std::string& s : eng_.service_names()) known |= s == service;
    if (!known) return early_abort(cs, 200, {Code::unimplemented, "unknown service " + service.substr(0, 128)});
    return early_abort(cs, 200, {Code::unimplemented, "unknown method " + std::string(p.substr(slash + 1, 128)) +
                                                          " for service " + service.substr(0, 128)});
  }
  cs->validated = true;
  cs->target = m;
  if (timeout_ns != UINT64_MAX) {
    cs->deadline = add_sat(now_, timeout_ns);
    deadlines_.insert({cs->deadline, cs->stream_id});
  }
  if (m->kind == MethodKind::client_streaming || m->kind == MethodKind::bidi_streaming)
    events_.push_back({Ev::dispatch, cs->stream_id, {}, {}});
}

int Conn::on_frame_recv(const nghttp2_frame* f) {
  CallState* cs = f->hd.stream_id ? call_of(f->hd.stream_id) : nullptr;
  switch (f->hd.type) {
    case NGHTTP2_HEADERS:
      if (cs && f->headers.cat == NGHTTP2_HCAT_REQUEST) on_request_headers(cs);
      if (cs && (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) on_half_close(cs);
      break;
    case NGHTTP2_DATA:
      if (cs && (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) on_half_close(cs);
      break;
    case NGHTTP2_SETTINGS:
      if (!(f->hd.flags & NGHTTP2_FLAG_ACK)) preface_ok_ = true;
      break;
    case NGHTTP2_PING:
      if (f->hd.flags & NGHTTP2_FLAG_ACK) {
        if (shutdown_ == Shutdown::notice_sent &&
            std::memcmp(f->ping.opaque_data, kShutdownPingOpaque, sizeof kShutdownPingOpaque) == 0)
          final_goaway();
        break;
      }
      // doc/keepalive.md server enforcement, as grpc-go's handlePing: a ping
      // after we sent HEADERS/DATA is free; otherwise one sooner than the
      // minimum interval (longer when no stream is open) is a strike.
      if (reset_strikes_) {
        reset_strikes_ = false;
        strikes_ = 0;
      } else {
        uint64_t min = calls_.empty() ? lim_.min_recv_ping_interval_idle_ns : lim_.min_recv_ping_interval_ns;
        if (last_client_ping_ != net::kNever && now_ < add_sat(last_client_ping_, min)) ++strikes_;
      }
      last_client_ping_ = now_;
      if (strikes_ > lim_.max_ping_strikes) {
        AAC_LOG(eng_.log_, info, "grpc", "too many pings", {{"conn", id_}, {"peer", peer_}});
        terminate(NGHTTP2_ENHANCE_YOUR_CALM, "too_many_pings");
      }
      break;
    default:
      break;
  }
  return 0;
}

void Conn::on_half_close(CallState* cs) {
  cs->half_closed = true;
  if (!cs->deliver_queued) {
    cs->deliver_queued = true;
    events_.push_back({Ev::deliver, cs->stream_id, {}, {}});
  }
}

int Conn::on_data_chunk(int32_t sid, net::BytesView data) {
  // The connection window is reopened at once: what bounds memory is
  // conn_recv_buffer_limit plus the per-stream windows.
  nghttp2_session_consume_connection(session_, data.size());
  CallState* cs = call_of(sid);
  if (!cs || cs->discard_in || cs->over) {
    nghttp2_session_consume_stream(session_, sid, data.size());
    return 0;
  }
  push_data(cs, data);
  return 0;
}

void Conn::push_data(CallState* cs, net::BytesView data) {
  if (recv_buffered_ + data.size() > lim_.conn_recv_buffer_limit) {
    consume_stream(cs, data.size());
    return server_abort(cs, {Code::resource_exhausted, "grpc: connection receive buffer limit of " +
                                                           std::to_string(lim_.conn_recv_buffer_limit) +
                                                           " bytes exceeded"},
                        NGHTTP2_NO_ERROR);
  }
  if (auto st = cs->in.push(data); !st) {
    consume_stream(cs, data.size());
    return server_abort(cs, {Code::resource_exhausted, st.what()}, NGHTTP2_NO_ERROR);
  }
  sync_recv(cs);
  if (!cs->deliver_queued) {
    cs->deliver_queued = true;
    events_.push_back({Ev::deliver, cs->stream_id, {}, {}});
  }
}

int Conn::on_stream_close(int32_t sid, uint32_t code) {
  auto it = calls_.find(sid);
  if (it == calls_.end()) return 0;
  CallState* cs = it->second.get();
  recv_buffered_ -= cs->accounted;
  if (!cs->over) {
    bool was = cs->dispatched;
    end_call(cs);
    ++eng_.counters_.calls_cancelled;
    if (was)
      fire_cancel(cs, {Code::cancelled, code == NGHTTP2_CANCEL || code == NGHTTP2_NO_ERROR
                                            ? std::string("call cancelled by the client")
                                            : "stream reset by the client (HTTP/2 error " + std::to_string(code) + ")"});
  }
  calls_.erase(it);  // safe: no hook of this call is running (we are inside nghttp2)
  return 0;
}

int Conn::on_frame_send(const nghttp2_frame* f) {
  if (f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) {
    reset_strikes_ = true;
    if (f->hd.flags & NGHTTP2_FLAG_END_STREAM) {
      CallState* cs = call_of(f->hd.stream_id);
      if (cs) cs->end_sent = true;
      // RFC 9113 §8.1: a complete response may stop an unfinished request
      // with RST_STREAM NO_ERROR (CANCEL after a deadline).
      if (nghttp2_session_get_stream_remote_close(session_, f->hd.stream_id) == 0)
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, f->hd.stream_id,
                                  cs ? cs->rst_after_end : uint32_t{NGHTTP2_NO_ERROR});
    }
  } else if (f->hd.type == NGHTTP2_GOAWAY && terminating_) {
    close_now_ = true;
  }
  return 0;
}

// ---- user code ----

void Conn::dispatch(CallState* cs) {
  cs->dispatched = true;
  if (++active_ > peak_) peak_ = active_;
  if (active_ > eng_.counters_.calls_peak) eng_.counters_.calls_peak = active_;
  cs->id = insert_call(cs);
  net::Bytes req = std::move(cs->request);
  cs->request = {};
  sync_recv(cs);
  MethodKind kind = cs->target->kind;
  // The method table is node-based and never shrinks: the handler stays put.
  auto& handler = const_cast<Engine::Method*>(cs->target)->handler;
  handler(Call(cs->id, Call::Adopt{}), req);
  if (cs->over) return;
  if (kind == MethodKind::server_streaming || kind == MethodKind::bidi_streaming) start_response(cs);
  if (kind == MethodKind::client_streaming || kind == MethodKind::bidi_streaming) deliver(cs);
}

void Conn::deliver(CallState* cs) {
  if (cs->discard_in) return;
  bool streaming_in = cs->target && (cs->target->kind == MethodKind::client_streaming ||
                                     cs->target->kind == MethodKind::bidi_streaming);
  if (streaming_in && !cs->dispatched) return;  // the dispatch event delivers
  bool starved = false;
  while (!cs->over && !cs->discard_in) {
    if (streaming_in && (cs->paused || !cs->on_message)) break;
    Message m;
    auto r = cs->in.next(&m);
    if (!r) {
      Code code = r.err() == net::Err::limit ? Code::resource_exhausted : Code::internal;
      return server_abort(cs, {code, r.what()}, NGHTTP2_NO_ERROR);
    }
    if (!*r) {
      starved = true;
      break;
    }
    if (m.compressed) {
      if (cs->encoding.empty() || cs->encoding == "identity")
        return server_abort(cs, {Code::internal, "grpc: compressed flag set with identity or empty encoding"},
                            NGHTTP2_NO_ERROR);
      cs->accept_encoding_hint = true;
      return server_abort(cs, {Code::unimplemented, "grpc: Decompressor is not installed for grpc-encoding \"" +
                                                        cs->encoding.substr(0, 32) + "\""},
                          NGHTTP2_NO_ERROR);
    }
    consume_stream(cs, cs->in.take_ack());
    if (!streaming_in) {
      if (cs->have_request)
        return server_abort(cs, {Code::internal, "grpc: more than one request message for a unary or "
                                                 "server-streaming call"},
                            NGHTTP2_NO_ERROR);
      cs->request.assign(m.data.begin(), m.data.end());
      cs->have_request = true;
      continue;
    }
    auto fn = std::move(cs->on_message);
    fn(m.data);
    if (!cs->on_message) cs->on_message = std::move(fn);  // unless the hook replaced itself
  }
  cs->in.trim();
  sync_recv(cs);
  consume_stream(cs, cs->in.take_ack());
  if (cs->over || !cs->half_closed) return;
  if (starved && cs->in.buffered() != 0)
    return server_abort(cs, {Code::internal, "grpc: request ended inside a message"}, NGHTTP2_NO_ERROR);
  if (!streaming_in) {
    if (!cs->validated || cs->dispatched || !starved) return;
    if (!cs->have_request)
      return server_abort(cs, {Code::internal, "grpc: half-closed without a request message"}, NGHTTP2_NO_ERROR);
    return dispatch(cs);
  }
  if (starved && !cs->half_close_told) {
    cs->half_close_told = true;
    auto fn = std::move(cs->on_half_close);
    if (fn) fn();
  }
}

void Conn::run_events() {
  if (in_events_) return;  // a hook's handle operation queued more: the outer loop runs them
  in_events_ = true;
  for (size_t i = 0; i < events_.size(); ++i) {
    Event e = std::move(events_[i]);
    CallState* cs = e.kind == Ev::cancel ? nullptr : call_of(e.stream_id);
    switch (e.kind) {
      case Ev::dispatch:
        if (cs && !cs->over && !cs->dispatched) dispatch(cs);
        break;
      case Ev::deliver:
        if (cs) {
          cs->deliver_queued = false;
          deliver(cs);
        }
        break;
      case Ev::cancel:
        if (e.hook) e.hook(e.status);
        break;
      case Ev::writable:
        if (cs && !cs->over && cs->want_writable && cs->out.size() <= lim_.stream_out_low_water) {
          cs->want_writable = false;
          auto fn = std::move(cs->on_writable);
          if (fn) {
            fn();
            if (!cs->on_writable) cs->on_writable = std::move(fn);
          }
        }
        break;
    }
  }
  events_.clear();
  in_events_ = false;
}

}  // namespace frontends::grpc
