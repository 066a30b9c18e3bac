// frontends/grpc/grpc_conn.hpp — internal to frontends/grpc: one HTTP/2
// server connection (an nghttp2 session) and the state of its calls. The
// public face is Engine (grpc_engine.hpp) and Call (grpc_call.hpp).
//
// nghttp2 callbacks only record what happened (request headers, data,
// stream closes) and submit frames; user code (handlers, hooks) runs from
// run_events() after nghttp2 returns, so no hook ever re-enters nghttp2.
// CallStates are destroyed only inside nghttp2's on_stream_close and in
// ~Conn, never while a hook of theirs runs.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "frontends/grpc/grpc_engine.hpp"
#include "frontends/grpc/grpc_frame.hpp"
#include "net/buffer.hpp"

namespace frontends::grpc {

class Conn;

struct CallState {
  CallState(Conn* c, int32_t sid, const Limits& lim);

  Conn* conn;
  int32_t stream_id;
  uint64_t id = 0;  // in the call table while > 0 and the call is live

  // request headers
  std::string method, path, content_type, timeout, encoding;
  std::vector<std::pair<std::string, std::string>> metadata;  // other non-pseudo fields
  size_t header_list_len = 0;
  int authority_count = 0;
  bool header_overflow = false;
  bool has_te_trailers = false, has_te = false;

  const Engine::Method* target = nullptr;
  net::Instant deadline = net::kNever;
  Deframer in;
  net::Bytes request;  // unary / server streaming: the one request message
  bool have_request = false;

  // lifecycle
  bool validated = false;     // request headers accepted, method found
  bool half_closed = false;   // client sent END_STREAM
  bool dispatched = false;    // handler ran (or is running)
  bool over = false;          // finished / cancelled: no more hooks, handles inert
  bool half_close_told = false;
  bool paused = false;
  bool want_writable = false;
  bool deliver_queued = false;
  bool discard_in = false;    // request data is acknowledged and dropped
  bool accept_encoding_hint = false;  // add grpc-accept-encoding: identity to the status
  size_t accounted = 0;       // in.buffered() as counted in Conn::recv_buffered_

  // response
  bool headers_sent = false;  // response HEADERS submitted (data provider attached)
  bool trailers_due = false;  // finish() with headers sent: trailers after the queue
  bool end_sent = false;      // END_STREAM submitted
  uint32_t rst_after_end = NGHTTP2_NO_ERROR;
  Status final_status;
  net::Buffer out;  // framed messages for the data provider

  int refs = 0;  // strong Call handles
  net::SmallFn<void(const Status&)> on_cancel;
  net::SmallFn<void()> on_writable;
  net::SmallFn<void(net::BytesView)> on_message;
  net::SmallFn<void()> on_half_close;
};

// The thread's table of live calls, by id (handles look calls up here).
CallState* find_call(uint64_t id);
uint64_t insert_call(CallState* cs);  // a new id
void erase_call(uint64_t id);

class Conn {
 public:
  Conn(Engine& eng, ConnId id, std::string peer, net::Instant now);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  net::Status init();  // creates the session, queues our SETTINGS

  net::Status feed(net::BytesView in, net::Instant now);
  net::BytesView pending_output();
  void consume_output(size_t n);
  bool done() const;
  net::Instant next_deadline() const;
  void on_timeout(net::Instant now);
  void start_shutdown(net::Instant now, uint64_t grace_ns);
  // Ends every call (cancel hooks run after the session is gone); for close().
  std::vector<std::pair<net::SmallFn<void(const Status&)>, Status>> take_all_calls(const Status& why);

  // handle operations
  Flow write(CallState* cs, net::BytesView msg);
  void app_finish(CallState* cs, Status st);
  void resume(CallState* cs);

  ConnId id() const { return id_; }
  const Limits& limits() const { return lim_; }
  const std::string& peer() const { return peer_; }
  size_t session_memory() const { return mem_used_; }
  size_t recv_buffered() const { return recv_buffered_; }
  size_t active_calls() const { return active_; }
  size_t peak_calls() const { return peak_; }

  // nghttp2 glue (static callbacks call these)
  int on_begin_headers(const nghttp2_frame* f);
  int on_header(const nghttp2_frame* f, std::string_view name, std::string_view value);
  int on_frame_recv(const nghttp2_frame* f);
  int on_data_chunk(int32_t sid, net::BytesView data);
  int on_stream_close(int32_t sid, uint32_t code);
  int on_frame_send(const nghttp2_frame* f);
  ssize_t read_data(CallState* cs, uint8_t* buf, size_t len, uint32_t* flags);
  void* mem_alloc(size_t n);
  void mem_free(void* p);
  void* mem_realloc(void* p, size_t n);

 private:
  enum class Ev : uint8_t { dispatch, deliver, cancel, writable };
  struct Event {
    Ev kind;
    int32_t stream_id = 0;
    net::SmallFn<void(const Status&)> hook;  // cancel
    Status status;                           // cancel
  };
  enum class Shutdown : uint8_t { none, notice_sent, goaway_sent };

  CallState* call_of(int32_t sid) const;
  void on_request_headers(CallState* cs);
  void on_half_close(CallState* cs);
  void early_abort(CallState* cs, int http_status, Status st);
  void submit_status_headers(CallState* cs, int http_status, const Status& st, bool trailers_only);
  void start_response(CallState* cs);
  void end_call(CallState* cs);  // leaves the call table, stops deadline tracking
  void server_abort(CallState* cs, Status st, uint32_t rst_code);
  void discard_input(CallState* cs);
  void sync_recv(CallState* cs);  // recv_buffered_ follows cs->in.buffered()
  void push_data(CallState* cs, net::BytesView data);
  void deliver(CallState* cs);
  void dispatch(CallState* cs);
  void run_events();
  void mark_dirty();
  void fire_cancel(CallState* cs, Status st);
  void final_goaway();
  void terminate(uint32_t code, std::string_view debug);
  void consume_stream(CallState* cs, size_t n);

  Engine& eng_;
  const Limits& lim_;
  ConnId id_;
  std::string peer_;
  nghttp2_session* session_ = nullptr;
  nghttp2_mem mem_{};
  size_t mem_used_ = 0;

  std::map<int32_t, std::unique_ptr<CallState>> calls_;
  std::set<std::pair<net::Instant, int32_t>> deadlines_;
  std::vector<Event> events_;
  bool in_events_ = false;
  net::BytesView staged_;
  net::Instant now_;
  size_t recv_buffered_ = 0;
  size_t active_ = 0;  // dispatched calls not over
  size_t peak_ = 0;

  // liveness
  bool preface_ok_ = false;
  net::Instant preface_deadline_;
  net::Instant last_recv_;
  net::Instant ping_sent_at_ = net::kNever;  // keepalive PING outstanding since
  // client-ping policy (grpc-go http2_server.handlePing)
  net::Instant last_client_ping_ = net::kNever;
  bool reset_strikes_ = false;
  uint32_t strikes_ = 0;

  Shutdown shutdown_ = Shutdown::none;
  net::Instant shutdown_ping_deadline_ = net::kNever;
  net::Instant grace_deadline_ = net::kNever;
  uint64_t grace_ns_ = 0;
  bool terminating_ = false;  // GOAWAY with an error queued: close once sent
  bool close_now_ = false;    // nothing more to send: the driver closes
  bool close_when_flushed_ = false;  // shutdown grace over: close once the output is out
  bool dirty_ = false;
  net::Error error_;

  friend class Engine;
};

}  // namespace frontends::grpc
