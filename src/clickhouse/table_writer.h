// The unit the snapshot and the CDC pipeline both write through: buffers the rows of one destination table
// as RowBinary and inserts them with one INSERT per flush.
//
// Caller guarantees: one thread at a time; the connection outlives the writer; rows are in source column
// order with every column present (kAbsent is an error naming the column). The caller decides when to flush
// (pipeline.max_batch_rows / max_batch_bytes / max_delay_ms) from buffered_rows() / buffered_bytes(); the
// writer never flushes by itself, so memory is what the caller lets it buffer.
//
// What it guarantees back: flush() returns OK only when ClickHouse acknowledged every buffered row; then the
// buffer is empty. Retryable failures (server unreachable, timeouts, overload) are retried with the
// RetryPolicy; an insert that reached the server before the failure may land twice, which is harmless because
// the rows carry their versions (ReplacingMergeTree keeps one) and, where the server has it, the same
// insert_deduplication_token makes the server drop the repeat. When flush() fails the rows stay buffered, so
// flushing again later (e.g. after the server is back) sends the same batch with the same token.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "clickhouse/connection.h"
#include "clickhouse/retry_policy.h"
#include "clickhouse/row_binary.h"
#include "clickhouse/type_mapping.h"
#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch {

struct WriterOptions {
  RetryLimits retry;
  // How to wait between attempts; tests may shorten it. Default: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

class TableWriter {
 public:
  // Fails when `target` does not map `source` column for column (same count and names), or when the
  // connection cannot report its capabilities.
  static Result<TableWriter> create(ClickHouseConnection& conn, const schema::TableSchema& source,
                                    const TargetTable& target, const WriterOptions& options);

  // Encodes one row (source column order) with its version and deletion flag. On error nothing of the row
  // stays buffered; the message names the table and column.
  Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted);

  size_t buffered_rows() const { return rows_; }
  size_t buffered_bytes() const { return buffer_.size(); }

  // One INSERT … FORMAT RowBinary of the buffered rows; see the header comment. No-op when nothing is buffered.
  Status flush();

  // Zero and out-of-range dates stored as NULL or clamped so far (destination.zero_dates / out_of_range_dates).
  const DateCounters& date_counters() const { return encoder_.counters(); }
  // INSERT attempts made by flush() so far, first attempts and retries (for metrics and tests).
  uint64_t insert_attempts() const { return insert_attempts_; }

  const TargetTable& target() const { return target_; }

 private:
  TableWriter(ClickHouseConnection& conn, schema::TableSchema source, TargetTable target, WriterOptions options,
              bool dedup_token);

  ClickHouseConnection* conn_;
  schema::TableSchema source_;
  TargetTable target_;
  WriterOptions options_;
  RetryPolicy retry_;
  bool dedup_token_;
  std::string insert_target_;  // "`db`.`t` (`a`, ..., `_version`, `_is_deleted`)"
  RowBinaryEncoder encoder_;
  std::string buffer_;
  size_t rows_ = 0;
  uint64_t insert_attempts_ = 0;
};

}  // namespace mysql2ch
