// a2a/ack_tracker.hpp — retries of envelopes awaiting an ACK (upstream.md
// §3.6, node:internal/a2a/ack_tracker.go), sans-I/O: the engine tracks an
// envelope when it sends it, and at each deadline polls what to re-send and
// what to give up on (hand to the offline queue). Schedule after the send at
// t: retries at t+2 s, t+6 s, t+14 s (gaps 2, 4, 8 s), give-up at t+30 s.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "a2a/a2a_limits.hpp"
#include "net/clock.hpp"

namespace a2a {

class AckTracker {
 public:
  struct Due {
    std::string envelope_id;
    std::string peer;  // the peer's id bytes, as the engine keys peers
    uint32_t retry = 0;  // 1..max for a retry; 0 for a give-up
  };

  explicit AckTracker(uint64_t first_retry_ns = kAckFirstRetryNs, uint32_t max_retries = kAckMaxRetries)
      : first_ns_(first_retry_ns), max_retries_(max_retries) {}

  // Starts (or restarts) tracking `id`, sent at `now`.
  void track(std::string_view id, std::string_view peer, net::Instant now);
  // Stops tracking; true if it was tracked.
  bool ack(std::string_view id);
  bool tracking(std::string_view id) const { return entries_.count(std::string(id)) != 0; }
  const std::string* peer_of(std::string_view id) const;
  // Everything due at `now`: retries (still tracked, next deadline set) and
  // give-ups (no longer tracked), in deadline order.
  std::vector<Due> poll(net::Instant now);
  net::Instant next_deadline() const;
  size_t size() const { return entries_.size(); }
  void clear();

 private:
  struct Entry {
    std::string peer;
    net::Instant sent = 0;
    net::Instant due = 0;
    uint32_t retries = 0;
  };
  void schedule(const std::string& id, Entry& e, net::Instant due);
  uint64_t first_ns_;
  uint32_t max_retries_;
  std::unordered_map<std::string, Entry> entries_;
  std::multimap<net::Instant, std::string> by_due_;
};

}  // namespace a2a
