// The two sides of a comparison, read one primary-key range at a time into EncodedRows (row_digest.h).
//
// SourceRangeReader: the snapshot's own ChunkReader (same SELECT, same text → canonical Value conversion), each
// row encoded with the writer's RowBinaryEncoder for the mapped columns.
// MirrorRangeReader: the current state of the destination table — `FINAL WHERE _is_deleted = 0` for tables
// with a key (DESIGN.md invariant 1), every row with _is_deleted = 0 for append-only tables — FORMAT RowBinary,
// split by RowBinaryRows. A whole range's result is held in memory while it is visited (one range at a time).
//
// Key ranges: a source range is (lower, upper] of snapshot KeyTuples in the source index's order. The mirror
// can only be asked for the same range when ClickHouse orders the key the same way: every key column an
// integer (also YEAR, BIT) or a binary string, which compare numerically / bytewise on both servers.
// `mirror_ranges_supported()` says so; other keys (text with a collation, DECIMAL, temporals, ENUM) are compared
// as one whole-table range.
//
// Caller guarantees: the connections, the schema and the target outlive the readers; one thread each. The
// visitor's row is valid during the call only.
#pragma once

#include <functional>
#include <optional>

#include "clickhouse/connection.h"
#include "clickhouse/type_mapping.h"
#include "common/result.h"
#include "mysql/connection.h"
#include "schema/column.h"
#include "snapshot/key_range.h"
#include "state/state_store.h"
#include "validate/row_digest.h"

namespace mysql2ch::validate {

using RowVisitor = std::function<Status(const EncodedRow&)>;

// Whether the mirror can be read by the source's key ranges (see the header comment).
bool mirror_ranges_supported(const TargetTable& target);

// The ClickHouse condition for the key range (lower, upper] ("1" when both are open). kInvalidArgument when a
// tuple's text is not a literal of its column (an integer that is not digits, a binary key that is not hex).
Result<std::string> mirror_key_predicate(const TargetTable& target, const std::optional<snapshot::KeyTuple>& lower,
                                         const std::optional<snapshot::KeyTuple>& upper);

class SourceRangeReader {
 public:
  // `conn` must be a snapshot session (snapshot::open_snapshot_connection).
  SourceRangeReader(Connection& conn, const schema::TableSchema& table, const TargetTable& target)
      : conn_(&conn), table_(&table), target_(&target) {}

  // Visits every source row of `range` (its lower/upper keys as the snapshot persists them). Errors name the
  // table, the range and the column.
  Status read(const state::SnapshotChunk& range, const RowVisitor& visit);

 private:
  Connection* conn_;
  const schema::TableSchema* table_;
  const TargetTable* target_;
};

class MirrorRangeReader {
 public:
  MirrorRangeReader(ClickHouseConnection& conn, const TargetTable& target) : conn_(&conn), target_(&target) {}

  // Visits every current mirror row whose key is in (lower, upper]. Precondition for bounded ranges:
  // mirror_ranges_supported(target).
  Status read(const std::optional<snapshot::KeyTuple>& lower, const std::optional<snapshot::KeyTuple>& upper,
              const RowVisitor& visit);

  // Rows of the current state (SELECT count() over the same FROM/WHERE as read()).
  Result<uint64_t> count();

 private:
  std::string from_where() const;

  ClickHouseConnection* conn_;
  const TargetTable* target_;
};

}  // namespace mysql2ch::validate
