// fuzz/agent_url.cpp — the URL of SendTask{url} (frontends/a2a_client/
// agent_url), which a gRPC client supplies and which becomes our request
// line and Host header. Invariants for an accepted URL: no byte that could
// break the request head (CR, LF, space, control) in the target or the
// Host header; a port; a target starting with '/'; and the URL rebuilt from
// its parts parses to the same parts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/a2a_client/agent_url.hpp"

using frontends::a2a_client::AgentUrl;
using frontends::a2a_client::parse_agent_url;

namespace {

bool head_safe(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto u = parse_agent_url(text);
  if (!u) {
    if (u.what().rfind("url: ", 0) != 0) abort();
    return 0;
  }
  if (u->port == 0 || u->host.empty() || u->target.empty() || u->target[0] != '/') abort();
  if (!head_safe(u->target) || !head_safe(u->host_header)) abort();
  const std::string again = std::string(u->tls ? "https://" : "http://") + u->host_header + u->target;
  auto v = parse_agent_url(again);
  if (!v) abort();
  if (v->tls != u->tls || v->host != u->host || v->kind != u->kind || v->port != u->port ||
      v->target != u->target || v->host_header != u->host_header)
    abort();
  return 0;
}
