// net/metrics.hpp — a small Prometheus registry: counters, gauges and
// histograms with labels, exposed in the text format 0.0.4 (specs.md §19).
// In net/ so every layer (p2p, a2a, frontends) can update it.
//
//   auto& conns = reg.counter("agentanycast_connections_total", "Connections.", {"direction"});
//   conns.with({"inbound"}).inc();
//   std::string text = reg.expose();   // GET /metrics
//
// One thread (the loop's): no atomics. Children live as long as their
// registry and never move (std::map nodes), so callers may keep a
// `Counter&` from with() for the hot path.
//
// Bounded: a family holds at most kMaxSeriesPerFamily label sets; updates
// to further ones go to a detached child that is not exposed (counted in
// dropped_series()), so a label fed from the network (a tool name) cannot
// grow memory without bound. Label values are escaped on output; names are
// checked at registration (a bad one is our bug: the family is refused and
// a detached family returned).
//
// agent_metrics() is the process-wide set of the original daemon's eleven
// families (upstream.md §8.4, node:internal/metrics/metrics.go): names,
// types, labels and buckets as there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace net::metrics {

// ours: label sets per family (the original's label values come from small
// enums, except mcp tool names, bounded by the proxied server's tools).
inline constexpr size_t kMaxSeriesPerFamily = 1000;

class Counter {
 public:
  void inc(double v = 1) {
    if (v > 0) v_ += v;  // counters only go up
  }
  double value() const { return v_; }

 private:
  double v_ = 0;
};

class Gauge {
 public:
  void set(double v) { v_ = v; }
  void inc(double v = 1) { v_ += v; }
  void dec(double v = 1) { v_ -= v; }
  double value() const { return v_; }

 private:
  double v_ = 0;
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds = nullptr) : bounds_(bounds) {
    if (bounds_) counts_.assign(bounds_->size(), 0);
  }
  void observe(double v);
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // Non-cumulative count of bucket i (upper bound bounds[i]).
  uint64_t bucket(size_t i) const { return i < counts_.size() ? counts_[i] : 0; }

 private:
  const std::vector<double>* bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

enum class Type : uint8_t { counter, gauge, histogram };

template <class T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds = {})
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds)),
        detached_(make()) {}
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The child for these label values (one per label name, in order; a
  // wrong count is our bug and returns the detached child).
  T& with(std::initializer_list<std::string_view> values) {
    return with(std::vector<std::string>(values.begin(), values.end()));
  }
  T& with(std::vector<std::string> values) {
    if (values.size() != labels_.size()) return detached_;
    auto it = children_.find(values);
    if (it != children_.end()) return it->second;
    if (children_.size() >= kMaxSeriesPerFamily) {
      ++dropped_;
      return detached_;
    }
    return children_.emplace(std::move(values), make()).first->second;
  }
  // The child without labels (families declared with no label names).
  T& get() { return with(std::vector<std::string>{}); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return labels_; }
  const std::vector<double>& bounds() const { return bounds_; }
  const std::map<std::vector<std::string>, T>& children() const { return children_; }
  uint64_t dropped_series() const { return dropped_; }

 private:
  T make() const {
    if constexpr (std::is_same_v<T, Histogram>) {
      return T(&bounds_);
    } else {
      return T();
    }
  }
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  std::map<std::vector<std::string>, T> children_;
  T detached_;
  uint64_t dropped_ = 0;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Go's prometheus.ExponentialBuckets(start, factor, count).
std::vector<double> exponential_buckets(double start, double factor, size_t count);

class Registry {
 public:
  // Registering a name twice returns the first family (if the type
  // matches). An invalid metric or label name, or a reserved "le" label,
  // gives a detached family that is never exposed.
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> labels = {});
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> labels = {});
  // bounds: strictly increasing, finite; +Inf is implicit.
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> labels,
                             std::vector<double> bounds);

  // Text format 0.0.4: families sorted by name, each with # HELP and
  // # TYPE (also when no series exists yet), series sorted by label values.
  std::string expose() const;
  size_t families() const { return entries_.size(); }

 private:
  struct Entry {
    Type type;
    std::unique_ptr<CounterFamily> c;
    std::unique_ptr<GaugeFamily> g;
    std::unique_ptr<HistogramFamily> h;
  };
  Entry* find(const std::string& name);
  std::map<std::string, Entry> entries_;
  std::vector<std::unique_ptr<CounterFamily>> bad_c_;
  std::vector<std::unique_ptr<GaugeFamily>> bad_g_;
  std::vector<std::unique_ptr<HistogramFamily>> bad_h_;
};

bool valid_metric_name(std::string_view s);
bool valid_label_name(std::string_view s);
// The shortest text that reads back to v (std::to_chars): "1", "0.5",
// "1e+06", "+Inf", "-Inf", "NaN" — the Go client's forms for these (it
// prints 1234567 as "1.234567e+06", we as "1234567": the same float).
std::string format_value(double v);
// Label value escaping: \ -> \\, " -> \", newline -> \n.
std::string escape_label(std::string_view v);

// The original daemon's families (upstream.md §8.4).
struct AgentMetrics {
  explicit AgentMetrics(Registry& r);
  GaugeFamily& connected_peers;         // agentanycast_connected_peers
  CounterFamily& connections;           // agentanycast_connections_total{direction}
  CounterFamily& tasks;                 // agentanycast_tasks_total{direction,status}
  HistogramFamily& task_duration;       // agentanycast_task_duration_seconds{direction}
  CounterFamily& route_resolutions;     // agentanycast_route_resolutions_total{result}
  CounterFamily& bridge_requests;       // agentanycast_bridge_requests_total{direction,status}
  CounterFamily& stream_chunks;         // agentanycast_stream_chunks_total{direction}
  CounterFamily& messages;              // agentanycast_messages_total{type}
  GaugeFamily& offline_queue_size;      // agentanycast_offline_queue_size
  CounterFamily& connections_by_transport;  // agentanycast_connections_by_transport{transport}
  CounterFamily& mcp_tool_calls;        // agentanycast_mcp_tool_calls_total{tool,status}
};

// The process-wide registry and the agent's families in it (created on
// first use, on the loop's thread).
Registry& default_registry();
AgentMetrics& agent_metrics();

}  // namespace net::metrics
