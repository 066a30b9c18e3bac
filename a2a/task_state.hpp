// a2a/task_state.hpp — the A2A task state machine (upstream.md §3.7,
// node:internal/a2a/engine.go). Pure functions, no state.
//
//   SUBMITTED      -> WORKING, REJECTED, CANCELED
//   WORKING        -> COMPLETED, FAILED, CANCELED, INPUT_REQUIRED
//   INPUT_REQUIRED -> WORKING, CANCELED
//   COMPLETED, FAILED, CANCELED, REJECTED: terminal
//
// Everything else is refused with the original's words (the gRPC layer
// answers FAILED_PRECONDITION with them):
//   "task <id> is in terminal state COMPLETED"
//   "invalid transition: SUBMITTED -> COMPLETED for task <id>"
//   "no transitions defined from state UNSPECIFIED"
// A same-status transition is refused too (not in the table).
#pragma once

#include <string>
#include <string_view>

#include "proto/agentanycast/v1/a2a_models.pb.hpp"

namespace a2a {

using TaskStatus = pb::agentanycast::v1::TaskStatus;

// "SUBMITTED", "WORKING", ... (Go's String(); "UNSPECIFIED" for 0 and
// unknown values).
const char* status_name(TaskStatus s);
bool is_terminal(TaskStatus s);
// A value of the TaskStatus enum other than UNSPECIFIED.
bool is_known_status(TaskStatus s);
bool transition_allowed(TaskStatus from, TaskStatus to);

// "" when allowed, else the original's message for task `task_id`.
std::string transition_error(std::string_view task_id, TaskStatus from, TaskStatus to);

// For a state reported by the peer that runs the task (it enforced the
// machine on its side; envelopes may cross or a WORKING update may be
// lost): allowed directly, or through WORKING (SUBMITTED -> COMPLETED /
// FAILED / INPUT_REQUIRED). The original refused these ("complete
// rejected") and left the client waiting.
bool remote_transition_allowed(TaskStatus from, TaskStatus to);

}  // namespace a2a
