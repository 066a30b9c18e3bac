// a2a/engine_metrics.cpp — see engine_metrics.hpp.
#include "a2a/engine_metrics.hpp"

#include <array>
#include <cctype>
#include <string>

#include "a2a/task_state.hpp"
#include "net/metrics.hpp"

namespace a2a::metrics {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
const char* dir(bool sent) { return sent ? "sent" : "received"; }

// A family's children never move and live as long as the process-wide
// registry (net/metrics.hpp), so each label set is looked up once and kept:
// the lookup built a vector of label strings per task event (1.5 % of a
// daemon's instructions on the task path, callgrind). Enum values outside
// the table (an unknown value from the wire) are looked up each time.
constexpr int kMemoSlots = 32;
template <class T>
using Memo = std::array<T*, kMemoSlots>;

template <class T, class Lookup>
T& memo(Memo<T>& slots, int i, Lookup lookup) {
  if (i < 0 || i >= kMemoSlots) return lookup();
  if (!slots[i]) slots[i] = &lookup();
  return *slots[i];
}
}  // namespace

void task_status(bool sent, pb::agentanycast::v1::TaskStatus status) {
  static Memo<net::metrics::Counter> slots[2];
  memo(slots[sent], static_cast<int>(status), [&]() -> net::metrics::Counter& {
    return net::metrics::agent_metrics().tasks.with({dir(sent), lower(status_name(status))});
  }).inc();
}

void task_done(bool sent, pb::agentanycast::v1::TaskStatus status, double seconds) {
  task_status(sent, status);
  static Memo<net::metrics::Histogram> slots;
  memo(slots, sent, [&]() -> net::metrics::Histogram& {
    return net::metrics::agent_metrics().task_duration.with({dir(sent)});
  }).observe(seconds < 0 ? 0 : seconds);
}

void envelope_received(EnvelopeType type) {
  static Memo<net::metrics::Counter> slots;
  memo(slots, static_cast<int>(type), [&]() -> net::metrics::Counter& {
    return net::metrics::agent_metrics().messages.with({lower(envelope_type_name(type))});
  }).inc();
}

void stream_chunk(bool sent) {
  static Memo<net::metrics::Counter> slots;
  memo(slots, sent, [&]() -> net::metrics::Counter& {
    return net::metrics::agent_metrics().stream_chunks.with({dir(sent)});
  }).inc();
}

void offline_queue(size_t envelopes) {
  net::metrics::agent_metrics().offline_queue_size.get().set(static_cast<double>(envelopes));
}

}  // namespace a2a::metrics
