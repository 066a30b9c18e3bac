// store/url_task_dao.hpp — bookkeeping of tasks routed by URL to external
// HTTP(S) A2A agents (frontends/a2a_client): one row per task still being
// followed, in the `meta` table under 'url_task:<task id>' (no schema
// change: the task itself is an ordinary `tasks` row, originator "local",
// no remote peer). Erased once the task is terminal.
//
// Value (text): "1\t<protocol 0|1>\t<url>\t<the agent's task id>"; the
// agent's id is "" until its first answer, and is last so any bytes fit.
// Writes go through the Batch (the engine's transaction of the turn).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"
#include "store/stmt.hpp"

namespace store {

struct UrlTaskRow {
  std::string task_id;
  int protocol = 0;
  std::string url;
  std::string remote_task_id;
  bool operator==(const UrlTaskRow&) const = default;
};

class UrlTaskDao {
 public:
  static net::Result<std::unique_ptr<UrlTaskDao>> open(Database& db, Batch& batch);

  net::Status put(const UrlTaskRow& row);
  net::Status erase(std::string_view task_id);
  // Every row; rows that do not decode are skipped (and erased).
  net::Result<std::vector<UrlTaskRow>> list();

  static std::string encode(const UrlTaskRow& row);
  static bool decode(std::string_view key, std::string_view value, UrlTaskRow& out);

 private:
  explicit UrlTaskDao(Batch& b) : batch_(b) {}
  Batch& batch_;
  Stmt put_, erase_, list_;
};

}  // namespace store
