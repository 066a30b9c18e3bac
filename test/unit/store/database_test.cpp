#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "store/database.hpp"
#include "store/store_limits.hpp"

namespace {
int64_t pragma_int(sqlite3* h, const char* sql) {
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(h, sql, -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/aac-store-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}
}  // namespace

TEST_CASE("store: open creates a private directory and a WAL database at the latest schema") {
  std::string dir = temp_dir() + "/a/b";
  auto db = store::Database::open(dir);
  REQUIRE_MESSAGE(db, db.what());
  struct stat st;
  REQUIRE(stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  REQUIRE(stat((dir + "/agentanycast.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);
  CHECK((*db)->schema_version() == store::latest_schema_version());
  auto ic = (*db)->integrity_check();
  REQUIRE(ic);
  CHECK(*ic == "ok");
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2((*db)->handle(), "PRAGMA journal_mode", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "wal");
  sqlite3_finalize(s);
  // Fewer, larger checkpoints than sqlite's default of 1 000 pages, and a
  // bounded WAL file (store_limits.hpp says why).
  // Our commit hook replaces sqlite's autocheckpoint (it reads 0 then).
  CHECK(pragma_int((*db)->handle(), "PRAGMA wal_autocheckpoint") == 0);
  CHECK(pragma_int((*db)->handle(), "PRAGMA journal_size_limit") == store::kWalSizeLimitBytes);
  CHECK(pragma_int((*db)->handle(), "PRAGMA synchronous") == 1);  // NORMAL
}

TEST_CASE("store: reopening keeps the schema; a newer schema is refused") {
  std::string dir = temp_dir();
  {
    auto db = store::Database::open(dir);
    REQUIRE(db);
    REQUIRE((*db)->exec("INSERT INTO meta(key, value) VALUES ('k', 'v')"));
    REQUIRE((*db)->exec("PRAGMA user_version=999"));
  }
  auto db = store::Database::open(dir);
  REQUIRE_FALSE(db);
  CHECK(db.err() == net::Err::unsupported);
  CHECK(db.what() == "store " + dir + "/agentanycast.db: schema version 999 is newer than this binary's " +
                         std::to_string(store::latest_schema_version()));
}

TEST_CASE("store: a path under a regular file is refused with the path named") {
  std::string dir = temp_dir();
  FILE* f = fopen((dir + "/file").c_str(), "w");
  REQUIRE(f);
  fclose(f);
  auto db = store::Database::open(dir + "/file/sub");
  REQUIRE_FALSE(db);
  CHECK(db.err() == net::Err::io);
  CHECK(db.what() == "store " + dir + "/file/sub: cannot create directory " + dir + "/file/sub: Not a directory");
}

TEST_CASE("store: a second opener of a store in use is refused (EXCLUSIVE locking), then admitted after close") {
  std::string dir = temp_dir();
  auto first = store::Database::open(dir);
  REQUIRE(first);
  REQUIRE((*first)->exec("INSERT INTO meta(key, value) VALUES ('k', 'v')"));
  auto second = store::Database::open(dir);  // waits kBusyTimeoutMs, then gives up
  REQUIRE_FALSE(second);
  CHECK(second.err() == net::Err::io);
  CHECK(second.what().find("locked") != std::string::npos);
  first = net::Error{net::Err::io, "closed"};  // closes the first connection
  auto third = store::Database::open(dir);
  REQUIRE_MESSAGE(third, third.what());
  CHECK((*third)->schema_version() == store::latest_schema_version());
}

TEST_CASE("store: our commit hook checkpoints the WAL at its page mark and keeps the file bounded") {
  std::string dir = temp_dir();
  auto db = store::Database::open(dir);
  REQUIRE(db);
  const std::string wal = dir + "/agentanycast.db-wal";
  // ~17 pages per commit (one 64 KiB blob): 400 commits write ~6 800 WAL
  // frames, past kWalAutocheckpointPages (4 096) once.
  const std::string blob(64 * 1024, 'x');
  sqlite3_stmt* ins = nullptr;
  REQUIRE(sqlite3_prepare_v2((*db)->handle(), "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", -1, &ins,
                             nullptr) == SQLITE_OK);
  for (int i = 0; i < 400; ++i) {
    const std::string key = "k" + std::to_string(i % 8);
    sqlite3_bind_text(ins, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(ins, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    REQUIRE(sqlite3_step(ins) == SQLITE_DONE);  // autocommit: one transaction, one hook call
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  CHECK((*db)->checkpoints() >= 1);
  struct stat st;
  REQUIRE(stat(wal.c_str(), &st) == 0);
  // Reused from its start after the checkpoint: never much past the mark.
  CHECK(st.st_size <= int64_t{store::kWalAutocheckpointPages + 64} * (4096 + 24) + 32);
  auto ic = (*db)->integrity_check();
  REQUIRE(ic);
  CHECK(*ic == "ok");
}
