// fuzz/yamux_session.cpp — a yamux session fed arbitrary bytes in arbitrary
// chunks while its application polls every event, accepts and reads
// everything, echoes a little, opens streams and time advances through
// keepalive pings and their timeout. Checks: no crash, every buffer within
// its limit, the output within budget + control room (+ the final GoAway).
// Input: byte 0 = role (bit 0) and keepalive (bit 1); byte 1 seeds chunking,
// time steps and application choices; the rest is what the peer sends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "p2p/yamux/yamux.hpp"

using namespace p2p::yamux;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Limits lim;
  lim.keepalive = (data[0] & 2) != 0;
  lim.max_inbound_streams = 8;  // small limits: the fuzzer reaches them
  lim.max_outbound_streams = 8;
  lim.max_ack_backlog = 4;
  lim.max_output_buffered = 16 * 1024;
  lim.max_control_buffered = 4 * 1024;
  lim.max_session_window = 4 * kInitialWindow;
  lim.control_frame_burst = 64;
  Session s((data[0] & 1) ? Role::client : Role::server, 0, lim);
  net::BytesView in(data + 2, size - 2);
  uint32_t r = data[1] | 0x100u;
  net::Instant now = 0;
  uint8_t buf[4096];
  std::vector<StreamId> ids;  // streams the application knows
  size_t off = 0;
  while (off < in.size()) {
    r = r * 1103515245u + 12345u;
    size_t n = std::min<size_t>(in.size() - off, 1 + (r >> 16) % 200);
    auto res = s.feed(in.subspan(off, n), now);
    off += n;
    if (!res) {
      if (!s.failed()) abort();
      break;
    }
    if (*res != n || s.failed()) abort();
    while (auto e = s.poll_event()) {
      if (e->kind == EventKind::stream_opened) {
        ids.push_back(e->id);
        if ((r >> 3) & 1) {
          (void)s.accept_stream(e->id);
        } else if (((r >> 4) & 7) == 0) {
          (void)s.reset(e->id);
        }
      }
    }
    if (s.failed()) break;  // an accept/reset hit the output cap
    // The application reads everything it can and echoes a little.
    for (size_t i = 0; i < ids.size();) {
      StreamId id = ids[i];
      if (!s.has_stream(id)) {
        ids[i] = ids.back();
        ids.pop_back();
        continue;
      }
      ++i;
      if (s.readable(id) > s.recv_window(id) || s.recv_window(id) > lim.max_stream_window) abort();
      auto rd = s.read(id, buf, now);
      if (rd && *rd > 0 && ((r >> 5) & 1)) (void)s.write(id, net::BytesView(buf, std::min<size_t>(*rd, 100)));
      if (((r >> 6) & 15) == 0) (void)s.close_write(id);
    }
    if (((r >> 10) & 7) == 0) {
      if (auto id = s.open_stream()) ids.push_back(*id);
    }
    if (((r >> 13) & 63) == 0) s.go_away();
    if (s.pending_output().size() > lim.max_output_buffered + lim.max_control_buffered + kHeaderLen) abort();
    if ((r >> 20) & 1) s.consume_output(s.pending_output().size());
    now += ((r >> 21) % 8) * net::kSecond;
    if (now >= s.next_deadline()) s.on_timeout(now);
  }
  s.consume_output(s.pending_output().size());
  s.trim_memory();
  return 0;
}
