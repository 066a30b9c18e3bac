// Unit tests: frontends/http/http_conn — the sans-I/O HTTP/1.1 server
// connection: requests parsed at every split, pipelining in order,
// keep-alive rules, every limit crossed by one, timeouts (slowloris),
// 100-continue, chunked request bodies, streaming responses with
// back-pressure, and the exact answers to bad input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frontends/http/http_conn.hpp"

using namespace frontends::http;
using net::Err;
using net::kSecond;

namespace {

net::BytesView bv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string drain(Connection& c, net::Instant now = 0) {
  auto out = c.pending_output();
  std::string s(reinterpret_cast<const char*>(out.data()), out.size());
  c.consume_output(out.size(), now);
  return s;
}

// Feeds `in` split at the given cut points, answering every request with
// its method, path and body; returns everything written.
struct Echo {
  std::vector<Request> seen;
  std::string out;
};
Echo run_split(const std::string& in, const std::vector<size_t>& cuts, const Limits& lim = {}) {
  Connection c(lim, 0);
  Echo e;
  size_t pos = 0;
  auto step = [&](size_t end) {
    REQUIRE(c.feed(bv(std::string_view(in).substr(pos, end - pos)), 0));
    pos = end;
    while (auto r = c.poll_request()) {
      e.seen.push_back(*r);
      REQUIRE(c.respond(Response::text(200, r->method + " " + r->path + " " + r->body), 0));
    }
    e.out += drain(c);
  };
  for (size_t cut : cuts) step(cut);
  step(in.size());
  return e;
}

std::string req(std::string_view method, std::string_view target, std::string_view extra = "",
                std::string_view body = "") {
  std::string s = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra);
  if (!body.empty()) s += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return s + "\r\n" + std::string(body);
}

const std::string kPipeline = req("GET", "/a?x=1") + req("POST", "/b", "Content-Type: text/plain\r\n", "hello") +
                              "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "3\r\nabc\r\n1;ext=1\r\nd\r\n0\r\nTrailer: t\r\n\r\n" +
                              "\r\n" + req("DELETE", "/d");

}  // namespace

TEST_CASE("http conn: a GET and its exact answer") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv("GET /metrics?x=1&y HTTP/1.1\r\nHost: localhost:9090\r\nAccept:  text/plain \r\nX-Empty:\r\n\r\n"), 0));
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK(r->method == "GET");
  CHECK(r->target == "/metrics?x=1&y");
  CHECK(r->path == "/metrics");
  CHECK(r->query == "x=1&y");
  CHECK(r->version_minor == 1);
  CHECK(r->keep_alive);
  REQUIRE(r->headers.size() == 3);
  CHECK(*r->header("HOST") == "localhost:9090");
  CHECK(*r->header("accept") == "text/plain");
  CHECK(*r->header("x-empty") == "");
  CHECK(r->header("nope") == nullptr);
  CHECK_FALSE(c.poll_request());
  CHECK(c.answering());
  REQUIRE(c.respond(Response::text(200, "ok"), 0));
  CHECK(drain(c) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n\r\nok\n");
  CHECK_FALSE(c.done());
  CHECK(c.requests() == 1);
  CHECK(c.respond(Response{}, 0).what() == "http: no request to answer");
}

TEST_CASE("http conn: absolute-form and OPTIONS * targets") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "http://example.com:8080/p/q?z") + req("OPTIONS", "*") + req("GET", "https://h")), 0));
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK(r->path == "/p/q");
  CHECK(r->query == "z");
  REQUIRE(c.respond(Response{.status = 204}, 0));
  r = c.poll_request();
  REQUIRE(r);
  CHECK(r->path == "*");
  REQUIRE(c.respond(Response{.status = 204}, 0));
  r = c.poll_request();
  REQUIRE(r);
  CHECK(r->path == "/");
  REQUIRE(c.respond(Response{.status = 204}, 0));
  CHECK(drain(c) == "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
}

TEST_CASE("http conn: pipelined requests at every split give the same answers in order") {
  Echo whole = run_split(kPipeline, {});
  REQUIRE(whole.seen.size() == 4);
  CHECK(whole.seen[0].path == "/a");
  CHECK(whole.seen[1].body == "hello");
  CHECK(whole.seen[2].body == "abcd");
  CHECK(whole.seen[2].method == "POST");
  CHECK(whole.seen[3].method == "DELETE");
  CHECK(whole.out.find("GET /a \n") != std::string::npos);
  CHECK(whole.out.find("POST /b hello\n") < whole.out.find("POST /c abcd\n"));
  CHECK(whole.out.find("POST /c abcd\n") < whole.out.find("DELETE /d \n"));
  for (size_t i = 1; i < kPipeline.size(); ++i) {
    CAPTURE(i);
    Echo e = run_split(kPipeline, {i});
    REQUIRE(e.seen.size() == 4);
    CHECK(e.out == whole.out);
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < kPipeline.size(); ++i) every.push_back(i);
  Echo bytes = run_split(kPipeline, every);
  CHECK(bytes.out == whole.out);
}

TEST_CASE("http conn: the next request waits until the current one is answered") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/1") + req("GET", "/2")), 0));
  auto a = c.poll_request();
  REQUIRE(a);
  CHECK_FALSE(c.poll_request());  // /2 stays buffered
  REQUIRE(c.respond(Response::text(200, "1"), 0));
  auto b = c.poll_request();
  REQUIRE(b);
  CHECK(b->path == "/2");
}

TEST_CASE("http conn: keep-alive rules") {
  SUBCASE("HTTP/1.0 closes by default") {
    Connection c({}, 0);
    REQUIRE(c.feed(bv("GET / HTTP/1.0\r\n\r\n"), 0));  // no Host needed in 1.0
    auto r = c.poll_request();
    REQUIRE(r);
    CHECK_FALSE(r->keep_alive);
    REQUIRE(c.respond(Response{.status = 200, .headers = {}, .body = "x"}, 0));
    CHECK(drain(c) == "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx");
    CHECK(c.done());
  }
  SUBCASE("HTTP/1.0 keep-alive is confirmed") {
    Connection c({}, 0);
    REQUIRE(c.feed(bv("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0));
    REQUIRE(c.poll_request());
    REQUIRE(c.respond(Response{.status = 200}, 0));
    CHECK(drain(c) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    CHECK_FALSE(c.done());
  }
  SUBCASE("HTTP/1.1 Connection: close; what follows is ignored") {
    Connection c({}, 0);
    REQUIRE(c.feed(bv(req("GET", "/", "Connection: close\r\n") + req("GET", "/2")), 0));
    REQUIRE(c.poll_request());
    REQUIRE(c.respond(Response{.status = 200, .headers = {{"Connection", "keep-alive"}, {"Content-Length", "9"}}}, 0));
    CHECK(drain(c) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    CHECK_FALSE(c.poll_request());
    CHECK(c.done());
  }
  SUBCASE("close_after_response") {
    Connection c({}, 0);
    REQUIRE(c.feed(bv(req("GET", "/")), 0));
    REQUIRE(c.poll_request());
    c.close_after_response();
    REQUIRE(c.respond(Response{.status = 200}, 0));
    CHECK(drain(c).find("Connection: close\r\n") != std::string::npos);
    CHECK(c.done());
  }
}

TEST_CASE("http conn: requests per connection crossed by one") {
  Limits lim;
  lim.max_requests = 3;
  Connection c(lim, 0);
  for (int i = 1; i <= 3; ++i) {
    CAPTURE(i);
    REQUIRE(c.feed(bv(req("GET", "/")), 0));
    REQUIRE(c.poll_request());
    REQUIRE(c.respond(Response{.status = 200}, 0));
    std::string out = drain(c);
    CHECK((out.find("Connection: close") != std::string::npos) == (i == 3));
  }
  CHECK(c.done());
  REQUIRE(c.feed(bv(req("GET", "/")), 0));  // ignored
  CHECK_FALSE(c.poll_request());
}

namespace {
// The status line and body of the core's own answer to `in`.
std::string refusal(const std::string& in, const Limits& lim = {}) {
  Connection c(lim, 0);
  REQUIRE(c.feed(bv(in), 0));
  CHECK_FALSE(c.poll_request());
  std::string out = drain(c);
  CHECK(c.done());
  CHECK(out.find("\r\nConnection: close\r\n") != std::string::npos);
  size_t eol = out.find("\r\n");
  size_t body = out.find("\r\n\r\n");
  if (eol == std::string::npos || body == std::string::npos) return out;
  return out.substr(0, eol) + " | " + out.substr(body + 4);
}
std::string head_of_len(size_t len) {
  // "GET / HTTP/1.1\r\nHost: x\r\nX: <pad>\r\n\r\n"
  std::string base = "GET / HTTP/1.1\r\nHost: x\r\nX: \r\n\r\n";
  return "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(len - base.size(), 'a') + "\r\n\r\n";
}
}  // namespace

TEST_CASE("http conn: head size crossed by one") {
  Limits lim;
  lim.max_head_len = 200;
  {
    Connection c(lim, 0);
    REQUIRE(c.feed(bv(head_of_len(200)), 0));
    CHECK(c.poll_request());
  }
  CHECK(refusal(head_of_len(201), lim) ==
        "HTTP/1.1 431 Request Header Fields Too Large | request head exceeds 200 bytes\n");
  // Byte by byte: refused as soon as byte 201 arrives, before the head ends.
  Connection c(lim, 0);
  std::string big = head_of_len(400);
  size_t i = 0;
  for (; i < big.size() && !c.closing(); ++i) REQUIRE(c.feed(bv(big.substr(i, 1)), 0));
  CHECK(i == 201);
  CHECK(drain(c).rfind("HTTP/1.1 431 ", 0) == 0);
  // The default limit.
  CHECK(refusal(head_of_len(kMaxHeadLen + 1)).rfind("HTTP/1.1 431 ", 0) == 0);
  Connection d({}, 0);
  REQUIRE(d.feed(bv(head_of_len(kMaxHeadLen)), 0));
  CHECK(d.poll_request());
}

TEST_CASE("http conn: header count crossed by one") {
  Limits lim;
  lim.max_headers = 5;
  std::string ok = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC:\r\nD: 4\r\n\r\n";
  Connection c(lim, 0);
  REQUIRE(c.feed(bv(ok), 0));
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK(r->headers.size() == 5);
  std::string over = "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC:\r\nD: 4\r\nE:\r\n\r\n";
  CHECK(refusal(over, lim) == "HTTP/1.1 431 Request Header Fields Too Large | more than 5 header fields\n");
}

TEST_CASE("http conn: request-target length crossed by one") {
  Limits lim;
  lim.max_url_len = 10;
  Connection c(lim, 0);
  REQUIRE(c.feed(bv(req("GET", "/123456789")), 0));
  CHECK(c.poll_request());
  CHECK(refusal(req("GET", "/1234567890"), lim) == "HTTP/1.1 414 URI Too Long | request-target exceeds 10 bytes\n");
}

TEST_CASE("http conn: body size crossed by one, Content-Length and chunked") {
  Limits lim;
  lim.max_body_len = 5;
  {
    Connection c(lim, 0);
    REQUIRE(c.feed(bv(req("POST", "/", "", "12345")), 0));
    auto r = c.poll_request();
    REQUIRE(r);
    CHECK(r->body == "12345");
  }
  // Refused from the head alone: the body is never read.
  CHECK(refusal("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n", lim) ==
        "HTTP/1.1 413 Content Too Large | request body exceeds 5 bytes\n");
  {
    Connection c(lim, 0);
    REQUIRE(c.feed(bv("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), 0));
    auto r = c.poll_request();
    REQUIRE(r);
    CHECK(r->body == "abcde");
  }
  CHECK(refusal("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n", lim) ==
        "HTTP/1.1 413 Content Too Large | request body exceeds 5 bytes\n");
}

TEST_CASE("http conn: malformed requests get 400 with Connection: close") {
  CHECK(refusal("garbage\r\n\r\n").rfind("HTTP/1.1 400 Bad Request | ", 0) == 0);
  CHECK(refusal("GET / HTTP/1.1\r\n\r\n") == "HTTP/1.1 400 Bad Request | missing Host header\n");
  CHECK(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == "HTTP/1.1 400 Bad Request | more than one Host header\n");
  CHECK(refusal(req("GET", "*")) == "HTTP/1.1 400 Bad Request | request-target must start with '/'\n");
  CHECK(refusal(req("GET", "foo")) == "HTTP/1.1 400 Bad Request | Invalid characters in url\n");  // llhttp's reason
  CHECK(refusal("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .rfind("HTTP/1.1 400 ", 0) == 0);  // request smuggling shape
  CHECK(refusal("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(refusal("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(refusal("GET / HTTP/1.1\r\nHo st: x\r\n\r\n").rfind("HTTP/1.1 400 ", 0) == 0);
  CHECK(refusal("GET / HTTP/2.0\r\nHost: x\r\n\r\n") == "HTTP/1.1 505 HTTP Version Not Supported | version 2.0 not supported\n");
  CHECK(refusal("GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n") ==
        "HTTP/1.1 417 Expectation Failed | unsupported expectation\n");
  // A valid request then garbage: the first is answered, then the 400.
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/ok") + "BAD\r\n\r\n"), 0));
  REQUIRE(c.poll_request());
  REQUIRE(c.respond(Response{.status = 200}, 0));
  std::string out = drain(c);
  CHECK(out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(out.find("HTTP/1.1 400 Bad Request\r\n") != std::string::npos);
  CHECK(c.done());
}

TEST_CASE("http conn: 100-continue before the body") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"), 0));
  CHECK(drain(c) == "HTTP/1.1 100 Continue\r\n\r\n");
  CHECK_FALSE(c.poll_request());
  REQUIRE(c.feed(bv("abc"), 0));
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK(r->body == "abc");
  // No body: no 100.
  Connection d({}, 0);
  REQUIRE(d.feed(bv("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n"), 0));
  CHECK(drain(d).empty());
  CHECK(d.poll_request());
  // Too large: 413 instead of 100.
  Limits lim;
  lim.max_body_len = 2;
  CHECK(refusal("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", lim)
            .rfind("HTTP/1.1 413 ", 0) == 0);
}

TEST_CASE("http conn: HEAD gets the length but no body; 204 and 304 get neither") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("HEAD", "/") + req("GET", "/")), 0));
  REQUIRE(c.poll_request());
  REQUIRE(c.respond(Response{.status = 200, .headers = {}, .body = "hello"}, 0));
  CHECK(drain(c) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  REQUIRE(c.poll_request());
  REQUIRE(c.respond(Response{.status = 304, .headers = {}, .body = "hello"}, 0));
  CHECK(drain(c) == "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST_CASE("http conn: invalid response headers become a 500") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/")), 0));
  REQUIRE(c.poll_request());
  auto st = c.respond(Response{.status = 200, .headers = {{"X", "a\r\nSet-Cookie: evil"}}}, 0);
  CHECK(st.err() == Err::invalid);
  CHECK(st.what() == "http: invalid header X");
  CHECK(drain(c).rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0);
}

TEST_CASE("http conn: streaming response, chunked, with back-pressure") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/events") + req("GET", "/next")), 0));
  REQUIRE(c.poll_request());
  REQUIRE(c.begin_stream(200, {{"Content-Type", "text/event-stream"}}, 0));
  REQUIRE(c.write_stream("data: 1\n\n", 0));
  REQUIRE(c.write_stream("", 0));
  CHECK(drain(c) == "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "9\r\ndata: 1\n\n\r\n");
  CHECK_FALSE(c.poll_request());  // the next waits for the stream's end
  std::string big(64 * 1024, 'x');
  int n = 0;
  while (c.writable()) {
    REQUIRE(c.write_stream(big, 0));
    ++n;
  }
  CHECK(n == 4);  // > 256 KiB queued
  CHECK(c.pending_output().size() > kOutputHighWater);
  drain(c);
  CHECK(c.writable());
  REQUIRE(c.end_stream(0));
  CHECK(drain(c) == "0\r\n\r\n");
  CHECK(c.write_stream("late", 0).what() == "http: no stream");
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK(r->path == "/next");
}

TEST_CASE("http conn: streaming to HTTP/1.0 is close-delimited") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0));
  REQUIRE(c.poll_request());
  REQUIRE(c.begin_stream(200, {}, 0));
  REQUIRE(c.write_stream("abc", 0));
  REQUIRE(c.end_stream(0));
  CHECK(drain(c) == "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc");
  CHECK(c.done());
}

TEST_CASE("http conn: output limit on a stream aborts the connection") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/")), 0));
  REQUIRE(c.poll_request());
  REQUIRE(c.begin_stream(200, {}, 0));
  std::string big(1024 * 1024, 'x');
  net::Status st;
  for (int i = 0; i < 40 && st; ++i) st = c.write_stream(big, 0);
  CHECK(st.err() == Err::limit);
  CHECK(c.aborted());
  CHECK(c.done());
}

TEST_CASE("http conn: slowloris: a trickled head times out at 10 s") {
  Connection c({}, 0);
  std::string head = head_of_len(4000);
  net::Instant t = 0;
  size_t i = 0;
  // One byte per second: the head never completes before the deadline.
  for (; i < head.size(); ++i, t += kSecond) {
    if (t >= kHeadTimeoutNs) break;
    REQUIRE(c.feed(bv(head.substr(i, 1)), t));
    CHECK(c.next_deadline() == kHeadTimeoutNs);  // from the first byte, never extended
  }
  c.on_timeout(kHeadTimeoutNs - 1);
  CHECK_FALSE(c.closing());
  c.on_timeout(kHeadTimeoutNs);
  CHECK(drain(c) == "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Content-Length: 38\r\nConnection: close\r\n\r\nrequest head not complete within 10 s\n");
  CHECK(c.done());
}

TEST_CASE("http conn: read timeout on a slow body, idle timeout between requests") {
  Connection c({}, 100);
  CHECK(c.next_deadline() == 100 + kIdleTimeoutNs);
  REQUIRE(c.feed(bv("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"), 200));
  CHECK(c.next_deadline() == 200 + kReadTimeoutNs);
  c.on_timeout(200 + kReadTimeoutNs);
  CHECK(drain(c).rfind("HTTP/1.1 408 Request Timeout\r\n", 0) == 0);
  CHECK(c.done());

  Connection d({}, 0);
  REQUIRE(d.feed(bv(req("GET", "/")), 0));
  REQUIRE(d.poll_request());
  CHECK(d.next_deadline() == net::kNever);  // the handler takes its time
  REQUIRE(d.respond(Response{.status = 200}, 5));
  drain(d, 5);
  CHECK(d.next_deadline() == 5 + kIdleTimeoutNs);
  d.on_timeout(5 + kIdleTimeoutNs - 1);
  CHECK_FALSE(d.done());
  d.on_timeout(5 + kIdleTimeoutNs);
  CHECK(d.done());
  CHECK_FALSE(d.aborted());
  CHECK(d.pending_output().empty());
}

TEST_CASE("http conn: a client that stops reading is aborted after the write-stall timeout") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/")), 0));
  REQUIRE(c.poll_request());
  REQUIRE(c.begin_stream(200, {}, 10));
  REQUIRE(c.write_stream("x", 10));
  CHECK(c.next_deadline() == 10 + kWriteStallTimeoutNs);
  c.consume_output(5, 20);  // progress moves the deadline
  CHECK(c.next_deadline() == 20 + kWriteStallTimeoutNs);
  c.on_timeout(20 + kWriteStallTimeoutNs);
  CHECK(c.aborted());
  CHECK(c.done());
  CHECK(c.last_error() == "http: client took no output for 60 s");
}

TEST_CASE("http conn: peer EOF after a request: answered, then done") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/")), 0));
  c.feed_eof(0);
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK_FALSE(c.done());
  REQUIRE(c.respond(Response{.status = 200}, 0));
  CHECK(drain(c).find("Connection: close") == std::string::npos);  // the client already left
  CHECK(c.done());
  // EOF inside a request: nothing to answer.
  Connection d({}, 0);
  REQUIRE(d.feed(bv("GET / HT"), 0));
  d.feed_eof(0);
  CHECK(d.done());
  CHECK(d.last_error() == "http: connection closed inside a request");
}

TEST_CASE("http conn: input buffered behind an unanswered request is bounded") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv(req("GET", "/")), 0));
  REQUIRE(c.poll_request());
  std::string chunk(16 * 1024, 'a');
  int fed = 0;
  while (c.wants_input()) {
    REQUIRE(c.feed(bv(chunk), 0));
    ++fed;
  }
  CHECK(fed == 4);
  for (int i = 0; i < 8; ++i) REQUIRE(c.feed(bv(chunk), 0));  // up to kMaxInputLen
  auto st = c.feed(bv(chunk), 0);
  CHECK(st.err() == Err::limit);
  CHECK(st.what() == "http: input buffer full");
}

TEST_CASE("http conn: an Upgrade request is answered and the connection closes") {
  Connection c({}, 0);
  REQUIRE(c.feed(bv("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"), 0));
  auto r = c.poll_request();
  REQUIRE(r);
  CHECK_FALSE(r->keep_alive);
  REQUIRE(c.respond(Response::text(404, "no"), 0));
  CHECK(drain(c).find("Connection: close") != std::string::npos);
  CHECK(c.done());
}
