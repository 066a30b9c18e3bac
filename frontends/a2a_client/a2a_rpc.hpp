// frontends/a2a_client/a2a_rpc.hpp — the JSON-RPC side of the A2A client:
// request bodies for the two dialects an external agent may speak, and the
// mapping of its answers onto the engine's model (specs.md §15,
// upstream.md §8.1).
//
//   current  A2A 0.3 as @a2a-js/sdk serves it: message/send with
//            configuration.blocking = false (the agent answers at once;
//            we follow the task with tasks/get), kind-tagged JSON.
//   legacy   the original daemon's outbound call: tasks/send
//            {"id": <our task id>, "message": {role, parts[{type,...}]}},
//            followed with tasks/get {"id"}; results in snake_case with the
//            status as a word or as {"state", "message"}.
//
// A client tries `current` first and falls back to `legacy` when the agent
// answers JSON-RPC -32601 (method not found).
//
// Answers: an RpcOutcome holds either the agent's JSON-RPC error (for the
// caller to decide: fallback, or fail the task with its text) or its task.
// A Message result (an agent that answers without a task) is a task
// COMPLETED with that message. Everything else is an error, Err::proto
// with a message naming what is wrong:
//   "agent answered HTTP 502: <first 200 bytes of the body>"
//   "agent answered invalid JSON: json: expected ':' ... at offset 17"
//   "agent's answer is not a JSON-RPC response (no result, no error)"
//   "agent's task has no id", "agent's task status \"done\" is not an A2A state",
//   "agent's artifact 2: message.parts[0]: unknown part kind \"x\"", ...
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "a2a/engine.hpp"
#include "frontends/json/json_parse.hpp"
#include "net/result.hpp"

namespace frontends::a2a_client {

enum class Protocol : uint8_t { current = 0, legacy = 1 };
// "message/send" / "tasks/send".
const char* send_method(Protocol p);

inline constexpr int64_t kMethodNotFound = -32601;
// Artifacts taken from one answer (beyond: an error).
inline constexpr size_t kMaxArtifacts = 256;

// JSON-RPC request bodies. rpc_id: our request id (a string).
std::string send_body(Protocol p, std::string_view rpc_id, std::string_view local_task_id, const a2a::Message& m,
                      std::string_view context_id, const std::map<std::string, std::string>& metadata);
std::string get_body(Protocol p, std::string_view rpc_id, std::string_view remote_task_id);
std::string cancel_body(Protocol p, std::string_view rpc_id, std::string_view remote_task_id);

struct RemoteTask {
  std::string id;  // the agent's task id ("" for a direct message answer)
  std::string context_id;
  a2a::TaskStatus status = a2a::TaskStatus::TASK_STATUS_UNSPECIFIED;  // UNSPECIFIED: "unknown"
  std::optional<a2a::Message> message;  // status.message, or the agent's direct answer
  std::vector<a2a::Artifact> artifacts;
  bool direct_message = false;
};

struct RpcError {
  int64_t code = 0;
  std::string message;
};

struct RpcOutcome {
  std::optional<RemoteTask> task;
  std::optional<RpcError> error;
};

// "submitted", "working", "input-required", "auth-required" (as
// INPUT_REQUIRED), "completed", "failed", "canceled"/"cancelled",
// "rejected", and 1.0's "TASK_STATE_*"; "unknown" is UNSPECIFIED. nullopt
// for anything else.
std::optional<a2a::TaskStatus> parse_state(std::string_view s);

// The agent's HTTP answer to one of our calls.
net::Result<RpcOutcome> parse_response(Protocol p, int http_status, std::string_view body, json::Parser& parser);

}  // namespace frontends::a2a_client
