// Plans a table's snapshot chunks of about `chunk_rows` rows each, one chunk per call, by walking the primary
// key index: the next chunk's upper bound is the key `chunk_rows - 1` rows past the previous bound
// (SELECT key FROM t WHERE key > last ORDER BY key LIMIT 1 OFFSET chunk_rows - 1 — an index-only range read
// of chunk_rows entries, never a COUNT(*) or a full scan). Sparse, composite and string keys work alike,
// since only the index order matters. The last chunk is open-ended (no upper bound): rows inserted beyond
// the current end while the snapshot runs fall into it, and an empty table has exactly that one chunk.
// Tables that are not chunkable (no primary key, FLOAT/DOUBLE key, see key_range.h) get one whole-table
// chunk.
//
// Planning is incremental: a reader plans the next chunk only when it needs work, so the first chunk of a
// huge table starts after one index probe. A planner resumes from a persisted plan (from_plan()), so a
// restart continues exactly where the previous run's plan ended.
//
// Threading: one thread at a time; next() uses the caller's connection (snapshot session, see chunk_reader.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.h"
#include "mysql/connection.h"
#include "schema/column.h"
#include "snapshot/key_range.h"
#include "state/state_store.h"

namespace mysql2ch::snapshot {

class ChunkPlanner {
 public:
  // A planner that continues after `planned` (the table's persisted chunks, in index order; empty for a new
  // plan). `table` must outlive the planner. kCorrupt when a persisted bound does not decode.
  static Result<ChunkPlanner> from_plan(const schema::TableSchema& table, uint64_t chunk_rows,
                                        const std::vector<state::SnapshotChunk>& planned);

  // Every chunk of the table has been planned (the last one has no upper bound).
  bool complete() const { return complete_; }

  // The next chunk (not yet persisted: the caller records it with StateStore::add_chunk before reading it).
  // Precondition: !complete().
  Result<state::SnapshotChunk> next(Connection& conn);

 private:
  ChunkPlanner(const schema::TableSchema& table, uint64_t chunk_rows) : table_(&table), chunk_rows_(chunk_rows) {}

  const schema::TableSchema* table_;
  uint64_t chunk_rows_;
  uint32_t next_index_ = 0;
  std::optional<KeyTuple> last_upper_;
  std::optional<std::string> last_upper_json_;
  bool complete_ = false;
};

}  // namespace mysql2ch::snapshot
