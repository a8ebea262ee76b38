// The streaming loop: reads the replication stream, decodes it into the TransactionAssembler, flushes the
// per-table batches when due and checkpoints at transaction boundaries when due. Returns at the end of a
// non-blocking stream (sync --once) or when `stop` is set (SIGTERM/SIGINT), in both cases after a final flush
// and a checkpoint at the last transaction boundary. A stop set inside a transaction takes effect at its end
// (or when the stream fails or ends), so the final checkpoint covers every row applied.
//
// Rows go out in background flushes (TableBatches::start_flush) while reading goes on. A flush started at a
// transaction boundary where a checkpoint is allowed remembers that boundary; once it completed, the periodic
// checkpoint is saved there, without waiting for a flush of what was read since (which would stop reading for
// two inserts and lift the lag's tail). Without such a boundary the periodic checkpoint flushes everything first.
//
// Checkpoints also come right before a DDL that changes the destination (at the statement's start, through the
// assembler's checkpoint_here) and right after any DDL that changed the schema history. Every checkpoint saved
// is reported to the assembler (checkpoint_saved()), which tracks what a restart from the last one replays.
//
// Lag = now - commit time of the last applied transaction; 0 while the source sends heartbeats at a
// transaction boundary with nothing unapplied (idle and caught up). Logged every `lag_log_interval`.
//
// Not thread-safe; every reference must outlive the runner. `stop` may be set from a signal handler.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "binlog/replication_client.h"
#include "pipeline/checkpoint_coordinator.h"
#include "pipeline/transaction_assembler.h"

namespace mysql2ch::pipeline {

class StreamRunner {
 public:
  StreamRunner(binlog::ReplicationClient& source, TransactionAssembler& assembler, TableBatches& batches,
               CheckpointCoordinator& checkpoints, const std::atomic<bool>& stop,
               std::chrono::seconds lag_log_interval);

  Status run();
  // Called on the stream thread after each item read while the assembler is at a transaction boundary; when it
  // returns true the runner checkpoints at once. Errors stop the run. Background snapshots use it to move the
  // version counter (pipeline/snapshot_versions.h).
  void set_boundary_hook(std::function<Result<bool>()> hook) { boundary_hook_ = std::move(hook); }
  // Milliseconds; -1 before the first transaction.
  int64_t lag_ms() const;

 private:
  // A transaction boundary as a checkpoint would record it.
  struct Boundary {
    binlog::StreamPosition position;
    uint64_t next_version = 0;
    uint64_t last_commit_us = 0;
    std::string schema_history;
  };

  Status checkpoint();
  Status start_flush();
  Status periodic_checkpoint();
  Boundary boundary_here() const;
  void log_progress();

  binlog::ReplicationClient& source_;
  TransactionAssembler& assembler_;
  TableBatches& batches_;
  CheckpointCoordinator& checkpoints_;
  const std::atomic<bool>& stop_;
  std::chrono::seconds lag_log_interval_;
  binlog::StreamPosition before_event_;  // committed position at the last transaction boundary
  bool caught_up_ = false;
  std::chrono::steady_clock::time_point last_log_{};
  std::function<Result<bool>()> boundary_hook_;
  std::optional<Boundary> flushing_boundary_;  // where the running background flush was started, if checkpointable
  std::optional<Boundary> acknowledged_;       // a boundary every row before which the destination acknowledged
};

}  // namespace mysql2ch::pipeline
