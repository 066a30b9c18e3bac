// Unit tests: frontends/bridge (bridge_rpc, a2a_json, bridge_card) — the
// HTTP bridge's JSON-RPC core without I/O: every kind of bad request gets
// the right JSON-RPC error; the three dialects' requests become engine
// calls (target peer, context id, blocking, history length, parts of every
// kind); tasks and stream events are written in each dialect's shape; the
// card serves 1.0 and 0.3 clients.
#include <doctest/doctest.h>

#include <string>

#include "frontends/bridge/bridge_card.hpp"
#include "frontends/bridge/bridge_rpc.hpp"
#include "frontends/json/json_parse.hpp"

using namespace frontends::bridge;
namespace json = frontends::json;
using S = a2a::v1::TaskStatus;

namespace {

constexpr const char* kPeer = "12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X";

Call parse(std::string_view body, const std::string* version = nullptr) {
  static Dispatcher d([] { return std::string("ctx-new"); });
  RpcContext ctx;
  ctx.target_peer = kPeer;
  ctx.version = version;
  return d.parse(body, ctx);
}

int error_code(const std::string& response) {
  json::Parser p;
  auto doc = p.parse(response);
  REQUIRE(doc);
  int64_t code = 0;
  if ((*doc)["error"]["code"].get_int64().get(code) != simdjson::SUCCESS) return 0;
  return static_cast<int>(code);
}

int code_of(std::string_view body, const std::string* version = nullptr) {
  Call c = parse(body, version);
  if (c.op != Op::respond) return 0;
  return error_code(c.response);
}

a2a::Task sample_task() {
  a2a::Task t;
  t.task_id = "t-1";
  t.context_id = "c-1";
  t.status = S::TASK_STATUS_COMPLETED;
  a2a::Message m;
  m.message_id = "m-1";
  m.role = a2a::v1::MessageRole::MESSAGE_ROLE_USER;
  auto& p = m.parts.emplace_back();
  p.content_case = a2a::v1::Part::ContentCase::text_part;
  p.text_part.text = "hi";
  t.messages.push_back(m);
  m.message_id = "m-2";
  m.role = a2a::v1::MessageRole::MESSAGE_ROLE_AGENT;
  m.parts[0].text_part.text = "done";
  t.messages.push_back(m);
  a2a::Artifact a;
  a.artifact_id = "a-1";
  a.name = "echo";
  a.parts = m.parts;
  t.artifacts.push_back(a);
  t.updated_at = pb::google::protobuf::Timestamp{1767323045, 500000000};
  return t;
}

}  // namespace

TEST_CASE("bridge rpc: bad input gets the JSON-RPC error it deserves") {
  CHECK(code_of("{\"jsonrpc\":\"2.0\",") == kParseError);
  CHECK(code_of("") == kParseError);
  CHECK(code_of(std::string(100, '[') + std::string(100, ']')) == kParseError);  // deeper than 64
  CHECK(code_of("[1]") == kInvalidRequest);
  CHECK(code_of("42") == kInvalidRequest);
  CHECK(code_of(R"({"jsonrpc":"2.0","method":"tasks/get","params":{"id":"x"}})") == kInvalidRequest);  // no id
  CHECK(code_of(R"({"jsonrpc":"2.0","id":{},"method":"tasks/get","params":{"id":"x"}})") == kInvalidRequest);
  CHECK(code_of(R"({"jsonrpc":"1.0","id":1,"method":"tasks/get","params":{"id":"x"}})") == kInvalidRequest);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":7})") == kInvalidRequest);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"nope","params":{}})") == kMethodNotFound);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"tasks/get"})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"tasks/get","params":[]})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"x","historyLength":-1}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"role":"ROLE_USER","parts":[{"text":"x"}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"user","parts":[{"text":"x"}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"foo":1}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"raw":"!!"}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"data":[1]}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"message/send","params":{"message":{"messageId":"m","role":"user","parts":[{"kind":"video"}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"tasks/send","params":{"message":{"role":"user","parts":[{"type":"text"}]}}})") == kInvalidParams);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"tasks/pushNotificationConfig/set","params":{}})") == kPushNotSupported);
  CHECK(code_of(R"({"jsonrpc":"2.0","id":1,"method":"GetExtendedAgentCard","params":{}})") == kExtendedCardNotConfigured);
  std::string v2 = "2.0", v1 = "1.0", v03 = "0.3.0", empty;
  const char* get = R"({"jsonrpc":"2.0","id":1,"method":"GetTask","params":{"id":"x"}})";
  CHECK(code_of(get, &v2) == kVersionNotSupported);
  CHECK(code_of(get, &v1) == 0);
  CHECK(code_of(get, &v03) == 0);
  CHECK(code_of(get, &empty) == 0);
  // the id comes back as sent, also in errors
  Call c = parse(R"({"jsonrpc":"2.0","id":"req-9","method":"nope"})");
  CHECK(c.response.find(R"("id":"req-9")") != std::string::npos);
  CHECK(c.response.find("method not found: nope") != std::string::npos);
}

TEST_CASE("bridge rpc: requests of the three dialects become engine calls") {
  Call c = parse(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","contextId":"c9","parts":[{"text":"hi"},{"url":"https://x/y","filename":"y"},{"raw":"AAEC"},{"data":{"a":[1,true,null]}}]},"configuration":{"returnImmediately":true,"historyLength":2},"metadata":{"traceparent":"tp","n":1}}})");
  REQUIRE(c.op == Op::send);
  CHECK(c.dialect == Dialect::v1);
  CHECK(c.send.peer_id == kPeer);
  CHECK(c.send.context_id == "c9");
  CHECK_FALSE(c.blocking);
  CHECK(c.history_length == 2);
  CHECK(c.send.metadata.at("traceparent") == "tp");
  CHECK(c.send.metadata.count("n") == 0);
  REQUIRE(c.send.message.parts.size() == 4);
  CHECK(c.send.message.parts[0].text_part.text == "hi");
  CHECK(c.send.message.parts[1].url_part.filename == "y");
  CHECK(c.send.message.parts[2].raw_part.data == net::Bytes{0, 1, 2});
  CHECK(c.send.message.parts[3].data_part.data->fields.at("a").list_value.values.size() == 3);

  c = parse(R"({"jsonrpc":"2.0","id":2,"method":"message/stream","params":{"message":{"kind":"message","messageId":"m","role":"user","parts":[{"kind":"text","text":"x"},{"kind":"file","file":{"bytes":"aGk=","name":"h.txt","mimeType":"text/plain"}}]}}})");
  REQUIRE(c.op == Op::stream);
  CHECK(c.dialect == Dialect::v03);
  CHECK(c.send.context_id == "ctx-new");  // none in the message: a new one
  CHECK(c.send.message.parts[1].raw_part.filename == "h.txt");
  CHECK(c.send.message.parts[1].media_type == "text/plain");

  c = parse(R"({"jsonrpc":"2.0","id":3,"method":"message/send","params":{"message":{"messageId":"m","role":"user","taskId":"t-old","parts":[{"kind":"text","text":"x"}]},"configuration":{"blocking":true}}})");
  CHECK(c.op == Op::send);
  CHECK(c.blocking);
  CHECK(c.continue_task == "t-old");

  c = parse(R"({"jsonrpc":"2.0","id":4,"method":"tasks/send","params":{"id":"ignored","message":{"role":"user","parts":[{"type":"text","text":"x"}]},"target_skill_id":"echo"}})");
  CHECK(c.op == Op::send);
  CHECK(c.dialect == Dialect::legacy);
  CHECK_FALSE(c.blocking);  // the original answered at once
  CHECK(c.send.target_skill_id == "echo");

  c = parse(R"({"jsonrpc":"2.0","id":5,"method":"tasks/resubscribe","params":{"id":"t-1"}})");
  CHECK(c.op == Op::subscribe);
  CHECK(c.task_id == "t-1");
  c = parse(R"({"jsonrpc":"2.0","id":null,"method":"CancelTask","params":{"id":"t-1"}})");
  CHECK(c.op == Op::cancel);
  CHECK(c.id_json == "null");
}

TEST_CASE("bridge rpc: answers and events in each dialect") {
  a2a::Task t = sample_task();
  Call c = parse(R"({"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m","role":"ROLE_USER","parts":[{"text":"x"}]}}})");
  std::string r = task_response(c, t);
  CHECK(r.find(R"("result":{"task":{"id":"t-1","contextId":"c-1","status":{"state":"TASK_STATE_COMPLETED","message":{"messageId":"m-2","contextId":"c-1","taskId":"t-1","role":"ROLE_AGENT","parts":[{"text":"done"}]},"timestamp":"2026-01-02T03:04:05.5Z"})") != std::string::npos);
  CHECK(r.find(R"("artifacts":[{"artifactId":"a-1","name":"echo","parts":[{"text":"done"}]}])") != std::string::npos);
  CHECK(stream_status(c, "t-1", "c-1", S::TASK_STATUS_WORKING, nullptr, 0).find(R"("result":{"statusUpdate":{"taskId":"t-1","contextId":"c-1","status":{"state":"TASK_STATE_WORKING","timestamp":"1970-01-01T00:00:00Z"}}})") != std::string::npos);
  CHECK(stream_artifact(c, "t-1", "c-1", t.artifacts[0], true, false).find(R"("artifactUpdate":{"taskId":"t-1","contextId":"c-1","artifact":{"artifactId":"a-1","name":"echo","parts":[{"text":"done"}]},"append":true,"lastChunk":false})") != std::string::npos);

  c = parse(R"({"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"t-1","historyLength":1}})");
  r = task_response(c, t);
  CHECK(r.find(R"("result":{"kind":"task","id":"t-1")") != std::string::npos);
  CHECK(r.find(R"("state":"completed")") != std::string::npos);
  CHECK(r.find(R"("history":[{"kind":"message","messageId":"m-2")") != std::string::npos);  // the last one only
  CHECK(r.find(R"({"kind":"text","text":"done"})") != std::string::npos);
  CHECK(stream_status(c, "t-1", "c-1", S::TASK_STATUS_INPUT_REQUIRED, nullptr, 0).find(R"("state":"input-required","timestamp":"1970-01-01T00:00:00Z"},"final":true})") != std::string::npos);

  c = parse(R"({"jsonrpc":"2.0","id":1,"method":"tasks/send","params":{"message":{"role":"user","parts":[{"type":"text","text":"x"}]}}})");
  r = task_response(c, t);
  CHECK(r.find(R"("result":{"id":"t-1","status":"completed","messages":[{"role":"user","parts":[{"type":"text","text":"hi"}]})") != std::string::npos);
  CHECK(r.find(R"("artifacts":[{"artifact_id":"a-1","name":"echo","parts":[{"type":"text","text":"done"}]}])") != std::string::npos);

  // engine errors
  c = parse(R"({"jsonrpc":"2.0","id":1,"method":"CancelTask","params":{"id":"t-1"}})");
  CHECK(error_code(api_error_response(c, {a2a::ApiCode::not_found, "task not found: t-1"})) == kTaskNotFound);
  CHECK(error_code(api_error_response(c, {a2a::ApiCode::failed_precondition, "terminal"})) == kTaskNotCancelable);
  c = parse(R"({"jsonrpc":"2.0","id":1,"method":"tasks/send","params":{"message":{"role":"user","parts":[{"type":"text","text":"x"}]}}})");
  CHECK(error_code(api_error_response(c, {a2a::ApiCode::internal, "disk"})) == kLegacyEngineError);
  CHECK(sse_event("{}") == "data: {}\n\n");
}

TEST_CASE("bridge card: A2A JSON for 1.0 and 0.3 clients, the original's legacy shape") {
  a2a::AgentCard card;
  card.name = "echo agent";
  card.description = "d";
  card.version = "1.2.3";
  card.protocol_version = "a2a/0.3";
  card.skills.push_back({"echo", "echo back", "{\"type\":\"object\"}", ""});
  card.p2p_extension.emplace().peer_id = kPeer;
  std::string j = a2a_card_json(card, "http://127.0.0.1:8080");
  json::Parser p;
  auto doc = p.parse(j);
  REQUIRE(doc);
  std::string_view s;
  CHECK(((*doc)["supportedInterfaces"].at(0)["protocolVersion"].get_string().get(s) == simdjson::SUCCESS && s == "1.0"));
  CHECK(((*doc)["supportedInterfaces"].at(0)["protocolBinding"].get_string().get(s) == simdjson::SUCCESS && s == "JSONRPC"));
  CHECK(((*doc)["url"].get_string().get(s) == simdjson::SUCCESS && s == "http://127.0.0.1:8080"));
  CHECK(((*doc)["skills"].at(0)["name"].get_string().get(s) == simdjson::SUCCESS && s == "echo"));
  bool streaming = false;
  CHECK(((*doc)["capabilities"]["streaming"].get_bool().get(streaming) == simdjson::SUCCESS && streaming));
  CHECK(((*doc)["capabilities"]["extensions"].at(0)["params"]["peerId"].get_string().get(s) == simdjson::SUCCESS && s == kPeer));
  CHECK(legacy_card_json(card, "http://localhost:8080") ==
        R"({"name":"echo agent","description":"d","version":"1.2.3","protocol_version":"a2a/0.3","skills":[{"id":"echo","description":"echo back","input_schema":"{\"type\":\"object\"}"}],"url":"http://localhost:8080"})");
}
