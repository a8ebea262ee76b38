// Reads one snapshot chunk: a streaming SELECT of the chunk's key range on a snapshot session, each row
// converted column by column to the canonical Value (schema/text_value.h) and appended to a SnapshotSink,
// which is flushed whenever it holds `flush_rows` rows or `flush_bytes` bytes and at the chunk's end. Memory
// is one row plus the sink's buffer, whatever the chunk's size.
//
// A snapshot session (open_snapshot_connection) has time_zone '+00:00' (TIMESTAMP in UTC, as the binlog
// has it), utf8mb4, sql_mode '' (no PAD_CHAR_TO_FULL_LENGTH), and hour-long net_read/net_write timeouts, so
// a slow destination flush does not make the server drop a streaming result.
//
// Threading: a ChunkReader and its Connection are used by one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "mysql/connection.h"
#include "schema/column.h"
#include "snapshot/snapshot_sink.h"
#include "state/state_store.h"

namespace mysql2ch::snapshot {

// Connects with `options` (timeouts raised to at least an hour) and sets up the session.
Result<Connection> open_snapshot_connection(ConnectOptions options);

// The SELECT list of the canonical texts of every column, in schema order (FLOAT as CAST(.. AS DOUBLE), BIT
// as col + 0, the rest as is), as text_value.h requires.
std::string snapshot_select_list(const schema::TableSchema& table);

struct ChunkReadLimits {
  uint64_t flush_rows = 100000;
  uint64_t flush_bytes = 64ull << 20;
};

struct ChunkReadResult {
  bool completed = false;  // false: cancelled before the end (rows appended so far may have been flushed)
  uint64_t rows = 0;
  uint64_t bytes = 0;      // the values' text bytes as read from the server
};

class ChunkReader {
 public:
  // `conn` and `table` must outlive the reader.
  ChunkReader(Connection& conn, const schema::TableSchema& table, ChunkReadLimits limits)
      : conn_(&conn), table_(&table), limits_(limits) {}

  // Streams the chunk into `sink` with every row taking `version`, and flushes the sink at the end. Checks
  // `cancel` (may be null) between rows. Errors name the table, the chunk and the column.
  Result<ChunkReadResult> read(const state::SnapshotChunk& chunk, uint64_t version, SnapshotSink& sink,
                               const std::atomic<bool>* cancel = nullptr);

  // Progress of the chunk being read, readable from other threads.
  uint64_t rows_read() const { return rows_read_.load(std::memory_order_relaxed); }
  uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }

 private:
  Connection* conn_;
  const schema::TableSchema* table_;
  ChunkReadLimits limits_;
  std::vector<schema::Value> row_;
  std::atomic<uint64_t> rows_read_{0};
  std::atomic<uint64_t> bytes_read_{0};
};

}  // namespace mysql2ch::snapshot
