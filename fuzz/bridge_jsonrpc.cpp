// fuzz/bridge_jsonrpc.cpp — the HTTP bridge's JSON-RPC dispatcher
// (frontends/bridge/bridge_rpc) on arbitrary POST bodies, with the
// A2A-Version header taken from the first input byte. Invariants: an
// Op::respond call carries one JSON-RPC response (valid JSON, "jsonrpc":
// "2.0", an id, exactly one of result / error); an engine call has a task
// id (get / cancel / subscribe) or a message with at least one part and a
// context id (send / stream). For engine calls the answers built from a
// task carrying the parsed message (task, stream events, the engine errors)
// must be valid JSON too — that round-trips every parsed part through the
// writers of all three dialects.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/bridge/bridge_rpc.hpp"

using namespace frontends::bridge;

namespace {

frontends::json::Parser& checker() {
  static frontends::json::Parser p({.max_len = 1 << 26, .max_depth = 200});
  return p;
}

void check_response(const std::string& text) {
  auto doc = checker().parse(text);
  if (!doc) abort();
  simdjson::dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS) abort();
  std::string_view v;
  if (o["jsonrpc"].get_string().get(v) != simdjson::SUCCESS || v != "2.0") abort();
  if (o["id"].error() != simdjson::SUCCESS) abort();
  bool has_result = o["result"].error() == simdjson::SUCCESS, has_error = o["error"].error() == simdjson::SUCCESS;
  if (has_result == has_error) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Dispatcher d([] { return std::string("ctx-fuzz"); });
  static const std::string versions[] = {"", "1.0", "0.3", "0.3.0", "2.0", "1.0.1"};
  if (size == 0) return 0;
  RpcContext ctx;
  ctx.target_peer = "12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X";
  uint8_t sel = data[0] % 7;
  if (sel < 6) ctx.version = &versions[sel];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  Call c = d.parse(body, ctx);
  if (c.op == Op::respond) {
    check_response(c.response);
    return 0;
  }
  a2a::Task t;
  if (c.op == Op::send || c.op == Op::stream) {
    if (c.send.message.parts.empty() || c.send.context_id.empty() || c.send.peer_id != ctx.target_peer) abort();
    t.task_id = "t-1";
    t.context_id = c.send.context_id;
    t.status = a2a::v1::TaskStatus::TASK_STATUS_COMPLETED;
    t.messages.push_back(c.send.message);
    t.messages.back().role = a2a::v1::MessageRole::MESSAGE_ROLE_AGENT;
    t.artifacts.push_back({"a-1", "out", c.send.message.parts});
  } else {
    if (c.task_id.empty()) abort();
    t.task_id = c.task_id;
  }
  check_response(task_response(c, t));
  check_response(stream_task(c, t));
  check_response(stream_status(c, t.task_id, t.context_id, t.status, t.messages.empty() ? nullptr : &t.messages[0], 1));
  if (!t.artifacts.empty()) check_response(stream_artifact(c, t.task_id, t.context_id, t.artifacts[0], true, true));
  for (auto code : {a2a::ApiCode::not_found, a2a::ApiCode::failed_precondition, a2a::ApiCode::invalid_argument})
    check_response(api_error_response(c, {code, "x"}));
  return 0;
}
