// store/offline_queue_dao.hpp — envelopes waiting for their ACK or for their
// peer to come back (table `offline_queue`): the engine's outbox. A row is
// written once, when the envelope is first sent, and deleted when its ACK
// arrives or its TTL passes — so retries never queue it twice.
//
// The engine keeps the index (ids, peers, sizes) in memory and bounds it; the
// bytes stay on disk until a (re)send needs them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "store/stmt.hpp"

namespace store {

struct QueuedEnvelope {
  int64_t seq = 0;  // FIFO order
  std::string peer_id;
  std::string envelope_id;
  int64_t enqueued_at_ns = 0;  // unix time of the first send
  size_t len = 0;              // bytes of the envelope
  bool operator==(const QueuedEnvelope&) const = default;
};

class OfflineQueueDao {
 public:
  static net::Result<std::unique_ptr<OfflineQueueDao>> open(Database& db, Batch& batch);

  // Returns the row's seq, by which it is loaded and removed. Envelope ids
  // are not checked for uniqueness here (no index on them, schema v4): the
  // engine queues each envelope it makes once.
  net::Result<int64_t> insert(std::string_view peer_id, std::string_view envelope_id, int64_t enqueued_at_ns,
                              net::BytesView envelope);
  // true if a row was removed.
  net::Result<bool> remove(int64_t seq);
  net::Result<std::optional<net::Bytes>> load(int64_t seq);
  // Every row without its bytes, in FIFO order (the engine's index at start).
  net::Result<std::vector<QueuedEnvelope>> list();
  // Deletes rows enqueued before `cutoff_ns` and returns them.
  net::Result<std::vector<QueuedEnvelope>> expire(int64_t cutoff_ns);
  net::Result<int64_t> count();

 private:
  OfflineQueueDao(Batch& b) : batch_(b) {}
  net::Result<std::vector<QueuedEnvelope>> rows(Stmt& s);
  Batch& batch_;
  Stmt insert_, remove_, load_, list_, expired_, expire_, count_;
};

}  // namespace store
