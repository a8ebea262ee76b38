// Where the pipeline's rows go: one TableSink per destination table, made by DestinationTables. The
// ClickHouse implementation wraps the destination's TableWriter (clickhouse_sinks.h); the interface keeps the
// pipeline's ordering and checkpoint logic independent of the transport.
//
// Contract of a TableSink (the pipeline relies on each point):
// - append() buffers one row (values in the source schema the sink was opened with) with its version and
//   deleted flag; rows are sent in append order.
// - flush() returns only when the destination has acknowledged every row appended before it. A failed flush
//   keeps the rows; calling flush() again retries them (the rows carry versions, so a repeat is harmless).
// Threading: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::pipeline {

class TableSink {
 public:
  virtual ~TableSink() = default;
  virtual Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) = 0;
  virtual uint64_t buffered_rows() const = 0;
  virtual uint64_t buffered_bytes() const = 0;
  virtual Status flush() = 0;
};

// The destination as a set of tables.
class DestinationTables {
 public:
  virtual ~DestinationTables() = default;
  // A sink for rows of `source` (its columns as the row images carry them). Creates the destination table
  // when missing; when `previous` is given the table exists with that source schema and is evolved to
  // `source` first (columns added, dropped or changed).
  virtual Result<std::unique_ptr<TableSink>> open(const schema::TableSchema& source,
                                                  const schema::TableSchema* previous) = 0;
  // Empties the destination table of source table database.table, if it exists. The caller has flushed
  // every sink first (TRUNCATE is applied in stream order).
  virtual Status truncate(std::string_view database, std::string_view table) = 0;
};

}  // namespace mysql2ch::pipeline
