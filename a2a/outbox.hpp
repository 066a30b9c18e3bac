// a2a/outbox.hpp — the in-memory index of the engine's outbox (the offline
// queue, store::OfflineQueueDao): every tracked envelope not yet ACKed, per
// peer, in FIFO order, each either in flight (sent, in the AckTracker) or
// waiting (for its peer to connect, or for an in-flight slot). Sans-I/O;
// bounds per peer and in total (count and bytes) are checked by admit()
// before an envelope is written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "a2a/a2a_limits.hpp"
#include "a2a/api_status.hpp"

namespace a2a {

class Outbox {
 public:
  struct Entry {
    std::string envelope_id;
    std::string peer;  // PeerId bytes as a string (map key)
    int64_t seq = 0;
    int64_t enqueued_at_ns = 0;
    size_t len = 0;
    bool in_flight = false;
  };

  explicit Outbox(const EngineLimits& lim) : lim_(lim) {}

  // Room for one more envelope of `len` bytes to `peer`? RESOURCE_EXHAUSTED
  // "offline queue for peer <name> is full (10000 envelopes)", "... (268435456 bytes)",
  // "offline queue is full (100000 envelopes)", "offline queue is full (1073741824 bytes)".
  ApiStatus admit(std::string_view peer, std::string_view peer_name, size_t len) const;
  void add(Entry e);
  // Removes an entry; nullopt if unknown.
  std::optional<Entry> remove(std::string_view envelope_id);
  const Entry* find(std::string_view envelope_id) const;

  void set_in_flight(std::string_view envelope_id, bool in_flight);
  // The oldest waiting envelopes of `peer` that fit in its free in-flight
  // slots (not yet marked in flight).
  std::vector<std::string> sendable(std::string_view peer, size_t max_in_flight) const;
  // Peers with waiting envelopes.
  std::vector<std::string> peers_waiting() const;
  // Entries enqueued before `cutoff_ns`.
  std::vector<std::string> older_than(int64_t cutoff_ns) const;

  // The earliest enqueued_at_ns of all entries (INT64_MAX when empty): the
  // next TTL expiry.
  int64_t oldest_enqueued() const { return times_.empty() ? INT64_MAX : *times_.begin(); }

  size_t size() const { return entries_.size(); }
  uint64_t bytes() const { return bytes_; }
  size_t peer_count(std::string_view peer) const;
  size_t in_flight(std::string_view peer) const;
  size_t waiting(std::string_view peer) const;
  void clear();

 private:
  struct PeerState {
    std::map<int64_t, std::string> waiting;  // seq -> envelope id
    size_t in_flight = 0;
    size_t count = 0;
    uint64_t bytes = 0;
  };
  const EngineLimits& lim_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, PeerState> peers_;
  std::multiset<int64_t> times_;
  uint64_t bytes_ = 0;
};

}  // namespace a2a
