// Unit tests: frontends/http/http_server, http_router, http_cors — the
// driver on real sockets: routing (404, 405 + Allow, HEAD), pipelining,
// CORS and preflights, SSE with back-pressure to a slow reader, the
// connection limit, a trickling client timed out, and curl as a real
// client (keep-alive, chunked upload, 100-continue).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/tls_test_cert.hpp"
#include "frontends/http/http_router.hpp"
#include "frontends/http/http_server.hpp"

using namespace frontends::http;
using net::kSecond;

extern char** environ;

namespace {

std::unique_ptr<net::Loop> make_loop() {
  auto l = net::Loop::create();
  REQUIRE(l);
  return l.take();
}

template <class Pred>
bool run_until(net::Loop& loop, Pred done, uint64_t limit_ns = 5 * kSecond) {
  bool expired = false;
  net::TimerId guard = loop.add_timer(loop.now() + limit_ns, [&] { expired = true; });
  while (!done() && !expired) REQUIRE(loop.run_once(-1));
  loop.cancel_timer(guard);
  return done();
}

net::BytesView bv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// A raw client: sends bytes, collects everything until the server closes.
struct Client {
  std::unique_ptr<net::TcpStream> s;
  std::string got;
  bool closed = false;
  Client(net::Loop& loop, uint16_t port) {
    auto c = net::TcpStream::dial(loop, net::SockAddr::loopback4(port));
    REQUIRE(c);
    s = c.take();
    s->on_data([this](net::BytesView b) { got.append(reinterpret_cast<const char*>(b.data()), b.size()); });
    s->on_close([this](const net::Error&) { closed = true; });
  }
  void send(std::string_view d) { REQUIRE(s->write(bv(d))); }
};

struct Fixture {
  std::unique_ptr<net::Loop> loop = make_loop();
  Router router;
  std::unique_ptr<Server> srv;
  Responder held;  // an answer given later
  explicit Fixture(ServerOptions opt = {}) {
    router.get("/hello", [](Request&, Responder r) { r.respond(Response::text(200, "hi")); });
    router.post("/echo", [](Request& q, Responder r) { r.respond(Response{.status = 200, .headers = {}, .body = q.body}); });
    router.get("/later", [this](Request&, Responder r) { held = r; });
    router.get("/sse", [](Request&, Responder r) {
      REQUIRE(r.begin_stream(200, {{"Content-Type", "text/event-stream"}}));
      for (int i = 0; i < 3; ++i) REQUIRE(r.write("data: " + std::to_string(i) + "\n\n"));
      r.end();
    });
    srv = std::make_unique<Server>(*loop, std::move(opt), router.handler());
    REQUIRE(srv->listen("127.0.0.1:0"));
    REQUIRE(srv->port() != 0);
  }
};

}  // namespace

TEST_CASE("http server: routes, 404, 405 with Allow, HEAD, OPTIONS, pipelining in order") {
  Fixture f;
  Client c(*f.loop, f.srv->port());
  c.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n"
         "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
         "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
         "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n"
         "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"
         "OPTIONS /echo HTTP/1.1\r\nHost: x\r\n\r\n"
         "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody");
  REQUIRE(run_until(*f.loop, [&] { return f.held.alive(); }));
  // Nothing is answered before /later: answers go out in request order.
  REQUIRE(run_until(*f.loop, [&] { return f.srv->stats().requests == 1; }));
  CHECK(c.got.empty());
  f.held.respond(Response::text(200, "late"));
  REQUIRE(run_until(*f.loop, [&] { return c.closed; }));
  const std::string want =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nlate\n"
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nhi\n"
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\nnot found\n"
      "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nAllow: GET, HEAD, OPTIONS\r\n"
      "Content-Length: 26\r\n\r\nmethod DELETE not allowed\n"
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\n"
      "HTTP/1.1 204 No Content\r\nAllow: POST, OPTIONS\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody";
  CHECK(c.got == want);
  CHECK(f.srv->stats().requests == 7);
  CHECK_FALSE(f.held.alive());
  REQUIRE(run_until(*f.loop, [&] { return f.srv->connections() == 0; }));
}

TEST_CASE("http server: CORS headers and preflights") {
  ServerOptions opt;
  opt.cors.origins = {"http://good.example"};
  Fixture f(std::move(opt));
  Client c(*f.loop, f.srv->port());
  c.send("OPTIONS /echo HTTP/1.1\r\nHost: x\r\nOrigin: http://good.example\r\nAccess-Control-Request-Method: POST\r\n\r\n"
         "GET /hello HTTP/1.1\r\nHost: x\r\nOrigin: http://good.example\r\n\r\n"
         "GET /hello HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\n\r\n"
         "OPTIONS /echo HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n"
         "Connection: close\r\n\r\n");
  REQUIRE(run_until(*f.loop, [&] { return c.closed; }));
  CHECK(c.got ==
        "HTTP/1.1 204 No Content\r\n"
        "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: Content-Type\r\n"
        "Access-Control-Max-Age: 86400\r\nAccess-Control-Allow-Origin: http://good.example\r\nVary: Origin\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nAccess-Control-Allow-Origin: http://good.example\r\n"
        "Vary: Origin\r\nContent-Length: 3\r\n\r\nhi\n"
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nhi\n"
        "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\n"
        "Connection: close\r\n\r\norigin not allowed\n");
  // "*" answers any origin with "*".
  CorsPolicy any;
  any.origins = {"*"};
  std::string o = "http://x";
  CHECK(cors_allow_origin(any, &o) == "*");
  CHECK(cors_allow_origin(any, nullptr).empty());
  CHECK(cors_allow_origin(CorsPolicy{}, &o).empty());
}

TEST_CASE("http server: SSE stream, chunked on the wire") {
  Fixture f;
  Client c(*f.loop, f.srv->port());
  c.send("GET /sse HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(run_until(*f.loop, [&] { return c.closed; }));
  CHECK(c.got ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        "9\r\ndata: 0\n\n\r\n9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n");
}

TEST_CASE("http server: a stream waits for a slow reader (back-pressure), then completes") {
  auto loop = make_loop();
  const size_t kTotal = 32 * 1024 * 1024;  // far above every buffer on the way (kernel ones too)
  size_t produced = 0;
  int waits = 0;
  Router router;
  router.get("/big", [&](Request&, Responder r) {
    REQUIRE(r.begin_stream(200, {}));
    auto pump = std::make_shared<std::function<void()>>();
    *pump = [&, r, pump]() mutable {
      std::string piece(16 * 1024, 'x');
      while (produced < kTotal && r.writable()) {
        REQUIRE(r.write(piece));
        produced += piece.size();
      }
      if (produced >= kTotal) {
        r.end();
        *pump = nullptr;  // breaks the cycle
        return;
      }
      ++waits;
      r.on_writable([pump] { if (*pump) (*pump)(); });
    };
    (*pump)();
  });
  Server srv(*loop, {}, router.handler());
  REQUIRE(srv.listen("127.0.0.1:0"));
  Client c(*loop, srv.port());
  c.s->pause_reading();
  c.send("GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  // The client does not read: production stops long before kTotal.
  REQUIRE(run_until(*loop, [&] { return waits > 0; }));
  for (int i = 0; i < 50; ++i) REQUIRE(loop->run_once(10 * net::kMillisecond));
  CHECK(produced < 16 * 1024 * 1024);
  c.s->resume_reading();
  REQUIRE(run_until(*loop, [&] { return c.closed; }, 20 * kSecond));
  CHECK(produced == kTotal);
  CHECK(c.got.size() > kTotal);
  CHECK(c.got.substr(c.got.size() - 5) == "0\r\n\r\n");
}

TEST_CASE("http server: connection limit and a trickling client timed out") {
  ServerOptions opt;
  opt.max_connections = 2;
  opt.limits.head_timeout_ns = 200 * net::kMillisecond;
  Fixture f(std::move(opt));
  Client a(*f.loop, f.srv->port()), b(*f.loop, f.srv->port()), c(*f.loop, f.srv->port());
  a.send("GET /hel");  // never completes its head
  REQUIRE(run_until(*f.loop, [&] { return c.closed; }));
  CHECK(c.got.empty());
  CHECK(f.srv->stats().refused == 1);
  REQUIRE(run_until(*f.loop, [&] { return a.closed; }));
  CHECK(a.got.rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
  CHECK(f.srv->stats().rejected == 1);
  // b is still served meanwhile.
  b.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(run_until(*f.loop, [&] { return b.closed; }));
  CHECK(b.got.find("\r\n\r\nhi\n") != std::string::npos);
}

TEST_CASE("http server: listen addresses") {
  auto loop = make_loop();
  Server srv(*loop, {.name = "metrics"}, [](Request&, Responder r) { r.respond(Response{}); });
  CHECK(srv.listen("nope").what() == "metrics listen \"nope\": missing port in address");
  CHECK(srv.listen("example.com:80").what() ==
        "metrics listen \"example.com:80\": host must be an IP address, \"localhost\" or empty");
  REQUIRE(srv.listen(":0"));  // all interfaces: 0.0.0.0 and [::] (if the host has IPv6) on one port
  REQUIRE_FALSE(srv.endpoints().empty());
  CHECK(srv.endpoints()[0] == "0.0.0.0:" + std::to_string(srv.port()));
}

namespace {
// Runs curl (if installed) while the loop serves it; returns its stdout.
bool run_curl(net::Loop& loop, std::vector<std::string> args, std::string* out) {
  if (access("/usr/bin/curl", X_OK) != 0) return false;
  char tmpl[] = "/tmp/aac-curl-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  args.insert(args.begin(), {"curl", "-sS", "--http1.1"});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, tmpl, O_WRONLY | O_TRUNC, 0600);
  pid_t pid;
  REQUIRE(posix_spawn(&pid, "/usr/bin/curl", &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = -1;
  bool exited = false;
  net::TimerId poll = loop.add_periodic(5 * net::kMillisecond, [&] {
    if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = true;
  });
  bool ok = run_until(loop, [&] { return exited; }, 20 * kSecond);
  loop.cancel_timer(poll);
  if (!ok) kill(pid, SIGKILL), waitpid(pid, &status, 0);
  std::ifstream in(tmpl);
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  unlink(tmpl);
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
}  // namespace

TEST_CASE("http server: curl as a real client (keep-alive, chunked upload, 100-continue)") {
  Fixture f;
  std::string base = "http://127.0.0.1:" + std::to_string(f.srv->port());
  std::string out;
  if (access("/usr/bin/curl", X_OK) != 0) {
    MESSAGE("curl not installed (make test-deps): skipped");
    return;
  }
  // Two URLs on one connection: curl reuses it (keep-alive).
  REQUIRE(run_curl(*f.loop, {base + "/hello", base + "/hello"}, &out));
  CHECK(out == "hi\nhi\n");
  CHECK(f.srv->stats().accepted == 1);
  std::string body(300 * 1024, 'b');
  char tmpl[] = "/tmp/aac-body-XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()));
  close(fd);
  // Chunked request body (curl sends Expect: 100-continue with it).
  REQUIRE(run_curl(*f.loop, {"-H", "Transfer-Encoding: chunked", "--data-binary", std::string("@") + tmpl, base + "/echo"}, &out));
  CHECK(out == body);
  REQUIRE(run_curl(*f.loop, {"-H", "Expect: 100-continue", "--data-binary", std::string("@") + tmpl, base + "/echo"}, &out));
  CHECK(out == body);
  unlink(tmpl);
  // SSE through curl: de-chunked by the client.
  REQUIRE(run_curl(*f.loop, {"-N", base + "/sse"}, &out));
  CHECK(out == "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  // 404 and the status code as curl sees it.
  REQUIRE(run_curl(*f.loop, {base + "/missing"}, &out));
  CHECK(out == "not found\n");
}

TEST_CASE("http server: HTTPS with curl (keep-alive, upload, SSE); plain HTTP to the TLS port is closed") {
  char dir[] = "/tmp/aac-https-XXXXXX";
  REQUIRE(mkdtemp(dir));
  std::string cert = std::string(dir) + "/cert.pem", key = std::string(dir) + "/key.pem";
  std::ofstream(cert) << test_tls::kCertPem;
  std::ofstream(key) << test_tls::kKeyPem;
  auto ctx = crypto::TlsContext::server_from_files(cert, key);
  REQUIRE(ctx);
  ServerOptions opt;
  opt.tls = ctx->get();
  Fixture f(std::move(opt));
  Client plain(*f.loop, f.srv->port());
  plain.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(run_until(*f.loop, [&] { return plain.closed; }));
  CHECK(plain.got.find("HTTP/1.1") == std::string::npos);  // a TLS alert, never HTTP
  CHECK(f.srv->stats().tls_failed == 1);
  if (access("/usr/bin/curl", X_OK) == 0) {
    std::string base = "https://127.0.0.1:" + std::to_string(f.srv->port());
    std::string out;
    REQUIRE(run_curl(*f.loop, {"--cacert", cert, base + "/hello", base + "/hello"}, &out));
    CHECK(out == "hi\nhi\n");
    CHECK(f.srv->stats().accepted == 2);  // the plain client, then one connection for both URLs
    std::string body(300 * 1024, 'q');
    std::string bodyfile = std::string(dir) + "/body";
    std::ofstream(bodyfile) << body;
    REQUIRE(run_curl(*f.loop, {"--cacert", cert, "--data-binary", "@" + bodyfile, base + "/echo"}, &out));
    CHECK(out == body);
    REQUIRE(run_curl(*f.loop, {"--cacert", cert, "-N", base + "/sse"}, &out));
    CHECK(out == "data: 0\n\ndata: 1\n\ndata: 2\n\n");
    // Without our CA curl refuses the certificate (exit status != 0).
    CHECK_FALSE(run_curl(*f.loop, {base + "/hello"}, &out));
    std::remove(bodyfile.c_str());
  } else {
    MESSAGE("curl not installed (make test-deps): HTTPS client part skipped");
  }
  std::remove(cert.c_str());
  std::remove(key.c_str());
  rmdir(dir);
}
