#include "store/card_dao.hpp"

#include "store/database.hpp"
#include "store/store_limits.hpp"

namespace store {

namespace {
net::Result<std::optional<net::Bytes>> one_blob(Stmt& s) {
  auto r = s.step();
  if (!r) return r.take_error();
  std::optional<net::Bytes> out;
  if (*r) {
    auto b = s.blob(0);
    out = net::Bytes(b.begin(), b.end());
  }
  s.reset();
  return out;
}
}  // namespace

net::Result<std::unique_ptr<CardDao>> CardDao::open(Database& db, Batch& batch) {
  std::unique_ptr<CardDao> d(new CardDao(batch));
  sqlite3* h = db.handle();
  AAC_TRY(Stmt::prepare_into(h, d->put_self_, "INSERT OR REPLACE INTO meta(key, value) VALUES ('card:self', ?1)"));
  AAC_TRY(Stmt::prepare_into(h, d->self_, "SELECT value FROM meta WHERE key = 'card:self'"));
  AAC_TRY(Stmt::prepare_into(h, d->put_peer_, "INSERT OR REPLACE INTO peer_cards(peer_id, card, updated_at) VALUES (?1, ?2, ?3)"));
  AAC_TRY(Stmt::prepare_into(h, d->peer_, "SELECT card FROM peer_cards WHERE peer_id = ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->exists_, "SELECT 1 FROM peer_cards WHERE peer_id = ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->count_, "SELECT COUNT(*) FROM peer_cards"));
  AAC_TRY(Stmt::prepare_into(h, d->evict_,
               "DELETE FROM peer_cards WHERE peer_id = (SELECT peer_id FROM peer_cards "
               "WHERE peer_id != ?1 ORDER BY updated_at, peer_id LIMIT 1)"));
  return d;
}

net::Status CardDao::put_self(net::BytesView card) {
  AAC_TRY(batch_.begin());
  put_self_.bind_blob(1, card);
  return put_self_.run();
}

net::Result<std::optional<net::Bytes>> CardDao::self() { return one_blob(self_); }

net::Status CardDao::put_peer(std::string_view peer_id, net::BytesView card, int64_t now_ns) {
  AAC_TRY(batch_.begin());
  if (count_cache_ < 0 || cache_gen_ != batch_.rollbacks()) {
    auto c = peer_count();
    if (!c) return c.take_error();
  }
  exists_.bind(1, peer_id);
  auto ex = exists_.step();
  if (!ex) return ex.take_error();
  const bool is_new = !*ex;
  exists_.reset();
  put_peer_.bind(1, peer_id).bind_blob(2, card).bind(3, now_ns);
  AAC_TRY(put_peer_.run());
  if (is_new && static_cast<size_t>(++count_cache_) > max_peers_) {
    evict_.bind(1, peer_id);
    AAC_TRY(evict_.run());
    --count_cache_;
  }
  return {};
}

net::Result<std::optional<net::Bytes>> CardDao::peer(std::string_view peer_id) {
  peer_.bind(1, peer_id);
  return one_blob(peer_);
}

net::Result<int64_t> CardDao::peer_count() {
  auto r = count_.step();
  if (!r) return r.take_error();
  int64_t n = count_.int64(0);
  count_.reset();
  count_cache_ = n;
  cache_gen_ = batch_.rollbacks();
  return n;
}

}  // namespace store
