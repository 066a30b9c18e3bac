#include <doctest/doctest.h>

#include "frontends/cli/listen_addr.hpp"

using namespace frontends::cli;

TEST_CASE("listen_addr: host:port forms (Go net.SplitHostPort)") {
  const struct { const char* in; const char* host; uint16_t port; } ok[] = {
      {":8080", "", 8080},          {"127.0.0.1:8080", "127.0.0.1", 8080},
      {"localhost:50052", "localhost", 50052}, {"[::1]:8080", "::1", 8080},
      {"[::]:0", "::", 0},          {"relay.example.com:65535", "relay.example.com", 65535},
  };
  for (const auto& t : ok) {
    CAPTURE(t.in);
    auto r = parse_host_port(t.in);
    REQUIRE(r);
    CHECK(r->host == t.host);
    CHECK(r->port == t.port);
  }
  const struct { const char* in; const char* msg; } bad[] = {
      {"", "missing port in address"},
      {"8080", "missing port in address"},
      {"host:", "missing port in address"},
      {"::1:80", "too many colons in address"},
      {"[::1]", "missing port in address"},
      {"[::1:80", "missing ']' in address"},
      {"[::1]x:80", "missing port in address"},
      {"a]:80", "unexpected '[' or ']' in address"},
      {":65536", "port 65536 out of range"},
      {":123456", "port 123456 out of range"},
      {":http", "port http is not a number"},
      {":-1", "port -1 is not a number"},
  };
  for (const auto& t : bad) {
    CAPTURE(t.in);
    auto r = parse_host_port(t.in);
    REQUIRE_FALSE(r);
    CHECK(r.err() == net::Err::invalid);
    CHECK(r.what() == t.msg);
  }
}

TEST_CASE("listen_addr: gRPC endpoint forms (node:pkg/grpcserver ListenAndServe)") {
  auto u = parse_grpc_listen("unix:///run/a.sock");
  REQUIRE(u);
  CHECK(u->kind == GrpcListen::Kind::unix_socket);
  CHECK(u->path == "/run/a.sock");

  auto bare = parse_grpc_listen("/tmp/d.sock");
  REQUIRE(bare);
  CHECK(bare->kind == GrpcListen::Kind::unix_socket);
  CHECK(bare->path == "/tmp/d.sock");

  auto rel = parse_grpc_listen("unix://d.sock");
  REQUIRE(rel);
  CHECK(rel->path == "d.sock");

  auto t = parse_grpc_listen("tcp://0.0.0.0:50051");
  REQUIRE(t);
  CHECK(t->kind == GrpcListen::Kind::tcp);
  CHECK(t->tcp.host == "0.0.0.0");
  CHECK(t->tcp.port == 50051);

  const struct { const char* in; const char* msg; } bad[] = {
      {"", "empty socket path"},
      {"unix://", "empty socket path"},
      {"tcp://", "missing port in address"},
      {"tcp://host", "missing port in address"},
      {"tcp://:99999", "port 99999 out of range"},
      {"http://x:1", "unknown scheme \"http://\""},
  };
  for (const auto& b : bad) {
    CAPTURE(b.in);
    auto r = parse_grpc_listen(b.in);
    REQUIRE_FALSE(r);
    CHECK(r.what() == b.msg);
  }
}
