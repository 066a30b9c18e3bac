// frontends/a2a_client/agent_url.cpp — see agent_url.hpp.
#include "frontends/a2a_client/agent_url.hpp"

#include <arpa/inet.h>

#include <cctype>

#include "frontends/a2a_client/a2a_client_limits.hpp"

namespace frontends::a2a_client {

namespace {

net::Error bad(std::string why) { return {net::Err::invalid, "url: " + std::move(why)}; }

bool is_ipv4(const std::string& h) {
  in_addr a{};
  return inet_pton(AF_INET, h.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& h) {
  in6_addr a{};
  return inet_pton(AF_INET6, h.c_str(), &a) == 1;
}

// RFC 3986 reg-name as DNS uses it: letters, digits, '-', '.', '_'.
bool valid_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

}  // namespace

net::Result<AgentUrl> parse_agent_url(std::string_view text) {
  if (text.size() > kMaxUrlLen)
    return bad("of " + std::to_string(text.size()) + " bytes exceeds " + std::to_string(kMaxUrlLen));
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return bad("contains a space, a control or a non-ASCII character");
  AgentUrl u;
  u.text = std::string(text);
  std::string_view rest;
  auto starts = [&](std::string_view p) {
    if (text.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(text[i])) != p[i]) return false;
    return true;
  };
  if (starts("https://")) {
    u.tls = true;
    rest = text.substr(8);
  } else if (starts("http://")) {
    rest = text.substr(7);
  } else {
    return bad("must start with http:// or https://");
  }
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) return bad("a fragment is not supported");
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
  if (authority.empty()) return bad("missing host");
  u.host_header = std::string(authority);
  std::string_view host, port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated [ in host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected characters after ]");
      port = after.substr(1);
    }
    u.host = std::string(host);
    if (!is_ipv6(u.host)) return bad("\"" + u.host + "\" is not an IPv6 address");
    u.kind = AgentUrl::HostKind::ipv6;
  } else {
    size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (host.empty()) return bad("missing host");
    u.host.reserve(host.size());
    for (char c : host) u.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (is_ipv4(u.host)) u.kind = AgentUrl::HostKind::ipv4;
    else if (!valid_name(u.host)) return bad("invalid character in host \"" + u.host + "\"");
  }
  u.port = u.tls ? 443 : 80;
  if (!port.empty()) {
    uint32_t p = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || p > 65535) return bad("invalid port \"" + std::string(port) + "\"");
      p = p * 10 + static_cast<uint32_t>(c - '0');
    }
    if (p == 0 || p > 65535) return bad("invalid port \"" + std::string(port) + "\"");
    u.port = static_cast<uint16_t>(p);
  }
  if (target.empty()) u.target = "/";
  else if (target.front() == '?') u.target = "/" + std::string(target);
  else u.target = std::string(target);
  return u;
}

}  // namespace frontends::a2a_client
