// frontends/a2a_client/agent_url.hpp — the URL of an external A2A agent
// (SendTask{url}): http:// or https://, a host name, an IPv4 address or a
// bracketed IPv6 address, an optional port, a path and query. No user
// info, no fragment (both refused: a client sends neither).
//
//   auto u = parse_agent_url("https://agent.example:8443/a2a?x=1");
//   u->tls == true, u->host == "agent.example", u->port == 8443,
//   u->target == "/a2a?x=1", u->host_header == "agent.example:8443"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace frontends::a2a_client {

struct AgentUrl {
  enum class HostKind : uint8_t { name, ipv4, ipv6 };
  bool tls = false;
  std::string host;         // lower-case name, or the address without brackets
  HostKind kind = HostKind::name;
  uint16_t port = 0;        // 80 / 443 when absent
  std::string target;       // request-target: "/" when the path is empty
  std::string host_header;  // Host: as given (brackets kept), port only when not the default
  std::string text;         // the URL as given
};

// Errors: Err::invalid "url: <why>" ("must start with http:// or https://",
// "missing host", "invalid port \"99999\"", "user info is not supported",
// "of 3000 bytes exceeds 2048", "invalid character in host", ...).
net::Result<AgentUrl> parse_agent_url(std::string_view text);

}  // namespace frontends::a2a_client
