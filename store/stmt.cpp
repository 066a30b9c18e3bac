#include "store/stmt.hpp"

#include <utility>

#include "store/database.hpp"

namespace store {

namespace {
std::string head(std::string_view sql) {
  size_t b = sql.find_first_not_of(" \n");
  std::string h(sql.substr(b == std::string_view::npos ? 0 : b, 40));
  for (auto& c : h)
    if (c == '\n') c = ' ';
  return h;
}
}  // namespace

Stmt::~Stmt() {
  if (st_) sqlite3_finalize(st_);
}

Stmt::Stmt(Stmt&& o) noexcept
    : st_(std::exchange(o.st_, nullptr)), bind_rc_(o.bind_rc_), stepped_(o.stepped_) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    if (st_) sqlite3_finalize(st_);
    st_ = std::exchange(o.st_, nullptr);
    bind_rc_ = o.bind_rc_;
    stepped_ = o.stepped_;
  }
  return *this;
}

net::Status Stmt::prepare_into(sqlite3* db, Stmt& s, std::string_view sql) {
  auto r = prepare(db, sql);
  if (!r) return r.take_error();
  s = r.take();
  return {};
}

net::Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st,
                              nullptr);
  if (rc != SQLITE_OK || st == nullptr) {
    if (st) sqlite3_finalize(st);
    return net::Error{net::Err::io, "store: cannot prepare '" + head(sql) + "': " + sqlite3_errmsg(db)};
  }
  return Stmt(st);
}

void Stmt::prepare_bind() {
  if (stepped_) reset();
}

Stmt& Stmt::bind(int i, int64_t v) {
  prepare_bind();
  int rc = sqlite3_bind_int64(st_, i, v);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  prepare_bind();
  int rc = sqlite3_bind_text64(st_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::bind_blob(int i, net::BytesView v) {
  prepare_bind();
  // A zero-length blob must not bind as NULL (NOT NULL columns).
  static const uint8_t kEmpty = 0;
  const void* p = v.empty() ? &kEmpty : v.data();
  int rc = sqlite3_bind_blob64(st_, i, p, v.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

net::Result<bool> Stmt::step() {
  stepped_ = true;
  sqlite3* db = sqlite3_db_handle(st_);
  if (bind_rc_ != SQLITE_OK) {
    int rc = bind_rc_;
    reset();
    return net::Error{net::Err::io, std::string("store: bind: ") + sqlite3_errstr(rc)};
  }
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db);
  sqlite3_reset(st_);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return net::Error{net::Err::invalid, "store: " + msg};
  return net::Error{net::Err::io, "store: " + msg};
}

net::Status Stmt::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.take_error();
    if (!*r) break;
  }
  reset();
  return {};
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
  bind_rc_ = SQLITE_OK;
  stepped_ = false;
}

int64_t Stmt::int64(int col) const { return sqlite3_column_int64(st_, col); }

std::string_view Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(st_, col))};
}

net::BytesView Stmt::blob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(st_, col));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(st_, col))};
}

size_t Stmt::column_len(int col) const { return static_cast<size_t>(sqlite3_column_bytes(st_, col)); }

// ---- Batch ----

Batch::~Batch() { rollback(); }

net::Status Batch::prepare_control() {
  if (rollback_.raw()) return {};  // the last one: all three are ready
  AAC_TRY(Stmt::prepare_into(db_.handle(), begin_, "BEGIN IMMEDIATE"));
  AAC_TRY(Stmt::prepare_into(db_.handle(), commit_, "COMMIT"));
  return Stmt::prepare_into(db_.handle(), rollback_, "ROLLBACK");
}

net::Status Batch::begin() {
  ++writes_;
  if (open_) return {};
  AAC_TRY(prepare_control());
  AAC_TRY(begin_.run());
  open_ = true;
  return {};
}

net::Status Batch::commit() {
  if (!open_) return {};
  auto r = commit_.run();
  if (!r) {
    rollback();
    return r;
  }
  open_ = false;
  ++commits_;
  return {};
}

void Batch::rollback() {
  if (!open_) return;
  open_ = false;
  ++rollbacks_;
  if (sqlite3_get_autocommit(db_.handle()) == 0) (void)rollback_.run();
}

}  // namespace store
