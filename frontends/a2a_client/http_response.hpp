// frontends/a2a_client/http_response.hpp — the HTTP/1.1 side of the A2A
// client, sans-I/O: the POST request bytes, and a response parser fed the
// bytes read from the connection (any split) built on llhttp (strict mode,
// as the server's). One request per connection ("Connection: close"): the
// client sends a JSON-RPC call and waits for its answer; keeping
// connections alive is not worth the state for a few calls per task.
//
//   std::string req = write_request(url, body);
//   ResponseParser p;
//   p.feed(bytes);        // repeatedly; errors end the exchange
//   p.finish();           // at the peer's EOF (a body without length ends there)
//   if (p.done()) use p.status(), p.content_type(), p.body()
//
// Errors (Err::proto unless noted, the exchange is dead after one):
//   "http: <llhttp reason>" malformed response
//   Err::limit "http: response head exceeds 65536 bytes" / "... more than 100 header fields"
//   Err::limit "http: response body exceeds 16777216 bytes" (Content-Length or chunks)
//   "http: connection closed before the response was complete"
//   "http: unexpected bytes after the response" (we asked for one answer)
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "frontends/a2a_client/a2a_client_limits.hpp"
#include "frontends/a2a_client/agent_url.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

namespace frontends::a2a_client {

struct ResponseLimits {
  size_t max_head_len = kMaxHeadLen;
  size_t max_headers = kMaxHeaders;
  size_t max_body_len = kMaxResponseLen;
};

// "POST <target> HTTP/1.1" with Host, User-Agent, Content-Type and Accept
// application/json, Content-Length, Connection: close, then the body.
std::string write_request(const AgentUrl& url, std::string_view json_body);

class ResponseParser {
 public:
  explicit ResponseParser(ResponseLimits lim = {});
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  net::Status feed(net::BytesView data);
  net::Status feed(std::string_view data) {
    return feed(net::BytesView(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }
  // The peer closed the connection (EOF).
  net::Status finish();

  bool done() const { return done_; }
  bool failed() const { return failed_; }
  int status() const { return status_; }
  const std::string& content_type() const { return content_type_; }  // lower-case, parameters kept
  const std::string& body() const { return body_; }

 private:
  static int on_header_field(llhttp_t* p, const char* at, size_t n);
  static int on_header_value(llhttp_t* p, const char* at, size_t n);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t n);
  static int on_message_complete(llhttp_t* p);
  int head_too_long();
  net::Error fail(net::Err code, std::string why);
  void reset_message();

  ResponseLimits lim_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  std::string field_, value_;
  bool in_value_ = false;
  size_t headers_ = 0;
  size_t head_len_ = 0;  // bytes fed while the head was incomplete
  bool head_done_ = false;
  bool done_ = false;
  bool failed_ = false;
  int status_ = 0;
  std::string content_type_;
  std::string body_;
  std::string error_;     // set by callbacks (limit), reported by feed()
  net::Err error_code_ = net::Err::proto;
};

}  // namespace frontends::a2a_client
