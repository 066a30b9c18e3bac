// p2p/services/stream_pump.hpp — the glue between a protocol core with the
// STYLE.md §2 shape and a host Stream: write the core's pending output as the
// stream accepts it, and re-arm one loop timer at the core's deadline.
#pragma once

#include <algorithm>

#include "net/loop.hpp"
#include "p2p/host/stream.hpp"

namespace p2p::services {

// Writes as much of core.pending_output() as the stream takes.
template <class Core>
void pump_output(Stream& s, Core& core) {
  for (;;) {
    net::BytesView v = core.pending_output();
    if (v.empty()) return;
    size_t n = s.write(v);
    if (n == 0) return;  // on_writable calls us again
    core.consume_output(n);
  }
}

// One reusable timer bound to a core's next_deadline().
class CoreTimer {
 public:
  CoreTimer(net::Loop& loop, net::Callback cb) : loop_(loop), id_(loop.create_timer(std::move(cb))) {}
  ~CoreTimer() { loop_.cancel_timer(id_); }
  CoreTimer(const CoreTimer&) = delete;
  CoreTimer& operator=(const CoreTimer&) = delete;
  void arm(net::Instant deadline) { loop_.arm_timer(id_, deadline); }

 private:
  net::Loop& loop_;
  net::TimerId id_;
};

}  // namespace p2p::services
