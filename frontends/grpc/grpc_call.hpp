// frontends/grpc/grpc_call.hpp — what a method handler holds: a handle on
// one call (raw bytes), and thin typed wrappers over the generated method
// structs (proto/README.md "Services"): Responder (unary), ServerWriter
// (server streaming), ClientReader (client streaming), BidiStream.
//
// Handles are small copyable references to a call, by id (STYLE.md §4): the
// call lives in its connection. Once the call is over (finished by the
// handler, cancelled by the client, past its deadline, its connection gone)
// every operation on any copy is a harmless no-op: write() returns
// Flow::closed, active() is false. When the last copy of a handle on a call
// the handler never finished goes away, the call ends with INTERNAL
// "grpc: the handler dropped the call without finishing it", so a lost
// continuation never leaves a client hanging.
//
// Threading and lifetime: calls belong to the thread that runs the server;
// handles may outlive the server (they then do nothing).
//
// Hooks (on_cancel, on_writable, on_message, on_half_close) are called from
// the server, never from inside a handle operation, and at most:
//   on_cancel      once, when the call ends other than by finish(): client
//                  cancel (CANCELLED), deadline (DEADLINE_EXCEEDED),
//                  connection lost (UNAVAILABLE), server shutdown
//                  (UNAVAILABLE), or a limit the client crossed on a
//                  streaming call (RESOURCE_EXHAUSTED, INTERNAL). The call is
//                  already over when it runs.
//   on_writable    once after each write() that returned blocked or full,
//                  when the queue is back at or below the low-water mark.
//   on_message     per request message (client/bidi streaming), in order;
//                  none while paused or while no hook is set.
//   on_half_close  once, after the last message: the client sent END_STREAM.
// A hook may use any handle, replace or clear itself, and drop the last copy
// of the handle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "frontends/grpc/grpc_status.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/small_function.hpp"

namespace frontends::grpc {

// What write() did with a message.
enum class Flow : uint8_t {
  ready,    // queued; keep writing
  blocked,  // queued, and the stream's queue is now above its high-water
            // mark: stop until on_writable
  full,     // NOT queued: the queue was already above the mark (you ignored
            // `blocked`); the call is still open; on_writable will fire
  closed,   // NOT queued: the call is over
};

enum class MethodKind : uint8_t { unary, server_streaming, client_streaming, bidi_streaming };

class Call {
 public:
  Call() = default;
  Call(const Call& o);
  Call& operator=(const Call& o);
  Call(Call&& o) noexcept : id_(std::exchange(o.id_, 0)), counted_(o.counted_) {}
  Call& operator=(Call&& o) noexcept;
  ~Call();

  // True until the call is over (finished, cancelled, expired, lost).
  bool active() const;

  // ---- server -> client ----
  // Queues one serialized message (the 5-byte prefix is added). A message
  // larger than Limits::max_send_message_len ends the call with
  // RESOURCE_EXHAUSTED and returns closed.
  Flow write(net::BytesView message);
  // Encodes a generated message and writes it.
  template <class Msg>
  Flow write_message(const Msg& m) {
    net::Bytes& b = scratch();
    b.clear();
    m.encode(b);
    return write(b);
  }
  // Ends the call: queued messages, then trailers with `st` (a trailers-only
  // response if nothing was written). Only the first finish counts.
  void finish(Status st = {});
  void finish(Code code, std::string message) { finish(Status{code, std::move(message)}); }

  bool writable() const;   // active and the queue is at or below the high-water mark
  size_t buffered() const; // bytes queued for the client (framed)

  // ---- client -> server (client and bidi streaming) ----
  // While paused, request messages stay buffered and unacknowledged, so the
  // client's flow-control window closes (at most Limits::stream_window bytes
  // beyond the message being assembled).
  void pause_reading();
  void resume_reading();

  // ---- hooks (see the header comment) ----
  void on_cancel(net::SmallFn<void(const Status&)> fn);
  void on_writable(net::SmallFn<void()> fn);
  void on_message(net::SmallFn<void(net::BytesView)> fn);
  void on_half_close(net::SmallFn<void()> fn);

  // ---- request information ----
  std::string_view path() const;      // "/agentanycast.v1.NodeService/SendTask"; "" once over
  std::string_view peer() const;      // the connection's peer, as the driver named it
  net::Instant deadline() const;      // from grpc-timeout; net::kNever if none
  // The first value of a request header (lower-case name), "" if absent.
  std::string_view metadata(std::string_view name) const;
  uint64_t id() const { return id_; }

  // A handle that does not keep the call from being reported as dropped
  // (for hooks that refer to their own call). Its copies are weak too.
  Call weak() const {
    Call c;
    c.id_ = id_;
    c.counted_ = false;
    return c;
  }

 private:
  friend class Engine;
  friend class Conn;
  struct Adopt {};
  Call(uint64_t id, Adopt);  // takes a new reference on a live call
  static net::Bytes& scratch();

  uint64_t id_ = 0;
  bool counted_ = true;
};

// ---- typed wrappers; M is a generated method struct ----

// Unary: answer once, now or later.
template <class M>
class Responder {
 public:
  using Response = typename M::Response;
  Responder() = default;
  explicit Responder(Call c) : c_(std::move(c)) {}
  void reply(const Response& r) {
    if (c_.write_message(r) != Flow::closed) c_.finish();
  }
  void fail(Code code, std::string message) { c_.finish(code, std::move(message)); }
  void finish(Status st) { c_.finish(std::move(st)); }
  void on_cancel(net::SmallFn<void(const Status&)> fn) { c_.on_cancel(std::move(fn)); }
  bool active() const { return c_.active(); }
  Call& call() { return c_; }

 private:
  Call c_;
};

// Server streaming: write messages, honour Flow, finish.
template <class M>
class ServerWriter {
 public:
  using Response = typename M::Response;
  ServerWriter() = default;
  explicit ServerWriter(Call c) : c_(std::move(c)) {}
  Flow write(const Response& r) { return c_.write_message(r); }
  void finish(Status st = {}) { c_.finish(std::move(st)); }
  void on_writable(net::SmallFn<void()> fn) { c_.on_writable(std::move(fn)); }
  void on_cancel(net::SmallFn<void(const Status&)> fn) { c_.on_cancel(std::move(fn)); }
  bool writable() const { return c_.writable(); }
  bool active() const { return c_.active(); }
  Call& call() { return c_; }

 private:
  Call c_;
};

namespace detail {
// Wraps a typed message hook: decodes, or ends the call with INTERNAL as
// grpc-go does ("grpc: error unmarshalling request: ...").
template <class Req>
net::SmallFn<void(net::BytesView)> typed_message_hook(Call c, net::SmallFn<void(Req&&)> fn);
}  // namespace detail

// Client streaming: messages arrive through on_message, then on_end; answer
// with reply() (or fail early at any time).
template <class M>
class ClientReader {
 public:
  using Request = typename M::Request;
  using Response = typename M::Response;
  ClientReader() = default;
  explicit ClientReader(Call c) : c_(std::move(c)) {}
  void on_message(net::SmallFn<void(Request&&)> fn) {
    c_.on_message(detail::typed_message_hook<Request>(c_.weak(), std::move(fn)));
  }
  void on_end(net::SmallFn<void()> fn) { c_.on_half_close(std::move(fn)); }
  void on_cancel(net::SmallFn<void(const Status&)> fn) { c_.on_cancel(std::move(fn)); }
  void reply(const Response& r) {
    if (c_.write_message(r) != Flow::closed) c_.finish();
  }
  void fail(Code code, std::string message) { c_.finish(code, std::move(message)); }
  void pause() { c_.pause_reading(); }
  void resume() { c_.resume_reading(); }
  bool active() const { return c_.active(); }
  Call& call() { return c_; }

 private:
  Call c_;
};

// Bidirectional streaming: both of the above, full duplex.
template <class M>
class BidiStream {
 public:
  using Request = typename M::Request;
  using Response = typename M::Response;
  BidiStream() = default;
  explicit BidiStream(Call c) : c_(std::move(c)) {}
  void on_message(net::SmallFn<void(Request&&)> fn) {
    c_.on_message(detail::typed_message_hook<Request>(c_.weak(), std::move(fn)));
  }
  void on_end(net::SmallFn<void()> fn) { c_.on_half_close(std::move(fn)); }
  void on_cancel(net::SmallFn<void(const Status&)> fn) { c_.on_cancel(std::move(fn)); }
  void on_writable(net::SmallFn<void()> fn) { c_.on_writable(std::move(fn)); }
  Flow write(const Response& r) { return c_.write_message(r); }
  void finish(Status st = {}) { c_.finish(std::move(st)); }
  void pause() { c_.pause_reading(); }
  void resume() { c_.resume_reading(); }
  bool writable() const { return c_.writable(); }
  bool active() const { return c_.active(); }
  Call& call() { return c_; }

 private:
  Call c_;
};

// "grpc: error unmarshalling request: <pb error>" (grpc-go's wording).
std::string unmarshal_error(const std::string& what);

namespace detail {
template <class Req>
net::SmallFn<void(net::BytesView)> typed_message_hook(Call c, net::SmallFn<void(Req&&)> fn) {
  // The hook refers to its own call through a weak handle: the call owns its
  // hooks, and a strong one here would hide a handler that dropped the call.
  return [c = std::move(c), fn = std::move(fn)](net::BytesView b) mutable {
    Req req;
    if (auto st = req.decode(b); !st) {
      c.finish(Code::internal, unmarshal_error(st.what()));
      return;
    }
    fn(std::move(req));
  };
}
}  // namespace detail

}  // namespace frontends::grpc
