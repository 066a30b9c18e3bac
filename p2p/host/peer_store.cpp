#include "p2p/host/peer_store.hpp"

#include <algorithm>

#include "p2p/multiaddr/multiaddr_protocols.hpp"

namespace p2p {

PeerInfoRecord& PeerStore::entry(const PeerId& p, net::Instant now) {
  auto it = peers_.find(p);
  if (it != peers_.end()) return it->second;
  if (peers_.size() >= kMaxPeers) evict();
  auto& e = peers_[p];
  e.last_seen = now;
  return e;
}

void PeerStore::evict() {
  auto victim = peers_.end();
  for (auto it = peers_.begin(); it != peers_.end(); ++it) {
    if (it->second.connected) continue;
    if (victim == peers_.end() || it->second.last_seen < victim->second.last_seen) victim = it;
  }
  if (victim != peers_.end()) peers_.erase(victim);
}

size_t PeerStore::add_addrs(const PeerId& p, const std::vector<Multiaddr>& addrs, net::Instant now) {
  auto& e = entry(p, now);
  size_t added = 0;
  for (const auto& a0 : addrs) {
    Multiaddr a = a0.without_peer_id();
    if (a.empty()) continue;
    auto it = std::find(e.addrs.begin(), e.addrs.end(), a);
    if (it != e.addrs.end()) {
      std::rotate(e.addrs.begin(), it, it + 1);  // refresh: most recent first
      continue;
    }
    e.addrs.insert(e.addrs.begin(), std::move(a));
    ++added;
  }
  if (e.addrs.size() > kMaxAddrsPerPeer) e.addrs.resize(kMaxAddrsPerPeer);
  return added;
}

void PeerStore::set_addrs(const PeerId& p, std::vector<Multiaddr> addrs, net::Instant now) {
  auto& e = entry(p, now);
  e.addrs.clear();
  add_addrs(p, addrs, now);
}

void PeerStore::set_protocols(const PeerId& p, std::vector<std::string> protocols) {
  auto& e = entry(p, 0);
  if (protocols.size() > kMaxProtocolsPerPeer) protocols.resize(kMaxProtocolsPerPeer);
  e.protocols = std::move(protocols);
}

void PeerStore::set_agent(const PeerId& p, std::string agent_version, std::string protocol_version) {
  auto& e = entry(p, 0);
  if (agent_version.size() > kMaxAgentVersionLen) agent_version.resize(kMaxAgentVersionLen);
  if (protocol_version.size() > kMaxAgentVersionLen) protocol_version.resize(kMaxAgentVersionLen);
  e.agent_version = std::move(agent_version);
  e.protocol_version = std::move(protocol_version);
}

void PeerStore::set_public_key(const PeerId& p, net::BytesView key) {
  auto& e = entry(p, 0);
  e.public_key.assign(key.begin(), key.end());
}

void PeerStore::set_connected(const PeerId& p, bool connected, net::Instant now) {
  auto& e = entry(p, now);
  e.connected = connected;
  e.last_seen = now;
}

const PeerInfoRecord* PeerStore::find(const PeerId& p) const {
  auto it = peers_.find(p);
  return it == peers_.end() ? nullptr : &it->second;
}

PeerInfoRecord* PeerStore::find(const PeerId& p) {
  auto it = peers_.find(p);
  return it == peers_.end() ? nullptr : &it->second;
}

std::vector<Multiaddr> PeerStore::addrs(const PeerId& p) const {
  const auto* e = find(p);
  return e ? e->addrs : std::vector<Multiaddr>{};
}

bool PeerStore::supports(const PeerId& p, std::string_view protocol) const {
  const auto* e = find(p);
  if (!e) return false;
  return std::find(e->protocols.begin(), e->protocols.end(), protocol) != e->protocols.end();
}

std::vector<PeerId> PeerStore::peers() const {
  std::vector<PeerId> out;
  out.reserve(peers_.size());
  for (const auto& [p, _] : peers_) out.push_back(p);
  return out;
}

}  // namespace p2p
