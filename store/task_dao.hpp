// store/task_dao.hpp — A2A tasks (table `tasks`) and their messages and
// artifacts (table `task_items`, protobuf bytes, in insertion order).
//
// A task row holds what the state machine needs; GetTask joins the items.
// originator_peer_id is "local" for tasks our clients sent (upstream.md
// §1.4); remote_peer_id is the peer we sent it to ('' for tasks we run).
// Writes go through the Batch (one transaction per loop turn).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "net/text_map.hpp"
#include "store/stmt.hpp"

namespace store {

struct TaskRow {
  std::string task_id;
  std::string context_id;
  int32_t status = 0;  // agentanycast.v1.TaskStatus
  std::string target_skill_id;
  std::string originator_peer_id;
  std::string remote_peer_id;
  int64_t created_at_ns = 0;
  int64_t updated_at_ns = 0;
  bool dispatched = false;  // an incoming task handed to a local agent
  bool operator==(const TaskRow&) const = default;
};

enum class ItemKind : int32_t { message = 1, artifact = 2 };

struct TaskItem {
  ItemKind kind = ItemKind::message;
  net::Bytes body;  // agentanycast.v1.Message / Artifact encoding
};

class TaskDao {
 public:
  // Errors: Err::io (a statement did not prepare).
  static net::Result<std::unique_ptr<TaskDao>> open(Database& db, Batch& batch);

  // Err::invalid "store: UNIQUE constraint failed: tasks.task_id" when the
  // id exists.
  net::Status insert(const TaskRow& row);
  net::Result<std::optional<TaskRow>> find(std::string_view task_id);
  // Err::not_found "store: no task <id>".
  // and_dispatched: also sets `dispatched` (one statement for both).
  net::Status set_status(std::string_view task_id, int32_t status, int64_t updated_at_ns,
                         bool and_dispatched = false);
  net::Status set_dispatched(std::string_view task_id);
  net::Status add_item(std::string_view task_id, ItemKind kind, net::BytesView body);
  net::Result<std::vector<TaskItem>> items(std::string_view task_id);
  // Total bytes of a task's items (to bound what one task may hold).
  net::Result<int64_t> items_len(std::string_view task_id);
  // Incoming tasks not yet handed to a local agent, oldest first.
  net::Result<std::vector<std::string>> undispatched(size_t limit);
  // At start: tasks handed to an agent's stream whose agent never acted on
  // them (still `submitted_status`) are offered again — the hand-off may
  // have been lost with the previous process. Our own client's tasks to
  // other peers (originator "local", remote not us) are never offered.
  // Returns how many.
  net::Result<int64_t> redispatch_unstarted(int32_t submitted_status, std::string_view self_peer_id);
  net::Result<int64_t> count();

 private:
  // Rows of recently written or read tasks, so that the task path (each
  // task is looked up 4-6 times on each daemon) does not run a SELECT for
  // every step. Written through: every change goes to sqlite first and to
  // the cache only when its statement succeeded; a rollback of the batch
  // (Batch::rollbacks() moved) empties it, as does a bulk UPDATE.
  struct Cached {
    TaskRow row;
    int64_t items_len = -1;  // unknown until read or counted from zero
  };
  TaskDao(Batch& b) : batch_(b) {}
  // Drops the cache if a rollback happened since it was filled.
  void cache_check();
  Cached* cached(std::string_view task_id);
  void cache_put(TaskRow row, int64_t items_len);

  Batch& batch_;
  Stmt insert_, find_, set_status_, set_status_dispatched_, set_dispatched_, add_item_, items_, items_len_, undispatched_, count_, redispatch_;
  net::TextMap<Cached> cache_;
  uint64_t cache_gen_ = 0;
};

}  // namespace store
