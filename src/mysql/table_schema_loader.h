// Table definitions from information_schema, in the canonical model of schema/column.h: what the snapshot
// reads with, and what the binlog network mode renders with when TABLE_MAP metadata is minimal. Also the
// list of base tables a configuration selects.
//
// The ColumnDefs match what a FULL-metadata TABLE_MAP gives for the same table (type codes as stored in row
// images: CHAR/BINARY kString, VARCHAR/VARBINARY kVarchar, TEXT/BLOB kBlob with their length bytes,
// DATETIME/TIMESTAMP/TIME the fsp-aware kDateTime2/kTimestamp2/kTime2, ENUM/SET with their labels), so the
// same value renders identically on both paths. MariaDB's JSON is LONGTEXT there and here.
//
// Threading: uses the caller's Connection (one thread at a time). Errors: the Connection's, kNotFound for a
// table that does not exist (or that the user cannot see), kUnsupported naming the column for a type or a
// charset the mirror cannot represent exactly (e.g. MariaDB INET6/UUID, a ucs2 column).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "mysql/connection.h"
#include "schema/column.h"

namespace mysql2ch {

struct SourceTableName {
  std::string database;
  std::string table;

  std::string qualified() const { return database + "." + table; }
  auto operator<=>(const SourceTableName&) const = default;
};

// Base tables (not views) selected by `tables` (config/table_filter.h), ordered by database and table.
Result<std::vector<SourceTableName>> list_selected_tables(Connection& conn, const TablesConfig& tables);

// The table's columns in ordinal order (invisible columns included, marked visible = false) and its primary
// key in key order (empty without one).
Result<schema::TableSchema> load_table_schema(Connection& conn, std::string_view database, std::string_view table);

// The labels of an information_schema COLUMN_TYPE "enum('a','b''c')" / "set(...)", unquoted.
Result<std::vector<std::string>> parse_enum_labels(std::string_view column_type);

}  // namespace mysql2ch
