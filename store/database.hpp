// store/database.hpp — the daemon's sqlite3 database under `store_path`
// (DESIGN.md §Persistence).
//
// One file, <store_path>/agentanycast.db, in WAL mode with synchronous=NORMAL
// (a committed transaction survives a process crash; fsync happens at
// checkpoints). The directory is created with mode 0700 and the files with
// 0600: the database holds tasks and cards, which are private.
//
// The schema is versioned with PRAGMA user_version and moved forward by the
// numbered migrations in store/migrations.cpp, each in its own transaction;
// a database newer than this binary is refused rather than misread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "net/result.hpp"

struct sqlite3;

namespace store {

inline constexpr std::string_view kDatabaseFile = "agentanycast.db";
inline constexpr int kBusyTimeoutMs = 2000;  // another process holding the lock

class Database {
 public:
  // Creates the directory (0700) and the database if needed, sets WAL mode and
  // applies pending migrations. Errors: Err::io ("store /p: cannot create
  // directory: Permission denied", "store /p/agentanycast.db: <sqlite message>"),
  // Err::unsupported ("store ...: schema version 9 is newer than this
  // binary's 2").
  static net::Result<std::unique_ptr<Database>> open(const std::string& dir);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }
  int schema_version() const { return version_; }

  // Runs SQL without results (DDL, PRAGMA, BEGIN/COMMIT). Errors: Err::io
  // with sqlite's message and the statement's first words.
  net::Status exec(std::string_view sql);
  // "ok" when PRAGMA integrity_check finds nothing wrong.
  net::Result<std::string> integrity_check();

  // Checkpoints run by on_wal_commit (tests).
  uint64_t checkpoints() const { return checkpoints_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  net::Status migrate();
  // sqlite3_wal_hook: after every commit (on the loop thread, inside the
  // COMMIT's step). Starts writeback of the WAL's new bytes and runs the
  // checkpoint at kWalAutocheckpointPages (the hook replaces sqlite's own).
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames);
  void kick_wal_writeback(int frames);

  sqlite3* db_;
  std::string path_;
  int version_ = 0;
  int page_size_ = 4096;
  int wal_fd_ = -1;           // our own read-only fd of the -wal file (writeback hints only)
  int64_t wal_kicked_ = 0;    // WAL bytes already handed to writeback
  int wal_frames_last_ = 0;   // frames at the last commit (fewer: the WAL restarted)
  uint64_t checkpoints_ = 0;
};

// The schema version this binary writes (the number of migrations).
int latest_schema_version();

}  // namespace store
