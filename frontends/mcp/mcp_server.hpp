// frontends/mcp/mcp_server.hpp — the MCP server core (specs.md §16,
// upstream.md §8.3), independent of the transport: JSON-RPC 2.0 messages
// in, JSON-RPC messages out. The stdio driver (mcp_stdio.hpp) and the
// Streamable HTTP driver (mcp_http.hpp) feed it.
//
// Lifecycle: the stateful one of MCP up to 2025-11-25 (initialize with
// version negotiation, notifications/initialized, ping). Supported
// revisions: 2025-11-25 (answered when a client asks for something else),
// 2025-06-18, 2025-03-26, 2024-11-05. Requests before initialize are
// served too (nothing in them depends on the session).
//
// Tools: the original's seven, with its names, descriptions and input
// schemas (node:internal/mcp/tools.go). A tool's output JSON object is
// returned both as one text content (pretty-printed as Go's
// json.MarshalIndent did) and as structuredContent; failures are tool
// errors (isError, the message as text), as in the original. Unknown tools
// and arguments that are not an object are protocol errors (-32602).
// Every call counts in agentanycast_mcp_tool_calls_total{tool,status}.
//
// Bad input: not JSON -> -32700 (id null); not a JSON-RPC 2.0 request or
// notification, a batch, an id that is not a string or integer -> -32600;
// unknown method -> -32601; bad params -> -32602.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/json/json_parse.hpp"
#include "net/result.hpp"

namespace frontends::mcp {

inline constexpr const char* kLatestVersion = "2025-11-25";
inline constexpr const char* kServerName = "agentanycast";

// JSON-RPC 2.0 error codes (specs.md §16.5).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

bool supported_version(std::string_view v);

// A tool's answer: the output object as compact JSON, or an error message.
using ToolDone = std::function<void(net::Result<std::string> output_json)>;

struct NodeInfo {
  std::string peer_id;
  std::string did_key;
  std::vector<std::string> listen_addresses;
  size_t connected_peers = 0;
};
struct PeerInfo {
  std::string peer_id;
  std::vector<std::string> addresses;
};

// What the tools need from the daemon. The defaults of the A2A tools
// answer "not available" (tool errors) until an engine is plugged in.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual NodeInfo node_info() = 0;
  virtual std::vector<PeerInfo> connected_peers() = 0;
  virtual void get_agent_card(std::string peer_id, ToolDone done);
  virtual void discover_agents(std::string skill, ToolDone done);
  virtual void send_task(std::string target, std::string message, bool by_skill, ToolDone done);
  virtual void send_task_by_skill(std::string skill, std::string message, ToolDone done);
  virtual void get_task_status(std::string task_id, ToolDone done);
};

struct Session {
  bool initialized = false;       // notifications/initialized seen
  std::string protocol_version;   // negotiated ("" before initialize)
  std::string client_name;
};

// One outgoing JSON-RPC message (a response). May be called after
// handle() returns (tools answer asynchronously).
using Send = std::function<void(std::string json)>;

struct HandleResult {
  bool is_request = false;     // a response will be sent (now or later)
  bool is_initialize = false;  // (HTTP: assign a session on success)
  std::string method;
};

class Server {
 public:
  Server(Backend& backend, std::string version) : backend_(backend), version_(std::move(version)) {}
  // One message from the client. For a request, `send` gets exactly one
  // response; for notifications and responses nothing is sent.
  HandleResult handle(Session& s, std::string_view text, Send send);

  // The seven tools as the tools/list result's "tools" array (JSON).
  static std::string tools_json();

 private:
  void call_tool(std::string_view name, simdjson::dom::object args, bool has_args, std::string id_json, Send send);

  Backend& backend_;
  std::string version_;
  json::Parser parser_{{.max_len = 4 * 1024 * 1024, .max_depth = 64}};
};

// {"jsonrpc":"2.0","id":<id_json>,"error":{"code":c,"message":m}}
std::string error_response(std::string_view id_json, int code, std::string_view message);
std::string result_response(std::string_view id_json, std::string_view result_json);

}  // namespace frontends::mcp
