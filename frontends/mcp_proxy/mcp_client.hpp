// frontends/mcp_proxy/mcp_client.hpp — the MCP client side of -mcp-proxy,
// sans-I/O: fed the server's stdout lines and the time, it returns lines
// for the server's stdin and events. No process, fd or clock of its own
// (the driver is mcp_proxy.cpp), so the unit tests play the server.
//
// Protocol (specs.md §16.1, §16.3; stdio framing §16.4, one message per
// line, our lines never contain a raw newline):
//   start()   -> initialize {protocolVersion "2025-11-25", capabilities {},
//                clientInfo {name "agentanycastd-mcp-proxy", version}}
//   <- result -> notifications/initialized, tools/list
//   <- result -> tools/list {cursor} while nextCursor is a new string
//   <- last   -> event ready(tools)
// Whatever protocolVersion the server answers is accepted (logged): the
// proxy only needs initialize, tools/list and tools/call, unchanged since
// 2024-11-05. An error answer to initialize, or no complete handshake
// within kHandshakeTimeoutNs, is the event `failed` (the driver restarts
// the server). An error answer to tools/list means no tools (ready, empty).
// notifications/tools/list_changed re-lists the tools (ready again).
// Server requests: ping answers {}; anything else -32601 (we offer no
// sampling, roots or elicitation). Other notifications are ignored.
//
// Calls: call_tool() sends tools/call {name, arguments}; the answer (or the
// timeout, or the server's end) is the event call_done(token): ok with the
// raw result JSON (compact), or an error message: a JSON-RPC error, a result
// with isError true (its text content), no answer within kCallTimeoutNs.
// Responses are matched by id (integers we issued); an unknown id, a line
// that is not JSON or not an object is ignored (counted, logged once per
// kind). A line longer than kMaxLineLen cannot be matched to its call:
// every pending call fails (the session goes on).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "frontends/json/json_parse.hpp"
#include "frontends/mcp_proxy/mcp_proxy_limits.hpp"
#include "net/clock.hpp"
#include "net/result.hpp"

namespace frontends::mcp_proxy {

inline constexpr std::string_view kProtocolVersion = "2025-11-25";
inline constexpr std::string_view kClientName = "agentanycastd-mcp-proxy";

struct Tool {
  std::string name;
  std::string description;
  std::string input_schema;  // compact JSON text; "" when absent or over kMaxSchemaLen
  bool operator==(const Tool&) const = default;
};

struct ClientEvent {
  enum class Kind { ready, call_done, failed, log };
  Kind kind = Kind::log;
  uint64_t token = 0;       // call_done
  bool ok = false;          // call_done
  std::string text;         // call_done: result JSON (ok) or error; failed: why; log: a warning
  std::vector<Tool> tools;  // ready
};

struct ClientStats {
  uint64_t lines_in = 0;
  uint64_t not_json = 0;     // unparsable or not an object
  uint64_t unknown_ids = 0;  // responses to nothing pending
  uint64_t oversize = 0;
  uint64_t calls = 0;
  uint64_t call_errors = 0;  // JSON-RPC errors and isError results
  uint64_t timeouts = 0;
  uint64_t skipped_tools = 0;
};

class Client {
 public:
  explicit Client(std::string client_version);

  // Sends initialize; the handshake must end by now + kHandshakeTimeoutNs.
  void start(net::Instant now);
  // One line of the server's stdout (oversize: its first kMaxLineLen bytes).
  void on_line(std::string_view line, bool oversize, net::Instant now);
  // The server's stdout ended (it exited): pending calls fail with `why`,
  // an unfinished handshake is `failed`. No output after this.
  void on_closed(const std::string& why);
  void on_timeout(net::Instant now);
  net::Instant next_deadline() const;

  // tools/call. `arguments` must be a JSON object's text (tool_task.hpp
  // makes it compact). Errors: Err::closed "MCP server is not ready"
  // (handshake not finished, or it ended); Err::limit "too many tool calls
  // in flight (64)"; Err::invalid for arguments that are not an object.
  net::Status call_tool(uint64_t token, std::string_view tool, std::string_view arguments, net::Instant now);

  bool ready() const { return state_ == State::ready; }
  bool closed() const { return state_ == State::closed || state_ == State::failed; }
  const std::vector<Tool>& tools() const { return tools_; }
  bool has_tool(std::string_view name) const;
  const std::string& server_protocol_version() const { return server_version_; }
  const std::string& server_name() const { return server_name_; }
  size_t pending_calls() const;
  const ClientStats& stats() const { return stats_; }

  // Lines for the server's stdin (no '\n'), oldest first.
  std::vector<std::string> take_output() { return std::exchange(out_, {}); }
  std::vector<ClientEvent> take_events() { return std::exchange(events_, {}); }

 private:
  enum class State { idle, initializing, listing, ready, failed, closed };
  enum class Kind { initialize, list, call };
  struct Pending {
    Kind kind;
    uint64_t token = 0;
    std::string tool;
    net::Instant deadline = net::kNever;
  };

  uint64_t send_request(std::string_view method, std::string_view params_json);
  void send_list(const std::string* cursor, net::Instant now);
  void on_response(int64_t id, simdjson::dom::object msg, net::Instant now);
  void on_server_message(simdjson::dom::object msg, std::string_view method, net::Instant now);
  void on_init_result(simdjson::dom::object msg, net::Instant now);
  void on_list_result(simdjson::dom::object msg, net::Instant now);
  void on_call_result(const Pending& p, simdjson::dom::object msg);
  void fail(std::string why);
  void call_done(uint64_t token, bool ok, std::string text);
  void log_once(uint32_t kind_bit, std::string text);

  std::string version_;
  State state_ = State::idle;
  json::Parser parser_;
  uint64_t next_id_ = 1;
  std::map<int64_t, Pending> pending_;
  net::Instant handshake_deadline_ = net::kNever;
  // tools/list in progress (first listing or a re-list)
  bool listing_ = false;
  bool relist_wanted_ = false;
  std::vector<Tool> listed_;
  std::set<std::string> listed_names_, cursors_;
  size_t pages_ = 0;
  std::vector<Tool> tools_;
  std::set<std::string, std::less<>> tool_names_;
  std::string server_version_, server_name_;
  std::vector<std::string> out_;
  std::vector<ClientEvent> events_;
  uint32_t logged_ = 0;
  ClientStats stats_;
};

}  // namespace frontends::mcp_proxy
