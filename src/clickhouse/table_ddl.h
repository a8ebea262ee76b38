// ClickHouse DDL for destination tables, generated from a mapped table (type_mapping.h) and the server's
// capabilities. Each function returns the statements to run in order; running them again is harmless where
// the statement allows it (IF [NOT] EXISTS). Pure functions; no I/O.
//
// Tables: ReplacingMergeTree(_version, _is_deleted) where the server has the is_deleted parameter, else
// ReplacingMergeTree(_version), ORDER BY the primary key; sources without a primary key are append-only
// MergeTree ORDER BY tuple(). On servers without the is_deleted parameter a view `<table>_current`
// (SELECT the columns FROM the table FINAL WHERE _is_deleted = 0) shows the current state; the view lists its
// columns, so every column change re-creates it (the statements here include that).
//
// Schema evolution is checked before any SQL is produced: a change ClickHouse cannot apply losslessly (a
// narrowing or type-changing MODIFY, any change to a primary-key column, RENAME COLUMN before 20.4) fails with
// kUnsupported naming the table and the change, and nothing is run.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/capabilities.h"
#include "clickhouse/type_mapping.h"
#include "common/result.h"
#include "schema/column.h"
#include "schema/column_default.h"

namespace mysql2ch {

using Statements = std::vector<std::string>;

// "`db`.`table`"
std::string qualified_name(const TargetName& name);

// The current-state view's name on legacy servers: `<table>_current` in the same database.
TargetName current_view_name(const TargetName& table);

// Whether `table` gets a current-state view on this server (legacy engine and a primary key).
bool has_current_view(const TargetTable& table, const ServerCapabilities& caps);

// Drops and re-creates the current-state view with `table`'s columns; empty when the table has none. Each
// column change ends with these; repeated alone, they complete a change interrupted after its ALTER.
Statements refresh_view_statements(const TargetTable& table, const ServerCapabilities& caps);

// CREATE DATABASE IF NOT EXISTS, CREATE TABLE IF NOT EXISTS, and the view where one is needed.
Statements create_table_statements(const TargetTable& table, const ServerCapabilities& caps);

// ADD COLUMN for after.columns[index] (placed after its predecessor). A new primary-key column cannot be added
// (the sort key is fixed): kUnsupported. Existing rows get `default_expression` (a ClickHouse expression from
// column_default_expression()) or, when it is empty, ClickHouse's default for the type.
Result<Statements> add_column_statements(const TargetTable& after, size_t index, const ServerCapabilities& caps,
                                         std::string_view default_expression = {});

// The ClickHouse DEFAULT expression that gives the rows a table already has the value MySQL gives them when
// `column` (mapped as `mapped`) is added with `mysql_default` (the DEFAULT clause as written; nullopt: none),
// by a statement the binlog describes as `statement` (time zone, start time). Returns "" when
// that value is NULL in a Nullable column (ClickHouse's own default). The value is read by
// schema::added_column_value (column_default.h: which literals are exact, and why the others are refused), then
// encoded by the rows' RowBinaryEncoder (so destination.zero_dates / out_of_range_dates, BINARY padding, ENUM
// indexes and SET order apply exactly as to row events), and that encoding is spelled as a CAST of a literal
// ClickHouse parses back into the same value. What cannot be exact is kUnsupported naming the column and what
// to do; the caller stops the stream with the statement and its position.
Result<std::string> column_default_expression(const MappedColumn& mapped, const schema::ColumnDef& column,
                                              const std::optional<std::string>& mysql_default,
                                              const schema::StatementClock& statement);

// DROP COLUMN `name`, which `before` has and `after` no longer has. Primary-key columns cannot be dropped.
Result<Statements> drop_column_statements(const TargetTable& before, const TargetTable& after, std::string_view name,
                                          const ServerCapabilities& caps);

// MODIFY COLUMN to after.columns[index] from `before`'s column of the same name, when every old value has the
// same meaning in the new type (wider integers, more decimal digits, Float32→Float64, more fsp, NOT NULL →
// Nullable, ENUM labels appended, same type). Anything else: kUnsupported naming the table, the column and
// both types. Returns no statements when the ClickHouse type is unchanged.
Result<Statements> modify_column_statements(const TargetTable& before, const TargetTable& after, size_t index,
                                            const ServerCapabilities& caps);

// RENAME COLUMN `from` to after.columns[index].name. Needs the server's RENAME COLUMN (20.4+); on older
// servers kUnsupported (a rename cannot be emulated without rewriting the table).
Result<Statements> rename_column_statements(const TargetTable& after, std::string_view from, size_t index,
                                            const ServerCapabilities& caps);

// RENAME COLUMN on servers without it (before 20.4), as a copy: add `to` with the column's type, fill it from
// `from` with a mutation, then drop `from`. The caller runs `add`, then `copy`, waits until the table's
// mutations are done (system.mutations is_done), then runs `drop`; no rows may be inserted meanwhile. Each
// step may be run again after an interruption (the caller checks which columns exist first). Primary-key
// columns are in the sort key: kUnsupported.
struct ColumnCopyRename {
  Statements add;
  Statements copy;
  Statements drop;
};
Result<ColumnCopyRename> rename_column_by_copy(const TargetTable& before, std::string_view from,
                                               const TargetTable& after, size_t index, const ServerCapabilities& caps);

// RENAME TABLE (and its view); `to` has the new name and the same columns.
Statements rename_table_statements(const TargetTable& from, const TargetTable& to, const ServerCapabilities& caps);

Statements truncate_table_statements(const TargetTable& table);
Statements drop_table_statements(const TargetTable& table, const ServerCapabilities& caps);

}  // namespace mysql2ch
