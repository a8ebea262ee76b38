#include "state/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace mysql2ch::state {

Statement::Statement(sqlite3* db, std::string path, sqlite3_stmt* stmt, std::string_view sql)
    : db_(db), path_(std::move(path)), stmt_(stmt), sql_(sql) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      path_(std::move(other.path_)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)) {}

Error Statement::error() const {
  return make_error(ErrorCode::kIo, "state database {}: {}: {}", path_, sql_.substr(0, 80), sqlite3_errmsg(db_));
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, uint64_t value) {
  // SQLite integers are signed 64-bit; counters and positions stay far below 2^63.
  sqlite3_bind_int64(stmt_, index, static_cast<int64_t>(value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error();
}

Status Statement::run() {
  while (true) {
    TRY_ASSIGN(bool row, step());
    if (!row) return {};
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t Statement::int64_at(int column) const { return sqlite3_column_int64(stmt_, column); }
uint64_t Statement::uint64_at(int column) const { return static_cast<uint64_t>(sqlite3_column_int64(stmt_, column)); }

std::string Statement::text_at(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::optional_text_at(int column) const {
  if (is_null(column)) return std::nullopt;
  return text_at(column);
}

Result<SqliteDb> SqliteDb::open(const std::string& path) {
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  SqliteDb db(handle, path);  // closes the handle on every path, also when open failed
  if (rc != SQLITE_OK) return db.error("opening");
  sqlite3_busy_timeout(handle, 10000);
  TRY(db.exec("PRAGMA journal_mode = WAL"));
  TRY(db.exec("PRAGMA synchronous = FULL"));
  TRY(db.exec("PRAGMA foreign_keys = ON"));
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status SqliteDb::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string what = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return make_error(ErrorCode::kIo, "state database {}: {}: {}", path_, text.substr(0, 80), what);
  }
  return {};
}

Result<Statement> SqliteDb::prepare(std::string_view sql) const {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return error(sql);
  }
  return Statement(db_, path_, stmt, sql);
}

Error SqliteDb::error(std::string_view doing) const {
  const char* what = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
  return make_error(ErrorCode::kIo, "state database {}: {}: {}", path_, doing.substr(0, 80), what);
}

}  // namespace mysql2ch::state
