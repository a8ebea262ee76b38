// The local checkpoint store: <state.path>/checkpoint.db, SQLite in WAL mode with synchronous=FULL, so a saved
// checkpoint survives kill -9 and power loss. One row holds the latest checkpoint.
//
// Threading: one thread at a time. The directory is created when missing.
#pragma once

#include <memory>
#include <string>

#include "pipeline/checkpoint.h"

struct sqlite3;

namespace mysql2ch::pipeline {

class SqliteCheckpointStore final : public CheckpointStore {
 public:
  static Result<std::unique_ptr<SqliteCheckpointStore>> open(const std::string& state_dir);
  ~SqliteCheckpointStore() override;
  SqliteCheckpointStore(const SqliteCheckpointStore&) = delete;
  SqliteCheckpointStore& operator=(const SqliteCheckpointStore&) = delete;

  Result<std::optional<Checkpoint>> load() override;
  Status save(const Checkpoint& checkpoint) override;
  std::string describe() const override { return "state " + path_; }

 private:
  SqliteCheckpointStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status exec(const char* sql);

  sqlite3* db_;
  std::string path_;
};

}  // namespace mysql2ch::pipeline
