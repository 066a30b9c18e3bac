// store/card_dao.hpp — agent cards: ours in `meta` under 'card:self' (as the
// original's store key, upstream.md §1.4) and peers' in `peer_cards`
// (AgentCard protobuf bytes), at most kMaxPeerCards of them.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "store/stmt.hpp"
#include "store/store_limits.hpp"

namespace store {

inline constexpr std::string_view kSelfCardKey = "card:self";

class CardDao {
 public:
  static net::Result<std::unique_ptr<CardDao>> open(Database& db, Batch& batch);

  net::Status put_self(net::BytesView card);
  net::Result<std::optional<net::Bytes>> self();
  // Stores a peer's card; beyond max_peers (default kMaxPeerCards) the least
  // recently updated card is forgotten.
  net::Status put_peer(std::string_view peer_id, net::BytesView card, int64_t now_ns);
  void set_max_peers(size_t n) { max_peers_ = n; }
  net::Result<std::optional<net::Bytes>> peer(std::string_view peer_id);
  net::Result<int64_t> peer_count();

 private:
  CardDao(Batch& b) : batch_(b), max_peers_(kMaxPeerCards) {}
  Batch& batch_;
  Stmt put_self_, self_, put_peer_, peer_, exists_, count_, evict_;
  int64_t count_cache_ = -1;
  uint64_t cache_gen_ = 0;
  size_t max_peers_;
};

}  // namespace store
