// frontends/anp/anp_rpc.cpp — see anp_rpc.hpp.
#include "frontends/anp/anp_rpc.hpp"

#include "frontends/bridge/a2a_json.hpp"
#include "frontends/json/json_writer.hpp"

namespace frontends::anp {
namespace {

// A schema from a skill's JSON text, re-serialized; fallback when absent or
// not a JSON object.
std::string schema_or(const std::string& text, std::string_view fallback) {
  if (text.empty()) return std::string(fallback);
  json::Parser p({.max_len = 1024 * 1024, .max_depth = kMaxJsonDepth});
  auto doc = p.parse(text);
  if (!doc || !doc->is_object()) return std::string(fallback);
  return json::to_json(*doc);
}

AnpCall fail(AnpCall c, int code, std::string_view msg) {
  c.respond = true;
  c.response = error_response(c.id_json, code, msg);
  return c;
}

}  // namespace

std::string ad_json(const a2a::AgentCard& c, std::string_view base, std::string_view did) {
  std::string j;
  json::Writer w(j);
  w.begin_object().key("@context").begin_object();
  w.member("@vocab", "https://schema.org/").member("did", "https://w3id.org/did#");
  w.member("ad", "https://agent-network-protocol.com/ad#").member("anp", "https://agentnetworkprotocol.com/ns/");
  w.end_object();
  w.member("@type", "ad:AgentDescription").member("@id", std::string(base) + "/agent/ad.json");
  w.member("name", c.name);
  if (!did.empty()) w.member("did", did);
  if (!c.description.empty()) w.member("description", c.description);
  if (!c.version.empty()) w.member("version", c.version);
  w.key("interfaces").begin_array().begin_object();
  w.member("@type", "ad:APIInterface").member("protocol", "openrpc").member("name", "rpc");
  w.member("url", std::string(base) + "/agent/interface.json");
  w.member("description", "JSON-RPC 2.0 methods: one per skill, each runs as an A2A task");
  w.end_object().end_array();
  w.key("securityDefinitions").begin_object().end_object();
  w.key("security").begin_array().end_array();
  w.end_object();
  return j;
}

std::string interface_json(const a2a::AgentCard& c, std::string_view base) {
  std::string j;
  json::Writer w(j);
  w.begin_object().member("openrpc", "1.3.2");
  w.key("info").begin_object().member("title", c.name).member("version", c.version.empty() ? "0.0.0" : c.version);
  w.end_object();
  w.key("servers").begin_array().begin_object().member("name", "rpc").member("url", std::string(base) + "/agent/rpc");
  w.end_object().end_array();
  w.key("methods").begin_array();
  for (const auto& s : c.skills) {
    w.begin_object().member("name", s.id);
    if (!s.description.empty()) w.member("description", s.description);
    w.key("params").begin_array().begin_object().member("name", "input");
    w.member_raw("schema", schema_or(s.input_schema, R"({"type":"string"})")).member("required", true);
    w.end_object().end_array();
    w.key("result").begin_object().member("name", "result");
    w.member_raw("schema", schema_or(s.output_schema, "{}")).end_object();
    w.end_object();
  }
  w.end_array().end_object();
  return j;
}

std::string error_response(std::string_view id_json, int code, std::string_view message) {
  std::string r;
  json::Writer w(r);
  w.begin_object().member("jsonrpc", "2.0").member_raw("id", id_json);
  w.key("error").begin_object().member("code", code).member("message", message).end_object();
  w.end_object();
  return r;
}

std::string task_result(std::string_view id_json, const a2a::Task& t) {
  std::string r;
  json::Writer w(r);
  w.begin_object().member("jsonrpc", "2.0").member_raw("id", id_json).key("result").begin_object();
  w.member("id", t.task_id).member("status", bridge::state_name(t.status, bridge::Dialect::legacy));
  w.key("messages").begin_array();
  for (const auto& m : t.messages) bridge::write_message(w, m, t.task_id, t.context_id, bridge::Dialect::legacy);
  w.end_array().key("artifacts").begin_array();
  for (const auto& a : t.artifacts) bridge::write_artifact(w, a, bridge::Dialect::legacy);
  w.end_array();
  if (!t.artifacts.empty() && !t.artifacts[0].parts.empty() &&
      t.artifacts[0].parts[0].content_case == a2a::v1::Part::ContentCase::text_part)
    w.member("result", t.artifacts[0].parts[0].text_part.text);
  w.end_object().end_object();
  return r;
}

Rpc::Rpc(std::function<std::string()> new_id)
    : new_id_(std::move(new_id)), parser_({.max_len = kMaxBodyLen, .max_depth = kMaxJsonDepth}) {}

AnpCall Rpc::parse(std::string_view body, const a2a::AgentCard* card, const std::string& self_peer) {
  AnpCall c;
  auto doc = parser_.parse(body);
  if (!doc) return fail(std::move(c), -32700, "Parse error: " + doc.what());
  simdjson::dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS) return fail(std::move(c), -32600, "Invalid Request: not an object");
  simdjson::dom::element id;
  if (o.at_key("id").get(id) != simdjson::SUCCESS || !(id.is_string() || id.is_number() || id.is_null()))
    return fail(std::move(c), -32600, "Invalid Request: id must be a string, a number or null");
  c.id_json = json::to_json(id);
  std::string_view v, method;
  if (o.at_key("jsonrpc").get_string().get(v) != simdjson::SUCCESS || v != "2.0")
    return fail(std::move(c), -32600, "Invalid Request: jsonrpc must be \"2.0\"");
  if (o.at_key("method").get_string().get(method) != simdjson::SUCCESS)
    return fail(std::move(c), -32600, "Invalid Request: method must be a string");
  bool known = false;
  if (card)
    for (const auto& s : card->skills) known |= s.id == method;
  if (!known) return fail(std::move(c), -32601, "method not found: " + std::string(method.substr(0, 128)));
  simdjson::dom::element pe;
  std::string input;
  if (o.at_key("params").get(pe) == simdjson::SUCCESS) {
    simdjson::dom::object po;
    std::string_view sv;
    simdjson::dom::element in;
    if (pe.get_object().get(po) == simdjson::SUCCESS) {
      if (po.at_key("input").get(in) == simdjson::SUCCESS)
        input = in.get_string().get(sv) == simdjson::SUCCESS ? std::string(sv) : json::to_json(in);
      else if (po.at_key("text").get_string().get(sv) == simdjson::SUCCESS)
        input = std::string(sv);
      else
        input = json::to_json(pe);
    } else if (pe.is_array()) {
      input = json::to_json(pe);
    } else {
      return fail(std::move(c), -32602, "Invalid params: params must be an object or an array");
    }
  }
  c.respond = false;
  c.send.peer_id = self_peer;
  c.send.target_skill_id = std::string(method);
  c.send.context_id = new_id_();
  c.send.message.message_id = new_id_();
  c.send.message.role = a2a::v1::MessageRole::MESSAGE_ROLE_USER;
  auto& p = c.send.message.parts.emplace_back();
  p.content_case = a2a::v1::Part::ContentCase::text_part;
  p.text_part.text = std::move(input);
  return c;
}

}  // namespace frontends::anp
