#include "store/a2a_store.hpp"

namespace store {

net::Result<std::unique_ptr<A2aStore>> A2aStore::open(Database& db) {
  auto s = std::make_unique<A2aStore>(db);
  auto t = TaskDao::open(db, s->batch);
  if (!t) return t.take_error();
  s->tasks = t.take();
  auto c = CardDao::open(db, s->batch);
  if (!c) return c.take_error();
  s->cards = c.take();
  auto q = OfflineQueueDao::open(db, s->batch);
  if (!q) return q.take_error();
  s->queue = q.take();
  auto p = PeerBookDao::open(db, s->batch);
  if (!p) return p.take_error();
  s->peer_book = p.take();
  auto d = DedupDao::open(db, s->batch);
  if (!d) return d.take_error();
  s->dedup = d.take();
  return s;
}

}  // namespace store
