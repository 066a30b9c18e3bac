#include "a2a/outbox.hpp"

namespace a2a {

ApiStatus Outbox::admit(std::string_view peer, std::string_view peer_name, size_t len) const {
  auto it = peers_.find(std::string(peer));
  const size_t pc = it == peers_.end() ? 0 : it->second.count;
  const uint64_t pb = it == peers_.end() ? 0 : it->second.bytes;
  const std::string who = "offline queue for peer " + std::string(peer_name) + " is full (";
  if (pc + 1 > lim_.max_queued_per_peer)
    return {ApiCode::resource_exhausted, who + std::to_string(lim_.max_queued_per_peer) + " envelopes)"};
  if (pb + len > lim_.max_queued_bytes_per_peer)
    return {ApiCode::resource_exhausted, who + std::to_string(lim_.max_queued_bytes_per_peer) + " bytes)"};
  if (entries_.size() + 1 > lim_.max_queued_total)
    return {ApiCode::resource_exhausted,
            "offline queue is full (" + std::to_string(lim_.max_queued_total) + " envelopes)"};
  if (bytes_ + len > lim_.max_queued_bytes_total)
    return {ApiCode::resource_exhausted,
            "offline queue is full (" + std::to_string(lim_.max_queued_bytes_total) + " bytes)"};
  return {};
}

void Outbox::add(Entry e) {
  if (entries_.count(e.envelope_id)) return;
  PeerState& p = peers_[e.peer];
  ++p.count;
  p.bytes += e.len;
  bytes_ += e.len;
  times_.insert(e.enqueued_at_ns);
  if (e.in_flight) ++p.in_flight;
  else p.waiting.emplace(e.seq, e.envelope_id);
  std::string id = e.envelope_id;
  entries_.emplace(std::move(id), std::move(e));
}

std::optional<Outbox::Entry> Outbox::remove(std::string_view envelope_id) {
  auto it = entries_.find(std::string(envelope_id));
  if (it == entries_.end()) return std::nullopt;
  Entry e = std::move(it->second);
  entries_.erase(it);
  auto pit = peers_.find(e.peer);
  if (pit != peers_.end()) {
    PeerState& p = pit->second;
    --p.count;
    p.bytes -= e.len;
    if (e.in_flight) --p.in_flight;
    else p.waiting.erase(e.seq);
    if (p.count == 0) peers_.erase(pit);
  }
  bytes_ -= e.len;
  if (auto t = times_.find(e.enqueued_at_ns); t != times_.end()) times_.erase(t);
  return e;
}

const Outbox::Entry* Outbox::find(std::string_view envelope_id) const {
  auto it = entries_.find(std::string(envelope_id));
  return it == entries_.end() ? nullptr : &it->second;
}

void Outbox::set_in_flight(std::string_view envelope_id, bool in_flight) {
  auto it = entries_.find(std::string(envelope_id));
  if (it == entries_.end() || it->second.in_flight == in_flight) return;
  Entry& e = it->second;
  PeerState& p = peers_[e.peer];
  e.in_flight = in_flight;
  if (in_flight) {
    ++p.in_flight;
    p.waiting.erase(e.seq);
  } else {
    --p.in_flight;
    p.waiting.emplace(e.seq, e.envelope_id);
  }
}

std::vector<std::string> Outbox::sendable(std::string_view peer, size_t max_in_flight) const {
  std::vector<std::string> out;
  auto it = peers_.find(std::string(peer));
  if (it == peers_.end()) return out;
  const PeerState& p = it->second;
  size_t room = p.in_flight >= max_in_flight ? 0 : max_in_flight - p.in_flight;
  for (auto w = p.waiting.begin(); w != p.waiting.end() && out.size() < room; ++w) out.push_back(w->second);
  return out;
}

std::vector<std::string> Outbox::peers_waiting() const {
  std::vector<std::string> out;
  for (const auto& [peer, p] : peers_)
    if (!p.waiting.empty()) out.push_back(peer);
  return out;
}

std::vector<std::string> Outbox::older_than(int64_t cutoff_ns) const {
  std::vector<std::string> out;
  for (const auto& [id, e] : entries_)
    if (e.enqueued_at_ns < cutoff_ns) out.push_back(id);
  return out;
}

size_t Outbox::peer_count(std::string_view peer) const {
  auto it = peers_.find(std::string(peer));
  return it == peers_.end() ? 0 : it->second.count;
}

size_t Outbox::in_flight(std::string_view peer) const {
  auto it = peers_.find(std::string(peer));
  return it == peers_.end() ? 0 : it->second.in_flight;
}

size_t Outbox::waiting(std::string_view peer) const {
  auto it = peers_.find(std::string(peer));
  return it == peers_.end() ? 0 : it->second.waiting.size();
}

void Outbox::clear() {
  entries_.clear();
  peers_.clear();
  times_.clear();
  bytes_ = 0;
}

}  // namespace a2a
