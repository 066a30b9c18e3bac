#include "store/task_dao.hpp"

#include "store/database.hpp"
#include "store/store_limits.hpp"

namespace store {

net::Result<std::unique_ptr<TaskDao>> TaskDao::open(Database& db, Batch& batch) {
  std::unique_ptr<TaskDao> d(new TaskDao(batch));
  sqlite3* h = db.handle();
  auto prep = [h](Stmt& s, std::string_view sql) -> net::Status {
    auto r = Stmt::prepare(h, sql);
    if (!r) return r.take_error();
    s = r.take();
    return {};
  };
  AAC_TRY(prep(d->insert_,
               "INSERT INTO tasks(task_id, context_id, status, target_skill_id, originator_peer_id, "
               "remote_peer_id, created_at, updated_at, dispatched) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)"));
  AAC_TRY(prep(d->find_,
               "SELECT task_id, context_id, status, target_skill_id, originator_peer_id, remote_peer_id, "
               "created_at, updated_at, dispatched FROM tasks WHERE task_id = ?1"));
  AAC_TRY(prep(d->set_status_, "UPDATE tasks SET status = ?2, updated_at = ?3 WHERE task_id = ?1"));
  AAC_TRY(prep(d->set_status_dispatched_,
               "UPDATE tasks SET status = ?2, updated_at = ?3, dispatched = 1 WHERE task_id = ?1"));
  AAC_TRY(prep(d->set_dispatched_, "UPDATE tasks SET dispatched = 1 WHERE task_id = ?1"));
  AAC_TRY(prep(d->add_item_, "INSERT INTO task_items(task_id, kind, body) VALUES (?1, ?2, ?3)"));
  AAC_TRY(prep(d->items_, "SELECT kind, body FROM task_items WHERE task_id = ?1 ORDER BY id"));
  AAC_TRY(prep(d->items_len_, "SELECT COALESCE(SUM(LENGTH(body)), 0) FROM task_items WHERE task_id = ?1"));
  AAC_TRY(prep(d->undispatched_,
               "SELECT task_id FROM tasks WHERE dispatched = 0 ORDER BY created_at LIMIT ?1"));
  AAC_TRY(prep(d->count_, "SELECT COUNT(*) FROM tasks"));
  AAC_TRY(prep(d->redispatch_,
               "UPDATE tasks SET dispatched = 0 WHERE dispatched = 1 AND status = ?1 "
               "AND NOT (originator_peer_id = 'local' AND remote_peer_id != ?2)"));
  return d;
}

void TaskDao::cache_check() {
  if (cache_gen_ == batch_.rollbacks()) return;
  cache_.clear();
  cache_gen_ = batch_.rollbacks();
}

TaskDao::Cached* TaskDao::cached(std::string_view task_id) {
  cache_check();
  auto it = cache_.find(task_id);
  return it == cache_.end() ? nullptr : &it->second;
}

void TaskDao::cache_put(TaskRow row, int64_t items_len) {
  cache_check();
  if (cache_.size() >= kTaskRowCacheEntries) cache_.clear();
  std::string key = row.task_id;
  cache_.insert_or_assign(std::move(key), Cached{std::move(row), items_len});
}

net::Status TaskDao::insert(const TaskRow& r) {
  AAC_TRY(batch_.begin());
  insert_.bind(1, r.task_id)
      .bind(2, r.context_id)
      .bind(3, int64_t{r.status})
      .bind(4, r.target_skill_id)
      .bind(5, r.originator_peer_id)
      .bind(6, r.remote_peer_id)
      .bind(7, r.created_at_ns)
      .bind(8, r.updated_at_ns)
      .bind(9, int64_t{r.dispatched ? 1 : 0});
  AAC_TRY(insert_.run());
  cache_put(r, 0);  // a new task has no items
  return {};
}

net::Result<std::optional<TaskRow>> TaskDao::find(std::string_view task_id) {
  if (const Cached* c = cached(task_id)) return std::optional<TaskRow>(c->row);
  find_.bind(1, task_id);
  auto r = find_.step();
  if (!r) return r.take_error();
  std::optional<TaskRow> out;
  if (*r) {
    TaskRow t;
    t.task_id = find_.text(0);
    t.context_id = find_.text(1);
    t.status = static_cast<int32_t>(find_.int64(2));
    t.target_skill_id = find_.text(3);
    t.originator_peer_id = find_.text(4);
    t.remote_peer_id = find_.text(5);
    t.created_at_ns = find_.int64(6);
    t.updated_at_ns = find_.int64(7);
    t.dispatched = find_.int64(8) != 0;
    out = std::move(t);
  }
  find_.reset();
  if (out) cache_put(*out, -1);
  return out;
}

net::Status TaskDao::set_status(std::string_view task_id, int32_t status, int64_t updated_at_ns,
                                bool and_dispatched) {
  AAC_TRY(batch_.begin());
  Stmt& s = and_dispatched ? set_status_dispatched_ : set_status_;
  s.bind(1, task_id).bind(2, int64_t{status}).bind(3, updated_at_ns);
  AAC_TRY(s.run());
  if (sqlite3_changes(sqlite3_db_handle(s.raw())) == 0)
    return {net::Err::not_found, "store: no task " + std::string(task_id)};
  if (Cached* c = cached(task_id)) {
    c->row.status = status;
    c->row.updated_at_ns = updated_at_ns;
    if (and_dispatched) c->row.dispatched = true;
  }
  return {};
}

net::Result<int64_t> TaskDao::redispatch_unstarted(int32_t submitted_status, std::string_view self_peer_id) {
  AAC_TRY(batch_.begin());
  redispatch_.bind(1, int64_t{submitted_status});
  redispatch_.bind(2, self_peer_id);
  AAC_TRY(redispatch_.run());
  cache_.clear();  // rows changed behind the cache
  return static_cast<int64_t>(sqlite3_changes(sqlite3_db_handle(redispatch_.raw())));
}

net::Status TaskDao::set_dispatched(std::string_view task_id) {
  AAC_TRY(batch_.begin());
  set_dispatched_.bind(1, task_id);
  AAC_TRY(set_dispatched_.run());
  if (Cached* c = cached(task_id)) c->row.dispatched = true;
  return {};
}

net::Status TaskDao::add_item(std::string_view task_id, ItemKind kind, net::BytesView body) {
  AAC_TRY(batch_.begin());
  add_item_.bind(1, task_id).bind(2, int64_t{static_cast<int32_t>(kind)}).bind_blob(3, body);
  AAC_TRY(add_item_.run());
  if (Cached* c = cached(task_id); c && c->items_len >= 0) c->items_len += static_cast<int64_t>(body.size());
  return {};
}

net::Result<std::vector<TaskItem>> TaskDao::items(std::string_view task_id) {
  std::vector<TaskItem> out;
  items_.bind(1, task_id);
  for (;;) {
    auto r = items_.step();
    if (!r) return r.take_error();
    if (!*r) break;
    auto b = items_.blob(1);
    out.push_back({static_cast<ItemKind>(items_.int64(0)), net::Bytes(b.begin(), b.end())});
  }
  items_.reset();
  return out;
}

net::Result<int64_t> TaskDao::items_len(std::string_view task_id) {
  Cached* c = cached(task_id);
  if (c && c->items_len >= 0) return c->items_len;
  items_len_.bind(1, task_id);
  auto r = items_len_.step();
  if (!r) return r.take_error();
  int64_t n = *r ? items_len_.int64(0) : 0;
  items_len_.reset();
  if (c) c->items_len = n;
  return n;
}

net::Result<std::vector<std::string>> TaskDao::undispatched(size_t limit) {
  std::vector<std::string> out;
  undispatched_.bind(1, static_cast<int64_t>(limit));
  for (;;) {
    auto r = undispatched_.step();
    if (!r) return r.take_error();
    if (!*r) break;
    out.emplace_back(undispatched_.text(0));
  }
  undispatched_.reset();
  return out;
}

net::Result<int64_t> TaskDao::count() {
  auto r = count_.step();
  if (!r) return r.take_error();
  int64_t n = count_.int64(0);
  count_.reset();
  return n;
}

}  // namespace store
