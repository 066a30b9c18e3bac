#include "store/dedup_dao.hpp"

#include "store/database.hpp"

namespace store {

net::Result<std::unique_ptr<DedupDao>> DedupDao::open(Database& db, Batch& batch) {
  std::unique_ptr<DedupDao> d(new DedupDao(batch));
  sqlite3* h = db.handle();
  AAC_TRY(Stmt::prepare_into(h, d->add_, "INSERT INTO seen_envelopes(peer_id, envelope_id) VALUES (?1, ?2)"));
  AAC_TRY(Stmt::prepare_into(h, d->recent_,
               "SELECT peer_id, envelope_id FROM (SELECT id, peer_id, envelope_id FROM seen_envelopes "
               "ORDER BY id DESC LIMIT ?1) ORDER BY id"));
  AAC_TRY(Stmt::prepare_into(h, d->count_, "SELECT COUNT(*) FROM seen_envelopes"));
  AAC_TRY(Stmt::prepare_into(h, d->trim_,
               "DELETE FROM seen_envelopes WHERE id <= (SELECT MAX(id) FROM seen_envelopes) - ?1"));
  return d;
}

net::Status DedupDao::add(std::string_view peer_id, std::string_view envelope_id) {
  AAC_TRY(batch_.begin());
  add_.bind(1, peer_id).bind(2, envelope_id);
  AAC_TRY(add_.run());
  if (++since_trim_ >= kDedupTrimSlack) {
    since_trim_ = 0;
    trim_.bind(1, static_cast<int64_t>(window_));
    AAC_TRY(trim_.run());
  }
  return {};
}

net::Result<std::vector<std::pair<std::string, std::string>>> DedupDao::recent(size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  recent_.bind(1, static_cast<int64_t>(limit));
  for (;;) {
    auto r = recent_.step();
    if (!r) return r.take_error();
    if (!*r) break;
    out.emplace_back(std::string(recent_.text(0)), std::string(recent_.text(1)));
  }
  recent_.reset();
  return out;
}

net::Result<int64_t> DedupDao::count() {
  auto r = count_.step();
  if (!r) return r.take_error();
  int64_t n = count_.int64(0);
  count_.reset();
  return n;
}

}  // namespace store
