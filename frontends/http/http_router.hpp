// frontends/http/http_router.hpp — routes requests by method and exact
// path (paths are compared as sent, not percent-decoded). HEAD is served
// by the GET route (the core drops the body). A known path with another
// method gets 405 with "Allow"; OPTIONS on a known path (not a CORS
// preflight, which the server answers) gets 204 with "Allow"; anything
// else goes to the fallback, by default 404 "not found".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "frontends/http/http_server.hpp"

namespace frontends::http {

class Router {
 public:
  Router& add(std::string method, std::string path, Handler h);
  Router& get(std::string path, Handler h) { return add("GET", std::move(path), std::move(h)); }
  Router& post(std::string path, Handler h) { return add("POST", std::move(path), std::move(h)); }
  Router& fallback(Handler h) {
    fallback_ = std::move(h);
    return *this;
  }

  void dispatch(Request& req, Responder r) const;
  // A Handler calling dispatch (the router must outlive the server).
  Handler handler() const {
    return [this](Request& req, Responder r) { dispatch(req, r); };
  }
  // "GET, HEAD, POST" for a path ("" if unknown).
  std::string allow(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    Handler h;
  };
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace frontends::http
