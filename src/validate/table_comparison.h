// Compares one source table with its mirror table, range by range (side_readers.h), and names the differing
// primary keys of the ranges whose digests differ.
//
// Ranges: the snapshot's ChunkPlanner splits the source key into ranges of about `range_rows` rows when the
// mirror can be read by the same ranges (mirror_ranges_supported); otherwise the table is one range. A range is
// equal when both sides have the same RangeDigest (count + order-independent checksum). A differing range is
// drilled down by reading both sides' rows of it, joined by key bytes: keys only in the source are missing in
// the mirror, keys only in the mirror are extra, keys on both sides whose bytes differ name the first differing
// column. Memory: one range's rows of both sides during a drill-down (the whole table when it is one range).
// Tables without a primary key are one range compared as a multiset; their differing rows cannot be named.
//
// Caller guarantees: the connections outlive the comparison and are used by nobody else meanwhile; the source
// connection is a snapshot session. Threading: one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clickhouse/connection.h"
#include "clickhouse/type_mapping.h"
#include "common/result.h"
#include "mysql/connection.h"
#include "schema/column.h"
#include "state/state_store.h"
#include "validate/row_digest.h"

namespace mysql2ch::validate {

enum class KeyDifferenceKind { kMissing, kExtra, kDifferent };
const char* key_difference_name(KeyDifferenceKind kind);  // "missing", "extra", "different"

struct KeyDifference {
  KeyDifferenceKind kind = KeyDifferenceKind::kMissing;
  std::vector<std::string> key;  // the key columns' values as text, in key order
  std::string column;            // kDifferent: the first column whose values differ
};

struct RangeState {
  state::SnapshotChunk bounds;  // lower/upper keys as the snapshot encodes them (open when absent)
  RangeDigest source;
  RangeDigest mirror;
  bool differs() const { return !(source == mirror); }
};

struct TableComparison {
  std::string source_name;  // db.table
  std::string mirror_name;  // db.table in ClickHouse
  bool has_key = false;
  bool key_ranges = false;  // false: the table was compared as one range (see the header comment)
  std::vector<std::string> key_columns;  // the primary key's column names, in key order
  std::string problem;      // the tables cannot be compared row by row (mirror missing, columns differ); a difference
  std::vector<RangeState> ranges;
  std::vector<KeyDifference> keys;  // the first max_keys differing keys, in range order
  uint64_t differing_keys = 0;      // all differing keys found in the drilled-down ranges

  uint64_t source_rows() const;
  uint64_t mirror_rows() const;
  uint64_t differing_ranges() const;
  bool equal() const { return problem.empty() && differing_ranges() == 0; }
};

struct ComparisonOptions {
  uint64_t range_rows = 10000;
  size_t max_keys = 10;
};

class TableComparer {
 public:
  // `table` is the source schema; `target` its mapping (map_table with target_name of the configuration).
  TableComparer(Connection& source, ClickHouseConnection& mirror, const schema::TableSchema& table,
                const TargetTable& target, const ComparisonOptions& options)
      : source_(&source), mirror_(&mirror), table_(&table), target_(&target), options_(options) {}

  // The first pass: the mirror's columns against the mapping, then every range's digests, then the drill-down
  // of the differing ones. Errors: the servers' (unreachable, query failures) and undecodable data.
  Result<TableComparison> compare();

  // Reads the differing ranges of `comparison` again (digests and drill-down), e.g. after the mirror caught up.
  Status recheck(TableComparison& comparison);

 private:
  Result<std::string> schema_problem();
  Status digest(RangeState& range);
  Status drill_down(TableComparison& comparison);

  Connection* source_;
  ClickHouseConnection* mirror_;
  const schema::TableSchema* table_;
  const TargetTable* target_;
  ComparisonOptions options_;
};

}  // namespace mysql2ch::validate
