// net/metrics.cpp — see metrics.hpp.
#include "net/metrics.hpp"

#include <charconv>
#include <cmath>

namespace net::metrics {

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  count_++;
  sum_ += v;
  if (!bounds_) return;
  for (size_t i = 0; i < bounds_->size(); ++i) {
    if (v <= (*bounds_)[i]) {
      counts_[i]++;
      return;
    }
  }
  // above every bound: only the implicit +Inf bucket (count_)
}

std::vector<double> exponential_buckets(double start, double factor, size_t count) {
  std::vector<double> b;
  b.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    b.push_back(start);
    start *= factor;
  }
  return b;
}

bool valid_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view s) {
  if (s.empty() || s.substr(0, 2) == "__") return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, static_cast<size_t>(r.ptr - buf));
}

std::string escape_label(std::string_view v) {
  std::string s;
  s.reserve(v.size());
  for (char c : v) {
    if (c == '\\') s += "\\\\";
    else if (c == '"') s += "\\\"";
    else if (c == '\n') s += "\\n";
    else s.push_back(c);
  }
  return s;
}

namespace {

bool names_ok(const std::string& name, const std::vector<std::string>& labels) {
  if (!valid_metric_name(name)) return false;
  for (const auto& l : labels)
    if (!valid_label_name(l) || l == "le") return false;
  return true;
}

std::string escape_help(std::string_view v) {
  std::string s;
  for (char c : v) {
    if (c == '\\') s += "\\\\";
    else if (c == '\n') s += "\\n";
    else s.push_back(c);
  }
  return s;
}

// {a="x",b="y"} plus an optional extra label (le) at the end; "" if none.
std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string s = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) s.push_back(',');
    s += names[i] + "=\"" + escape_label(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!names.empty()) s.push_back(',');
    s += std::string(extra_name) + "=\"" + std::string(extra_value) + "\"";
  }
  s.push_back('}');
  return s;
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + escape_help(help) + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

}  // namespace

Registry::Entry* Registry::find(const std::string& name) {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

CounterFamily& Registry::counter(std::string name, std::string help, std::vector<std::string> labels) {
  if (Entry* e = find(name); e && e->type == Type::counter) return *e->c;
  if (!names_ok(name, labels) || find(name)) {
    bad_c_.push_back(std::make_unique<CounterFamily>(name, help, labels));
    return *bad_c_.back();
  }
  Entry e{Type::counter, std::make_unique<CounterFamily>(name, std::move(help), std::move(labels)), nullptr, nullptr};
  return *entries_.emplace(name, std::move(e)).first->second.c;
}

GaugeFamily& Registry::gauge(std::string name, std::string help, std::vector<std::string> labels) {
  if (Entry* e = find(name); e && e->type == Type::gauge) return *e->g;
  if (!names_ok(name, labels) || find(name)) {
    bad_g_.push_back(std::make_unique<GaugeFamily>(name, help, labels));
    return *bad_g_.back();
  }
  Entry e{Type::gauge, nullptr, std::make_unique<GaugeFamily>(name, std::move(help), std::move(labels)), nullptr};
  return *entries_.emplace(name, std::move(e)).first->second.g;
}

HistogramFamily& Registry::histogram(std::string name, std::string help, std::vector<std::string> labels,
                                     std::vector<double> bounds) {
  if (Entry* e = find(name); e && e->type == Type::histogram) return *e->h;
  bool ok = names_ok(name, labels) && !find(name);
  for (size_t i = 0; i < bounds.size() && ok; ++i)
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) ok = false;
  if (!ok) {
    bad_h_.push_back(std::make_unique<HistogramFamily>(name, help, labels, bounds));
    return *bad_h_.back();
  }
  Entry e{Type::histogram, nullptr, nullptr,
          std::make_unique<HistogramFamily>(name, std::move(help), std::move(labels), std::move(bounds))};
  return *entries_.emplace(name, std::move(e)).first->second.h;
}

std::string Registry::expose() const {
  std::string out;
  out.reserve(4096);
  for (const auto& [name, e] : entries_) {
    switch (e.type) {
      case Type::counter:
        header(out, name, e.c->help(), "counter");
        for (const auto& [vals, c] : e.c->children())
          out += name + label_set(e.c->label_names(), vals) + " " + format_value(c.value()) + "\n";
        break;
      case Type::gauge:
        header(out, name, e.g->help(), "gauge");
        for (const auto& [vals, g] : e.g->children())
          out += name + label_set(e.g->label_names(), vals) + " " + format_value(g.value()) + "\n";
        break;
      case Type::histogram: {
        header(out, name, e.h->help(), "histogram");
        const auto& bounds = e.h->bounds();
        for (const auto& [vals, h] : e.h->children()) {
          uint64_t cum = 0;
          for (size_t i = 0; i < bounds.size(); ++i) {
            cum += h.bucket(i);
            out += name + "_bucket" + label_set(e.h->label_names(), vals, "le", format_value(bounds[i])) + " " +
                   std::to_string(cum) + "\n";
          }
          out += name + "_bucket" + label_set(e.h->label_names(), vals, "le", "+Inf") + " " +
                 std::to_string(h.count()) + "\n";
          out += name + "_sum" + label_set(e.h->label_names(), vals) + " " + format_value(h.sum()) + "\n";
          out += name + "_count" + label_set(e.h->label_names(), vals) + " " + std::to_string(h.count()) + "\n";
        }
        break;
      }
    }
  }
  return out;
}

AgentMetrics::AgentMetrics(Registry& r)
    : connected_peers(r.gauge("agentanycast_connected_peers", "Number of currently connected peers.")),
      connections(r.counter("agentanycast_connections_total", "Total peer connections by direction.", {"direction"})),
      tasks(r.counter("agentanycast_tasks_total", "Total tasks by direction and status.", {"direction", "status"})),
      task_duration(r.histogram("agentanycast_task_duration_seconds", "Task duration from submission to a terminal state.",
                                {"direction"}, exponential_buckets(0.01, 2, 15))),
      route_resolutions(r.counter("agentanycast_route_resolutions_total", "Skill route resolutions by result.", {"result"})),
      bridge_requests(r.counter("agentanycast_bridge_requests_total", "HTTP bridge requests by direction and status.",
                                {"direction", "status"})),
      stream_chunks(r.counter("agentanycast_stream_chunks_total", "Streamed artifact chunks by direction.", {"direction"})),
      messages(r.counter("agentanycast_messages_total", "A2A envelopes by type.", {"type"})),
      offline_queue_size(r.gauge("agentanycast_offline_queue_size", "Messages waiting in the offline queue.")),
      connections_by_transport(r.counter("agentanycast_connections_by_transport", "Peer connections by transport.",
                                         {"transport"})),
      mcp_tool_calls(r.counter("agentanycast_mcp_tool_calls_total", "MCP tool calls by tool and status.", {"tool", "status"})) {
  // Unlabelled series exist from the start (the Go client exposes them at 0).
  connected_peers.get();
  offline_queue_size.get();
}

Registry& default_registry() {
  static Registry r;
  return r;
}

AgentMetrics& agent_metrics() {
  static AgentMetrics m(default_registry());
  return m;
}

}  // namespace net::metrics
