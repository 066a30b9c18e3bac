// frontends/mcp/mcp_server.cpp — see mcp_server.hpp.
#include "frontends/mcp/mcp_server.hpp"

#include "frontends/json/json_writer.hpp"
#include "net/metrics.hpp"

namespace frontends::mcp {
namespace {

constexpr std::string_view kVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

// The original's tool definitions (node:internal/mcp/tools.go); property
// keys sorted as Go's encoding/json writes a map.
constexpr std::string_view kTools = R"([)"
    R"({"name":"get_node_info","description":"Get this node's identity and network information (PeerID, DID, listen addresses, connected peer count).","inputSchema":{"type":"object","properties":{}}},)"
    R"({"name":"list_connected_peers","description":"List all peers currently connected to this node.","inputSchema":{"type":"object","properties":{}}},)"
    R"({"name":"get_agent_card","description":"Get the A2A Agent Card (name, description, skills) for a connected peer or this node.","inputSchema":{"type":"object","properties":{"peer_id":{"description":"PeerID of the agent. Use 'self' or omit to get this node's card.","type":"string"}}}},)"
    R"({"name":"discover_agents","description":"Find AI agents on the P2P network that offer a specific skill. Queries the DHT and relay skill registry.","inputSchema":{"type":"object","properties":{"skill":{"description":"The skill to search for (e.g., 'translate', 'summarize', 'code-review').","type":"string"}},"required":["skill"]}},)"
    R"({"name":"send_task","description":"Send an encrypted A2A task to a remote AI agent. Target can be a PeerID, skill name (with by_skill=true), or HTTP URL.","inputSchema":{"type":"object","properties":{"by_skill":{"description":"If true, treat target as a skill name and use anycast routing to find the best agent.","type":"boolean"},"message":{"description":"The message text to send to the agent.","type":"string"},"target":{"description":"Target PeerID, skill name (if by_skill is true), or HTTP URL of the remote agent.","type":"string"}},"required":["target","message"]}},)"
    R"({"name":"send_task_by_skill","description":"Send an encrypted A2A task using anycast routing \u2014 the network automatically finds the best agent for the skill.","inputSchema":{"type":"object","properties":{"message":{"description":"The message text to send to the agent.","type":"string"},"skill":{"description":"The skill to route to (e.g., 'translate', 'summarize').","type":"string"}},"required":["skill","message"]}},)"
    R"({"name":"get_task_status","description":"Get the current status and result of a previously sent task.","inputSchema":{"type":"object","properties":{"task_id":{"description":"The task ID returned by send_task or send_task_by_skill.","type":"string"}},"required":["task_id"]}})"
    R"(])";

constexpr std::string_view kToolNames[] = {"get_node_info",   "list_connected_peers", "get_agent_card",    "discover_agents",
                                           "send_task",       "send_task_by_skill",   "get_task_status"};

// The original reads arguments leniently: a missing or mistyped value is "".
std::string str_arg(simdjson::dom::object args, std::string_view key) {
  std::string_view v;
  if (args.at_key(key).get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}
bool bool_arg(simdjson::dom::object args, std::string_view key) {
  bool v = false;
  if (args.at_key(key).get_bool().get(v) != simdjson::SUCCESS) return false;
  return v;
}

std::string tool_result(std::string_view output_json, bool is_error) {
  std::string r;
  json::Writer w(r);
  w.begin_object().key("content").begin_array().begin_object().member("type", "text").key("text");
  if (is_error) {
    w.value(output_json);
  } else {
    // Go's json.MarshalIndent(v, "", "  ") of the output object.
    std::string pretty;
    json::Parser p({.max_len = 64 * 1024 * 1024, .max_depth = 64});
    auto doc = p.parse(output_json);
    if (doc) {
      json::Writer pw(pretty, {.pretty = true});
      json::write_element(pw, *doc);
    }
    w.value(pretty);
  }
  w.end_object().end_array();
  if (!is_error) w.member_raw("structuredContent", output_json);
  w.member("isError", is_error).end_object();
  return r;
}

}  // namespace

bool supported_version(std::string_view v) {
  for (std::string_view s : kVersions)
    if (s == v) return true;
  return false;
}

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

std::string Server::tools_json() { return std::string(kTools); }

void Backend::get_agent_card(std::string, ToolDone done) { done(net::Error{net::Err::unsupported, "no agent card set for this node"}); }
void Backend::discover_agents(std::string, ToolDone done) {
  done(net::Error{net::Err::unsupported, "discovery is not available (no anycast router configured)"});
}
void Backend::send_task(std::string, std::string, bool, ToolDone done) {
  done(net::Error{net::Err::unsupported, "task sending is not available yet in this daemon"});
}
void Backend::send_task_by_skill(std::string, std::string, ToolDone done) {
  done(net::Error{net::Err::unsupported, "anycast routing is not available"});
}
void Backend::get_task_status(std::string, ToolDone done) {
  done(net::Error{net::Err::unsupported, "task not found: no task engine in this daemon yet"});
}

HandleResult Server::handle(Session& s, std::string_view text, Send send) {
  HandleResult hr;
  auto doc = parser_.parse(text);
  if (!doc) {
    hr.is_request = true;
    send(error_response("null", kParseError, "Parse error: " + doc.what()));
    return hr;
  }
  simdjson::dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS) {
    hr.is_request = true;
    send(error_response("null", kInvalidRequest,
                        doc->is_array() ? "Invalid Request: batches are not supported" : "Invalid Request: not an object"));
    return hr;
  }
  // id: string or integer; absent = notification.
  std::string id_json;
  simdjson::dom::element id;
  bool has_id = o.at_key("id").get(id) == simdjson::SUCCESS;
  if (has_id) {
    if (!id.is_string() && !id.is_int64() && !id.is_uint64()) {
      hr.is_request = true;
      send(error_response("null", kInvalidRequest, "Invalid Request: id must be a string or an integer"));
      return hr;
    }
    id_json = json::to_json(id);
  }
  std::string_view version;
  if (o.at_key("jsonrpc").get_string().get(version) != simdjson::SUCCESS || version != "2.0") {
    hr.is_request = has_id;
    if (has_id) send(error_response(id_json, kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\""));
    return hr;
  }
  std::string_view method;
  if (o.at_key("method").get_string().get(method) != simdjson::SUCCESS) {
    // A response from the client (we send no requests) or garbage.
    if (has_id && o.at_key("result").error() != simdjson::SUCCESS && o.at_key("error").error() != simdjson::SUCCESS) {
      hr.is_request = true;
      send(error_response(id_json, kInvalidRequest, "Invalid Request: method must be a string"));
    }
    return hr;
  }
  hr.method = std::string(method);
  simdjson::dom::object params;
  simdjson::dom::element pe;
  bool has_params = o.at_key("params").get(pe) == simdjson::SUCCESS;
  if (has_params && pe.get_object().get(params) != simdjson::SUCCESS) {
    if (has_id) {
      hr.is_request = true;
      send(error_response(id_json, kInvalidParams, "Invalid params: params must be an object"));
    }
    return hr;
  }
  if (!has_id) {  // notifications
    if (method == "notifications/initialized") s.initialized = true;
    return hr;
  }
  hr.is_request = true;
  if (method == "initialize") {
    std::string_view want;
    if (!has_params || params.at_key("protocolVersion").get_string().get(want) != simdjson::SUCCESS) {
      send(error_response(id_json, kInvalidParams, "Invalid params: protocolVersion is required"));
      return hr;
    }
    hr.is_initialize = true;
    s.protocol_version = supported_version(want) ? std::string(want) : std::string(kLatestVersion);
    std::string_view name;
    simdjson::dom::object ci;
    if (params.at_key("clientInfo").get_object().get(ci) == simdjson::SUCCESS &&
        ci.at_key("name").get_string().get(name) == simdjson::SUCCESS)
      s.client_name = std::string(name.substr(0, 256));
    std::string r;
    json::Writer w(r);
    w.begin_object().member("protocolVersion", s.protocol_version);
    w.key("capabilities").begin_object().key("tools").begin_object().member("listChanged", false).end_object().end_object();
    w.key("serverInfo").begin_object().member("name", kServerName).member("version", version_).end_object();
    w.end_object();
    send(result_response(id_json, r));
    return hr;
  }
  if (method == "ping") {
    send(result_response(id_json, "{}"));
    return hr;
  }
  if (method == "tools/list") {
    send(result_response(id_json, std::string(R"({"tools":)") + std::string(kTools) + "}"));
    return hr;
  }
  if (method == "tools/call") {
    std::string_view name;
    if (!has_params || params.at_key("name").get_string().get(name) != simdjson::SUCCESS) {
      send(error_response(id_json, kInvalidParams, "Invalid params: name is required"));
      return hr;
    }
    bool known = false;
    for (std::string_view t : kToolNames) known |= t == name;
    if (!known) {
      send(error_response(id_json, kInvalidParams, "Unknown tool: " + std::string(name)));
      return hr;
    }
    simdjson::dom::element ae;
    simdjson::dom::object args;
    bool has_args = false;
    if (params.at_key("arguments").get(ae) == simdjson::SUCCESS && !ae.is_null()) {
      if (ae.get_object().get(args) != simdjson::SUCCESS) {
        send(error_response(id_json, kInvalidParams, "Invalid params: arguments must be an object"));
        return hr;
      }
      has_args = true;
    }
    call_tool(name, args, has_args, id_json, std::move(send));
    return hr;
  }
  send(error_response(id_json, kMethodNotFound, "Method not found: " + std::string(method)));
  return hr;
}

void Server::call_tool(std::string_view name, simdjson::dom::object args, bool has_args, std::string id_json,
                       Send send) {
  std::string tool(name);
  // The arguments are read now: the parser's buffers are reused by the next message.
  auto arg = [&](std::string_view k) { return has_args ? str_arg(args, k) : std::string(); };
  ToolDone done = [tool, id_json, send](net::Result<std::string> out) {
    net::metrics::agent_metrics().mcp_tool_calls.with({tool, out ? "ok" : "error"}).inc();
    send(result_response(id_json, out ? tool_result(*out, false) : tool_result(out.what(), true)));
  };
  if (tool == "get_node_info") {
    NodeInfo n = backend_.node_info();
    std::string j;
    json::Writer w(j);
    w.begin_object().member("connected_peers", n.connected_peers).member("did_key", n.did_key);
    w.key("listen_addresses").begin_array();
    for (const auto& a : n.listen_addresses) w.value(a);
    w.end_array().member("peer_id", n.peer_id).end_object();
    done(std::move(j));
  } else if (tool == "list_connected_peers") {
    std::vector<PeerInfo> peers = backend_.connected_peers();
    std::string j;
    json::Writer w(j);
    w.begin_object().member("count", peers.size()).key("peers").begin_array();
    for (const auto& p : peers) {
      w.begin_object().key("addresses").begin_array();
      for (const auto& a : p.addresses) w.value(a);
      w.end_array().member("peer_id", p.peer_id).end_object();
    }
    w.end_array().end_object();
    done(std::move(j));
  } else if (tool == "get_agent_card") {
    backend_.get_agent_card(arg("peer_id"), std::move(done));
  } else if (tool == "discover_agents") {
    std::string skill = arg("skill");
    if (skill.empty()) return done(net::Error{net::Err::invalid, "'skill' parameter is required"});
    backend_.discover_agents(std::move(skill), std::move(done));
  } else if (tool == "send_task") {
    std::string target = arg("target"), message = arg("message");
    if (target.empty()) return done(net::Error{net::Err::invalid, "'target' parameter is required"});
    if (message.empty()) return done(net::Error{net::Err::invalid, "'message' parameter is required"});
    backend_.send_task(std::move(target), std::move(message), has_args && bool_arg(args, "by_skill"), std::move(done));
  } else if (tool == "send_task_by_skill") {
    std::string skill = arg("skill"), message = arg("message");
    if (skill.empty() || message.empty())
      return done(net::Error{net::Err::invalid, "'skill' and 'message' parameters are required"});
    backend_.send_task_by_skill(std::move(skill), std::move(message), std::move(done));
  } else if (tool == "get_task_status") {
    std::string id = arg("task_id");
    if (id.empty()) return done(net::Error{net::Err::invalid, "'task_id' parameter is required"});
    backend_.get_task_status(std::move(id), std::move(done));
  }
}

}  // namespace frontends::mcp
