// Unit tests: frontends/anp/anp_rpc — ad.json and interface.json from a
// card (JSON-LD context, did, OpenRPC methods with parsed or default
// schemas), rpc calls to skills (input extraction), and the errors.
#include <doctest/doctest.h>

#include "frontends/anp/anp_rpc.hpp"

using namespace frontends::anp;

namespace {
a2a::AgentCard card() {
  a2a::AgentCard c;
  c.name = "n";
  c.version = "2";
  c.skills.push_back({"echo", "say it back", R"({"type":"object","properties":{"q":{"type":"string"}}})", ""});
  c.skills.push_back({"sum", "", "not json", ""});
  return c;
}
constexpr const char* kSelf = "12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X";
}  // namespace

TEST_CASE("anp: ad.json and interface.json") {
  std::string ad = ad_json(card(), "http://h:1", "did:key:z6Mk");
  CHECK(ad.find(R"("@type":"ad:AgentDescription","@id":"http://h:1/agent/ad.json","name":"n","did":"did:key:z6Mk")") != std::string::npos);
  CHECK(ad.find(R"("ad":"https://agent-network-protocol.com/ad#")") != std::string::npos);
  CHECK(ad.find(R"("url":"http://h:1/agent/interface.json")") != std::string::npos);
  std::string oi = interface_json(card(), "http://h:1");
  CHECK(oi.find(R"({"openrpc":"1.3.2","info":{"title":"n","version":"2"})") != std::string::npos);
  CHECK(oi.find(R"({"name":"echo","description":"say it back","params":[{"name":"input","schema":{"type":"object","properties":{"q":{"type":"string"}}},"required":true}],"result":{"name":"result","schema":{}}})") != std::string::npos);
  CHECK(oi.find(R"({"name":"sum","params":[{"name":"input","schema":{"type":"string"},"required":true}])") != std::string::npos);
}

TEST_CASE("anp: rpc calls and errors") {
  Rpc rpc([] { return std::string("new"); });
  a2a::AgentCard c = card();
  AnpCall k = rpc.parse(R"({"jsonrpc":"2.0","id":7,"method":"echo","params":{"input":"hi"}})", &c, kSelf);
  REQUIRE_FALSE(k.respond);
  CHECK(k.id_json == "7");
  CHECK(k.send.peer_id == kSelf);
  CHECK(k.send.target_skill_id == "echo");
  CHECK(k.send.message.parts[0].text_part.text == "hi");
  k = rpc.parse(R"({"jsonrpc":"2.0","id":7,"method":"echo","params":{"input":{"q":1}}})", &c, kSelf);
  CHECK(k.send.message.parts[0].text_part.text == R"({"q":1})");
  k = rpc.parse(R"({"jsonrpc":"2.0","id":7,"method":"sum","params":[1,2]})", &c, kSelf);
  CHECK(k.send.message.parts[0].text_part.text == "[1,2]");
  auto code = [&](std::string_view body, const a2a::AgentCard* cd) {
    AnpCall e = rpc.parse(body, cd, kSelf);
    REQUIRE(e.respond);
    size_t at = e.response.find("\"code\":");
    return std::stoi(e.response.substr(at + 7));
  };
  CHECK(code("{", &c) == -32700);
  CHECK(code("[]", &c) == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","method":"echo"})", &c) == -32600);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"echo2"})", &c) == -32601);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"echo"})", nullptr) == -32601);
  CHECK(code(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":"x"})", &c) == -32602);
  a2a::Task t;
  t.task_id = "t";
  t.status = a2a::v1::TaskStatus::TASK_STATUS_COMPLETED;
  auto& a = t.artifacts.emplace_back();
  a.artifact_id = "a";
  auto& p = a.parts.emplace_back();
  p.content_case = a2a::v1::Part::ContentCase::text_part;
  p.text_part.text = "out";
  CHECK(task_result("\"r\"", t) ==
        R"({"jsonrpc":"2.0","id":"r","result":{"id":"t","status":"completed","messages":[],"artifacts":[{"artifact_id":"a","name":"","parts":[{"type":"text","text":"out"}]}],"result":"out"}})");
}
