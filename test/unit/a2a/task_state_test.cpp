// The task state machine: every (from, to) pair, with the original's words.
#include <doctest/doctest.h>

#include "a2a/task_state.hpp"

using namespace a2a;
using S = TaskStatus;

TEST_CASE("task state: the full transition table (upstream.md §3.7)") {
  const S all[] = {S::TASK_STATUS_UNSPECIFIED, S::TASK_STATUS_SUBMITTED, S::TASK_STATUS_WORKING,
                   S::TASK_STATUS_INPUT_REQUIRED, S::TASK_STATUS_COMPLETED, S::TASK_STATUS_FAILED,
                   S::TASK_STATUS_CANCELED, S::TASK_STATUS_REJECTED};
  // rows: from; columns: to (same order as `all`)
  const bool legal[8][8] = {
      /* UNSPECIFIED    */ {0, 0, 0, 0, 0, 0, 0, 0},
      /* SUBMITTED      */ {0, 0, 1, 0, 0, 0, 1, 1},
      /* WORKING        */ {0, 0, 0, 1, 1, 1, 1, 0},
      /* INPUT_REQUIRED */ {0, 0, 1, 0, 0, 0, 1, 0},
      /* COMPLETED      */ {0, 0, 0, 0, 0, 0, 0, 0},
      /* FAILED         */ {0, 0, 0, 0, 0, 0, 0, 0},
      /* CANCELED       */ {0, 0, 0, 0, 0, 0, 0, 0},
      /* REJECTED       */ {0, 0, 0, 0, 0, 0, 0, 0},
  };
  int legal_count = 0;
  for (int f = 0; f < 8; ++f)
    for (int t = 0; t < 8; ++t) {
      CAPTURE(f);
      CAPTURE(t);
      CHECK(transition_allowed(all[f], all[t]) == legal[f][t]);
      const std::string err = transition_error("T1", all[f], all[t]);
      if (legal[f][t]) {
        ++legal_count;
        CHECK(err.empty());
        continue;
      }
      if (is_terminal(all[f]))
        CHECK(err == std::string("task T1 is in terminal state ") + status_name(all[f]));
      else if (f == 0)
        CHECK(err == "no transitions defined from state UNSPECIFIED");
      else
        CHECK(err == std::string("invalid transition: ") + status_name(all[f]) + " -> " + status_name(all[t]) +
                         " for task T1");
    }
  CHECK(legal_count == 9);
}

TEST_CASE("task state: names, terminal states, unknown values") {
  CHECK(std::string(status_name(S::TASK_STATUS_INPUT_REQUIRED)) == "INPUT_REQUIRED");
  CHECK(std::string(status_name(static_cast<S>(8))) == "UNSPECIFIED");
  CHECK(std::string(status_name(static_cast<S>(-1))) == "UNSPECIFIED");
  CHECK(is_terminal(S::TASK_STATUS_REJECTED));
  CHECK_FALSE(is_terminal(S::TASK_STATUS_INPUT_REQUIRED));
  CHECK_FALSE(is_known_status(S::TASK_STATUS_UNSPECIFIED));
  CHECK(is_known_status(S::TASK_STATUS_REJECTED));
  CHECK_FALSE(is_known_status(static_cast<S>(8)));
  CHECK(transition_error("x", S::TASK_STATUS_WORKING, static_cast<S>(42)) ==
        "invalid transition: WORKING -> UNSPECIFIED for task x");
  CHECK(transition_error("x", static_cast<S>(9), S::TASK_STATUS_WORKING) ==
        "no transitions defined from state UNSPECIFIED");
}

TEST_CASE("task state: a remote agent's report may skip WORKING, nothing else") {
  CHECK(remote_transition_allowed(S::TASK_STATUS_SUBMITTED, S::TASK_STATUS_COMPLETED));
  CHECK(remote_transition_allowed(S::TASK_STATUS_SUBMITTED, S::TASK_STATUS_FAILED));
  CHECK(remote_transition_allowed(S::TASK_STATUS_SUBMITTED, S::TASK_STATUS_INPUT_REQUIRED));
  CHECK(remote_transition_allowed(S::TASK_STATUS_SUBMITTED, S::TASK_STATUS_WORKING));
  CHECK_FALSE(remote_transition_allowed(S::TASK_STATUS_SUBMITTED, S::TASK_STATUS_SUBMITTED));
  CHECK_FALSE(remote_transition_allowed(S::TASK_STATUS_COMPLETED, S::TASK_STATUS_WORKING));
  CHECK_FALSE(remote_transition_allowed(S::TASK_STATUS_INPUT_REQUIRED, S::TASK_STATUS_COMPLETED));
  CHECK_FALSE(remote_transition_allowed(S::TASK_STATUS_WORKING, S::TASK_STATUS_REJECTED));
}
