// frontends/cli/listen_addr.hpp — the two non-multiaddr address forms of the
// configuration: Go-style "host:port" (HTTP listeners, registry addresses)
// and the gRPC endpoint (upstream.md §2.1, node:pkg/grpcserver/server.go:
// "unix://path", "tcp://host:port", anything else is a unix socket path).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace frontends::cli {

struct HostPort {
  std::string host;  // "" = all interfaces; IPv6 without brackets
  uint16_t port = 0;
};

// Like Go's net.SplitHostPort plus a decimal port 0..65535:
// ":8080", "127.0.0.1:8080", "localhost:50052", "[::1]:8080".
// The message says what is wrong ("missing port", "port 70000 out of range").
net::Result<HostPort> parse_host_port(std::string_view s);

struct GrpcListen {
  enum class Kind : uint8_t { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string path;  // unix_socket
  HostPort tcp;      // tcp
};

// "unix://<path>" or a bare "<path>" -> unix socket; "tcp://host:port" -> TCP.
// Any other "<scheme>://" is refused rather than taken as a file name.
net::Result<GrpcListen> parse_grpc_listen(std::string_view s);

}  // namespace frontends::cli
