// Unit tests: frontends/mcp_proxy/mcp_client — the -mcp-proxy MCP client core
// against a scripted server in memory: the handshake (initialize,
// notifications/initialized, tools/list with pagination), whatever
// protocolVersion the server answers, tool calls matched by id, isError and
// JSON-RPC errors, timeouts, the server's end, and bad input: non-JSON lines,
// wrong ids, oversize lines, tools with weird names and schemas, endless
// pagination, server requests.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frontends/json/json_parse.hpp"
#include "frontends/mcp_proxy/mcp_client.hpp"

using namespace frontends::mcp_proxy;
namespace json = frontends::json;

namespace {

constexpr net::Instant kT0 = 1000 * net::kSecond;

// The last request line's method and id.
struct Req {
  std::string method;
  int64_t id = -1;
  std::string params;  // compact JSON ("" if none)
};

Req parse_req(const std::string& line) {
  static json::Parser p;
  auto doc = p.parse(line);
  REQUIRE(doc);
  Req r;
  simdjson::dom::object o;
  REQUIRE(doc->get_object().get(o) == simdjson::SUCCESS);
  std::string_view m;
  if (o.at_key("method").get_string().get(m) == simdjson::SUCCESS) r.method = std::string(m);
  if (o.at_key("id").get_int64().get(r.id) != simdjson::SUCCESS) r.id = -1;
  simdjson::dom::element params;
  if (o.at_key("params").get(params) == simdjson::SUCCESS) r.params = json::to_json(params);
  return r;
}

struct Script {
  Client c{"9.9.9"};
  std::vector<std::string> lines;  // everything the client wrote
  std::vector<ClientEvent> events;
  net::Instant now = kT0;

  std::vector<Req> drain() {
    std::vector<Req> reqs;
    for (auto& l : c.take_output()) {
      CHECK(l.find('\n') == std::string::npos);
      reqs.push_back(parse_req(l));
      lines.push_back(std::move(l));
    }
    for (auto& e : c.take_events()) events.push_back(std::move(e));
    return reqs;
  }
  void feed(const std::string& line) { c.on_line(line, false, now); }
  // Answers id with a result.
  void result(int64_t id, const std::string& result_json) {
    feed(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"result":)" + result_json + "}");
  }
  // Runs the handshake with one tools/list page; returns after ready.
  void handshake(const std::string& tools_json = R"([{"name":"add","description":"adds","inputSchema":{"type":"object"}}])") {
    c.start(now);
    auto r = drain();
    REQUIRE(r.size() == 1);
    result(r[0].id, R"({"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"t","version":"1"}})");
    r = drain();
    REQUIRE(r.size() == 2);
    result(r[1].id, R"({"tools":)" + tools_json + "}");
    drain();
    REQUIRE(c.ready());
  }
  const ClientEvent* last(ClientEvent::Kind k) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->kind == k) return &*it;
    return nullptr;
  }
};

}  // namespace

TEST_CASE("mcp_proxy client: handshake, pagination, tools") {
  Script s;
  s.c.start(s.now);
  auto r = s.drain();
  REQUIRE(r.size() == 1);
  CHECK(r[0].method == "initialize");
  CHECK(r[0].params ==
        R"({"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"agentanycastd-mcp-proxy","version":"9.9.9"}})");
  CHECK_FALSE(s.c.ready());
  CHECK(s.c.next_deadline() == kT0 + kHandshakeTimeoutNs);
  // An older server answers its own version: accepted.
  s.result(r[0].id, R"({"protocolVersion":"2024-11-05","capabilities":{},"serverInfo":{"name":"old","version":"0"}})");
  r = s.drain();
  REQUIRE(r.size() == 2);
  CHECK(r[0].method == "notifications/initialized");
  CHECK(r[0].id == -1);
  CHECK(r[1].method == "tools/list");
  CHECK(r[1].params.empty());
  CHECK(s.c.server_protocol_version() == "2024-11-05");
  CHECK(s.c.server_name() == "old");
  s.result(r[1].id, R"({"tools":[{"name":"a","inputSchema":{"type":"object","properties":{"x":{"type":"number"}}}}],"nextCursor":"p2"})");
  r = s.drain();
  REQUIRE(r.size() == 1);
  CHECK(r[0].method == "tools/list");
  CHECK(r[0].params == R"({"cursor":"p2"})");
  CHECK_FALSE(s.c.ready());
  s.result(r[0].id, R"({"tools":[{"name":"b","description":"bee"}],"nextCursor":""})");
  s.drain();
  REQUIRE(s.c.ready());
  auto* ev = s.last(ClientEvent::Kind::ready);
  REQUIRE(ev);
  REQUIRE(ev->tools.size() == 2);
  CHECK(ev->tools[0] == Tool{"a", "", R"({"type":"object","properties":{"x":{"type":"number"}}})"});
  CHECK(ev->tools[1] == Tool{"b", "bee", ""});
  CHECK(s.c.has_tool("a"));
  CHECK_FALSE(s.c.has_tool("c"));
  CHECK(s.c.next_deadline() == net::kNever);
}

TEST_CASE("mcp_proxy client: tool calls matched by id; results, isError, JSON-RPC errors") {
  Script s;
  s.handshake();
  CHECK(s.c.call_tool(7, "add", R"({"a":1,"b":2})", s.now));
  CHECK(s.c.call_tool(8, "add", R"({"a":"x"})", s.now));
  CHECK(s.c.call_tool(9, "add", "{}", s.now));
  auto r = s.drain();
  REQUIRE(r.size() == 3);
  CHECK(r[0].method == "tools/call");
  CHECK(r[0].params == R"({"name":"add","arguments":{"a":1,"b":2}})");
  CHECK(s.c.pending_calls() == 3);
  // Answers out of order.
  s.feed(R"({"jsonrpc":"2.0","id":)" + std::to_string(r[1].id) +
         R"(,"result":{"content":[{"type":"text","text":"a must be a number"},{"type":"text","text":"sorry"}],"isError":true}})");
  s.result(r[0].id, R"({ "content" : [ {"type":"text","text":"3"} ], "structuredContent": {"sum": 3} })");
  s.feed(R"({"jsonrpc":"2.0","id":)" + std::to_string(r[2].id) + R"(,"error":{"code":-32602,"message":"Unknown tool: add"}})");
  s.drain();
  std::vector<const ClientEvent*> done;
  for (auto& e : s.events)
    if (e.kind == ClientEvent::Kind::call_done) done.push_back(&e);
  REQUIRE(done.size() == 3);
  CHECK(done[0]->token == 8);
  CHECK_FALSE(done[0]->ok);
  CHECK(done[0]->text == "tool add failed: a must be a number\nsorry");
  CHECK(done[1]->token == 7);
  CHECK(done[1]->ok);
  CHECK(done[1]->text == R"({"content":[{"type":"text","text":"3"}],"structuredContent":{"sum":3}})");
  CHECK(done[2]->token == 9);
  CHECK(done[2]->text == "tool add: MCP error -32602: Unknown tool: add");
  CHECK(s.c.pending_calls() == 0);
  CHECK(s.c.stats().call_errors == 2);
  // A second answer to the same id is ignored.
  s.result(r[0].id, R"({"content":[]})");
  s.drain();
  CHECK(s.c.stats().unknown_ids == 1);
}

TEST_CASE("mcp_proxy client: bad lines are ignored, wrong ids too, and the session goes on") {
  Script s;
  s.handshake();
  REQUIRE(s.c.call_tool(1, "add", "{}", s.now));
  auto r = s.drain();
  for (const char* bad : {"hello, I am a log line on stdout", "{\"jsonrpc\":", "[1,2,3]", "42", "\"str\"", "null",
                          R"({"jsonrpc":"2.0","id":"1","result":{}})", R"({"jsonrpc":"2.0","id":999,"result":{}})",
                          R"({"jsonrpc":"2.0","id":-5,"result":{}})", R"({"jsonrpc":"2.0","id":1.5,"result":{}})",
                          R"({"jsonrpc":"2.0","result":{}})", "", "   ", "\xff\xfe{}"})
    s.feed(bad);
  s.drain();
  CHECK(s.c.pending_calls() == 1);
  CHECK(s.c.stats().not_json == 7);
  CHECK(s.c.stats().unknown_ids == 5);
  size_t logs = 0;
  for (auto& e : s.events) logs += e.kind == ClientEvent::Kind::log;
  CHECK(logs == 3);  // one per kind: not JSON, not an object, unknown id
  // A result that is not an object, then a malformed answer.
  s.result(r[0].id, R"("text")");
  s.drain();
  auto* ev = s.last(ClientEvent::Kind::call_done);
  REQUIRE(ev);
  CHECK(ev->text == "tool add: malformed answer (no result object)");
  CHECK(s.c.ready());
}

TEST_CASE("mcp_proxy client: an oversize line fails the calls in flight, the session goes on") {
  Script s;
  s.handshake();
  REQUIRE(s.c.call_tool(1, "add", "{}", s.now));
  REQUIRE(s.c.call_tool(2, "add", "{}", s.now));
  auto r = s.drain();
  s.c.on_line(std::string(100, 'x'), true, s.now);
  s.drain();
  size_t failed = 0;
  for (auto& e : s.events)
    if (e.kind == ClientEvent::Kind::call_done) {
      ++failed;
      CHECK(e.text.find("over 4194304 bytes") != std::string::npos);
    }
  CHECK(failed == 2);
  CHECK(s.c.ready());
  REQUIRE(s.c.call_tool(3, "add", "{}", s.now));
  r = s.drain();
  s.result(r[0].id, R"({"content":[]})");
  s.drain();
  CHECK(s.last(ClientEvent::Kind::call_done)->token == 3);
  CHECK(s.last(ClientEvent::Kind::call_done)->ok);
}

TEST_CASE("mcp_proxy client: an oversize line during the handshake fails it") {
  Script s;
  s.c.start(s.now);
  s.drain();
  s.c.on_line("{", true, s.now);
  s.drain();
  REQUIRE(s.last(ClientEvent::Kind::failed));
  CHECK(s.c.closed());
}

TEST_CASE("mcp_proxy client: weird tools are skipped, schemas kept as JSON text") {
  Script s;
  const std::string big_schema = R"({"description":")" + std::string(kMaxSchemaLen, 'd') + R"("})";
  s.handshake(std::string("[") + R"({"name":"ok.tool-1_x","inputSchema":{"type":"object","properties":{"q":{"type":["string","null"],"enum":[1,"a",null,true]}}}},)" +
              R"({"description":"no name"},)" + R"({"name":""},)" + R"({"name":42},)" + R"("just a string",)" +
              R"({"name":")" + std::string(kMaxToolNameLen + 1, 'n') + R"("},)" + R"({"name":"ctl\u0001"},)" +
              R"({"name":"ok.tool-1_x"},)" + R"({"name":"schema-not-object","inputSchema":true,"description":7},)" +
              R"({"name":"big","inputSchema":)" + big_schema + R"(},)" + R"({"name":"sp ace \u00e9"}])");
  auto* ev = s.last(ClientEvent::Kind::ready);
  REQUIRE(ev);
  REQUIRE(ev->tools.size() == 4);
  CHECK(ev->tools[0].name == "ok.tool-1_x");
  CHECK(ev->tools[0].input_schema ==
        R"({"type":"object","properties":{"q":{"type":["string","null"],"enum":[1,"a",null,true]}}})");
  CHECK(ev->tools[1] == Tool{"schema-not-object", "", "true"});
  CHECK(ev->tools[2] == Tool{"big", "", ""});  // schema over kMaxSchemaLen dropped
  CHECK(ev->tools[3].name == "sp ace \xc3\xa9");
  CHECK(s.c.stats().skipped_tools == 7);
}

TEST_CASE("mcp_proxy client: tools missing, tools/list refused, endless and repeated cursors") {
  SUBCASE("no tools member") {
    Script s;
    s.handshake("null");
    CHECK(s.c.tools().empty());
  }
  SUBCASE("tools/list error: ready without tools") {
    Script s;
    s.c.start(s.now);
    auto r = s.drain();
    s.result(r[0].id, R"({"protocolVersion":"2025-11-25"})");
    r = s.drain();
    s.feed(R"({"jsonrpc":"2.0","id":)" + std::to_string(r[1].id) + R"(,"error":{"code":-32601,"message":"no tools"}})");
    s.drain();
    CHECK(s.c.ready());
    CHECK(s.c.tools().empty());
  }
  SUBCASE("a repeated cursor ends the listing") {
    Script s;
    s.c.start(s.now);
    auto r = s.drain();
    s.result(r[0].id, "{}");
    r = s.drain();
    int64_t id = r[1].id;
    for (int i = 0; i < 3; ++i) {
      s.result(id, R"({"tools":[{"name":"t)" + std::to_string(i) + R"("}],"nextCursor":"same"})");
      r = s.drain();
      if (r.empty()) break;
      id = r[0].id;
    }
    REQUIRE(s.c.ready());
    CHECK(s.c.tools().size() == 2);
  }
  SUBCASE("at most kMaxListPages pages") {
    Script s;
    s.c.start(s.now);
    auto r = s.drain();
    s.result(r[0].id, "{}");
    r = s.drain();
    int64_t id = r[1].id;
    size_t pages = 1;
    for (size_t i = 0; i < 1000; ++i) {
      s.result(id, R"({"tools":[{"name":"t)" + std::to_string(i) + R"("}],"nextCursor":"c)" + std::to_string(i) + "\"}");
      r = s.drain();
      if (r.empty()) break;
      id = r[0].id;
      ++pages;
    }
    CHECK(pages == kMaxListPages);
    REQUIRE(s.c.ready());
    CHECK(s.c.tools().size() == kMaxListPages);
  }
}

TEST_CASE("mcp_proxy client: initialize refused, handshake timeout, call timeout, limits") {
  SUBCASE("initialize error") {
    Script s;
    s.c.start(s.now);
    auto r = s.drain();
    s.feed(R"({"jsonrpc":"2.0","id":)" + std::to_string(r[0].id) +
           R"(,"error":{"code":-32602,"message":"Unsupported protocol version"}})");
    s.drain();
    auto* ev = s.last(ClientEvent::Kind::failed);
    REQUIRE(ev);
    CHECK(ev->text == "MCP server refused initialize: MCP error -32602: Unsupported protocol version");
    CHECK_FALSE(s.c.call_tool(1, "add", "{}", s.now));
  }
  SUBCASE("no answer within the handshake timeout") {
    Script s;
    s.c.start(s.now);
    s.drain();
    s.c.on_timeout(kT0 + kHandshakeTimeoutNs - 1);
    s.drain();
    CHECK_FALSE(s.last(ClientEvent::Kind::failed));
    s.c.on_timeout(kT0 + kHandshakeTimeoutNs);
    s.drain();
    REQUIRE(s.last(ClientEvent::Kind::failed));
    CHECK(s.c.next_deadline() == net::kNever);
  }
  SUBCASE("a call without answer times out after 60 s, a late answer is ignored") {
    Script s;
    s.handshake();
    REQUIRE(s.c.call_tool(5, "add", "{}", s.now));
    auto r = s.drain();
    CHECK(s.c.next_deadline() == kT0 + kCallTimeoutNs);
    s.c.on_timeout(kT0 + kCallTimeoutNs);
    s.drain();
    auto* ev = s.last(ClientEvent::Kind::call_done);
    REQUIRE(ev);
    CHECK(ev->token == 5);
    CHECK(ev->text == "tool add did not answer within 60 s");
    s.result(r[0].id, R"({"content":[]})");
    s.drain();
    CHECK(s.c.stats().unknown_ids == 1);
  }
  SUBCASE("pending calls are bounded") {
    Script s;
    s.handshake();
    for (size_t i = 0; i < kMaxPendingCalls; ++i) REQUIRE(s.c.call_tool(i, "add", "{}", s.now));
    auto st = s.c.call_tool(999, "add", "{}", s.now);
    CHECK_FALSE(st);
    CHECK(st.what() == "too many tool calls in flight (64)");
    CHECK_FALSE(s.c.call_tool(1000, "add", "[1]", s.now));
  }
  SUBCASE("not ready before the handshake") {
    Script s;
    CHECK(s.c.call_tool(1, "add", "{}", s.now).what() == "MCP server is not ready");
  }
}

TEST_CASE("mcp_proxy client: the server's end fails the calls in flight") {
  Script s;
  s.handshake();
  REQUIRE(s.c.call_tool(1, "add", "{}", s.now));
  s.drain();
  s.c.on_closed("MCP server exited with status 1");
  s.drain();
  auto* ev = s.last(ClientEvent::Kind::call_done);
  REQUIRE(ev);
  CHECK(ev->text == "MCP server exited with status 1");
  CHECK_FALSE(s.last(ClientEvent::Kind::failed));  // the handshake had finished
  CHECK(s.c.closed());
  CHECK(s.c.take_output().empty());
}

TEST_CASE("mcp_proxy client: server requests and list_changed") {
  Script s;
  s.handshake();
  s.feed(R"({"jsonrpc":"2.0","id":"p1","method":"ping"})");
  s.feed(R"({"jsonrpc":"2.0","id":3,"method":"sampling/createMessage","params":{}})");
  s.feed(R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}})");
  auto out = s.c.take_output();
  REQUIRE(out.size() == 2);
  CHECK(out[0] == R"({"jsonrpc":"2.0","id":"p1","result":{}})");
  CHECK(out[1] == R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found: sampling/createMessage"}})");
  s.feed(R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})");
  s.feed(R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})");  // while listing: once more after
  auto r = s.drain();
  REQUIRE(r.size() == 1);
  CHECK(r[0].method == "tools/list");
  s.result(r[0].id, R"({"tools":[{"name":"add"},{"name":"echo"}]})");
  r = s.drain();
  REQUIRE(s.last(ClientEvent::Kind::ready));
  CHECK(s.last(ClientEvent::Kind::ready)->tools.size() == 2);
  REQUIRE(r.size() == 1);  // the second list_changed
  s.feed(R"({"jsonrpc":"2.0","id":)" + std::to_string(r[0].id) + R"(,"error":{"code":-1,"message":"x"}})");
  s.drain();
  CHECK(s.c.tools().size() == 2);  // a failed re-list keeps the tools
  CHECK(s.c.has_tool("echo"));
}
