// Per-table batches between the transaction assembler and the destination: one TableSink per source table,
// opened on first use and reopened (destination evolved) when a TABLE_MAP shows a different column layout.
// Decides when buffered rows are due: pipeline.max_batch_rows / max_batch_bytes over all tables, or the oldest
// unflushed row waiting max_delay_ms.
//
// flush_all() retries a destination that is down (kUnavailable/kTimeout) with exponential backoff until it
// answers or `stop` is set; meanwhile nothing else is read, which is what bounds memory during an outage.
// Not thread-safe; `destination` and `stop` must outlive this object.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "config/config.h"
#include "pipeline/table_sink.h"

namespace mysql2ch::pipeline {

// Whether two schemas encode rows the same way (same columns, types and parameters, same key).
bool same_row_layout(const schema::TableSchema& a, const schema::TableSchema& b);

class TableBatches {
 public:
  TableBatches(DestinationTables& destination, const PipelineConfig& config, const std::atomic<bool>& stop);

  Status append(const schema::TableSchema& table, std::span<const schema::Value> row, uint64_t version,
                bool is_deleted);
  bool due(std::chrono::steady_clock::time_point now) const;
  // Flushes every sink; returns when the destination acknowledged all rows appended so far.
  Status flush_all();
  // Flushes everything, then empties the destination table.
  Status truncate(std::string_view database, std::string_view table);
  // Closes the sink of source table database.table (after a DDL changed or removed its destination table); the
  // next row of it opens the table again. The caller has flushed every sink first.
  void forget(std::string_view database, std::string_view table);

  uint64_t buffered_rows() const;
  uint64_t rows_flushed() const { return rows_flushed_; }
  uint64_t flush_retries() const { return flush_retries_; }

 private:
  struct Entry {
    schema::TableSchema schema;
    std::unique_ptr<TableSink> sink;
  };
  Status with_retry(const char* what, const std::function<Status()>& attempt);

  DestinationTables& destination_;
  PipelineConfig config_;
  const std::atomic<bool>& stop_;
  std::map<std::string, Entry> tables_;  // by "db.table"
  uint64_t pending_rows_ = 0;
  uint64_t pending_bytes_ = 0;
  std::chrono::steady_clock::time_point oldest_pending_{};
  uint64_t rows_flushed_ = 0;
  uint64_t flush_retries_ = 0;
};

}  // namespace mysql2ch::pipeline
