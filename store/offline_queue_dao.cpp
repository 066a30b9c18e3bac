#include "store/offline_queue_dao.hpp"

#include "store/database.hpp"

namespace store {

net::Result<std::unique_ptr<OfflineQueueDao>> OfflineQueueDao::open(Database& db, Batch& batch) {
  std::unique_ptr<OfflineQueueDao> d(new OfflineQueueDao(batch));
  sqlite3* h = db.handle();
  AAC_TRY(Stmt::prepare_into(h, d->insert_,
               "INSERT INTO offline_queue(peer_id, envelope_id, enqueued_at, envelope) VALUES (?1, ?2, ?3, ?4)"));
  AAC_TRY(Stmt::prepare_into(h, d->remove_, "DELETE FROM offline_queue WHERE id = ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->load_, "SELECT envelope FROM offline_queue WHERE id = ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->list_,
               "SELECT id, peer_id, envelope_id, enqueued_at, LENGTH(envelope) FROM offline_queue ORDER BY id"));
  AAC_TRY(Stmt::prepare_into(h, d->expired_,
               "SELECT id, peer_id, envelope_id, enqueued_at, LENGTH(envelope) FROM offline_queue "
               "WHERE enqueued_at < ?1 ORDER BY id"));
  AAC_TRY(Stmt::prepare_into(h, d->expire_, "DELETE FROM offline_queue WHERE enqueued_at < ?1"));
  AAC_TRY(Stmt::prepare_into(h, d->count_, "SELECT COUNT(*) FROM offline_queue"));
  return d;
}

net::Result<int64_t> OfflineQueueDao::insert(std::string_view peer_id, std::string_view envelope_id,
                                             int64_t enqueued_at_ns, net::BytesView envelope) {
  AAC_TRY(batch_.begin());
  insert_.bind(1, peer_id).bind(2, envelope_id).bind(3, enqueued_at_ns).bind_blob(4, envelope);
  AAC_TRY(insert_.run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(sqlite3_db_handle(insert_.raw())));
}

net::Result<bool> OfflineQueueDao::remove(int64_t seq) {
  AAC_TRY(batch_.begin());
  remove_.bind(1, seq);
  AAC_TRY(remove_.run());
  return sqlite3_changes(sqlite3_db_handle(remove_.raw())) > 0;
}

net::Result<std::optional<net::Bytes>> OfflineQueueDao::load(int64_t seq) {
  load_.bind(1, seq);
  auto r = load_.step();
  if (!r) return r.take_error();
  std::optional<net::Bytes> out;
  if (*r) {
    auto b = load_.blob(0);
    out = net::Bytes(b.begin(), b.end());
  }
  load_.reset();
  return out;
}

net::Result<std::vector<QueuedEnvelope>> OfflineQueueDao::rows(Stmt& s) {
  std::vector<QueuedEnvelope> out;
  for (;;) {
    auto r = s.step();
    if (!r) return r.take_error();
    if (!*r) break;
    out.push_back({s.int64(0), std::string(s.text(1)), std::string(s.text(2)), s.int64(3),
                   static_cast<size_t>(s.int64(4))});
  }
  s.reset();
  return out;
}

net::Result<std::vector<QueuedEnvelope>> OfflineQueueDao::list() { return rows(list_); }

net::Result<std::vector<QueuedEnvelope>> OfflineQueueDao::expire(int64_t cutoff_ns) {
  expired_.bind(1, cutoff_ns);
  auto out = rows(expired_);
  if (!out) return out;
  if (out->empty()) return out;
  AAC_TRY(batch_.begin());
  expire_.bind(1, cutoff_ns);
  AAC_TRY(expire_.run());
  return out;
}

net::Result<int64_t> OfflineQueueDao::count() {
  auto r = count_.step();
  if (!r) return r.take_error();
  int64_t n = count_.int64(0);
  count_.reset();
  return n;
}

}  // namespace store
