// frontends/http/http_message.hpp — the request and response values the
// HTTP/1.1 core hands out and takes back, and small helpers on them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace frontends::http {

struct Header {
  std::string name;   // as sent; compare with iequals()
  std::string value;  // optional whitespace around it removed (by llhttp)
};

struct Request {
  std::string method;  // "GET", "POST", ... (llhttp's method names)
  std::string target;  // the raw request-target, e.g. "/a/b?x=1"
  std::string path;    // target up to '?' (absolute-form reduced to its path; not percent-decoded)
  std::string query;   // after '?', without it ("" if none)
  uint8_t version_minor = 1;  // HTTP/1.<minor>
  std::vector<Header> headers;
  std::string body;    // de-chunked
  bool keep_alive = true;  // the client allows another request on this connection

  // First header of that name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
};

struct Response {
  int status = 200;
  // The core adds Content-Length / Transfer-Encoding and Connection itself
  // and drops those names if given here.
  std::vector<Header> headers;
  std::string body;

  Response& set(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
  }
  // A short text/plain answer: body is `text` + "\n".
  static Response text(int status, std::string_view text);
  // A JSON answer (Content-Type: application/json).
  static Response json(int status, std::string body);
};

bool iequals(std::string_view a, std::string_view b);
// The RFC 9110 §15 reason phrase ("Not Found"); "Unknown" for others.
const char* reason_phrase(int status);
// True if a header name is an RFC 9110 token and a value has no CR, LF or
// NUL (what the core writes must not split a response).
bool valid_header_name(std::string_view name);
bool valid_header_value(std::string_view value);

}  // namespace frontends::http
