// The snapshot's sinks on ClickHouse: each SnapshotSink is a TableWriter on a connection of its own (opened
// per sink, so reader threads never share one), writing into the table ClickHouseDestination created.
//
// Threading: open() and discard_partial_append_only() may be called from several reader threads at once; they
// only read the configuration. The destination tables must exist before the snapshot starts (sync creates
// them first).
#pragma once

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

 private:
  const Config& config_;
};

}  // namespace mysql2ch::pipeline
