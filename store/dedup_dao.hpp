// store/dedup_dao.hpp — ids of the envelopes we received and acknowledged
// (table `seen_envelopes`), keyed by (sender, envelope id): the persisted
// de-duplication window, so a retry that arrives after a restart is still
// recognised (exactly-once across restarts). The engine keeps the window in
// memory; this table is its durable copy, trimmed to the last kDedupWindow
// rows (plus at most kDedupTrimSlack before a trim).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/result.hpp"
#include "store/stmt.hpp"
#include "store/store_limits.hpp"

namespace store {

class DedupDao {
 public:
  static net::Result<std::unique_ptr<DedupDao>> open(Database& db, Batch& batch);

  // Records an id. Not checked for repeats (no index on the pair, schema
  // v4): the engine asks its in-memory window first and records only ids
  // it has not seen; a repeat from beyond the window is harmless.
  net::Status add(std::string_view peer_id, std::string_view envelope_id);
  // The last `limit` ids, oldest first.
  net::Result<std::vector<std::pair<std::string, std::string>>> recent(size_t limit);
  net::Result<int64_t> count();
  void set_window(size_t n) { window_ = n; }

 private:
  DedupDao(Batch& b) : batch_(b) {}
  Batch& batch_;
  Stmt add_, recent_, count_, trim_;
  size_t window_ = kDedupWindow;
  size_t since_trim_ = 0;
};

}  // namespace store
