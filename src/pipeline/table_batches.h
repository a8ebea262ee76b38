// Per-table batches between the transaction assembler and the destination. Each source table has two
// TableSinks, opened on first use and reopened (destination evolved) when a TABLE_MAP shows a different column
// layout: the stream appends to one while the other is being flushed in the background (start_flush()), so the
// binlog is read while ClickHouse inserts. The tables of a flush are inserted concurrently, up to
// pipeline.insert_concurrency at a time (concurrent_flush.h); a sink is flushed by one thread at a time.
// Decides when buffered rows are due: pipeline.max_batch_rows / max_batch_bytes over the appending side, or the
// oldest row there waiting max_delay_ms. At most two batches exist (one being sent, one filling), so memory is
// bounded by twice max_batch_bytes.
//
// Rows may reach the destination in any order between the two sides: they carry their versions, so the mirror
// is the same whatever the order. What needs order (DDL, TRUNCATE, a checkpoint) goes through flush_all(), which
// returns only when everything appended before it is acknowledged.
//
// Flushes (like with_retry()) retry a destination that is down (kUnavailable/kTimeout) with exponential backoff
// until it answers or `stop` is set; meanwhile the next due flush waits for the running one, so nothing more is
// read: that bounds memory during an outage. Every member is called from one thread (the stream's); the
// background flush threads touch only the sinks being sent. `destination` and `stop` must outlive this object.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "config/config.h"
#include "pipeline/concurrent_flush.h"
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
  // Hands the rows appended so far to a background flush and returns; waits first for the flush running, if
  // any (which is what pauses reading while the destination is slow or down). Returns that flush's failure.
  Status start_flush();
  // Collects a background flush that has finished, without waiting: its failure, if any, is returned here
  // rather than at the next flush. Cheap; the stream calls it after every item.
  Status collect_finished();
  // A background flush has been started and not collected yet.
  bool flush_running() const { return flight_.running(); }
  // Flushes every sink; returns when the destination acknowledged all rows appended so far.
  Status flush_all();
  // Flushes everything, then empties the destination table.
  Status truncate(std::string_view database, std::string_view table);
  // Closes the sink of source table database.table (after a DDL changed or removed its destination table); the
  // next row of it opens the table again. The caller has called flush_all() first.
  void forget(std::string_view database, std::string_view table);

  // Calls `attempt` until it succeeds, fails in a way that is not retryable, or `stop` is set, waiting with
  // exponential backoff in between; every destination request of the stream goes through it, so an outage
  // stalls the stream instead of ending it. `attempt` must be safe to repeat after a failure at any point.
  Status with_retry(const char* what, const std::function<Status()>& attempt);

  uint64_t buffered_rows() const;
  uint64_t rows_flushed() const { return rows_flushed_; }
  uint64_t flush_retries() const { return flush_retries_.load(); }

 private:
  struct Entry {
    schema::TableSchema schema;
    std::unique_ptr<TableSink> appending;  // the stream's rows go here
    std::unique_ptr<TableSink> sending;    // rows handed to a flush; null until the first background flush
  };

  Result<std::unique_ptr<TableSink>> open_sink(const schema::TableSchema& table, const schema::TableSchema* previous);
  // Starts a background flush of `jobs` (sinks with rows) and remembers how many rows it carries.
  void launch(std::vector<ConcurrentFlush::Job> jobs);
  Status finish_flight();

  DestinationTables& destination_;
  PipelineConfig config_;
  const std::atomic<bool>& stop_;
  std::map<std::string, Entry> tables_;  // by "db.table"
  uint64_t pending_rows_ = 0;
  uint64_t pending_bytes_ = 0;
  std::chrono::steady_clock::time_point oldest_pending_{};
  uint64_t rows_flushed_ = 0;
  std::atomic<uint64_t> flush_retries_{0};
  ConcurrentFlush flight_;  // declared last: destroyed (joined) before the sinks it may be flushing
  uint64_t flight_rows_ = 0;
  std::chrono::steady_clock::time_point flight_started_{};
};

}  // namespace mysql2ch::pipeline
