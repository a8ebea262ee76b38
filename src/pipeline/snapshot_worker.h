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
//      and every key the source still has got such a row (its chunk's SELECT saw it, or it was written later);
//   4. marks every done table without a pending removal in the destination (snapshot_marks.h).
// Requests that arrive during a pass are taken by the next one.
//
// DDL on the source meanwhile: a table dropped or renamed away during its snapshot is skipped for the rest of
// the run (logged; the stream replays the DDL on its target); a table whose columns changed is described and
// read again; a table whose destination columns differ from those it is read with (the stream has not replayed
// a DDL yet) writes nothing and waits for a later pass (deferred(); sync --once runs one more pass after its
// stream caught up). Other errors stop the pass.
//
// Tables the stream creates (awaited, see sync.cpp): selected tables the source has now but the checkpoint's
// schema history does not know, so a CREATE TABLE or RENAME TABLE in the stream ahead makes their destination
// table (dropping whatever has that name, snapshot rows included). The worker leaves them alone, and their
// resnapshot requests wait, until the stream hands one over (take_over()) once it made the table.
//
// start() runs passes on a thread of its own: one at once, then one whenever a request is pending (polled
// every 2 s) until `stop` is set or a pass fails (failure() then holds the error; the stream stops on it). A pass
// that fails because the destination or the source is unreachable (a retryable error) is run again with backoff
// (run_pass_through_outages()), so an outage never ends sync; `sync --once` retries its pass the same way.
//
// Threading: run_pass() on one thread at a time; start()/stop_and_join() from the owning thread; failure(),
// take_over(), handles() and tables() from any thread. `config`, `store` and `versions` outlive the worker.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
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
                 std::vector<SelectedTable> tables, unsigned source_connections_held,
                 std::set<state::TableId> awaited = {});
  ~SnapshotWorker();

  Status run_pass(const std::atomic<bool>& stop);
  // run_pass(), run again after retryable failures (with backoff up to 10 s) until it succeeds, fails otherwise,
  // or `stop` (or stop_and_join()) interrupts it.
  Status run_pass_through_outages(const std::atomic<bool>& stop);

  void start(const std::atomic<bool>& stop);
  // Readers finish their chunk; returns when the thread ended.
  void stop_and_join();
  std::optional<Error> failure() const;
  // The last run_pass() left a table for later because its destination did not have the columns it is read with.
  bool deferred() const { return deferred_.load(); }

  // The stream made `table`'s destination table: from now on the worker snapshots it when its state says so
  // (and serves its resnapshot requests), like every table it was given.
  void take_over(const SelectedTable& table);
  // `table` is one of the worker's tables (given or taken over), so a snapshot of it may run.
  bool handles(const state::TableId& table) const;
  std::vector<SelectedTable> tables() const;
  // take_over() was called since the worker was made.
  bool took_over_any() const;
  // The awaited tables not taken over yet.
  std::set<state::TableId> still_awaited() const;

 private:
  Status snapshot_tables(std::vector<SourceTableName> todo, const std::atomic<bool>& stop);
  Status purge(const SelectedTable& table, uint64_t below, const std::atomic<bool>& stop);
  void loop(const std::atomic<bool>& stop);
  Result<bool> has_work();
  bool awaited(const state::TableId& table) const;

  const Config& config_;
  state::StateStore& store_;
  SnapshotVersions& versions_;
  unsigned source_connections_held_;
  mutable std::mutex tables_mutex_;
  std::vector<SelectedTable> tables_;  // guarded by tables_mutex_
  std::set<state::TableId> awaited_;   // guarded by tables_mutex_
  bool took_over_ = false;             // guarded by tables_mutex_
  std::atomic<bool> halt_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::optional<Error> failure_;
  // Tables gone from the source during this run's snapshot: the stream replays their DROP or RENAME.
  std::set<state::TableId> vanished_;
  std::atomic<bool> deferred_{false};
  // Tables this worker marked complete in the destination (snapshot_marks.h).
  std::set<state::TableId> marked_;
};

// `mysql2ch resnapshot`: records a request for every selected table matching one of `patterns` (db.table
// globs). Returns the tables requested; kInvalidArgument when a pattern matches no selected table.
Result<std::vector<SourceTableName>> request_resnapshots(const Config& config,
                                                         const std::vector<std::string>& patterns);

}  // namespace mysql2ch::pipeline
