#include "pipeline/sqlite_checkpoint_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace mysql2ch::pipeline {

Result<std::unique_ptr<SqliteCheckpointStore>> SqliteCheckpointStore::open(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "creating state directory {}: {}", state_dir, ec.message());
  const std::string path = (std::filesystem::path(state_dir) / "checkpoint.db").string();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return make_error(ErrorCode::kIo, "opening {}: {}", path, msg);
  }
  std::unique_ptr<SqliteCheckpointStore> store(new SqliteCheckpointStore(db, path));
  sqlite3_busy_timeout(db, 5000);
  TRY(store->exec("PRAGMA journal_mode=WAL"));
  TRY(store->exec("PRAGMA synchronous=FULL"));
  TRY(store->exec("CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), "
                  "sequence INTEGER NOT NULL, document TEXT NOT NULL)"));
  return store;
}

SqliteCheckpointStore::~SqliteCheckpointStore() { sqlite3_close(db_); }

Status SqliteCheckpointStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return make_error(ErrorCode::kIo, "{}: {}", path_, msg);
  }
  return {};
}

Result<std::optional<Checkpoint>> SqliteCheckpointStore::load() {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT document FROM checkpoint WHERE id = 1", -1, &stmt, nullptr) != SQLITE_OK) {
    return make_error(ErrorCode::kIo, "{}: {}", path_, sqlite3_errmsg(db_));
  }
  std::optional<std::string> doc;
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    doc.emplace(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return make_error(ErrorCode::kIo, "{}: {}", path_, sqlite3_errmsg(db_));
  if (!doc) return std::optional<Checkpoint>{};
  auto parsed = checkpoint_from_json(*doc);
  if (!parsed.ok()) return std::move(parsed).error().context(path_);
  return std::optional<Checkpoint>(std::move(parsed).value());
}

Status SqliteCheckpointStore::save(const Checkpoint& checkpoint) {
  const std::string doc = checkpoint_to_json(checkpoint);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO checkpoint (id, sequence, document) VALUES (1, ?, ?)", -1,
                         &stmt, nullptr) != SQLITE_OK) {
    return make_error(ErrorCode::kIo, "{}: {}", path_, sqlite3_errmsg(db_));
  }
  sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(checkpoint.sequence));
  sqlite3_bind_text(stmt, 2, doc.data(), static_cast<int>(doc.size()), SQLITE_TRANSIENT);
  const int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return make_error(ErrorCode::kIo, "saving checkpoint in {}: {}", path_, sqlite3_errmsg(db_));
  return {};
}

}  // namespace mysql2ch::pipeline
