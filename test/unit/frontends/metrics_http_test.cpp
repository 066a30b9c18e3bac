// Unit tests: frontends/metrics/metrics_http and the daemon's transport
// label — /metrics serves the registry in text format 0.0.4, /health
// answers 200/503 with the original's JSON shape.
#include <doctest/doctest.h>

#include "frontends/daemon/daemon_http.hpp"
#include "frontends/json/json_parse.hpp"
#include "frontends/metrics/metrics_http.hpp"

using namespace frontends;

namespace {
template <class Pred>
bool run_until(net::Loop& loop, Pred done, uint64_t limit_ns = 5 * net::kSecond) {
  bool expired = false;
  net::TimerId guard = loop.add_timer(loop.now() + limit_ns, [&] { expired = true; });
  while (!done() && !expired) REQUIRE(loop.run_once(-1));
  loop.cancel_timer(guard);
  return done();
}

std::string fetch(net::Loop& loop, uint16_t port, const std::string& request) {
  auto c = net::TcpStream::dial(loop, net::SockAddr::loopback4(port));
  REQUIRE(c);
  auto s = c.take();
  std::string got;
  bool closed = false;
  s->on_data([&](net::BytesView b) { got.append(reinterpret_cast<const char*>(b.data()), b.size()); });
  s->on_close([&](const net::Error&) { closed = true; });
  REQUIRE(s->write({reinterpret_cast<const uint8_t*>(request.data()), request.size()}));
  REQUIRE(run_until(loop, [&] { return closed; }));
  return got;
}
}  // namespace

TEST_CASE("metrics http: /metrics and /health") {
  auto l = net::Loop::create();
  REQUIRE(l);
  auto& loop = **l;
  net::metrics::Registry reg;
  reg.counter("x_total", "X.", {"k"}).with({"v"}).inc(3);
  bool healthy = true;
  auto m = metrics::MetricsHttp::start(loop, "127.0.0.1:0", reg, [&] { return healthy; }, "1.2.3", nullptr);
  REQUIRE(m);
  uint16_t port = (*m)->port();
  std::string r = fetch(loop, port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string text = reg.expose();
  CHECK(r == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: " +
                 std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n" + text);
  r = fetch(loop, port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", 0) == 0);
  std::string body = r.substr(r.find("\r\n\r\n") + 4);
  json::Parser p;
  auto doc = p.parse(body);
  REQUIRE(doc);
  simdjson::dom::object o;
  REQUIRE(doc->get_object().get(o) == simdjson::SUCCESS);
  CHECK(**json::get_string(o, "status") == "healthy");
  CHECK(**json::get_string(o, "version") == "1.2.3");
  double up = -1;
  CHECK(o["uptime_seconds"].get_double().get(up) == simdjson::SUCCESS);
  CHECK(up >= 0);
  healthy = false;
  r = fetch(loop, port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(r.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
  CHECK(r.find("{\"status\":\"unhealthy\",\"version\":\"1.2.3\",\"uptime_seconds\":") != std::string::npos);
  // No body is accepted on the metrics listener.
  r = fetch(loop, port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
  CHECK(r.rfind("HTTP/1.1 413 Content Too Large\r\n", 0) == 0);
  auto bad = metrics::MetricsHttp::start(loop, ":99999", reg, {}, "", nullptr);
  CHECK(bad.what() == "metrics listen \":99999\": port 99999 out of range");
}

TEST_CASE("daemon http: transport label of a remote address") {
  CHECK(std::string(transport_label("/ip4/1.2.3.4/tcp/4001")) == "tcp");
  CHECK(std::string(transport_label("/ip4/1.2.3.4/udp/4001/quic-v1")) == "quic");
  CHECK(std::string(transport_label("/ip4/1.2.3.4/udp/4001/quic-v1/webtransport/certhash/u")) == "webtransport");
  CHECK(std::string(transport_label("/ip4/1.2.3.4/udp/4001")) == "unknown");
}
