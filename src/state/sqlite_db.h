// A thin RAII owner of one SQLite database handle and its prepared statements, so StateStore reads as SQL
// and not as sqlite3_* plumbing. Errors come back as kIo naming the database file and the statement.
//
// Threading: one SqliteDb is used by one thread at a time (the handle is opened SQLITE_OPEN_FULLMUTEX, but a
// Statement's bindings and cursor are not shared). Statements must not outlive their SqliteDb (moving the SqliteDb is fine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace mysql2ch::state {

class SqliteDb;

// One prepared statement. Bind with 1-based indexes, then step(): true while a row is available.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, uint64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::optional<std::string>& value);  // nullopt binds NULL
  Statement& bind_null(int index);

  Result<bool> step();
  Status run();  // steps until done; for statements without rows

  bool is_null(int column) const;
  int64_t int64_at(int column) const;
  uint64_t uint64_at(int column) const;
  std::string text_at(int column) const;                 // "" for NULL
  std::optional<std::string> optional_text_at(int column) const;

 private:
  friend class SqliteDb;
  Statement(sqlite3* db, std::string path, sqlite3_stmt* stmt, std::string_view sql);
  Error error() const;
  sqlite3* db_;
  std::string path_;  // for messages
  sqlite3_stmt* stmt_;
  std::string sql_;
};

class SqliteDb {
 public:
  // Opens (creating) `path` with journal_mode=WAL, synchronous=FULL, foreign_keys=ON and a busy timeout, so
  // a committed transaction survives a process kill and a power loss.
  static Result<SqliteDb> open(const std::string& path);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  Status exec(std::string_view sql);  // one or more statements without parameters or rows
  Result<Statement> prepare(std::string_view sql) const;

  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename Body>
  Status transaction(Body&& body) {
    TRY(exec("BEGIN IMMEDIATE"));
    Status st = body();
    if (!st.ok()) {
      (void)exec("ROLLBACK");
      return st;
    }
    st = exec("COMMIT");
    if (!st.ok()) (void)exec("ROLLBACK");
    return st;
  }

  const std::string& path() const { return path_; }
  Error error(std::string_view doing) const;

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace mysql2ch::state
