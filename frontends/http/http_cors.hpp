// frontends/http/http_cors.hpp — CORS for the HTTP listeners, as the
// original bridge does it (upstream.md §8.1): only requests carrying Origin
// are concerned; cors_origins ["*"] answers "Access-Control-Allow-Origin: *",
// otherwise a listed origin is echoed (with "Vary: Origin") and any other
// gets no CORS headers (the browser then hides the answer).
//
// Preflight (OPTIONS with Origin and Access-Control-Request-Method) is
// answered by the server itself: 204 with Allow-Methods, Allow-Headers and
// Max-Age for an allowed origin. For an origin not listed the original
// answered 204 without CORS headers; we answer 403 "origin not allowed",
// which the browser treats the same way and a human can read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontends/http/http_message.hpp"

namespace frontends::http {

struct CorsPolicy {
  std::vector<std::string> origins;  // empty: CORS off; "*": any origin
  std::string allow_methods = "GET, POST, OPTIONS";
  std::string allow_headers = "Content-Type";
  std::string expose_headers;  // "" = none
  uint32_t max_age_s = 86400;

  bool enabled() const { return !origins.empty(); }
};

bool is_preflight(const Request& r);
// "*", the origin itself, or "" (not allowed / no Origin / CORS off).
std::string cors_allow_origin(const CorsPolicy& p, const std::string* origin);
// The answer to a preflight, less the headers add_cors_headers() adds.
Response preflight_response(const CorsPolicy& p, const Request& r);
// Adds Access-Control-Allow-Origin (+ Vary, Expose-Headers) for a request
// whose Origin header was `origin` (nullptr: none).
void add_cors_headers(const CorsPolicy& p, const std::string* origin, std::vector<Header>& h);

}  // namespace frontends::http
