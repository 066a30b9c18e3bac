#include "store/peer_book_dao.hpp"

#include "store/database.hpp"

namespace store {

net::Result<std::unique_ptr<PeerBookDao>> PeerBookDao::open(Database& db, Batch& batch) {
  std::unique_ptr<PeerBookDao> d(new PeerBookDao(batch));
  sqlite3* h = db.handle();
  AAC_TRY(Stmt::prepare_into(h, d->upsert_, "INSERT OR REPLACE INTO peer_book(peer_id, addrs, last_seen) VALUES (?1, ?2, ?3)"));
  AAC_TRY(Stmt::prepare_into(h, d->remove_, "DELETE FROM peer_book WHERE peer_id = ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->list_, "SELECT peer_id, addrs, last_seen FROM peer_book ORDER BY last_seen DESC, peer_id LIMIT ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->exists_, "SELECT 1 FROM peer_book WHERE peer_id = ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->count_, "SELECT COUNT(*) FROM peer_book"));
  AAC_TRY(Stmt::prepare_into(h, d->evict_,
               "DELETE FROM peer_book WHERE peer_id = (SELECT peer_id FROM peer_book WHERE peer_id != ?1 "
               "ORDER BY last_seen, peer_id LIMIT 1)"));
  return d;
}

net::Bytes PeerBookDao::encode_addrs(const std::vector<net::Bytes>& addrs) {
  net::Bytes out;
  net::Writer w(out);
  size_t n = 0;
  for (const auto& a : addrs) {
    if (a.empty() || a.size() > kMaxPeerBookAddrLen) continue;
    if (n++ == kMaxPeerBookAddrs) break;
    w.lp_bytes(a);
  }
  return out;
}

net::Result<std::vector<net::Bytes>> PeerBookDao::decode_addrs(net::BytesView b) {
  std::vector<net::Bytes> out;
  net::Reader r(b);
  while (!r.empty()) {
    uint64_t len = 0;
    net::BytesView v;
    if (!r.uvarint(len) || len > kMaxPeerBookAddrLen || !r.take(len, v) || out.size() == kMaxPeerBookAddrs)
      return net::Error{net::Err::proto, "peer book: truncated address list"};
    out.emplace_back(v.begin(), v.end());
  }
  return out;
}

net::Status PeerBookDao::upsert(const PeerBookEntry& e) {
  AAC_TRY(batch_.begin());
  if (count_cache_ < 0 || cache_gen_ != batch_.rollbacks()) {
    auto c = count();
    if (!c) return c.take_error();
  }
  exists_.bind(1, e.peer_id);
  auto ex = exists_.step();
  if (!ex) return ex.take_error();
  const bool is_new = !*ex;
  exists_.reset();
  net::Bytes addrs = encode_addrs(e.addrs);
  upsert_.bind(1, e.peer_id).bind_blob(2, addrs).bind(3, e.last_seen_ns);
  AAC_TRY(upsert_.run());
  if (is_new && static_cast<size_t>(++count_cache_) > max_entries_) {
    evict_.bind(1, e.peer_id);
    AAC_TRY(evict_.run());
    --count_cache_;
  }
  return {};
}

net::Status PeerBookDao::remove(std::string_view peer_id) {
  AAC_TRY(batch_.begin());
  remove_.bind(1, peer_id);
  AAC_TRY(remove_.run());
  if (count_cache_ > 0 && sqlite3_changes(sqlite3_db_handle(remove_.raw())) > 0) --count_cache_;
  return {};
}

net::Result<std::vector<PeerBookEntry>> PeerBookDao::list(size_t limit) {
  std::vector<PeerBookEntry> out;
  list_.bind(1, static_cast<int64_t>(limit));
  for (;;) {
    auto r = list_.step();
    if (!r) return r.take_error();
    if (!*r) break;
    auto addrs = decode_addrs(list_.blob(1));
    if (!addrs) continue;  // a damaged row is skipped, not fatal
    out.push_back({std::string(list_.text(0)), addrs.take(), list_.int64(2)});
  }
  list_.reset();
  return out;
}

net::Result<int64_t> PeerBookDao::count() {
  auto r = count_.step();
  if (!r) return r.take_error();
  int64_t n = count_.int64(0);
  count_.reset();
  count_cache_ = n;
  cache_gen_ = batch_.rollbacks();
  return n;
}

}  // namespace store
