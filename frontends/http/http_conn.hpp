// frontends/http/http_conn.hpp — one server-side HTTP/1.1 connection,
// sans-I/O (STYLE.md §2): fed bytes and the time, it hands out complete
// requests and takes back responses, and gives the bytes to write and its
// next deadline. Parsing is llhttp's (strict mode, no leniency flags).
//
//   http::Connection c(lim, now);
//   c.feed(bytes, now);
//   while (auto req = c.poll_request()) c.respond(answer(*req), now);
//   write(c.pending_output()); c.consume_output(n, now);
//   arm_timer(c.next_deadline()); ... c.on_timeout(now);
//   if (c.done()) close the socket (c.aborted(): reset it instead).
//
// One request at a time, in order (pipelining): after a request is complete
// the parser pauses; bytes that follow are buffered (wants_input() turns
// false at kInputPauseLen, so the driver stops reading) and parsed only once
// the response has been fully queued. Every request gets exactly one answer:
// respond() or begin_stream() ... end_stream().
//
// Bad input never reaches the application: the core answers it itself with
// a one-line text/plain body and "Connection: close", then done() once that
// is written:
//   400 malformed request (llhttp's reason in the body), missing or repeated
//       Host in HTTP/1.1, a request-target not in origin or absolute form
//   408 head not complete within head_timeout, or body within read_timeout
//   413 Content-Length above max_body_len (before reading the body), or a
//       chunked body growing past it
//   414 request-target longer than max_url_len
//   417 an Expect other than 100-continue
//   431 head longer than max_head_len bytes, or more than max_headers fields
//   505 a version other than HTTP/1.0 and 1.1
// "Expect: 100-continue" on a request with a body is answered with
// "100 Continue" as soon as the head is accepted.
//
// Keep-alive: HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
// "Connection: keep-alive". After max_requests responses, after a request
// that does not allow another, after close_after_response() and after an
// Upgrade request (not supported) the response says "Connection: close".
//
// Streaming responses (SSE): begin_stream() writes the head with
// "Transfer-Encoding: chunked" (HTTP/1.0: no length, the end of the
// connection ends the body); write_stream() queues one chunk; writable()
// is false above kOutputHighWater — the producer waits for the driver to
// drain the output (back-pressure) and must not queue past kMaxOutputLen.
//
// Timers (one deadline, next_deadline()): head timeout from a request's
// first byte, read timeout to the end of its body, idle timeout between
// requests, and a write-stall timeout while output is queued and the
// client takes none of it (then aborted(): the driver resets the socket).
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/http/http_limits.hpp"
#include "frontends/http/http_message.hpp"
#include "net/buffer.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/result.hpp"

namespace frontends::http {

struct Limits {
  size_t max_head_len = kMaxHeadLen;
  size_t max_url_len = kMaxUrlLen;
  size_t max_headers = kMaxHeaders;
  size_t max_body_len = kMaxBodyLen;  // clamped to kMaxBodyLenCeiling
  size_t max_requests = kMaxRequestsPerConn;
  uint64_t head_timeout_ns = kHeadTimeoutNs;
  uint64_t read_timeout_ns = kReadTimeoutNs;
  uint64_t write_stall_timeout_ns = kWriteStallTimeoutNs;
  uint64_t idle_timeout_ns = kIdleTimeoutNs;
};

class Connection {
 public:
  Connection(const Limits& lim, net::Instant now);
  ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Buffers and parses received bytes. Errors: Err::limit "http: input
  // buffer full" when more than kMaxInputLen bytes wait (the driver ignored
  // wants_input()); nothing is buffered then. Bad requests are not errors
  // here: they are answered (see above).
  net::Status feed(net::BytesView in, net::Instant now);
  // The client closed its sending side: finish the current answer, then done().
  void feed_eof(net::Instant now);

  // The next complete request, once; then answer it.
  std::optional<Request> poll_request();
  // True between poll_request() and the end of its answer.
  bool answering() const { return state_ == State::handling || state_ == State::streaming; }

  // Answers the current request. Errors: Err::invalid "http: no request to
  // answer" / "http: invalid header <name>" (then a 500 goes out instead),
  // Err::limit "http: output buffer full" (then a 500 goes out instead).
  net::Status respond(Response r, net::Instant now);
  net::Status begin_stream(int status, std::vector<Header> headers, net::Instant now);
  // One chunk (empty data writes nothing). Errors: Err::invalid "http: no
  // stream", Err::limit "http: output buffer full" (the stream is then
  // ended by closing the connection).
  net::Status write_stream(std::string_view data, net::Instant now);
  net::Status end_stream(net::Instant now);
  bool writable() const { return out_.size() <= kOutputHighWater && !closing_; }

  // Close after the response now being prepared (or at once if idle).
  void close_after_response();

  bool wants_input() const { return !closing_ && in_.size() < kInputPauseLen; }
  net::BytesView pending_output() const { return out_.data(); }
  void consume_output(size_t n, net::Instant now);
  net::Instant next_deadline() const;
  void on_timeout(net::Instant now);

  // Nothing more to do: close the socket (gracefully unless aborted()).
  bool done() const { return aborted_ || (closing_ && out_.empty() && !answering()); }
  bool aborted() const { return aborted_; }
  bool closing() const { return closing_; }
  size_t requests() const { return requests_; }
  // The last problem answered by the core ("http: request head exceeds
  // 16384 bytes"), for the driver's log.
  const std::string& last_error() const { return last_error_; }

 private:
  enum class State : uint8_t { idle, head, body, ready, handling, streaming };
  enum class Pause : uint8_t { none, headers, message };

  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t n);
  static int on_header_field(llhttp_t* p, const char* at, size_t n);
  static int on_header_value(llhttp_t* p, const char* at, size_t n);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t n);
  static int on_message_complete(llhttp_t* p);

  void process();
  bool after_head();  // false: refused (answered)
  int user_error(int status, std::string why);
  void refuse(int status, const std::string& why);
  void write_head(int status, const std::vector<Header>& headers, bool chunked, size_t content_len, bool has_len);
  bool append_out(std::string_view s);
  void finish_answer();

  Limits lim_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  net::Buffer in_;
  net::Buffer out_;
  State state_ = State::idle;
  Pause pause_ = Pause::none;
  Request req_;
  std::string field_;
  bool in_value_ = false;
  size_t head_len_ = 0;  // raw bytes of the current head so far
  size_t header_count_ = 0;
  int error_status_ = 0;  // set by a callback refusing the request
  std::string error_why_;
  bool head_request_ = false;  // current answer is to HEAD: no body bytes
  bool chunked_out_ = false;
  uint8_t answer_minor_ = 1;  // HTTP/1.<minor> of the request being answered
  bool close_after_ = false;   // this answer ends the connection
  bool closing_ = false;       // no more requests: done() once output drains
  bool aborted_ = false;
  bool eof_ = false;
  size_t requests_ = 0;
  net::Instant now_ = 0;
  net::Instant msg_start_ = 0;   // first byte of the current request
  net::Instant idle_since_ = 0;  // end of the last answer (or the connection's start)
  net::Instant out_progress_ = 0;
  std::string last_error_;
};

}  // namespace frontends::http
