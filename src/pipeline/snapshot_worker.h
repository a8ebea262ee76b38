// Snapshots of selected tables that run while the stream runs (or before it, for sync --once), and the
// re-reads `mysql2ch resnapshot` and source.on_lost_position: resnapshot ask for.
//
// A pass (run_pass):
//   1. takes every pending resnapshot request from the state store and every selected table that is pending
//      (added to tables.include since the last run, or never started); when there are any, it asks
//      SnapshotVersions for a fresh bound N and records it with them in one state transaction (the requested
//      tables are reset: their chunks forgotten);
//   2. snapshots every selected table that is not done (snapshot/snapshot_runner.h: chunk progress in the
//      state store, chunks take SnapshotVersions::floor()), resuming chunks a killed run left;
//   3. for every table done with a recorded N > 1, removes the destination's rows with _version < N
//      (ALTER TABLE ... DELETE, a repair, not a row change), waits until ClickHouse reports the mutation
//      done, then clears N. Exact because every row the re-read or a later change wrote is at or above N,
//      and every key the source still has got such a row (its chunk's SELECT saw it, or it was written later).
// Requests that arrive during a pass are taken by the next one.
//
// start() runs passes on a thread of its own: one at once, then one whenever a request is pending (polled
// every 2 s) until `stop` is set or a pass fails (failure() then holds the error; the stream stops on it).
//
// Threading: run_pass() on one thread at a time; start()/stop_and_join() from the owning thread; failure()
// from any thread. `config`, `store` and `versions` outlive the worker.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "mysql/table_schema_loader.h"
#include "pipeline/snapshot_versions.h"
#include "state/state_store.h"

namespace mysql2ch::pipeline {

struct SelectedTable {
  SourceTableName name;
  bool has_primary_key = true;
};

class SnapshotWorker {
 public:
  // `source_connections_held`: connections to the source others hold meanwhile (the binlog stream), taken off
  // source.max_connections for the readers.
  SnapshotWorker(const Config& config, state::StateStore& store, SnapshotVersions& versions,
                 std::vector<SelectedTable> tables, unsigned source_connections_held);
  ~SnapshotWorker();

  Status run_pass(const std::atomic<bool>& stop);

  void start(const std::atomic<bool>& stop);
  // Readers finish their chunk; returns when the thread ended.
  void stop_and_join();
  std::optional<Error> failure() const;

 private:
  Status purge(const SelectedTable& table, uint64_t below, const std::atomic<bool>& stop);
  void loop(const std::atomic<bool>& stop);
  Result<bool> has_work();

  const Config& config_;
  state::StateStore& store_;
  SnapshotVersions& versions_;
  std::vector<SelectedTable> tables_;
  unsigned source_connections_held_;
  std::atomic<bool> halt_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::optional<Error> failure_;
};

// `mysql2ch resnapshot`: records a request for every selected table matching one of `patterns` (db.table
// globs). Returns the tables requested; kInvalidArgument when a pattern matches no selected table.
Result<std::vector<SourceTableName>> request_resnapshots(const Config& config, const std::vector<std::string>& patterns);

}  // namespace mysql2ch::pipeline
