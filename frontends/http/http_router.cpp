// frontends/http/http_router.cpp — see http_router.hpp.
#include "frontends/http/http_router.hpp"

namespace frontends::http {

Router& Router::add(std::string method, std::string path, Handler h) {
  routes_.push_back({std::move(method), std::move(path), std::move(h)});
  return *this;
}

std::string Router::allow(std::string_view path) const {
  std::vector<std::string> methods;
  auto add = [&](const std::string& m) {
    for (const auto& x : methods)
      if (x == m) return;
    methods.push_back(m);
  };
  for (const Route& r : routes_) {
    if (r.path != path) continue;
    add(r.method);
    if (r.method == "GET") add("HEAD");
  }
  if (methods.empty()) return {};
  add("OPTIONS");
  std::string s;
  for (const auto& m : methods) s += (s.empty() ? "" : ", ") + m;
  return s;
}

void Router::dispatch(Request& req, Responder r) const {
  const Route* get = nullptr;
  bool known = false;
  for (const Route& rt : routes_) {
    if (rt.path != req.path) continue;
    known = true;
    if (rt.method == req.method) {
      rt.h(req, r);
      return;
    }
    if (rt.method == "GET") get = &rt;
  }
  if (get && req.method == "HEAD") {
    get->h(req, r);
    return;
  }
  if (known) {
    std::string allowed = allow(req.path);
    if (req.method == "OPTIONS") {
      Response resp;
      resp.status = 204;
      resp.set("Allow", allowed);
      r.respond(std::move(resp));
      return;
    }
    Response resp = Response::text(405, "method " + req.method + " not allowed");
    resp.set("Allow", allowed);
    r.respond(std::move(resp));
    return;
  }
  if (fallback_) {
    fallback_(req, r);
    return;
  }
  r.respond(Response::text(404, "not found"));
}

}  // namespace frontends::http
