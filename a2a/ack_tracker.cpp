#include "a2a/ack_tracker.hpp"

#include <algorithm>

namespace a2a {

void AckTracker::schedule(const std::string& id, Entry& e, net::Instant due) {
  e.due = due;
  by_due_.emplace(due, id);
}

void AckTracker::track(std::string_view id_v, std::string_view peer, net::Instant now) {
  std::string id(id_v);
  (void)ack(id);
  Entry& e = entries_[id];
  e.peer = std::string(peer);
  e.sent = now;
  e.retries = 0;
  schedule(id, e, now + first_ns_);
}

bool AckTracker::ack(std::string_view id_v) {
  std::string id(id_v);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  auto range = by_due_.equal_range(it->second.due);
  for (auto i = range.first; i != range.second; ++i)
    if (i->second == id) {
      by_due_.erase(i);
      break;
    }
  entries_.erase(it);
  return true;
}

const std::string* AckTracker::peer_of(std::string_view id) const {
  auto it = entries_.find(std::string(id));
  return it == entries_.end() ? nullptr : &it->second.peer;
}

std::vector<AckTracker::Due> AckTracker::poll(net::Instant now) {
  std::vector<Due> out;
  while (!by_due_.empty() && by_due_.begin()->first <= now) {
    std::string id = std::move(by_due_.begin()->second);
    by_due_.erase(by_due_.begin());
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    Entry& e = it->second;
    if (e.retries >= max_retries_) {
      out.push_back({id, e.peer, 0});
      entries_.erase(it);
      continue;
    }
    ++e.retries;
    out.push_back({id, e.peer, e.retries});
    // Gaps double: 2 s, 4 s, 8 s, then 16 s to the give-up (30 s after the
    // send when polled on time). Measured from this retry, as the original
    // (a stalled loop does not fire the remaining retries at once).
    schedule(id, e, std::max(e.due, now) + (first_ns_ << e.retries));
  }
  return out;
}

net::Instant AckTracker::next_deadline() const { return by_due_.empty() ? net::kNever : by_due_.begin()->first; }

void AckTracker::clear() {
  entries_.clear();
  by_due_.clear();
}

}  // namespace a2a
