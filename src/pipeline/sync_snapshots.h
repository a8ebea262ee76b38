// The snapshot side of `mysql2ch sync` (sync.h): which tables are selected, what a new host resuming from the
// destination's mirror takes as already copied, and the recovery of source.on_lost_position: resnapshot.
//
// Threading: one thread, before the stream and the snapshot worker start (or after they stopped).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "clickhouse/connection.h"
#include "config/config.h"
#include "pipeline/checkpoint.h"
#include "pipeline/clickhouse_destination.h"
#include "pipeline/snapshot_worker.h"
#include "schema/table_catalog.h"
#include "state/state_store.h"

namespace mysql2ch::pipeline {

struct PreparedTables {
  std::vector<SelectedTable> tables;
  std::vector<SelectedTable> existed;  // those whose destination table was there before
};

// The selected tables of `source` (the source's tables as this start described them: SchemaTracker::seed), and
// the destination table of each that lacks one, created with those columns. Tables in the order of
// source.tables().
Result<PreparedTables> prepare_selected_tables(const Config& config, const schema::TableCatalog& source,
                                               ClickHouseDestination& destination, ClickHouseConnection& connection);

// A new host resuming from the destination's checkpoint mirror: the tables whose destination table existed and
// whose snapshot is marked complete there (`marked_done`, snapshot_marks.h) were copied by whoever wrote that
// checkpoint, and are recorded done so no later run reads them again; a destination table without the mark may
// hold a partial snapshot and gets a resnapshot request (re-read, then rows below the bound removed); the others
// (their destination table is new) are left to the snapshot.
Status adopt_mirrored_tables(state::StateStore& store, const PreparedTables& prepared,
                             const std::set<state::TableId>& marked_done);

// source.on_lost_position: resnapshot. The checkpoint moves to the source's current position with a counter
// above every version in the destination's selected tables (rows written after the last checkpoint included),
// and every selected table gets a resnapshot request (snapshot_worker.h removes what the source no longer has).
Status restart_at_current_position(const Config& config, state::StateStore& store,
                                   const std::vector<CheckpointStore*>& stores, const PreparedTables& prepared,
                                   ClickHouseConnection& connection);

// A start without any checkpoint: each selected table whose destination table already has rows (written by a
// run whose state was lost before a checkpoint reached the destination's mirror) gets a resnapshot request, so
// rows the source no longer has are removed after the re-read. Returns the first version to issue: above every
// version in those tables (1 when all are empty).
Result<uint64_t> reread_filled_tables(const Config& config, state::StateStore& store, const PreparedTables& prepared,
                                      ClickHouseConnection& connection);

// The snapshot lines of `mysql2ch status`: per table state, chunks, rows, the pending removal bound, and the
// resnapshot requests not taken yet.
Result<std::string> describe_snapshots(state::StateStore& store);

}  // namespace mysql2ch::pipeline
