// fuzz/anp_rpc.cpp — the ANP bridge's JSON-RPC parser (frontends/anp/anp_rpc)
// on arbitrary bodies against a card with two skills. Invariants: an error
// answer is valid JSON-RPC; an accepted call targets our peer with a known
// skill and one text part, and the task answer built from it is valid JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/anp/anp_rpc.hpp"

using namespace frontends::anp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Rpc rpc([] { return std::string("id-fuzz"); });
  static frontends::json::Parser check({.max_len = 1 << 24, .max_depth = 200});
  static const a2a::AgentCard card = [] {
    a2a::AgentCard c;
    c.name = "fuzz";
    c.skills.push_back({"echo", "d", "{\"type\":\"object\"}", ""});
    c.skills.push_back({"sum", "", "not json", "{}"});
    return c;
  }();
  static const std::string self = "12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X";
  AnpCall c = rpc.parse(std::string_view(reinterpret_cast<const char*>(data), size), &card, self);
  std::string out;
  if (c.respond) {
    out = c.response;
  } else {
    if (c.send.peer_id != self || c.send.message.parts.size() != 1) abort();
    if (c.send.target_skill_id != "echo" && c.send.target_skill_id != "sum") abort();
    a2a::Task t;
    t.task_id = "t";
    t.messages.push_back(c.send.message);
    t.artifacts.push_back({"a", "n", c.send.message.parts});
    out = task_result(c.id_json, t);
  }
  auto doc = check.parse(out);
  if (!doc || !doc->is_object()) abort();
  if (!check.parse(interface_json(card, "http://x")) || !check.parse(ad_json(card, "http://x", "did:key:z"))) abort();
  return 0;
}
