// Where snapshot rows go: one SnapshotSink per (reader, table), with the shape of clickhouse::TableWriter
// (append / buffered_rows / buffered_bytes / flush), so the lead connects a TableWriter behind it. The
// snapshot never includes clickhouse/: it only needs these calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::snapshot {

// Used by one reader thread. append() must encode or copy the row before it returns: the values view the
// reader's current row buffer, which the next row overwrites. flush() returns once every appended row is
// durably acknowledged by the destination: the reader records a chunk done only after it.
class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  virtual Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) = 0;
  virtual size_t buffered_rows() const = 0;
  virtual size_t buffered_bytes() const = 0;
  virtual Status flush() = 0;
};

// Called from several reader threads concurrently: implementations must be thread-safe.
class SnapshotSinkFactory {
 public:
  virtual ~SnapshotSinkFactory() = default;
  // A sink for rows of `table` (columns in the schema's order, every column present).
  virtual Result<std::unique_ptr<SnapshotSink>> open(const schema::TableSchema& table) = 0;
  // A table without a primary key is copied append-only in one pass; when a previous run started that pass
  // and did not complete it, its rows may be partly in the destination. This is called before the pass is
  // read again, so the destination can drop them (append-only rows cannot be deduplicated by version).
  virtual Status discard_partial_append_only(const schema::TableSchema& table) = 0;
};

}  // namespace mysql2ch::snapshot
