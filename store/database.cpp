#include "store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/migrations.hpp"
#include "store/store_limits.hpp"

namespace store {

int latest_schema_version() { return static_cast<int>(migrations().size()); }

static net::Status mkdir_private(const std::string& dir) {
  // Create each missing component; only the last one is ours to make private.
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST)
      return {net::Err::io, "store " + dir + ": cannot create directory " + cur + ": " + strerror(errno)};
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return {net::Err::io, "store " + dir + ": not a directory"};
  return {};
}

// Process-wide sqlite settings, before its first use. Memory statistics
// cost a global mutex around every sqlite allocation (measured ~1 % of the
// daemon's CPU on the task path); we never read them. If sqlite was already
// initialized by someone else, the call fails and the default stays.
static void configure_sqlite_once() {
  static const bool done = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)done;
}

net::Result<std::unique_ptr<Database>> Database::open(const std::string& dir) {
  configure_sqlite_once();
  AAC_TRY(mkdir_private(dir));
  std::string path = dir + "/" + std::string(kDatabaseFile);
  sqlite3* db = nullptr;
  // Files created by sqlite (db, -wal, -shm) get 0600: umask for the call.
  mode_t old = umask(077);
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  umask(old);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return net::Error{net::Err::io, "store " + path + ": " + msg};
  }
  std::unique_ptr<Database> d(new Database(db, path));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // One daemon owns its store: EXCLUSIVE locking keeps the WAL index in our
  // heap instead of the -shm file, so a transaction costs no fcntl() lock
  // calls (29 per task round trip measured with strace before) and a second
  // daemon on the same store is refused (SQLITE_BUSY) instead of sharing it.
  // Must come before journal_mode=WAL to take effect for the WAL index.
  AAC_TRY(d->exec("PRAGMA locking_mode=EXCLUSIVE"));
  AAC_TRY(d->exec("PRAGMA journal_mode=WAL"));
  AAC_TRY(d->exec("PRAGMA synchronous=NORMAL"));
  // Our hook checkpoints at kWalAutocheckpointPages instead of sqlite's
  // (wal_autocheckpoint), and kicks writeback in between.
  sqlite3_wal_hook(db, &Database::on_wal_commit, d.get());
  AAC_TRY(d->exec("PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimitBytes)));
  AAC_TRY(d->exec("PRAGMA foreign_keys=ON"));
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      d->page_size_ = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
  }
  AAC_TRY(d->migrate());
  return d;
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

int Database::on_wal_commit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* d = static_cast<Database*>(self);
  d->kick_wal_writeback(frames);
  if (frames >= kWalAutocheckpointPages) {
    // As sqlite's own hook does: PASSIVE, errors ignored (the next commit
    // tries again; the WAL stays valid meanwhile).
    if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK)
      ++d->checkpoints_;
  }
  return SQLITE_OK;
}

void Database::kick_wal_writeback(int frames) {
  if (frames < wal_frames_last_) wal_kicked_ = 0;  // restarted from its start after a checkpoint
  wal_frames_last_ = frames;
  // WAL layout (sqlite's wal format): a 32-byte header, then frames of a
  // 24-byte header and one page.
  const int64_t end = 32 + static_cast<int64_t>(frames) * (24 + page_size_);
  if (end - wal_kicked_ < kWalWritebackKickBytes) return;
  if (wal_fd_ < 0) {
    wal_fd_ = ::open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) return;  // only a hint: without it the checkpoint writes it all
  }
  // Does not wait for the I/O; an error only means no hint.
  (void)::sync_file_range(wal_fd_, wal_kicked_, end - wal_kicked_, SYNC_FILE_RANGE_WRITE);
  wal_kicked_ = end;
}

net::Status Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    std::string head = s.substr(s.find_first_not_of(" \n"), 40);
    for (auto& c : head)
      if (c == '\n') c = ' ';
    return {net::Err::io, "store " + path_ + ": " + msg + " (in: " + head + ")"};
  }
  return {};
}

net::Result<std::string> Database::integrity_check() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &st, nullptr) != SQLITE_OK)
    return net::Error{net::Err::io, std::string("store: ") + sqlite3_errmsg(db_)};
  std::string out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (!out.empty()) out += "; ";
    out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  return out;
}

net::Status Database::migrate() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &st, nullptr) != SQLITE_OK)
    return {net::Err::io, "store " + path_ + ": " + sqlite3_errmsg(db_)};
  version_ = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sqlite3_finalize(st);
  const auto all = migrations();
  const int latest = static_cast<int>(all.size());
  if (version_ > latest)
    return {net::Err::unsupported, "store " + path_ + ": schema version " + std::to_string(version_) +
                                       " is newer than this binary's " + std::to_string(latest)};
  while (version_ < latest) {
    AAC_TRY(exec("BEGIN IMMEDIATE"));
    auto r = exec(all[version_]);
    if (r) r = exec("PRAGMA user_version=" + std::to_string(version_ + 1));
    if (!r) {
      (void)exec("ROLLBACK");
      return r;
    }
    AAC_TRY(exec("COMMIT"));
    ++version_;
  }
  return {};
}

}  // namespace store
