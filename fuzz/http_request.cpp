// fuzz/http_request.cpp — the HTTP/1.1 server core (llhttp glue) on
// arbitrary client bytes. Every request is answered (alternately a plain
// response and a short chunked stream); the whole input and the input cut
// in three pieces (cut points taken from the first two bytes) must give
// the same requests and the same output up to a refusal (split
// invariance), every output
// starts with a status line, and no request exceeds the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/http/http_conn.hpp"

using namespace frontends::http;

namespace {

Limits small_limits() {
  Limits l;
  l.max_head_len = 512;
  l.max_url_len = 128;
  l.max_headers = 8;
  l.max_body_len = 256;
  l.max_requests = 6;
  return l;
}

std::string run(std::string_view in, size_t cut1, size_t cut2, std::string* log) {
  const Limits lim = small_limits();
  Connection c(lim, 0);
  std::string out;
  size_t pos = 0;
  auto step = [&](size_t end) {
    if (end < pos) end = pos;
    auto st = c.feed({reinterpret_cast<const uint8_t*>(in.data()) + pos, end - pos}, 0);
    pos = end;
    if (!st && st.err() != net::Err::limit) abort();
    while (auto r = c.poll_request()) {
      if (r->target.size() > lim.max_url_len || r->body.size() > lim.max_body_len ||
          r->headers.size() > lim.max_headers || r->path.empty())
        abort();
      *log += r->method + ' ' + r->target + ' ' + std::to_string(r->body.size()) + '\n';
      if (c.requests() % 2) {
        if (!c.respond(Response::text(200, r->body), 0)) abort();
      } else {
        if (!c.begin_stream(200, {{"Content-Type", "text/event-stream"}}, 0)) abort();
        if (!c.write_stream("data: " + r->path + "\n\n", 0)) abort();
        if (!c.end_stream(0)) abort();
      }
    }
    auto o = c.pending_output();
    out.append(reinterpret_cast<const char*>(o.data()), o.size());
    c.consume_output(o.size(), 0);
  };
  step(cut1);
  step(cut2);
  step(in.size());
  c.on_timeout(kIdleTimeoutNs + kReadTimeoutNs);
  auto o = c.pending_output();
  out.append(reinterpret_cast<const char*>(o.data()), o.size());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  size_t a = in.empty() ? 0 : data[0] % (in.size() + 1);
  size_t b = in.empty() ? 0 : data[1] % (in.size() + 1);
  if (a > b) std::swap(a, b);
  std::string log1, log2;
  std::string whole = run(in, in.size(), in.size(), &log1);
  std::string split = run(in, a, b, &log2);
  if (log1 != log2) abort();
  // Input with several faults may be refused for a different one of them
  // depending on the split (a 414 seen before a later bad byte, or the bad
  // byte first); everything before the refusal must be identical.
  if (whole != split) {
    size_t w = whole.rfind("HTTP/1.1 "), s = split.rfind("HTTP/1.1 ");
    if (w == std::string::npos || w != s || whole.compare(0, w, split, 0, s) != 0) abort();
  }
  if (!whole.empty() && whole.rfind("HTTP/1.1 ", 0) != 0) abort();
  return 0;
}
