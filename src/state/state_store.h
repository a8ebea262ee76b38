// The local durable state of one mirror: <state.path>/state.db (SQLite, WAL, synchronous=FULL). It holds
//   - the checkpoint: where the binlog stream resumes (GTID set and/or file:pos), the version counter, the
//     schema history position and the schema history itself (DESIGN.md invariant 5), as columns of a single row;
//   - the snapshot plan and progress per table: state pending/running/done, the binlog position recorded
//     before the table's first chunk, and each planned chunk (PK bounds, version taken, done, rows, bytes);
//   - pending resnapshot requests (`mysql2ch resnapshot` writes them, the running process takes them);
//   - per table, the version below which the destination's rows are removed once its re-read completed
//     (purge_below: set when a re-read starts, cleared when the removal finished; it survives a crash).
//
// Crash guarantees: every mutating call is one SQLite transaction, committed with synchronous=FULL before the
// call returns. After kill -9 (or power loss) at any instant, a reopened store holds exactly the calls that
// returned success, and none of a call that did not return. Calls that change several items (a chunk done
// with its rows and bytes; a snapshot start with the initial checkpoint; a taken resnapshot request with the
// table's reset) are all-or-nothing. The caller keeps invariant 5 by calling save_checkpoint() and
// complete_chunk() only after ClickHouse acknowledged the rows they cover.
//
// Threading: a StateStore may be shared by threads (snapshot readers); calls are serialised internally.
// Schema: versioned in the schema_version table; open() creates or upgrades it, and refuses a newer one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "state/sqlite_db.h"

namespace mysql2ch::state {

// A place in the source's binlog. GTID-mode servers resume by `gtid_set`; file:pos is also kept for display
// and for servers without GTIDs.
struct BinlogPosition {
  std::string flavor;    // "mysql" or "mariadb": how to read gtid_set
  std::string gtid_set;  // MySQL GTID set (executed) or MariaDB GTID position; empty when the server has none
  std::string file;      // binlog file name; empty when unknown
  uint64_t pos = 0;      // offset of the next event in `file`

  bool operator==(const BinlogPosition&) const = default;
};

struct Checkpoint {
  BinlogPosition position;          // the next transaction to apply
  uint64_t version = 0;             // the last version the counter issued
  uint64_t schema_history_pos = 0;  // entries of the schema history applied
  // The schema tracker's serialized state at `position` ("" when none): a restart replays DDL from it instead
  // of describing the source's tables as they are now, which may already include later changes.
  std::string schema_history;

  bool operator==(const Checkpoint&) const = default;
};

enum class SnapshotState { kPending, kRunning, kDone };
const char* snapshot_state_name(SnapshotState state);

struct TableId {
  std::string database;
  std::string table;

  std::string qualified() const { return database + "." + table; }
  auto operator<=>(const TableId&) const = default;
};

struct TableSnapshot {
  TableId id;
  SnapshotState state = SnapshotState::kPending;
  bool has_primary_key = true;
  std::optional<BinlogPosition> start;  // recorded before the first chunk; nullopt while pending
  uint64_t rows_done = 0;               // rows of completed chunks
  uint64_t bytes_done = 0;
  uint64_t chunks_done = 0;
  uint64_t chunks_planned = 0;
  // Set while a re-read is pending, running, or done but its removal of older rows has not finished.
  std::optional<uint64_t> purge_below;
};

// A primary key range (lower, upper]: `lower_key`/`upper_key` are JSON arrays of the key columns' texts
// (see snapshot/key_tuple.h); nullopt lower = from the first row, nullopt upper = to the last row, which
// only the table's last chunk has (so a table's plan is complete when it has a chunk without upper_key).
struct SnapshotChunk {
  uint32_t index = 0;
  std::optional<std::string> lower_key;
  std::optional<std::string> upper_key;
  bool done = false;
  uint64_t version = 0;  // the counter value its rows took (when done)
  uint64_t rows = 0;
  uint64_t bytes = 0;

  bool operator==(const SnapshotChunk&) const = default;
};

struct ResnapshotRequest {
  int64_t id = 0;
  TableId table;
  std::string requested_at;  // UTC, ISO 8601
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 3;

  // Creates `state_dir` when missing and opens (creating or upgrading) state_dir/state.db. Errors: kIo, and
  // kUnsupported for a database written by a newer mysql2ch.
  static Result<std::unique_ptr<StateStore>> open(const std::string& state_dir);

  const std::string& path() const { return db_.path(); }

  // ---- checkpoint
  Result<std::optional<Checkpoint>> load_checkpoint();
  Status save_checkpoint(const Checkpoint& checkpoint);

  // ---- snapshot plan and progress
  // Adds the table as pending; a table already known keeps its state and chunks.
  Status add_table(const TableId& table, bool has_primary_key);
  Result<std::vector<TableSnapshot>> tables();
  Result<std::optional<TableSnapshot>> table(const TableId& table);

  // In one transaction: each of `tables` that is pending becomes running with `start` as its start
  // position, and when there is no checkpoint yet, the checkpoint becomes {start, version, 0} — the stream
  // starts where the snapshot did. Tables already running or done are untouched.
  Status begin_snapshot(const std::vector<TableId>& tables, const BinlogPosition& start, uint64_t version);

  // Records a planned chunk (not done). Its index must be the next one of the table, and its lower key the
  // previous chunk's upper key: kInvalidArgument otherwise (a planner bug must not corrupt the plan).
  Status add_chunk(const TableId& table, const SnapshotChunk& chunk);
  Result<std::vector<SnapshotChunk>> chunks(const TableId& table);
  // Marks the chunk done with the version its rows took, its rows and bytes, atomically.
  Status complete_chunk(const TableId& table, uint32_t index, uint64_t version, uint64_t rows, uint64_t bytes);
  // The table is done (every planned chunk done, its plan complete): kInvalidArgument otherwise.
  Status finish_table(const TableId& table);
  // Forgets the table's chunks and start position; it becomes pending (a resnapshot).
  Status reset_table(const TableId& table);

  // ---- resnapshot requests
  Result<int64_t> request_resnapshot(const TableId& table);
  Result<std::vector<ResnapshotRequest>> resnapshot_requests();
  // Removes the request and resets its table (pending, no chunks) in one transaction.
  Status take_resnapshot_request(int64_t id);
  // In one transaction: removes the requests `ids`, resets their tables (adding unknown ones as pending with
  // `has_primary_key` of has_primary_key(table)), and sets purge_below = `purge_below` on each of them and on
  // every other table of `fresh` that is pending without one. Tables already running keep theirs: their done
  // chunks took versions at or above it.
  Status start_rereads(const std::vector<int64_t>& ids, const std::vector<TableId>& fresh, uint64_t purge_below,
                       const std::function<bool(const TableId&)>& has_primary_key);
  // The removal of rows below purge_below finished.
  Status clear_purge(const TableId& table);
  // Records `table` as done without chunks: its rows were copied by whoever wrote the checkpoint this state
  // was resumed from (a new host resuming from the destination's mirror). A known table is left as it is.
  Status adopt_done(const TableId& table, bool has_primary_key);
  // The stream made the table's destination table itself (CREATE TABLE, or RENAME from a table whose copy was
  // complete: `complete`) or put an incomplete one under its name (RENAME from a table whose copy was not): in
  // one transaction the table becomes done or pending, with no chunks, start position or removal bound, whatever
  // was recorded for the name before (it described a destination table the stream has replaced). The caller
  // guarantees that no snapshot of the table runs meanwhile.
  Status record_stream_made_table(const TableId& table, bool has_primary_key, bool complete);

 private:
  explicit StateStore(SqliteDb db) : db_(std::move(db)) {}
  Status migrate();
  Status reset_table_locked(const TableId& table);

  std::mutex mutex_;
  SqliteDb db_;
};

}  // namespace mysql2ch::state
