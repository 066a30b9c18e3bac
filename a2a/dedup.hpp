// a2a/dedup.hpp — the receiver's de-duplication window (upstream.md §3.4):
// the last N (1024) envelope ids, FIFO eviction. Keyed by (sender, id) so a
// peer cannot suppress another peer's envelopes by reusing their ids. The
// engine persists every insert (store::DedupDao) and reloads the window at
// start, so a retry that arrives after a restart is still a duplicate.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace a2a {

class DedupWindow {
 public:
  explicit DedupWindow(size_t capacity) : cap_(capacity == 0 ? 1 : capacity) {}

  bool contains(std::string_view peer, std::string_view id) const;
  // Records (peer, id); evicts the oldest beyond the capacity. Returns false
  // if it was already present (nothing changes).
  bool insert(std::string_view peer, std::string_view id);
  void clear();
  size_t size() const { return order_.size(); }
  size_t capacity() const { return cap_; }

 private:
  static std::string key(std::string_view peer, std::string_view id);
  size_t cap_;
  std::deque<std::string> order_;
  std::unordered_set<std::string> set_;
};

}  // namespace a2a
