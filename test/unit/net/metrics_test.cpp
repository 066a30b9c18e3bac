// Unit tests: net/metrics — the Prometheus registry: exact text format
// 0.0.4 output (HELP/TYPE, label escaping, histogram buckets cumulative
// with +Inf, _sum, _count), the series bound crossed by one, bad names
// refused, and the agent's eleven families with the original's names,
// types, labels and buckets.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "net/metrics.hpp"

using namespace net::metrics;

TEST_CASE("metrics: counter, gauge and histogram in text format 0.0.4") {
  Registry r;
  auto& c = r.counter("x_requests_total", "Requests.\nSecond \\ line.", {"code", "path"});
  c.with({"200", "/a\"b\\c\nd"}).inc();
  c.with({"200", "/a\"b\\c\nd"}).inc(2);
  c.with({"404", "/"}).inc(-5);  // ignored: counters only go up
  auto& g = r.gauge("x_temp", "Temp.");
  g.get().set(-1.5);
  auto& h = r.histogram("x_seconds", "Latency.", {}, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 20.0}) h.get().observe(v);
  h.get().observe(std::nan(""));  // ignored
  r.counter("x_empty_total", "Nothing yet.", {"k"});
  CHECK(r.expose() ==
        "# HELP x_empty_total Nothing yet.\n"
        "# TYPE x_empty_total counter\n"
        "# HELP x_requests_total Requests.\\nSecond \\\\ line.\n"
        "# TYPE x_requests_total counter\n"
        "x_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 3\n"
        "x_requests_total{code=\"404\",path=\"/\"} 0\n"
        "# HELP x_seconds Latency.\n"
        "# TYPE x_seconds histogram\n"
        "x_seconds_bucket{le=\"0.1\"} 2\n"
        "x_seconds_bucket{le=\"1\"} 3\n"
        "x_seconds_bucket{le=\"10\"} 3\n"
        "x_seconds_bucket{le=\"+Inf\"} 4\n"
        "x_seconds_sum 20.65\n"
        "x_seconds_count 4\n"
        "# HELP x_temp Temp.\n"
        "# TYPE x_temp gauge\n"
        "x_temp -1.5\n");
}

TEST_CASE("metrics: value formatting") {
  CHECK(format_value(1) == "1");
  CHECK(format_value(0.5) == "0.5");
  CHECK(format_value(1e6) == "1e+06");
  CHECK(format_value(-0.001) == "-0.001");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
  CHECK(escape_label("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

TEST_CASE("metrics: series per family crossed by one") {
  Registry r;
  auto& c = r.counter("x_total", "X.", {"k"});
  for (size_t i = 0; i < kMaxSeriesPerFamily; ++i) c.with({std::to_string(i)}).inc();
  CHECK(c.children().size() == kMaxSeriesPerFamily);
  CHECK(c.dropped_series() == 0);
  c.with({"one-more"}).inc();
  CHECK(c.children().size() == kMaxSeriesPerFamily);
  CHECK(c.dropped_series() == 1);
  c.with({"0"}).inc();  // existing series still update
  CHECK(c.with({"0"}).value() == 2);
  CHECK(r.expose().find("one-more") == std::string::npos);
  // Wrong label count: detached, not exposed.
  c.with({"a", "b"}).inc();
  CHECK(c.children().size() == kMaxSeriesPerFamily);
}

TEST_CASE("metrics: bad names and re-registration") {
  Registry r;
  r.counter("0bad", "x").get().inc();
  r.counter("ok_total", "x", {"__reserved"}).with({"v"}).inc();
  r.histogram("h", "x", {"le"}, {1}).with({"v"}).observe(1);
  r.histogram("h2", "x", {}, {2, 1}).get().observe(1);
  CHECK(r.families() == 0);
  CHECK(r.expose().empty());
  auto& a = r.counter("a_total", "x");
  auto& b = r.counter("a_total", "other help");
  CHECK(&a == &b);
  r.gauge("a_total", "type clash").get().set(5);  // detached
  CHECK(r.families() == 1);
  CHECK(valid_metric_name("agentanycast:x_1"));
  CHECK_FALSE(valid_metric_name("a-b"));
  CHECK(valid_label_name("direction"));
  CHECK_FALSE(valid_label_name("1a"));
}

TEST_CASE("metrics: the agent's eleven families (upstream.md §8.4)") {
  Registry r;
  AgentMetrics m(r);
  CHECK(r.families() == 11);
  std::string text = r.expose();
  struct F {
    const char* name;
    const char* type;
  };
  for (F f : {F{"agentanycast_connected_peers", "gauge"}, F{"agentanycast_connections_total", "counter"},
              F{"agentanycast_tasks_total", "counter"}, F{"agentanycast_task_duration_seconds", "histogram"},
              F{"agentanycast_route_resolutions_total", "counter"}, F{"agentanycast_bridge_requests_total", "counter"},
              F{"agentanycast_stream_chunks_total", "counter"}, F{"agentanycast_messages_total", "counter"},
              F{"agentanycast_offline_queue_size", "gauge"}, F{"agentanycast_connections_by_transport", "counter"},
              F{"agentanycast_mcp_tool_calls_total", "counter"}}) {
    CAPTURE(f.name);
    CHECK(text.find(std::string("# TYPE ") + f.name + " " + f.type + "\n") != std::string::npos);
  }
  CHECK(text.find("agentanycast_connected_peers 0\n") != std::string::npos);
  CHECK(m.connections.label_names() == std::vector<std::string>{"direction"});
  CHECK(m.tasks.label_names() == std::vector<std::string>{"direction", "status"});
  CHECK(m.mcp_tool_calls.label_names() == std::vector<std::string>{"tool", "status"});
  CHECK(m.connections_by_transport.label_names() == std::vector<std::string>{"transport"});
  // ExponentialBuckets(0.01, 2, 15) = 0.01 ... 163.84
  m.task_duration.with({"sent"}).observe(0.015);
  text = r.expose();
  const char* les[] = {"0.01", "0.02", "0.04", "0.08", "0.16", "0.32", "0.64", "1.28",
                       "2.56", "5.12", "10.24", "20.48", "40.96", "81.92", "163.84"};
  REQUIRE(m.task_duration.bounds().size() == 15);
  for (const char* le : les) {
    CAPTURE(le);
    CHECK(text.find(std::string("agentanycast_task_duration_seconds_bucket{direction=\"sent\",le=\"") + le + "\"}") !=
          std::string::npos);
  }
  CHECK(text.find("agentanycast_task_duration_seconds_bucket{direction=\"sent\",le=\"0.01\"} 0\n") != std::string::npos);
  CHECK(text.find("agentanycast_task_duration_seconds_bucket{direction=\"sent\",le=\"0.02\"} 1\n") != std::string::npos);
  CHECK(text.find("agentanycast_task_duration_seconds_count{direction=\"sent\"} 1\n") != std::string::npos);
  // The process-wide set is one.
  CHECK(&agent_metrics() == &agent_metrics());
}
