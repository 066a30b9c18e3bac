// frontends/http/http_cors.cpp — see http_cors.hpp.
#include "frontends/http/http_cors.hpp"

namespace frontends::http {

bool is_preflight(const Request& r) {
  return r.method == "OPTIONS" && r.header("origin") && r.header("access-control-request-method");
}

std::string cors_allow_origin(const CorsPolicy& p, const std::string* origin) {
  if (!origin || !p.enabled()) return {};
  for (const std::string& o : p.origins) {
    if (o == "*") return "*";
    if (o == *origin) return o;
  }
  return {};
}

Response preflight_response(const CorsPolicy& p, const Request& r) {
  std::string allow = cors_allow_origin(p, r.header("origin"));
  if (allow.empty()) return Response::text(403, "origin not allowed");
  // Allow-Origin and Vary are added with every answer (add_cors_headers).
  Response resp;
  resp.status = 204;
  resp.set("Access-Control-Allow-Methods", p.allow_methods);
  resp.set("Access-Control-Allow-Headers", p.allow_headers);
  resp.set("Access-Control-Max-Age", std::to_string(p.max_age_s));
  return resp;
}

void add_cors_headers(const CorsPolicy& p, const std::string* origin, std::vector<Header>& h) {
  std::string allow = cors_allow_origin(p, origin);
  if (allow.empty()) return;
  h.push_back({"Access-Control-Allow-Origin", allow});
  if (allow != "*") h.push_back({"Vary", "Origin"});
  if (!p.expose_headers.empty()) h.push_back({"Access-Control-Expose-Headers", p.expose_headers});
}

}  // namespace frontends::http
