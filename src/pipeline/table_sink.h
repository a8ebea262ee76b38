// Where the pipeline's rows go: one TableSink per destination table, made by DestinationTables. The stream and
// the snapshot write through the same interface (snapshot::SnapshotSink); the ClickHouse implementation wraps a
// TableWriter (writer_sink.h). The interface keeps the pipeline's ordering and checkpoint logic independent of
// the transport.
//
// Contract of a TableSink (the pipeline relies on each point):
// - append() buffers one row (values in the source schema the sink was opened with) with its version and
//   deleted flag; rows are sent in append order.
// - flush() returns only when the destination has acknowledged every row appended before it. A failed flush
//   keeps the rows; calling flush() again retries them (the rows carry versions, so a repeat is harmless).
// Threading: one thread at a time.
#pragma once

#include <memory>
#include <string_view>

#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"
#include "snapshot/snapshot_sink.h"

namespace mysql2ch::pipeline {

using TableSink = snapshot::SnapshotSink;

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
