// Unit tests: frontends/mcp/mcp_server — the MCP core: JSON-RPC errors for
// every kind of bad message, version negotiation, the seven tools list,
// tool results (pretty text + structuredContent), tool errors vs protocol
// errors, asynchronous answers, and the tool-call metric.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frontends/mcp/mcp_server.hpp"
#include "net/metrics.hpp"

using namespace frontends::mcp;

namespace {

struct FakeBackend : Backend {
  ToolDone pending;
  NodeInfo node_info() override {
    return {"12D3KooWX", "did:key:z6MkX", {"/ip4/127.0.0.1/tcp/1", "/ip6/::1/tcp/2"}, 2};
  }
  std::vector<PeerInfo> connected_peers() override { return {{"12D3KooWA", {"/ip4/10.0.0.1/tcp/4001"}}}; }
  void get_task_status(std::string task_id, ToolDone done) override {
    if (task_id == "later") {
      pending = std::move(done);
      return;
    }
    done(std::string(R"({"status":"completed","task_id":")") + task_id + "\"}");
  }
};

struct Harness {
  FakeBackend b;
  Server srv{b, "9.9.9"};
  Session s;
  std::vector<std::string> out;
  HandleResult last;
  std::string one(std::string_view msg) {
    out.clear();
    last = srv.handle(s, msg, [this](std::string j) { out.push_back(std::move(j)); });
    if (out.size() != 1) return "<" + std::to_string(out.size()) + " messages>";
    return out[0];
  }
};

}  // namespace

TEST_CASE("mcp: bad messages get the JSON-RPC error codes") {
  Harness h;
  CHECK(h.one("{").rfind(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: json: )", 0) == 0);
  CHECK(h.one("[]") == R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: batches are not supported"}})");
  CHECK(h.one("7") == R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: not an object"}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})") ==
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: id must be a string or an integer"}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":null,"method":"ping"})").find("-32600") != std::string::npos);
  CHECK(h.one(R"({"id":1,"method":"ping"})") ==
        R"({"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":"a","method":7})") ==
        R"({"jsonrpc":"2.0","id":"a","error":{"code":-32600,"message":"Invalid Request: method must be a string"}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":2,"method":"ping","params":[]})") ==
        R"({"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"Invalid params: params must be an object"}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":3,"method":"resources/list"})") ==
        R"({"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found: resources/list"}})");
  // Notifications and client responses get nothing.
  CHECK(h.one(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})") == "<0 messages>");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":5,"result":{}})") == "<0 messages>");
  // 10 000-deep nesting: refused by the depth limit, not the stack.
  CHECK(h.one(std::string(10000, '[')).find("-32700") != std::string::npos);
}

TEST_CASE("mcp: initialize negotiates the version; initialized; ping") {
  Harness h;
  CHECK(h.one(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}})") ==
        R"({"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"agentanycast","version":"9.9.9"}}})");
  CHECK(h.last.is_initialize);
  CHECK(h.s.protocol_version == "2025-06-18");
  CHECK(h.s.client_name == "c");
  CHECK_FALSE(h.s.initialized);
  CHECK(h.one(R"({"jsonrpc":"2.0","method":"notifications/initialized"})") == "<0 messages>");
  CHECK(h.s.initialized);
  CHECK(h.one(R"({"jsonrpc":"2.0","id":"p","method":"ping"})") == R"({"jsonrpc":"2.0","id":"p","result":{}})");
  // An unknown revision: we answer with our latest.
  Harness g;
  CHECK(g.one(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2099-01-01"}})")
            .find(R"("protocolVersion":"2025-11-25")") != std::string::npos);
  CHECK(g.one(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})") ==
        R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Invalid params: protocolVersion is required"}})");
  CHECK(supported_version("2024-11-05"));
  CHECK_FALSE(supported_version("2026-07-28"));  // the stateless revision is not served yet
}

TEST_CASE("mcp: tools/list has the original's seven tools") {
  Harness h;
  std::string r = h.one(R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  CHECK(r == R"({"jsonrpc":"2.0","id":1,"result":{"tools":)" + Server::tools_json() + "}}");
  frontends::json::Parser p;
  auto doc = p.parse(Server::tools_json());
  REQUIRE(doc);
  std::vector<std::string> names;
  for (auto t : doc->get_array()) names.emplace_back(std::string_view(t["name"].get_string().value()));
  CHECK(names == std::vector<std::string>{"get_node_info", "list_connected_peers", "get_agent_card", "discover_agents",
                                          "send_task", "send_task_by_skill", "get_task_status"});
}

TEST_CASE("mcp: tool results as pretty text and structuredContent; tool errors; protocol errors") {
  Harness h;
  auto& calls = net::metrics::agent_metrics().mcp_tool_calls;
  double ok0 = calls.with({"get_node_info", "ok"}).value();
  double err0 = calls.with({"send_task", "error"}).value();
  CHECK(h.one(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_node_info","arguments":{}}})") ==
        R"({"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"{\n  \"connected_peers\": 2,\n  \"did_key\": \"did:key:z6MkX\",\n  \"listen_addresses\": [\n    \"/ip4/127.0.0.1/tcp/1\",\n    \"/ip6/::1/tcp/2\"\n  ],\n  \"peer_id\": \"12D3KooWX\"\n}"}],"structuredContent":{"connected_peers":2,"did_key":"did:key:z6MkX","listen_addresses":["/ip4/127.0.0.1/tcp/1","/ip6/::1/tcp/2"],"peer_id":"12D3KooWX"},"isError":false}})");
  CHECK(calls.with({"get_node_info", "ok"}).value() == ok0 + 1);
  CHECK(h.one(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list_connected_peers"}})")
            .find(R"("structuredContent":{"count":1,"peers":[{"addresses":["/ip4/10.0.0.1/tcp/4001"],"peer_id":"12D3KooWA"}]})") !=
        std::string::npos);
  // Missing arguments: a tool error with the original's text.
  CHECK(h.one(R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"send_task","arguments":{"target":"x","message":7}}})") ==
        R"({"jsonrpc":"2.0","id":6,"result":{"content":[{"type":"text","text":"'message' parameter is required"}],"isError":true}})");
  CHECK(calls.with({"send_task", "error"}).value() == err0 + 1);
  // The engine is not there: the Backend default answers a tool error.
  CHECK(h.one(R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"discover_agents","arguments":{"skill":"x"}}})")
            .find(R"("isError":true)") != std::string::npos);
  // Protocol errors.
  CHECK(h.one(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"rm_rf"}})") ==
        R"({"jsonrpc":"2.0","id":8,"error":{"code":-32602,"message":"Unknown tool: rm_rf"}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"send_task","arguments":[1]}})") ==
        R"({"jsonrpc":"2.0","id":9,"error":{"code":-32602,"message":"Invalid params: arguments must be an object"}})");
  CHECK(h.one(R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{}})") ==
        R"({"jsonrpc":"2.0","id":10,"error":{"code":-32602,"message":"Invalid params: name is required"}})");
  CHECK(calls.with({"rm_rf", "error"}).value() == 0);  // unknown names are not counted
}

TEST_CASE("mcp: an asynchronous tool answers later with its request id") {
  Harness h;
  CHECK(h.one(R"({"jsonrpc":"2.0","id":"q","method":"tools/call","params":{"name":"get_task_status","arguments":{"task_id":"later"}}})") ==
        "<0 messages>");
  CHECK(h.last.is_request);
  REQUIRE(h.b.pending);
  h.b.pending(std::string(R"({"status":"working","task_id":"later"})"));
  REQUIRE(h.out.size() == 1);
  CHECK(h.out[0].rfind(R"({"jsonrpc":"2.0","id":"q","result":{"content":[{"type":"text","text":"{\n  \"status\": \"working\")", 0) == 0);
}
