// store/url_task_dao.cpp — see url_task_dao.hpp.
#include "store/url_task_dao.hpp"

#include "store/database.hpp"

namespace store {

namespace {
constexpr std::string_view kPrefix = "url_task:";
}

net::Result<std::unique_ptr<UrlTaskDao>> UrlTaskDao::open(Database& db, Batch& batch) {
  std::unique_ptr<UrlTaskDao> d(new UrlTaskDao(batch));
  sqlite3* h = db.handle();
  AAC_TRY(Stmt::prepare_into(h, d->put_, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)"));
  AAC_TRY(Stmt::prepare_into(h, d->erase_, "DELETE FROM meta WHERE key = ?1"));
  // 'url_task;' is the first key after every 'url_task:...' (';' follows ':').
  AAC_TRY(Stmt::prepare_into(h, d->list_,
                             "SELECT key, value FROM meta WHERE key >= 'url_task:' AND key < 'url_task;' ORDER BY key"));
  return d;
}

std::string UrlTaskDao::encode(const UrlTaskRow& r) {
  return "1\t" + std::to_string(r.protocol) + "\t" + r.url + "\t" + r.remote_task_id;
}

bool UrlTaskDao::decode(std::string_view key, std::string_view v, UrlTaskRow& out) {
  if (key.substr(0, kPrefix.size()) != kPrefix || key.size() == kPrefix.size()) return false;
  out.task_id = std::string(key.substr(kPrefix.size()));
  if (v.substr(0, 2) != "1\t") return false;
  v.remove_prefix(2);
  size_t t1 = v.find('\t');
  if (t1 != 1 || (v[0] != '0' && v[0] != '1')) return false;
  out.protocol = v[0] - '0';
  v.remove_prefix(2);
  size_t t2 = v.find('\t');
  if (t2 == std::string_view::npos || t2 == 0) return false;
  out.url = std::string(v.substr(0, t2));
  out.remote_task_id = std::string(v.substr(t2 + 1));
  return true;
}

net::Status UrlTaskDao::put(const UrlTaskRow& row) {
  AAC_TRY(batch_.begin());
  const std::string k = std::string(kPrefix) + row.task_id;
  const std::string v = encode(row);
  put_.bind(1, k).bind_blob(2, net::BytesView(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  return put_.run();
}

net::Status UrlTaskDao::erase(std::string_view task_id) {
  AAC_TRY(batch_.begin());
  // A named key: bind() keeps a pointer (SQLITE_STATIC) until the step.
  const std::string k = std::string(kPrefix) + std::string(task_id);
  erase_.bind(1, k);
  return erase_.run();
}

net::Result<std::vector<UrlTaskRow>> UrlTaskDao::list() {
  std::vector<UrlTaskRow> out;
  std::vector<std::string> bad;
  for (;;) {
    auto r = list_.step();
    if (!r) {
      list_.reset();
      return r.take_error();
    }
    if (!*r) break;
    std::string_view key = list_.text(0);
    auto b = list_.blob(1);
    UrlTaskRow row;
    if (decode(key, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()), row))
      out.push_back(std::move(row));
    else
      bad.emplace_back(key.substr(kPrefix.size()));
  }
  list_.reset();
  for (const auto& id : bad) AAC_TRY(erase(id));
  return out;
}

}  // namespace store
