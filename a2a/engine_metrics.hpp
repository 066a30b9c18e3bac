// a2a/engine_metrics.hpp — the engine's part of the original's Prometheus
// families (upstream.md §8.4; net/metrics.hpp): tasks by direction and
// status, task durations, envelopes received by type, artifact stream
// chunks, the offline queue size. Fed where the engine stages the change
// (a turn whose commit fails is rare and still counted).
#pragma once

#include <cstddef>
#include <cstdint>

#include "a2a/envelope.hpp"
#include "proto/agentanycast/v1/a2a_models.pb.hpp"

namespace a2a::metrics {

// direction: true = a task our client sent ("sent"), false = one our agents
// run ("received"). The status label is the lower-case state name.
void task_status(bool sent, pb::agentanycast::v1::TaskStatus status);
// A task reached a terminal state `seconds` after it was created.
void task_done(bool sent, pb::agentanycast::v1::TaskStatus status, double seconds);
void envelope_received(EnvelopeType type);
void stream_chunk(bool sent);
void offline_queue(size_t envelopes);

}  // namespace a2a::metrics
