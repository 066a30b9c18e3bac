// fuzz/perf.cpp — the perf server fed arbitrary client bytes in arbitrary
// chunks with arbitrary clock jumps, then EOF and a drain of its output;
// and the client fed the same bytes as a server's answer. Input: byte 0
// seeds the chunk sizes, bytes 1-2 pick the client's sizes; the rest is
// the stream. Invariants: the server never sends before EOF nor more than
// it was asked, and every output is a view of the static zero chunk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "p2p/perf/perf.hpp"

using namespace p2p::perf;

namespace {

void server(net::BytesView in, uint8_t seed) {
  Limits lim;
  lim.max_send_bytes = 1 << 20;  // keep the drain short
  Server s(0, lim);
  uint32_t r = seed | 1u;
  net::Instant now = 0;
  size_t off = 0;
  while (off < in.size()) {
    r = r * 1103515245u + 12345u;
    size_t n = std::min<size_t>(in.size() - off, 1 + (r >> 16) % 64);
    auto res = s.feed(in.subspan(off, n), now);
    if (!res) {
      if (!s.failed()) abort();
      return;
    }
    if (*res != n) abort();
    if (!s.pending_output().empty() || s.sending()) abort();  // never while the client uploads
    now += (r >> 4) % 4 * net::kSecond;
    s.on_timeout(now);
    if (s.failed()) return;
    off += n;
  }
  if (!s.on_eof(now)) return;
  uint64_t budget = 64;  // chunks
  while (!s.wants_close_write() && !s.failed() && budget-- > 0) {
    net::BytesView out = s.pending_output();
    if (out.empty() || out.data() != zero_chunk().data()) abort();
    r = r * 1103515245u + 12345u;
    s.consume_output(std::min<size_t>(out.size(), 1 + (r >> 8) % kChunkLen));
    if (s.requested() != kUnlimited && s.sent() > s.requested()) abort();
  }
  if (s.wants_close_write() && s.requested() != kUnlimited && s.sent() != s.requested()) abort();
}

void client(net::BytesView in, uint8_t seed, uint8_t up, uint8_t down) {
  ClientOptions o;
  o.upload_bytes = up;
  o.download_bytes = down == 255 ? kUnlimited : down;
  if (down == 254) o.download_ns = net::kSecond;
  Client c(o, 0);
  while (!c.pending_output().empty()) c.consume_output(c.pending_output().size());
  if (!c.wants_close_write()) abort();
  c.on_write_closed(1);
  uint32_t r = seed | 1u;
  size_t off = 0;
  net::Instant now = 1;
  while (off < in.size()) {
    r = r * 1103515245u + 12345u;
    size_t n = std::min<size_t>(in.size() - off, 1 + (r >> 16) % 64);
    auto res = c.feed(in.subspan(off, n), now);
    if (!res) return;
    now += (r >> 4) % 3 * net::kMillisecond * 400;
    c.on_timeout(now);
    if (c.failed()) return;
    off += n;
  }
  auto e = c.on_eof(now);
  if (e && !c.done()) abort();
  if (c.done() && o.download_ns == 0 && o.download_bytes != kUnlimited && c.result().download_bytes != down) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  net::BytesView in(data + 3, size - 3);
  server(in, data[0]);
  client(in, data[0], data[1], data[2]);
  return 0;
}
