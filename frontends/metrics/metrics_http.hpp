// frontends/metrics/metrics_http.hpp — the [metrics] listener (upstream.md
// §8.4): GET /metrics in the Prometheus text format 0.0.4 (specs.md §19)
// and GET /health as the original:
//   {"status":"healthy"|"unhealthy","version":"…","uptime_seconds":12.5}
// with 200 when healthy, else 503. Healthy = the `healthy` callback says so
// (the daemon: a peer is connected, or no bootstrap peers are configured).
//
// /metrics always answers text/plain; version=0.0.4 (Prometheus asks for
// OpenMetrics first and falls back to it). No authentication: bind it to
// loopback or a private network.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "frontends/http/http_router.hpp"
#include "frontends/http/http_server.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/metrics.hpp"

namespace frontends::metrics {

inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsHttp {
 public:
  // Errors: those of http::Server::listen ("metrics listen \":x\": …").
  static net::Result<std::unique_ptr<MetricsHttp>> start(net::Loop& loop, const std::string& listen,
                                                         net::metrics::Registry& reg, std::function<bool()> healthy,
                                                         std::string version, net::Log* log);
  const std::vector<std::string>& endpoints() const { return server_->endpoints(); }
  uint16_t port() const { return server_->port(); }
  http::Server& server() { return *server_; }

 private:
  MetricsHttp() = default;
  void on_metrics(http::Request& req, http::Responder r);
  void on_health(http::Request& req, http::Responder r);

  net::Loop* loop_ = nullptr;
  net::metrics::Registry* reg_ = nullptr;
  std::function<bool()> healthy_;
  std::string version_;
  net::Instant started_ = 0;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace frontends::metrics
