// Applies the source's schema changes (schema/table_change.h, as the DDL handler resolves them into source
// schemas before and after) to the destination tables, with the clickhouse/table_ddl.h generators.
//
// Every operation first reads what the destination has (system.columns, system.tables) and does only what is
// missing, so a statement interrupted half-way (crash, destination outage) is completed when the stream
// replays it from the checkpoint taken at its start, or when the caller repeats the failed operation (the DDL
// handler retries each one through an outage). A column change found already done still re-creates the
// current-state view (legacy servers): the interruption may have come between the ALTER and the view.
//
// RENAME COLUMN on ClickHouse before 20.4 is a copy (rename_column_by_copy): ADD the new column, ALTER UPDATE it
// from the old one, wait for the mutation (system.mutations is_done), DROP the old one. The caller guarantees no
// rows are written to the table meanwhile (the stream applies DDL between transactions, every row before it
// flushed).
//
// Threading: one thread; `connection` outlives this object.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clickhouse/connection.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/type_mapping.h"
#include "config/config.h"
#include "schema/column.h"

namespace mysql2ch::pipeline {

// (name, type) of the destination table's columns in table order; empty when the table does not exist.
Result<std::vector<std::pair<std::string, std::string>>> destination_columns(ClickHouseConnection& connection,
                                                                             const TargetName& name);

// How the columns a destination table has (`actual`, as destination_columns() reads them) differ from
// `expected`, the mapped columns of the schema its rows are written with; empty when they agree. One entry per
// difference, in `expected`'s column order, then the extra columns in `actual`'s order: "c String is missing",
// "c is Int32 instead of Int64", "c Int8 is extra". The _version and _is_deleted columns are not compared, nor
// is column order (rows are inserted by column name); types are compared without spaces, which ClickHouse
// versions place differently.
std::vector<std::string> column_differences(const TargetTable& expected,
                                            const std::vector<std::pair<std::string, std::string>>& actual);

class ClickHouseSchemaApplier {
 public:
  ClickHouseSchemaApplier(ClickHouseConnection& connection, const DestinationConfig& config);

  // The destination table of `table`. One that exists already is dropped first: at this point of the stream
  // the source had no such table, so it is ahead of the stream (made at a restart from the source's tables as
  // they are now) and the stream brings every row of the new table.
  Status create_table(const schema::TableSchema& table);
  Status drop_table(const std::string& database, const std::string& table);
  // `from` and `to` have the same columns; only the names differ. A destination table named `to` is dropped
  // first (as in create_table). Without a table `from` but with one named `to`, the rename was done before an
  // interruption: only `to`'s current-state view is made again (legacy servers).
  Status rename_table(const schema::TableSchema& from, const schema::TableSchema& to);

  // `after` is the table with the new column at `index`; `mysql_default` its DEFAULT clause as written;
  // `statement` what the binlog says of the statement's time zone and start (for temporal defaults).
  Status add_column(const schema::TableSchema& after, size_t index, const std::optional<std::string>& mysql_default,
                    const schema::StatementClock& statement);
  Status drop_column(const schema::TableSchema& before, const schema::TableSchema& after, const std::string& name);
  // `after.columns[index]` is the changed column, of the same name in `before`.
  Status modify_column(const schema::TableSchema& before, const schema::TableSchema& after, size_t index);
  // `after.columns[index]` is column `from` of `before`, renamed.
  Status rename_column(const schema::TableSchema& before, const schema::TableSchema& after, const std::string& from,
                       size_t index);

 private:
  Result<TargetTable> map(const schema::TableSchema& table);
  Status run(const Statements& statements);
  Status wait_for_mutations(const TargetName& name);

  ClickHouseConnection& connection_;
  DestinationConfig config_;
};

}  // namespace mysql2ch::pipeline
