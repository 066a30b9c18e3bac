#include "a2a/task_state.hpp"

namespace a2a {

using S = TaskStatus;

const char* status_name(TaskStatus s) {
  switch (s) {
    case S::TASK_STATUS_SUBMITTED: return "SUBMITTED";
    case S::TASK_STATUS_WORKING: return "WORKING";
    case S::TASK_STATUS_INPUT_REQUIRED: return "INPUT_REQUIRED";
    case S::TASK_STATUS_COMPLETED: return "COMPLETED";
    case S::TASK_STATUS_FAILED: return "FAILED";
    case S::TASK_STATUS_CANCELED: return "CANCELED";
    case S::TASK_STATUS_REJECTED: return "REJECTED";
    default: return "UNSPECIFIED";
  }
}

bool is_terminal(TaskStatus s) {
  return s == S::TASK_STATUS_COMPLETED || s == S::TASK_STATUS_FAILED || s == S::TASK_STATUS_CANCELED ||
         s == S::TASK_STATUS_REJECTED;
}

bool is_known_status(TaskStatus s) {
  return static_cast<int32_t>(s) >= static_cast<int32_t>(S::TASK_STATUS_SUBMITTED) &&
         static_cast<int32_t>(s) <= static_cast<int32_t>(S::TASK_STATUS_REJECTED);
}

bool transition_allowed(TaskStatus from, TaskStatus to) {
  switch (from) {
    case S::TASK_STATUS_SUBMITTED:
      return to == S::TASK_STATUS_WORKING || to == S::TASK_STATUS_REJECTED || to == S::TASK_STATUS_CANCELED;
    case S::TASK_STATUS_WORKING:
      return to == S::TASK_STATUS_COMPLETED || to == S::TASK_STATUS_FAILED || to == S::TASK_STATUS_CANCELED ||
             to == S::TASK_STATUS_INPUT_REQUIRED;
    case S::TASK_STATUS_INPUT_REQUIRED:
      return to == S::TASK_STATUS_WORKING || to == S::TASK_STATUS_CANCELED;
    default:
      return false;
  }
}

std::string transition_error(std::string_view task_id, TaskStatus from, TaskStatus to) {
  if (is_terminal(from)) return "task " + std::string(task_id) + " is in terminal state " + status_name(from);
  if (!is_known_status(from)) return std::string("no transitions defined from state ") + status_name(from);
  if (transition_allowed(from, to)) return {};
  return std::string("invalid transition: ") + status_name(from) + " -> " + status_name(to) + " for task " +
         std::string(task_id);
}

bool remote_transition_allowed(TaskStatus from, TaskStatus to) {
  if (transition_allowed(from, to)) return true;
  return from == S::TASK_STATUS_SUBMITTED && transition_allowed(S::TASK_STATUS_WORKING, to);
}

}  // namespace a2a
