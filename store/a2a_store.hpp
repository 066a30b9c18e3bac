// store/a2a_store.hpp — the A2A engine's tables opened together over one
// Database and one write Batch (one transaction per loop turn).
#pragma once

#include <memory>

#include "net/result.hpp"
#include "store/card_dao.hpp"
#include "store/database.hpp"
#include "store/dedup_dao.hpp"
#include "store/offline_queue_dao.hpp"
#include "store/peer_book_dao.hpp"
#include "store/stmt.hpp"
#include "store/task_dao.hpp"

namespace store {

struct A2aStore {
  explicit A2aStore(Database& d) : db(d), batch(d) {}
  // Prepares every statement. Errors: Err::io.
  static net::Result<std::unique_ptr<A2aStore>> open(Database& db);

  Database& db;
  Batch batch;
  std::unique_ptr<TaskDao> tasks;
  std::unique_ptr<CardDao> cards;
  std::unique_ptr<OfflineQueueDao> queue;
  std::unique_ptr<PeerBookDao> peer_book;
  std::unique_ptr<DedupDao> dedup;
};

}  // namespace store
