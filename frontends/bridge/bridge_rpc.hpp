// frontends/bridge/bridge_rpc.hpp — the HTTP bridge's JSON-RPC 2.0 core,
// sans I/O: a request body (plus the A2A-Version header and the target
// peer the URL chose) in, a Call out — either a complete JSON-RPC response
// to send back, or an engine operation for the HTTP glue (bridge_http.hpp)
// to run — and the JSON-RPC texts for the engine's answers and events.
//
// Methods (specs.md §15; upstream.md §8.1):
//   A2A 1.0   SendMessage, SendStreamingMessage (SSE), GetTask, CancelTask,
//             SubscribeToTask (SSE)
//   A2A 0.3   message/send, message/stream (SSE), tasks/get, tasks/cancel,
//             tasks/resubscribe (SSE)
//   original  tasks/send (snake_case; answers at once with the SUBMITTED task)
// The method name picks the JSON dialect of params and result. Push
// notification configs answer PushNotificationNotSupported (-32003), the
// extended card ExtendedAgentCardNotConfigured (-32007), ListTasks
// UnsupportedOperation (-32004).
//
// Errors (every one an HTTP 200 JSON-RPC error, as the original):
//   -32700 not JSON (id null); -32600 not an object (a batch too), jsonrpc
//   not "2.0", id neither string, number nor null, id absent (A2A has no
//   notifications), method not a string; -32601 unknown method; -32602
//   params not an object, bad message or task id; -32009 an A2A-Version
//   header other than "", 0.3 or 1.0 (with any patch level).
// A message naming an existing taskId (continuing a task) answers
// UnsupportedOperation: the engine has no follow-up messages yet.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "a2a/engine.hpp"
#include "frontends/bridge/a2a_json.hpp"
#include "frontends/json/json_parse.hpp"

namespace frontends::bridge {

inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kLegacyEngineError = -32000;  // the original's "internal error: ..."
inline constexpr int kTaskNotFound = -32001;
inline constexpr int kTaskNotCancelable = -32002;
inline constexpr int kPushNotSupported = -32003;
inline constexpr int kUnsupportedOperation = -32004;
inline constexpr int kExtendedCardNotConfigured = -32007;
inline constexpr int kVersionNotSupported = -32009;

enum class Op : uint8_t { respond, send, stream, get, cancel, subscribe };

struct Call {
  Op op = Op::respond;
  Dialect dialect = Dialect::v1;
  std::string method;
  std::string id_json = "null";
  std::string response;  // Op::respond: the whole JSON-RPC response
  // send / stream: the task to create (send.peer_id = the target peer)
  a2a::SendTaskArgs send;
  bool blocking = true;         // send: wait for a final state
  std::string continue_task;    // message.taskId (the glue checks it exists)
  // get / cancel / subscribe
  std::string task_id;
  int64_t history_length = -1;  // -1 = all
};

struct RpcContext {
  std::string target_peer;         // base58 peer id: ours, or /p2p/<id> from the URL
  const std::string* version = nullptr;  // the A2A-Version header, if any
};

class Dispatcher {
 public:
  // new_id makes context ids for messages that carry none (UUIDs; fuzzers
  // pass a deterministic one).
  explicit Dispatcher(std::function<std::string()> new_id);
  // Never fails: bad input yields Op::respond with the error response.
  Call parse(std::string_view body, const RpcContext& ctx);

 private:
  Call parse_send(Call c, simdjson::dom::object params, const RpcContext& ctx);
  std::function<std::string()> new_id_;
  json::Parser parser_;
};

std::string error_response(std::string_view id_json, int code, std::string_view message);
std::string result_response(std::string_view id_json, std::string_view result_json);
// An engine failure as the right JSON-RPC error for the call's method.
std::string api_error_response(const Call& c, const a2a::ApiError& e);

// The answer to send (v1 {"task":...}; 0.3 the task; legacy snake_case),
// get / cancel (the task).
std::string task_response(const Call& c, const a2a::Task& t);
// Stream events as JSON-RPC responses (1.0: StreamResponse wrappers
// {"task"} / {"statusUpdate"} / {"artifactUpdate"}; 0.3: kind objects).
std::string stream_task(const Call& c, const a2a::Task& t);
std::string stream_status(const Call& c, std::string_view task_id, std::string_view context_id,
                          a2a::v1::TaskStatus s, const a2a::Message* msg, int64_t unix_ns);
std::string stream_artifact(const Call& c, std::string_view task_id, std::string_view context_id,
                            const a2a::Artifact& a, bool append, bool last_chunk);
// One SSE event: "data: <json>\n\n" (frontends/http/http_sse.hpp).
std::string sse_event(std::string_view json);

}  // namespace frontends::bridge
