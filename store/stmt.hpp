// store/stmt.hpp — a prepared sqlite statement, prepared once and reused
// (sqlite3_prepare_v3 with SQLITE_PREPARE_PERSISTENT), and the write batch
// that groups every write of one loop turn into one transaction.
//
// Binding errors are sticky: the first failed bind is reported by the next
// step(). Column views (text(), blob()) stay valid until the next step() or
// reset() of the same statement.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"

namespace store {

class Database;

class Stmt {
 public:
  Stmt() = default;
  ~Stmt();
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Errors: Err::io "store: cannot prepare '<sql head>': <sqlite message>".
  static net::Result<Stmt> prepare(sqlite3* db, std::string_view sql);
  // prepare() into an existing member (the DAOs' open()).
  static net::Status prepare_into(sqlite3* db, Stmt& s, std::string_view sql);

  // Parameters are numbered from 1, as in sqlite.
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view v);
  // Text and blobs are bound without a copy (SQLITE_STATIC): they must live
  // until the step. A temporary string would dangle, so it does not compile.
  Stmt& bind(int i, std::string&& v) = delete;
  Stmt& bind_blob(int i, net::BytesView v);

  // One step: true when a row is available, false when done. Errors: Err::io
  // with sqlite's message; Err::invalid for a constraint violation
  // ("store: UNIQUE constraint failed: tasks.task_id").
  net::Result<bool> step();
  // Steps to completion (for statements without rows).
  net::Status run();
  // Resets and clears the bindings; done automatically by the next bind(1, ...)
  // after a step.
  void reset();

  int64_t int64(int col) const;
  std::string_view text(int col) const;
  net::BytesView blob(int col) const;
  size_t column_len(int col) const;

  sqlite3_stmt* raw() { return st_; }

 private:
  explicit Stmt(sqlite3_stmt* st) : st_(st) {}
  void prepare_bind();
  sqlite3_stmt* st_ = nullptr;
  int bind_rc_ = SQLITE_OK;
  bool stepped_ = false;
};

// Groups writes into one transaction: every write calls begin() first (BEGIN
// IMMEDIATE when none is open); the driver calls commit() once per loop
// turn. Reads see the open transaction's writes (one connection).
class Batch {
 public:
  explicit Batch(Database& db) : db_(db) {}
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  net::Status begin();
  // COMMIT if a transaction is open; nothing otherwise. On failure the
  // transaction is rolled back and the error returned.
  net::Status commit();
  void rollback();
  bool open() const { return open_; }
  uint64_t commits() const { return commits_; }
  uint64_t writes() const { return writes_; }  // begin() calls
  // Bumped by every rollback: caches derived from the tables compare it.
  uint64_t rollbacks() const { return rollbacks_; }
  Database& db() { return db_; }

 private:
  // BEGIN IMMEDIATE / COMMIT / ROLLBACK prepared once (first begin()):
  // sqlite3_exec would parse them again on every loop turn that writes.
  net::Status prepare_control();
  Database& db_;
  Stmt begin_, commit_, rollback_;
  bool open_ = false;
  uint64_t commits_ = 0;
  uint64_t writes_ = 0;
  uint64_t rollbacks_ = 0;
};

}  // namespace store
