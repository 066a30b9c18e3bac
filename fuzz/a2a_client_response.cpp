// fuzz/a2a_client_response.cpp — the outbound A2A client's response path
// (frontends/a2a_client: llhttp response parser + JSON-RPC mapping) on
// arbitrary bytes from an "agent". Input byte 0: bit 0 picks the protocol
// (message/send 0.3 or the original's tasks/send), the rest a split point;
// the remainder is the response, fed in two pieces and then EOF.
// Invariants: one outcome at most, and after it no other; an outcome is a
// JSON-RPC error or a task with a known state and a non-empty id (unless a
// direct message answer), every part of its artifacts and message
// re-encodes as protobuf; the same bytes fed whole give the same outcome
// (but for bytes after the response, see below).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/a2a_client/client_call.hpp"

using namespace frontends::a2a_client;

namespace {

const AgentUrl& the_url() {
  static AgentUrl u = parse_agent_url("http://127.0.0.1:8080/").take();
  return u;
}

frontends::json::Parser& parser() {
  static frontends::json::Parser p({.max_len = kMaxResponseLen});
  return p;
}

// A summary to compare the split and whole runs.
std::string summary(const net::Result<RpcOutcome>& r) {
  if (!r) return "E" + r.what();
  if (r->error) return "R" + std::to_string(r->error->code) + r->error->message;
  if (!r->task) abort();
  const RemoteTask& t = *r->task;
  if (!t.direct_message && t.id.empty()) abort();
  std::string s = "T" + t.id + "/" + std::to_string(static_cast<int>(t.status)) + "/" +
                  std::to_string(t.artifacts.size());
  for (const auto& a : t.artifacts) s += std::to_string(a.encode().size()) + ",";
  if (t.message) s += "m" + std::to_string(t.message->encode().size());
  return s;
}

std::string run(Protocol p, std::string_view resp, size_t cut) {
  ResponseLimits lim{.max_head_len = 4096, .max_headers = 32, .max_body_len = 1 << 20};
  ClientCall c(the_url(), p, "{}", lim);
  auto bv = [](std::string_view s) { return net::BytesView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  std::string out;
  if (auto r = c.feed(bv(resp.substr(0, cut)), parser())) {
    out = summary(*r);
  } else if (auto r2 = c.feed(bv(resp.substr(cut)), parser())) {
    out = summary(*r2);
  } else {
    out = summary(c.eof(parser()));
  }
  if (!c.finished()) abort();
  if (c.feed(bv("x"), parser()) == std::nullopt) abort();  // finished stays finished
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Protocol p = (data[0] & 1) ? Protocol::legacy : Protocol::current;
  std::string_view resp(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t cut = resp.empty() ? 0 : (data[0] >> 1) % (resp.size() + 1);
  const std::string split = run(p, resp, cut);
  const std::string whole = run(p, resp, resp.size());
  // Same bytes, same outcome — except bytes after a complete response: fed
  // whole they are an error, while a split that ends with the response
  // gives the outcome first (the driver then drops the connection). Two
  // refusals may name different reasons: a head over the limit that is
  // also malformed is "Expected HTTP/" when the parser sees the bad byte
  // first, "response head exceeds" when the limit check does.
  if (whole.find("unexpected bytes after the response") != std::string::npos) return 0;
  if (split[0] == 'E' && whole[0] == 'E') return 0;
  if (split != whole) abort();
  return 0;
}
