// fuzz/mcp_proxy_client.cpp — the -mcp-proxy MCP client core fed arbitrary
// server output. The input is split into lines ('\n'); a line starting with
// '#' is a step instead: "#c" starts a tools/call, "#t" jumps past every
// deadline, "#x" ends the session. After the handshake bytes, the client
// answers whatever the input says. Invariants: every line the client writes
// is one valid JSON object without a raw newline; each call gets exactly one
// call_done (and none for unknown tokens); ready lists unique, non-empty
// names of at most kMaxToolNameLen bytes and at most kMaxTools tools;
// pending calls stay within kMaxPendingCalls; nothing is written after the
// end. Seed inputs answer ids 1, 2, 3 as a real server would.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "frontends/mcp_proxy/line_reader.hpp"
#include "frontends/mcp_proxy/mcp_client.hpp"

using namespace frontends::mcp_proxy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static frontends::json::Parser check({.max_len = 1 << 24, .max_depth = 256});
  Client c("0.0.0");
  net::Instant now = 1;
  c.start(now);
  std::map<uint64_t, int> calls;  // token -> call_done count
  uint64_t next_token = 1;
  bool ended = false;
  auto drain = [&] {
    for (auto& line : c.take_output()) {
      if (ended) abort();
      if (line.find('\n') != std::string::npos) abort();
      auto doc = check.parse(line);
      if (!doc || !doc->is_object()) abort();
    }
    for (auto& ev : c.take_events()) {
      if (ev.kind == ClientEvent::Kind::call_done) {
        auto it = calls.find(ev.token);
        if (it == calls.end() || it->second != 0) abort();
        it->second = 1;
      } else if (ev.kind == ClientEvent::Kind::ready) {
        if (ev.tools.size() > kMaxTools) abort();
        std::set<std::string> names;
        for (const auto& t : ev.tools)
          if (t.name.empty() || t.name.size() > kMaxToolNameLen || !names.insert(t.name).second) abort();
      }
    }
    if (c.pending_calls() > kMaxPendingCalls) abort();
  };
  drain();
  LineReader reader(4096);
  auto on_line = [&](std::string_view line, bool oversize) {
    if (!oversize && line.size() >= 2 && line[0] == '#') {
      switch (line[1]) {
        case 'c': {
          const uint64_t tok = next_token++;
          if (c.call_tool(tok, line.size() > 2 ? "t0" : "add", "{\"a\":1}", now)) calls[tok] = 0;
          break;
        }
        case 't': now += kCallTimeoutNs + kHandshakeTimeoutNs; c.on_timeout(now); break;
        case 'x': c.on_closed("gone"); drain(); ended = true; return;
        default: break;
      }
    } else {
      now += 1000;
      c.on_line(line, oversize, now);
    }
    drain();
  };
  reader.feed({reinterpret_cast<const char*>(data), size}, on_line);
  reader.finish(on_line);
  if (c.next_deadline() != net::kNever) {
    c.on_timeout(net::kNever - 1);
    drain();
  }
  c.on_closed("end");
  drain();
  ended = true;
  for (auto& [tok, n] : calls)
    if (n != 1) abort();  // every call answered exactly once (by the server, a timeout or the end)
  return 0;
}
