// The snapshot side of `mysql2ch sync` (sync.h): which tables are selected, what a new host resuming from the
// destination's mirror takes as already copied, and the recovery of source.on_lost_position: resnapshot.
//
// Threading: one thread, before the stream and the snapshot worker start (or after they stopped).
#pragma once

#include <string>
#include <vector>

#include "clickhouse/connection.h"
#include "config/config.h"
#include "pipeline/checkpoint.h"
#include "pipeline/clickhouse_destination.h"
#include "pipeline/snapshot_worker.h"
#include "state/state_store.h"

namespace mysql2ch::pipeline {

struct PreparedTables {
  std::vector<SelectedTable> tables;
  std::vector<SelectedTable> existed;  // those whose destination table was there before
};

// Lists the selected source tables (schemas from information_schema now) and creates the destination table of
// each that lacks one.
Result<PreparedTables> prepare_selected_tables(const Config& config, ClickHouseDestination& destination,
                                               ClickHouseConnection& connection);

// A new host resuming from the destination's checkpoint mirror: the tables whose destination table existed
// were copied by whoever wrote that checkpoint, and are recorded done so no later run reads them again; the
// others (their destination table is new) are left to the snapshot.
Status adopt_mirrored_tables(state::StateStore& store, const PreparedTables& prepared);

// source.on_lost_position: resnapshot. The checkpoint moves to the source's current position with a counter
// above every version in the destination's selected tables (rows written after the last checkpoint included),
// and every selected table gets a resnapshot request (snapshot_worker.h removes what the source no longer has).
Status restart_at_current_position(const Config& config, state::StateStore& store,
                                   const std::vector<CheckpointStore*>& stores, const PreparedTables& prepared,
                                   ClickHouseConnection& connection);

// The snapshot lines of `mysql2ch status`: per table state, chunks, rows, the pending removal bound, and the
// resnapshot requests not taken yet.
Result<std::string> describe_snapshots(state::StateStore& store);

}  // namespace mysql2ch::pipeline
