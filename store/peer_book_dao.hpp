// store/peer_book_dao.hpp — the peer book (table `peer_book`): peers we were
// connected to, their addresses and when we last saw them, so the daemon
// re-dials known peers after a restart. Addresses are binary multiaddrs,
// each prefixed by its uvarint length. At most kMaxPeerBookEntries peers
// (the least recently seen is forgotten) and kMaxPeerBookAddrs addresses each.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "store/stmt.hpp"
#include "store/store_limits.hpp"

namespace store {

struct PeerBookEntry {
  std::string peer_id;
  std::vector<net::Bytes> addrs;  // binary multiaddrs
  int64_t last_seen_ns = 0;
  bool operator==(const PeerBookEntry&) const = default;
};

class PeerBookDao {
 public:
  static net::Result<std::unique_ptr<PeerBookDao>> open(Database& db, Batch& batch);

  // Inserts or replaces; extra addresses (beyond kMaxPeerBookAddrs) and
  // oversize ones are dropped.
  net::Status upsert(const PeerBookEntry& e);
  net::Status remove(std::string_view peer_id);
  // Most recently seen first.
  net::Result<std::vector<PeerBookEntry>> list(size_t limit);
  net::Result<int64_t> count();
  void set_max_entries(size_t n) { max_entries_ = n; }

  // The addrs column: errors Err::proto "peer book: truncated address list".
  static net::Bytes encode_addrs(const std::vector<net::Bytes>& addrs);
  static net::Result<std::vector<net::Bytes>> decode_addrs(net::BytesView b);

 private:
  PeerBookDao(Batch& b) : batch_(b) {}
  Batch& batch_;
  Stmt upsert_, remove_, list_, exists_, count_, evict_;
  int64_t count_cache_ = -1;
  uint64_t cache_gen_ = 0;
  size_t max_entries_ = kMaxPeerBookEntries;
};

}  // namespace store
