// frontends/anp/anp_rpc.hpp — the ANP bridge's documents and JSON-RPC core,
// sans I/O (upstream.md §8.2, specs.md §17).
//
// ad.json (Agent Description, JSON-LD): @context with schema.org as
// vocabulary and the ad: (agent-network-protocol.com/ad#), did: and the
// original's anp: prefixes; @type ad:AgentDescription; @id <base>/agent/ad.json;
// name, description, version from our card; did = identity.did_web if set,
// else our did:key; one interface {@type ad:APIInterface, protocol
// "openrpc", url <base>/agent/interface.json}; securityDefinitions {} and
// security [] (no authentication, like the original).
//
// interface.json (OpenRPC 1.3.2): one method per card skill, named by the
// skill id, params [{name "input", schema: the skill's input_schema (JSON
// text; {"type":"string"} when absent or not JSON), required true}],
// result {name "result", schema: output_schema or {}}; servers [{url
// <base>/agent/rpc}].
//
// POST /agent/rpc: {"jsonrpc":"2.0","id":..,"method":<skill id>,"params":
// {"input":..}} becomes a task for our own agents with target_skill_id =
// the method and one text part: params.input when a string, else
// params.text, else the JSON of params.input / params. The answer (after a
// terminal or input-required state, as the bridge's blocking send) is
// {"id","status","messages","artifacts","result"?} with result = the first
// artifact's first text part. Unlike the original, the response id is the
// request's id (the original echoed the method name, upstream.md §11.13).
// Errors: -32700 not JSON; -32600 bad envelope (no id, jsonrpc, method);
// -32601 a method that is no skill of our card; -32602 params neither
// object, array nor absent; -32603 engine errors.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "a2a/engine.hpp"
#include "frontends/json/json_parse.hpp"

namespace frontends::anp {

inline constexpr size_t kMaxBodyLen = 1024 * 1024;  // ours: one ANP call
inline constexpr size_t kMaxJsonDepth = 64;

std::string ad_json(const a2a::AgentCard& card, std::string_view base_url, std::string_view did);
std::string interface_json(const a2a::AgentCard& card, std::string_view base_url);

struct AnpCall {
  bool respond = true;     // true: `response` is the whole answer
  std::string response;
  std::string id_json = "null";
  a2a::SendTaskArgs send;  // respond == false: the task to create
};

class Rpc {
 public:
  explicit Rpc(std::function<std::string()> new_id);
  // card: our card (nullptr: none, every method is unknown).
  AnpCall parse(std::string_view body, const a2a::AgentCard* card, const std::string& self_peer);

 private:
  std::function<std::string()> new_id_;
  json::Parser parser_;
};

std::string error_response(std::string_view id_json, int code, std::string_view message);
std::string task_result(std::string_view id_json, const a2a::Task& t);

}  // namespace frontends::anp
