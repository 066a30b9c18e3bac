// frontends/mcp_proxy/mcp_client.cpp — see mcp_client.hpp.
#include "frontends/mcp_proxy/mcp_client.hpp"

#include <utility>

#include "frontends/json/json_writer.hpp"

namespace frontends::mcp_proxy {

namespace {

// Bits of Client::logged_: each kind of bad input is logged once.
constexpr uint32_t kLogNotJson = 1u << 0;
constexpr uint32_t kLogNotObject = 1u << 1;
constexpr uint32_t kLogUnknownId = 1u << 2;
constexpr uint32_t kLogBadTool = 1u << 3;

std::string cut(std::string_view s, size_t n = 200) {
  if (s.size() <= n) return std::string(s);
  return std::string(s.substr(0, n)) + "...";
}

bool name_ok(std::string_view n) {
  if (n.empty() || n.size() > kMaxToolNameLen) return false;
  for (unsigned char c : n)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// "<code>: <message>" of a JSON-RPC error member.
std::string rpc_error_text(simdjson::dom::element err) {
  int64_t code = 0;
  std::string_view message;
  std::string out;
  simdjson::dom::object o;
  if (err.get_object().get(o) == simdjson::SUCCESS) {
    if (o.at_key("code").get_int64().get(code) != simdjson::SUCCESS) {}
    if (o.at_key("message").get_string().get(message) != simdjson::SUCCESS) {}
  }
  out = "MCP error " + std::to_string(code);
  if (!message.empty()) out += ": " + std::string(message);
  return out;
}

}  // namespace

Client::Client(std::string client_version)
    : version_(std::move(client_version)), parser_({.max_len = kMaxLineLen, .max_depth = kMaxJsonDepth}) {}

bool Client::has_tool(std::string_view name) const { return tool_names_.find(name) != tool_names_.end(); }

size_t Client::pending_calls() const {
  size_t n = 0;
  for (const auto& [id, p] : pending_)
    if (p.kind == Kind::call) ++n;
  return n;
}

uint64_t Client::send_request(std::string_view method, std::string_view params_json) {
  const uint64_t id = next_id_++;
  std::string line;
  json::Writer w(line);
  w.begin_object().member("jsonrpc", "2.0").member("id", id).member("method", method);
  if (!params_json.empty()) w.member_raw("params", params_json);
  w.end_object();
  out_.push_back(std::move(line));
  return id;
}

void Client::start(net::Instant now) {
  if (state_ != State::idle) return;
  std::string params;
  json::Writer w(params);
  w.begin_object().member("protocolVersion", kProtocolVersion);
  w.key("capabilities").begin_object().end_object();
  w.key("clientInfo").begin_object().member("name", kClientName).member("version", version_).end_object();
  w.end_object();
  const uint64_t id = send_request("initialize", params);
  pending_[static_cast<int64_t>(id)] = {Kind::initialize, 0, {}, net::kNever};
  handshake_deadline_ = now + kHandshakeTimeoutNs;
  state_ = State::initializing;
}

void Client::send_list(const std::string* cursor, net::Instant now) {
  std::string params;
  if (cursor) {
    json::Writer w(params);
    w.begin_object().member("cursor", *cursor).end_object();
  }
  const uint64_t id = send_request("tools/list", params);
  // A re-list has its own deadline; the first listing is under the handshake's.
  pending_[static_cast<int64_t>(id)] = {Kind::list, 0, {}, state_ == State::ready ? now + kHandshakeTimeoutNs
                                                                                      : net::kNever};
  ++pages_;
}

void Client::log_once(uint32_t bit, std::string text) {
  if (logged_ & bit) return;
  logged_ |= bit;
  events_.push_back({ClientEvent::Kind::log, 0, false, std::move(text), {}});
}

void Client::fail(std::string why) {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::failed;
  for (auto& [id, p] : pending_)
    if (p.kind == Kind::call) call_done(p.token, false, why);
  pending_.clear();
  out_.clear();
  events_.push_back({ClientEvent::Kind::failed, 0, false, std::move(why), {}});
}

void Client::call_done(uint64_t token, bool ok, std::string text) {
  events_.push_back({ClientEvent::Kind::call_done, token, ok, std::move(text), {}});
}

void Client::on_closed(const std::string& why) {
  if (state_ == State::closed) return;
  if (state_ == State::initializing || state_ == State::listing) {
    fail(why);
  } else {
    for (auto& [id, p] : pending_)
      if (p.kind == Kind::call) call_done(p.token, false, why);
    pending_.clear();
  }
  out_.clear();
  state_ = State::closed;
}

void Client::on_timeout(net::Instant now) {
  if (state_ == State::closed || state_ == State::failed) return;
  if ((state_ == State::initializing || state_ == State::listing) && now >= handshake_deadline_) {
    fail("MCP server did not finish the handshake (initialize, tools/list) within " +
         std::to_string(kHandshakeTimeoutNs / net::kSecond) + " s");
    return;
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    Pending p = std::move(it->second);
    it = pending_.erase(it);
    if (p.kind == Kind::call) {
      ++stats_.timeouts;
      call_done(p.token, false,
                "tool " + p.tool + " did not answer within " + std::to_string(kCallTimeoutNs / net::kSecond) + " s");
    } else if (p.kind == Kind::list) {  // a re-list: keep the tools we have
      listing_ = false;
      events_.push_back({ClientEvent::Kind::log, 0, false, "tools/list (after list_changed) timed out", {}});
    }
  }
}

net::Instant Client::next_deadline() const {
  if (state_ == State::closed || state_ == State::failed) return net::kNever;
  net::Instant d = (state_ == State::initializing || state_ == State::listing) ? handshake_deadline_ : net::kNever;
  for (const auto& [id, p] : pending_) d = std::min(d, p.deadline);
  return d;
}

net::Status Client::call_tool(uint64_t token, std::string_view tool, std::string_view arguments, net::Instant now) {
  if (state_ != State::ready) return {net::Err::closed, "MCP server is not ready"};
  if (pending_calls() >= kMaxPendingCalls)
    return {net::Err::limit, "too many tool calls in flight (" + std::to_string(kMaxPendingCalls) + ")"};
  if (arguments.empty() || arguments.front() != '{') return {net::Err::invalid, "arguments must be a JSON object"};
  std::string params;
  json::Writer w(params);
  w.begin_object().member("name", tool).member_raw("arguments", arguments).end_object();
  const uint64_t id = send_request("tools/call", params);
  pending_[static_cast<int64_t>(id)] = {Kind::call, token, std::string(tool), now + kCallTimeoutNs};
  ++stats_.calls;
  return {};
}

void Client::on_line(std::string_view line, bool oversize, net::Instant now) {
  if (state_ == State::closed || state_ == State::failed || state_ == State::idle) return;
  ++stats_.lines_in;
  if (oversize) {
    ++stats_.oversize;
    const std::string why = "MCP server sent a message over " + std::to_string(kMaxLineLen) +
                            " bytes: it cannot be matched to its request";
    if (state_ != State::ready) return fail(why);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.kind == Kind::call) {
        call_done(it->second.token, false, why);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    events_.push_back({ClientEvent::Kind::log, 0, false, why, {}});
    return;
  }
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  auto doc = parser_.parse(line);
  if (!doc) {
    ++stats_.not_json;
    log_once(kLogNotJson, "MCP server wrote a line that is not JSON (ignored; stdout is for MCP only): " +
                              doc.what() + ": " + cut(line));
    return;
  }
  simdjson::dom::object msg;
  if (doc->get_object().get(msg) != simdjson::SUCCESS) {
    ++stats_.not_json;
    log_once(kLogNotObject, "MCP server wrote JSON that is not an object (ignored): " + cut(line));
    return;
  }
  std::string_view method;
  if (msg.at_key("method").get_string().get(method) == simdjson::SUCCESS) return on_server_message(msg, method, now);
  int64_t id = 0;
  if (msg.at_key("id").get_int64().get(id) != simdjson::SUCCESS || pending_.count(id) == 0) {
    ++stats_.unknown_ids;
    log_once(kLogUnknownId, "MCP server answered an id we are not waiting for (ignored): " + cut(line));
    return;
  }
  on_response(id, msg, now);
}

void Client::on_server_message(simdjson::dom::object msg, std::string_view method, net::Instant now) {
  simdjson::dom::element id;
  if (msg.at_key("id").get(id) == simdjson::SUCCESS) {  // a request: answer it
    std::string line;
    json::Writer w(line);
    w.begin_object().member("jsonrpc", "2.0").key("id");
    json::write_element(w, id);
    if (method == "ping") {
      w.key("result").begin_object().end_object();
    } else {
      w.key("error").begin_object().member("code", -32601).member("message", "Method not found: " + std::string(method));
      w.end_object();
    }
    w.end_object();
    out_.push_back(std::move(line));
    return;
  }
  if (method == "notifications/tools/list_changed" && state_ == State::ready) {
    if (listing_) {
      relist_wanted_ = true;
      return;
    }
    listing_ = true;
    listed_.clear();
    listed_names_.clear();
    cursors_.clear();
    pages_ = 0;
    send_list(nullptr, now);
  }
}

void Client::on_response(int64_t id, simdjson::dom::object msg, net::Instant now) {
  Pending p = std::move(pending_[id]);
  pending_.erase(id);
  switch (p.kind) {
    case Kind::initialize: return on_init_result(msg, now);
    case Kind::list: return on_list_result(msg, now);
    case Kind::call: return on_call_result(p, msg);
  }
}

void Client::on_init_result(simdjson::dom::object msg, net::Instant now) {
  simdjson::dom::element err;
  if (msg.at_key("error").get(err) == simdjson::SUCCESS)
    return fail("MCP server refused initialize: " + rpc_error_text(err));
  simdjson::dom::object result;
  if (msg.at_key("result").get_object().get(result) != simdjson::SUCCESS)
    return fail("MCP server answered initialize without a result object");
  std::string_view v, name;
  if (result.at_key("protocolVersion").get_string().get(v) != simdjson::SUCCESS) {}
  server_version_ = cut(v, 64);
  simdjson::dom::object info;
  if (result.at_key("serverInfo").get_object().get(info) == simdjson::SUCCESS)
    if (info.at_key("name").get_string().get(name) != simdjson::SUCCESS) {}
  server_name_ = cut(name, 128);
  out_.emplace_back(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  state_ = State::listing;
  listing_ = true;
  send_list(nullptr, now);
}

void Client::on_list_result(simdjson::dom::object msg, net::Instant now) {
  if (!listing_) return;
  simdjson::dom::element err;
  simdjson::dom::object result;
  const bool has_error = msg.at_key("error").get(err) == simdjson::SUCCESS;
  if (has_error || msg.at_key("result").get_object().get(result) != simdjson::SUCCESS) {
    const std::string why = has_error ? rpc_error_text(err) : std::string("no result object");
    if (state_ == State::ready && listed_.empty()) {  // a re-list: keep the tools we have
      listing_ = false;
      events_.push_back({ClientEvent::Kind::log, 0, false, "tools/list failed (" + why + "): tools unchanged", {}});
      return;
    }
    events_.push_back(
        {ClientEvent::Kind::log, 0, false, "tools/list failed (" + why + "): offering the tools listed so far", {}});
  } else {
    simdjson::dom::array tools;
    if (result.at_key("tools").get_array().get(tools) == simdjson::SUCCESS) {
      for (simdjson::dom::element t : tools) {
        simdjson::dom::object o;
        std::string_view name, desc;
        if (t.get_object().get(o) != simdjson::SUCCESS || o.at_key("name").get_string().get(name) != simdjson::SUCCESS ||
            !name_ok(name) || listed_names_.count(std::string(name))) {
          ++stats_.skipped_tools;
          log_once(kLogBadTool, "MCP server listed a tool without a usable name (1..128 printable bytes, unique): " +
                                    cut(json::to_json(t)));
          continue;
        }
        if (listed_.size() == kMaxTools) {
          ++stats_.skipped_tools;
          continue;
        }
        Tool tool;
        tool.name = std::string(name);
        if (o.at_key("description").get_string().get(desc) == simdjson::SUCCESS) tool.description = std::string(desc);
        simdjson::dom::element schema;
        if (o.at_key("inputSchema").get(schema) == simdjson::SUCCESS) {
          tool.input_schema = json::to_json(schema);
          if (tool.input_schema.size() > kMaxSchemaLen) tool.input_schema.clear();
        }
        listed_names_.insert(tool.name);
        listed_.push_back(std::move(tool));
      }
    }
    std::string_view next;
    if (result.at_key("nextCursor").get_string().get(next) == simdjson::SUCCESS && !next.empty()) {
      std::string c(next);
      if (pages_ >= kMaxListPages || cursors_.count(c)) {
        events_.push_back({ClientEvent::Kind::log, 0, false,
                           "tools/list: more than " + std::to_string(kMaxListPages) +
                               " pages or a repeated cursor: the rest is ignored",
                           {}});
      } else {
        cursors_.insert(c);
        send_list(&c, now);
        return;
      }
    }
  }
  // The listing is complete.
  listing_ = false;
  tools_ = std::move(listed_);
  listed_.clear();
  tool_names_.clear();
  for (const auto& t : tools_) tool_names_.insert(t.name);
  state_ = State::ready;
  handshake_deadline_ = net::kNever;
  events_.push_back({ClientEvent::Kind::ready, 0, false, {}, tools_});
  if (relist_wanted_) {
    relist_wanted_ = false;
    listing_ = true;
    listed_names_.clear();
    cursors_.clear();
    pages_ = 0;
    send_list(nullptr, now);
  }
}

void Client::on_call_result(const Pending& p, simdjson::dom::object msg) {
  simdjson::dom::element err;
  if (msg.at_key("error").get(err) == simdjson::SUCCESS) {
    ++stats_.call_errors;
    return call_done(p.token, false, "tool " + p.tool + ": " + rpc_error_text(err));
  }
  simdjson::dom::element result;
  simdjson::dom::object ro;
  if (msg.at_key("result").get(result) != simdjson::SUCCESS || result.get_object().get(ro) != simdjson::SUCCESS) {
    ++stats_.call_errors;
    return call_done(p.token, false, "tool " + p.tool + ": malformed answer (no result object)");
  }
  bool is_error = false;
  if (ro.at_key("isError").get_bool().get(is_error) != simdjson::SUCCESS) {}
  if (!is_error) return call_done(p.token, true, json::to_json(result));
  ++stats_.call_errors;
  // The tool's own words: its text content.
  std::string text;
  simdjson::dom::array content;
  if (ro.at_key("content").get_array().get(content) == simdjson::SUCCESS) {
    for (simdjson::dom::element c : content) {
      std::string_view t;
      if (c.at_key("text").get_string().get(t) != simdjson::SUCCESS) continue;
      if (!text.empty()) text += "\n";
      text += t;
    }
  }
  if (text.empty()) text = json::to_json(result);
  call_done(p.token, false, "tool " + p.tool + " failed: " + text);
}

}  // namespace frontends::mcp_proxy
