// a2a/engine_metrics.cpp — see engine_metrics.hpp.
#include "a2a/engine_metrics.hpp"

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
}  // namespace

void task_status(bool sent, pb::agentanycast::v1::TaskStatus status) {
  net::metrics::agent_metrics().tasks.with({dir(sent), lower(status_name(status))}).inc();
}

void task_done(bool sent, pb::agentanycast::v1::TaskStatus status, double seconds) {
  task_status(sent, status);
  net::metrics::agent_metrics().task_duration.with({dir(sent)}).observe(seconds < 0 ? 0 : seconds);
}

void envelope_received(EnvelopeType type) {
  net::metrics::agent_metrics().messages.with({lower(envelope_type_name(type))}).inc();
}

void stream_chunk(bool sent) { net::metrics::agent_metrics().stream_chunks.with({dir(sent)}).inc(); }

void offline_queue(size_t envelopes) {
  net::metrics::agent_metrics().offline_queue_size.get().set(static_cast<double>(envelopes));
}

}  // namespace a2a::metrics
