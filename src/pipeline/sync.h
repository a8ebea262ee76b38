// `mysql2ch sync`: everything between a configuration and a running mirror.
//
// 1. Opens the destination and the checkpoint stores (local state database, ClickHouse mirror), describes the
//    source's tables once (information_schema, SchemaTracker::seed) and creates from that the destination tables
//    of every selected table that lacks one.
// 2. The first run records the source's current position as the checkpoint (every store). Tables the state
//    store does not have as done are snapshotted by the SnapshotWorker (snapshot_worker.h): with --once before
//    the stream, otherwise on a thread of its own while the stream runs, sharing the version counter through
//    SnapshotVersions (snapshot_versions.h). Resnapshot requests (`mysql2ch resnapshot`) are taken the same way.
//    When only the destination mirror has a checkpoint (a new host, or the state directory lost), the tables
//    whose destination table existed are recorded as copied by whoever wrote that checkpoint.
// 3. Streams from that position (StreamRunner) with the ReplicationClient, which reconnects on its own after
//    source restarts and network drops; a ClickHouse outage pauses the reader (TableBatches retries).
// 4. --once: the dump is non-blocking, so the run ends at the source's position at start, checkpointed.
//    Otherwise it runs until `stop` is set, then flushes and checkpoints.
// A position the source no longer has (purged binlog, GTIDs gone) is reported at start with the checkpoint's
// position and the source's oldest binlog and purged GTIDs; with source.on_lost_position: resnapshot, sync
// continues from the current position and re-reads every selected table (sync_snapshots.h).
//
// DDL: parsed and replayed in stream order against the schema history (schema_tracker.h, schema_ddl_handler.h),
// which every checkpoint carries; the first checkpoint's history is the start's description of the source's
// tables, taken just before its position is fixed.
#pragma once

#include <atomic>
#include <chrono>

#include "common/result.h"
#include "config/config.h"

namespace mysql2ch::pipeline {

struct SyncOptions {
  bool once = false;
  std::chrono::seconds progress_interval{10};
  std::chrono::milliseconds heartbeat_period{1000};
};

Status run_sync(const Config& config, const SyncOptions& options, const std::atomic<bool>& stop);

// `mysql2ch status`: the checkpoint (position, version counter, last applied commit and its age), from the local
// state, else from the destination mirror. Never prints secrets.
Result<std::string> describe_status(const Config& config);

}  // namespace mysql2ch::pipeline
