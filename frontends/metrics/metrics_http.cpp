// frontends/metrics/metrics_http.cpp — see metrics_http.hpp.
#include "frontends/metrics/metrics_http.hpp"

#include "frontends/json/json_writer.hpp"

namespace frontends::metrics {

net::Result<std::unique_ptr<MetricsHttp>> MetricsHttp::start(net::Loop& loop, const std::string& listen,
                                                            net::metrics::Registry& reg, std::function<bool()> healthy,
                                                            std::string version, net::Log* log) {
  std::unique_ptr<MetricsHttp> m(new MetricsHttp());
  m->loop_ = &loop;
  m->reg_ = &reg;
  m->healthy_ = std::move(healthy);
  m->version_ = std::move(version);
  m->started_ = loop.now() ? loop.now() : net::monotonic_now();
  MetricsHttp* self = m.get();
  m->router_.get("/metrics", [self](http::Request& q, http::Responder r) { self->on_metrics(q, r); });
  m->router_.get("/health", [self](http::Request& q, http::Responder r) { self->on_health(q, r); });
  http::ServerOptions opt;
  opt.name = "metrics";
  opt.limits.max_body_len = 0;  // GETs only
  m->server_ = std::make_unique<http::Server>(loop, std::move(opt), m->router_.handler(), log);
  AAC_TRY(m->server_->listen(listen));
  return m;
}

void MetricsHttp::on_metrics(http::Request&, http::Responder r) {
  http::Response resp;
  resp.status = 200;
  resp.set("Content-Type", kTextContentType);
  resp.body = reg_->expose();
  r.respond(std::move(resp));
}

void MetricsHttp::on_health(http::Request&, http::Responder r) {
  bool ok = !healthy_ || healthy_();
  net::Instant now = loop_->now() ? loop_->now() : net::monotonic_now();
  double uptime = static_cast<double>(now - std::min(now, started_)) / static_cast<double>(net::kSecond);
  std::string body;
  json::Writer w(body);
  w.begin_object()
      .member("status", ok ? "healthy" : "unhealthy")
      .member("version", version_)
      .member("uptime_seconds", uptime)
      .end_object();
  body.push_back('\n');  // Go's json.NewEncoder ends with a newline
  r.respond(http::Response::json(ok ? 200 : 503, std::move(body)));
}

}  // namespace frontends::metrics
