// Which selected tables' snapshots completed, kept in the destination next to the checkpoint mirror
// (<state database>._mysql2ch_snapshots, one row per pipeline and table). A new host, or a start whose state
// directory was lost, resumes from the destination alone: only the tables marked here are known to be fully
// copied; a destination table without a mark may hold a partial snapshot and is read again.
//
// Threading: one object per thread (each holds a reference to a connection used by that thread only).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "clickhouse/connection.h"
#include "common/result.h"
#include "state/state_store.h"

namespace mysql2ch::pipeline {

class SnapshotMarks {
 public:
  // `connection` outlives the object.
  SnapshotMarks(ClickHouseConnection& connection, std::string database, std::string pipeline)
      : connection_(connection), database_(std::move(database)), pipeline_(std::move(pipeline)) {}

  // Creates the table when missing (the database must exist: the checkpoint mirror's prepare() makes it).
  Status prepare();
  // The tables marked done for this pipeline (empty when the table does not exist yet).
  Result<std::set<state::TableId>> load();
  // Marks `tables` done; marking one again is harmless.
  Status mark(const std::vector<state::TableId>& tables);

 private:
  std::string table() const;

  ClickHouseConnection& connection_;
  std::string database_;
  std::string pipeline_;
};

}  // namespace mysql2ch::pipeline
