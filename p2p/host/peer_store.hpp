// p2p/host/peer_store.hpp — what the host knows about other peers:
// addresses, protocols, agent version, public key. In memory; the store
// layer persists the address book (peer book) across restarts.
//
// Bounded (hardening.md rows 5 and 7): at most kMaxAddrsPerPeer addresses
// and kMaxProtocolsPerPeer protocols per peer, at most kMaxPeers peers —
// past that the entry of the longest-disconnected peer is forgotten.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "p2p/host/host_limits.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/peer_id.hpp"

namespace p2p {

struct PeerInfoRecord {
  std::vector<Multiaddr> addrs;          // most recently learned first
  std::vector<std::string> protocols;    // from identify
  std::string agent_version;
  std::string protocol_version;
  net::Bytes public_key;                 // PublicKey proto
  uint64_t signed_record_seq = 0;        // highest verified peer record seq
  bool connected = false;
  net::Instant last_seen = 0;
};

class PeerStore {
 public:
  PeerStore() = default;

  // Adds addresses (deduplicated, newest first, capped). /p2p/ suffixes are
  // stripped. Returns how many were new.
  size_t add_addrs(const PeerId& p, const std::vector<Multiaddr>& addrs, net::Instant now);
  // Replaces the addresses (a verified signed peer record).
  void set_addrs(const PeerId& p, std::vector<Multiaddr> addrs, net::Instant now);
  void set_protocols(const PeerId& p, std::vector<std::string> protocols);
  void set_agent(const PeerId& p, std::string agent_version, std::string protocol_version);
  void set_public_key(const PeerId& p, net::BytesView key);
  void set_connected(const PeerId& p, bool connected, net::Instant now);

  const PeerInfoRecord* find(const PeerId& p) const;
  PeerInfoRecord* find(const PeerId& p);
  std::vector<Multiaddr> addrs(const PeerId& p) const;
  bool supports(const PeerId& p, std::string_view protocol) const;
  std::vector<PeerId> peers() const;
  size_t size() const { return peers_.size(); }
  void remove(const PeerId& p) { peers_.erase(p); }

 private:
  PeerInfoRecord& entry(const PeerId& p, net::Instant now);
  void evict();

  std::unordered_map<PeerId, PeerInfoRecord> peers_;
};

}  // namespace p2p
