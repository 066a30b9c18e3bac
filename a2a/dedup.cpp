#include "a2a/dedup.hpp"

namespace a2a {

std::string DedupWindow::key(std::string_view peer, std::string_view id) {
  std::string k;
  k.reserve(peer.size() + 1 + id.size());
  k.append(peer).push_back('\n');  // neither part contains a newline in a valid key
  k.append(id);
  return k;
}

bool DedupWindow::contains(std::string_view peer, std::string_view id) const {
  return set_.count(key(peer, id)) != 0;
}

bool DedupWindow::insert(std::string_view peer, std::string_view id) {
  std::string k = key(peer, id);
  if (set_.count(k)) return false;
  if (order_.size() >= cap_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  set_.insert(k);
  order_.push_back(std::move(k));
  return true;
}

void DedupWindow::clear() {
  order_.clear();
  set_.clear();
}

}  // namespace a2a
