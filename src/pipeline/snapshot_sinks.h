// The snapshot's sinks on ClickHouse: each SnapshotSink is a TableWriter on a connection of its own (opened
// per sink, so reader threads never share one), writing into the table ClickHouseDestination created.
//
// open() first compares the destination table's columns (names and types) with the mapped columns of
// the schema the chunk is read with (column_differences, as ClickHouseDestination does): they differ when the
// source table was altered after the stream's position and the stream has not replayed that DDL yet (or a table
// the stream created is read with today's columns). Rows of the wrong shape are never sent: open() fails with
// kUnavailable naming each difference, and the table is remembered in deferred(), so the worker retries it once
// the stream has brought the destination along.
//
// Threading: open(), deferred() and discard_partial_append_only() may be called from several reader threads at
// once. The destination tables must exist before the snapshot starts (sync creates
// them first).
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "config/config.h"
#include "snapshot/snapshot_sink.h"

namespace mysql2ch::pipeline {

class ClickHouseSnapshotSinks final : public snapshot::SnapshotSinkFactory {
 public:
  explicit ClickHouseSnapshotSinks(const Config& config) : config_(config) {}

  Result<std::unique_ptr<snapshot::SnapshotSink>> open(const schema::TableSchema& table) override;
  // Empties the destination table: a table without a primary key is re-read in one pass from its start.
  Status discard_partial_append_only(const schema::TableSchema& table) override;

  // "db.table" of the source tables whose destination layout differed at open(), since construction.
  std::set<std::string> deferred() const;

 private:
  const Config& config_;
  mutable std::mutex mutex_;
  std::set<std::string> deferred_;
};

}  // namespace mysql2ch::pipeline
