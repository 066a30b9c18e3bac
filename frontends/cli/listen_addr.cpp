// frontends/cli/listen_addr.cpp — see listen_addr.hpp.
#include "frontends/cli/listen_addr.hpp"

namespace frontends::cli {
namespace {

net::Error bad(std::string what) { return {net::Err::invalid, std::move(what)}; }

}  // namespace

net::Result<HostPort> parse_host_port(std::string_view s) {
  HostPort hp;
  std::string_view port;
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return bad("missing ']' in address");
    hp.host = std::string(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (rest.empty() || rest[0] != ':') return bad("missing port in address");
    port = rest.substr(1);
    if (hp.host.find('[') != std::string::npos || port.find_first_of("[]") != std::string_view::npos)
      return bad("unexpected '[' or ']' in address");
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port in address");
    hp.host = std::string(s.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) return bad("too many colons in address");
    if (hp.host.find_first_of("[]") != std::string::npos) return bad("unexpected '[' or ']' in address");
    port = s.substr(colon + 1);
  }
  if (port.empty()) return bad("missing port in address");
  if (port.size() > 5) return bad("port " + std::string(port) + " out of range");
  uint32_t p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad("port " + std::string(port) + " is not a number");
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return bad("port " + std::string(port) + " out of range");
  hp.port = static_cast<uint16_t>(p);
  return hp;
}

net::Result<GrpcListen> parse_grpc_listen(std::string_view s) {
  GrpcListen g;
  constexpr std::string_view kUnix = "unix://", kTcp = "tcp://";
  if (s.substr(0, kTcp.size()) == kTcp) {
    auto hp = parse_host_port(s.substr(kTcp.size()));
    if (!hp) return hp.take_error();
    g.kind = GrpcListen::Kind::tcp;
    g.tcp = hp.take();
    return g;
  }
  std::string_view path = s;
  if (s.substr(0, kUnix.size()) == kUnix) {
    path = s.substr(kUnix.size());
  } else if (size_t sep = s.find("://"); sep != std::string_view::npos) {
    return bad("unknown scheme \"" + std::string(s.substr(0, sep)) + "://\"");
  }
  if (path.empty()) return bad("empty socket path");
  g.kind = GrpcListen::Kind::unix_socket;
  g.path = std::string(path);
  return g;
}

}  // namespace frontends::cli
