// Runs the snapshot of a set of tables: plans their chunks incrementally (chunk_planner.h), reads them on
// `readers` parallel snapshot sessions (chunk_reader.h) into sinks (snapshot_sink.h), and records progress in
// the state store so that a restart — after a clean stop or kill -9 — skips every chunk already recorded
// done and continues the plan where it ended.
//
// Order of effects, which is what makes it exact (DESIGN.md invariants 3 and 5):
//   1. before any chunk of a table that is pending, the source's binlog position is read and recorded as
//      the table's start (and as the initial checkpoint when there is none: the stream starts there);
//   2. a planned chunk is persisted before it is read;
//   3. each chunk's rows take VersionCounter::last_issued() read just before its SELECT;
//   4. a chunk is recorded done (with its version, rows, bytes) only after its sink flushed every row.
// A chunk read but not recorded (crash in between) is read again with a new version: the destination keeps
// the row with the highest version, so re-reading is harmless for tables with a primary key. Tables without
// one are read in one pass; see SnapshotSinkFactory::discard_partial_append_only.
//
// Connections: `readers` = min(concurrency, max_connections), at least 1; a short-lived control connection
// loads the schemas before the readers start. Pass max_connections minus what else holds connections to
// the source (the binlog stream). Planning runs on the readers' own connections.
//
// Progress: a log line per table every progress_interval and when a table completes (rows, MB, rate, ETA
// from information_schema's row estimate); `mysql2ch status` reads the same figures from the state store.
//
// Threading: run() blocks the calling thread and owns its reader threads; request_stop() may be called from
// any thread (a signal handler's watcher).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "mysql/connection.h"
#include "mysql/table_schema_loader.h"
#include "snapshot/chunk_reader.h"
#include "snapshot/snapshot_sink.h"
#include "snapshot/version_counter.h"
#include "state/state_store.h"

namespace mysql2ch::snapshot {

struct SnapshotOptions {
  ConnectOptions source;
  unsigned concurrency = 4;
  unsigned max_connections = 4;
  uint64_t chunk_rows = 10000;
  ChunkReadLimits limits;
  std::chrono::milliseconds progress_interval{5000};
  // Test hook standing in for kill -9: once this many chunks have been recorded done in this run, every
  // reader abandons its chunk mid-read without recording it, and run() returns (stopped = true). 0: off.
  uint64_t abandon_after_chunks = 0;

  static SnapshotOptions from_config(const Config& config);
};

struct SnapshotSummary {
  bool stopped = false;       // returned before every table was done (request_stop or the test hook)
  uint64_t chunks_read = 0;   // chunks read and recorded in this run
  uint64_t rows = 0;          // rows of those chunks
  uint64_t bytes = 0;
  std::optional<state::BinlogPosition> start;  // the position recorded in this run, if any table started
};

class SnapshotRunner {
 public:
  // `store`, `counter` and `sinks` must outlive the runner.
  SnapshotRunner(SnapshotOptions options, state::StateStore& store, const VersionCounter& counter,
                 SnapshotSinkFactory& sinks)
      : options_(std::move(options)), store_(&store), counter_(&counter), sinks_(&sinks) {}

  // Snapshots every table of `tables` that is not done in the state store (adding new ones), and returns
  // when all are done, on the first error (other readers stop after their current chunk), or when stopped.
  Result<SnapshotSummary> run(const std::vector<SourceTableName>& tables);

  // Readers finish the chunk they are reading, record it, and run() returns with stopped = true.
  void request_stop() { stop_.store(true); }

 private:
  SnapshotOptions options_;
  state::StateStore* store_;
  const VersionCounter* counter_;
  SnapshotSinkFactory* sinks_;
  std::atomic<bool> stop_{false};
};

}  // namespace mysql2ch::snapshot
