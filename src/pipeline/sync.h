// `mysql2ch sync`: everything between a configuration and a running mirror.
//
// 1. Opens the destination and the checkpoint stores (local SQLite state, ClickHouse mirror) and resumes from the
//    newest checkpoint either holds — so a host that has only the configuration file resumes where another one
//    stopped. Without any checkpoint, records the source's current position (GTID set or file:pos) and starts
//    there with version 1.
// 2. Streams from that position (StreamRunner) with the ReplicationClient, which reconnects on its own after
//    source restarts and network drops; a ClickHouse outage pauses the reader (TableBatches retries).
// 3. --once: the dump is non-blocking, so the run ends at the source's position at start, checkpointed.
//    Otherwise it runs until `stop` is set, then flushes and checkpoints.
// A position the source no longer has (purged binlog, GTIDs gone) is reported at start with the checkpoint's
// position and the source's oldest binlog and purged GTIDs.
//
// Not covered here yet: the initial snapshot of rows that exist before the recorded position (the snapshot
// runner), and DDL beyond TRUNCATE and column-layout changes (the DDL parser / schema tracker); see README.
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
