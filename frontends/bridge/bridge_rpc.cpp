// frontends/bridge/bridge_rpc.cpp — see bridge_rpc.hpp.
#include "frontends/bridge/bridge_rpc.hpp"

#include "frontends/bridge/bridge_limits.hpp"
#include "frontends/http/http_sse.hpp"
#include "frontends/json/json_writer.hpp"

namespace frontends::bridge {
namespace {

using Code = a2a::ApiCode;

struct MethodInfo {
  std::string_view name;
  Op op;
  Dialect dialect;
};
constexpr MethodInfo kMethods[] = {
    {"SendMessage", Op::send, Dialect::v1},
    {"SendStreamingMessage", Op::stream, Dialect::v1},
    {"GetTask", Op::get, Dialect::v1},
    {"CancelTask", Op::cancel, Dialect::v1},
    {"SubscribeToTask", Op::subscribe, Dialect::v1},
    {"message/send", Op::send, Dialect::v03},
    {"message/stream", Op::stream, Dialect::v03},
    {"tasks/get", Op::get, Dialect::v03},
    {"tasks/cancel", Op::cancel, Dialect::v03},
    {"tasks/resubscribe", Op::subscribe, Dialect::v03},
    {"tasks/send", Op::send, Dialect::legacy},
};

// Known methods we do not offer, with the A2A error that says why.
struct Refused {
  std::string_view name;
  int code;
  std::string_view message;
};
constexpr Refused kRefused[] = {
    {"CreateTaskPushNotificationConfig", kPushNotSupported, "Push Notification is not supported"},
    {"GetTaskPushNotificationConfig", kPushNotSupported, "Push Notification is not supported"},
    {"ListTaskPushNotificationConfigs", kPushNotSupported, "Push Notification is not supported"},
    {"DeleteTaskPushNotificationConfig", kPushNotSupported, "Push Notification is not supported"},
    {"tasks/pushNotificationConfig/set", kPushNotSupported, "Push Notification is not supported"},
    {"tasks/pushNotificationConfig/get", kPushNotSupported, "Push Notification is not supported"},
    {"tasks/pushNotificationConfig/list", kPushNotSupported, "Push Notification is not supported"},
    {"tasks/pushNotificationConfig/delete", kPushNotSupported, "Push Notification is not supported"},
    {"GetExtendedAgentCard", kExtendedCardNotConfigured, "Extended agent card is not configured"},
    {"agent/getAuthenticatedExtendedCard", kExtendedCardNotConfigured, "Extended agent card is not configured"},
    {"ListTasks", kUnsupportedOperation, "ListTasks is not supported"},
};

Call respond(Call c, int code, std::string_view msg) {
  c.op = Op::respond;
  c.response = error_response(c.id_json, code, msg);
  return c;
}

// "", "0.3", "0.3.0", "1.0", "1.0.1"
bool version_ok(std::string_view v) {
  if (v.empty()) return true;
  for (std::string_view ok : {"0.3", "1.0"}) {
    if (v.substr(0, ok.size()) != ok) continue;
    std::string_view rest = v.substr(ok.size());
    if (rest.empty()) return true;
    if (rest[0] != '.' || rest.size() < 2) return false;
    for (char ch : rest.substr(1))
      if (ch < '0' || ch > '9') return false;
    return true;
  }
  return false;
}

// String values of params.metadata (traceparent / tracestate go on).
void read_metadata(simdjson::dom::object params, std::map<std::string, std::string>& out) {
  simdjson::dom::object md;
  if (params.at_key("metadata").get_object().get(md) != simdjson::SUCCESS) return;
  for (auto [k, v] : md) {
    std::string_view s;
    if (v.get_string().get(s) == simdjson::SUCCESS) out[std::string(k)] = std::string(s);
  }
}

}  // namespace

Dispatcher::Dispatcher(std::function<std::string()> new_id)
    : new_id_(std::move(new_id)), parser_({.max_len = kMaxBodyLen, .max_depth = kMaxJsonDepth}) {}

std::string error_response(std::string_view id_json, int code, std::string_view message) {
  std::string r;
  json::Writer w(r);
  w.begin_object().member("jsonrpc", "2.0").member_raw("id", id_json);
  w.key("error").begin_object().member("code", code).member("message", message).end_object();
  w.end_object();
  return r;
}

std::string result_response(std::string_view id_json, std::string_view result_json) {
  std::string r;
  json::Writer w(r);
  w.begin_object().member("jsonrpc", "2.0").member_raw("id", id_json).member_raw("result", result_json).end_object();
  return r;
}

Call Dispatcher::parse(std::string_view body, const RpcContext& ctx) {
  Call c;
  auto doc = parser_.parse(body);
  if (!doc) return respond(std::move(c), kParseError, "Parse error: " + doc.what());
  simdjson::dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS)
    return respond(std::move(c), kInvalidRequest,
                   doc->is_array() ? "Invalid Request: batches are not supported" : "Invalid Request: not an object");
  simdjson::dom::element id;
  if (o.at_key("id").get(id) != simdjson::SUCCESS)
    return respond(std::move(c), kInvalidRequest, "Invalid Request: id is required (A2A methods are requests)");
  if (!id.is_string() && !id.is_number() && !id.is_null())
    return respond(std::move(c), kInvalidRequest, "Invalid Request: id must be a string, a number or null");
  c.id_json = json::to_json(id);
  std::string_view version;
  if (o.at_key("jsonrpc").get_string().get(version) != simdjson::SUCCESS || version != "2.0")
    return respond(std::move(c), kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"");
  std::string_view method;
  if (o.at_key("method").get_string().get(method) != simdjson::SUCCESS)
    return respond(std::move(c), kInvalidRequest, "Invalid Request: method must be a string");
  c.method = std::string(method.substr(0, 128));
  if (ctx.version && !version_ok(*ctx.version))
    return respond(std::move(c), kVersionNotSupported,
                   "A2A version " + ctx.version->substr(0, 32) + " is not supported (supported: 0.3, 1.0)");
  const MethodInfo* mi = nullptr;
  for (const auto& m : kMethods)
    if (m.name == method) mi = &m;
  if (!mi) {
    for (const auto& r : kRefused)
      if (r.name == method) return respond(std::move(c), r.code, r.message);
    // The text first: argument evaluation order is unspecified (clang moved
    // `c` before reading c.method; g++ the other way round).
    std::string why = "method not found: " + c.method;
    return respond(std::move(c), kMethodNotFound, std::move(why));
  }
  c.op = mi->op;
  c.dialect = mi->dialect;
  simdjson::dom::element pe;
  simdjson::dom::object params;
  if (o.at_key("params").get(pe) != simdjson::SUCCESS || pe.get_object().get(params) != simdjson::SUCCESS)
    return respond(std::move(c), kInvalidParams, "Invalid params: params must be an object");
  if (c.op == Op::send || c.op == Op::stream) return parse_send(std::move(c), params, ctx);
  std::string_view task_id;
  if (params.at_key("id").get_string().get(task_id) != simdjson::SUCCESS || task_id.empty())
    return respond(std::move(c), kInvalidParams, "Invalid params: id (the task id) is required");
  c.task_id = std::string(task_id);
  int64_t hl = 0;
  if (params.at_key("historyLength").get_int64().get(hl) == simdjson::SUCCESS) {
    if (hl < 0) return respond(std::move(c), kInvalidParams, "Invalid params: historyLength must not be negative");
    c.history_length = hl;
  }
  return c;
}

Call Dispatcher::parse_send(Call c, simdjson::dom::object params, const RpcContext& ctx) {
  simdjson::dom::element me;
  if (params.at_key("message").get(me) != simdjson::SUCCESS)
    return respond(std::move(c), kInvalidParams, "Invalid params: message is required");
  std::string task_id, context_id;
  auto m = parse_message(me, c.dialect, &task_id, &context_id);
  if (!m) return respond(std::move(c), kInvalidParams, "Invalid params: " + m.what());
  c.send.message = m.take();
  c.send.peer_id = ctx.target_peer;
  c.continue_task = std::move(task_id);
  c.send.context_id = context_id.empty() ? new_id_() : std::move(context_id);
  read_metadata(params, c.send.metadata);
  simdjson::dom::object cfg;
  if (c.dialect == Dialect::legacy) {
    c.blocking = false;  // the original answered at once
    std::string_view skill;
    if (params.at_key("target_skill_id").get_string().get(skill) == simdjson::SUCCESS)
      c.send.target_skill_id = std::string(skill);
    return c;
  }
  if (auto it = c.send.metadata.find("targetSkillId"); it != c.send.metadata.end()) c.send.target_skill_id = it->second;
  if (params.at_key("configuration").get_object().get(cfg) == simdjson::SUCCESS) {
    bool b = false;
    if (c.dialect == Dialect::v1 && cfg.at_key("returnImmediately").get_bool().get(b) == simdjson::SUCCESS) c.blocking = !b;
    if (c.dialect == Dialect::v03 && cfg.at_key("blocking").get_bool().get(b) == simdjson::SUCCESS) c.blocking = b;
    int64_t hl = 0;
    if (cfg.at_key("historyLength").get_int64().get(hl) == simdjson::SUCCESS && hl >= 0) c.history_length = hl;
  }
  return c;
}

std::string api_error_response(const Call& c, const a2a::ApiError& e) {
  if (c.dialect == Dialect::legacy) {
    if (e.code == Code::invalid_argument) return error_response(c.id_json, kInvalidParams, e.message);
    return error_response(c.id_json, kLegacyEngineError, "internal error: " + e.message);
  }
  switch (e.code) {
    case Code::invalid_argument: return error_response(c.id_json, kInvalidParams, "Invalid params: " + e.message);
    case Code::not_found: return error_response(c.id_json, kTaskNotFound, e.message);
    case Code::failed_precondition:
      if (c.op == Op::cancel) return error_response(c.id_json, kTaskNotCancelable, e.message);
      if (c.op == Op::subscribe) return error_response(c.id_json, kUnsupportedOperation, e.message);
      return error_response(c.id_json, kInternalError, e.message);
    default: return error_response(c.id_json, kInternalError, e.message);
  }
}

std::string task_response(const Call& c, const a2a::Task& t) {
  std::string r;
  json::Writer w(r);
  const bool wrap = c.dialect == Dialect::v1 && c.op == Op::send;
  if (wrap) w.begin_object().key("task");
  write_task(w, t, c.dialect, c.history_length);
  if (wrap) w.end_object();
  return result_response(c.id_json, r);
}

std::string stream_task(const Call& c, const a2a::Task& t) {
  std::string r;
  json::Writer w(r);
  if (c.dialect == Dialect::v1) w.begin_object().key("task");
  write_task(w, t, c.dialect, c.history_length);
  if (c.dialect == Dialect::v1) w.end_object();
  return result_response(c.id_json, r);
}

std::string stream_status(const Call& c, std::string_view task_id, std::string_view context_id,
                          a2a::v1::TaskStatus s, const a2a::Message* msg, int64_t unix_ns) {
  std::string r;
  json::Writer w(r);
  if (c.dialect == Dialect::v1) w.begin_object().key("statusUpdate");
  write_status_update(w, task_id, context_id, s, msg, unix_ns, c.dialect);
  if (c.dialect == Dialect::v1) w.end_object();
  return result_response(c.id_json, r);
}

std::string stream_artifact(const Call& c, std::string_view task_id, std::string_view context_id,
                            const a2a::Artifact& a, bool append, bool last_chunk) {
  std::string r;
  json::Writer w(r);
  if (c.dialect == Dialect::v1) w.begin_object().key("artifactUpdate");
  write_artifact_update(w, task_id, context_id, a, append, last_chunk, c.dialect);
  if (c.dialect == Dialect::v1) w.end_object();
  return result_response(c.id_json, r);
}

// The checked writer: a line break in `json` (never from json::Writer)
// becomes another data line instead of ending the event.
std::string sse_event(std::string_view json) { return http::sse::data_event(json); }

}  // namespace frontends::bridge
