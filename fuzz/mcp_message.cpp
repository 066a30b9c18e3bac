// fuzz/mcp_message.cpp — the MCP core's JSON-RPC dispatcher on arbitrary
// messages (the stdio line / HTTP body). Invariants: a request gets exactly
// one answer and anything else none; every answer is valid JSON, an object
// with "jsonrpc":"2.0", an "id", and exactly one of "result" / "error".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/mcp/mcp_server.hpp"

using namespace frontends::mcp;

namespace {
struct FuzzBackend : Backend {
  NodeInfo node_info() override { return {"12D3KooWX", "did:key:z6MkX", {"/ip4/127.0.0.1/tcp/1"}, 0}; }
  std::vector<PeerInfo> connected_peers() override { return {{"12D3KooWA", {"/ip4/10.0.0.1/tcp/4001"}}}; }
  void get_task_status(std::string task_id, ToolDone done) override {
    done(std::string(R"({"status":"completed","task_id":"x"})") + (task_id.empty() ? "" : ""));
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzBackend backend;
  static Server server(backend, "0.0.0");
  static frontends::json::Parser check({.max_len = 1 << 24, .max_depth = 64});
  Session s;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  int answers = 0;
  std::string answer;
  HandleResult hr = server.handle(s, text, [&](std::string j) {
    ++answers;
    answer = std::move(j);
  });
  if (answers != (hr.is_request ? 1 : 0)) abort();
  if (answers == 0) return 0;
  auto doc = check.parse(answer);
  if (!doc) abort();
  simdjson::dom::object o;
  if (doc->get_object().get(o) != simdjson::SUCCESS) abort();
  std::string_view v;
  if (o["jsonrpc"].get_string().get(v) != simdjson::SUCCESS || v != "2.0") abort();
  if (o["id"].error() != simdjson::SUCCESS) abort();
  bool has_result = o["result"].error() == simdjson::SUCCESS, has_error = o["error"].error() == simdjson::SUCCESS;
  if (has_result == has_error) abort();
  return 0;
}
