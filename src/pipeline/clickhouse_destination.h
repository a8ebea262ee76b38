// DestinationTables on a ClickHouse connection: each source table gets a TableWriter on its target table
// (destination.naming), the table created or brought to the source's current columns first.
//
// open() is idempotent against what the destination already has: it reads the target's columns and adds the
// missing ones, drops the extra ones and modifies changed types (with the table_ddl.h generators, which refuse
// lossy changes). So a restart from a checkpoint taken before a schema change already applied in ClickHouse,
// or after it, converges on the layout of the rows being written.
//
// Known limit until DDL statements are parsed (schema tracker): a layout that both lost and gained columns (a
// RENAME COLUMN, or DROP + ADD) cannot be told apart, so open() refuses it with an error naming the columns
// rather than dropping values that a rename would keep.
//
// Threading: one thread; `connection` outlives this object and every sink it opened.
#pragma once

#include "clickhouse/connection.h"
#include "clickhouse/table_writer.h"
#include "clickhouse/type_mapping.h"
#include "config/config.h"
#include "pipeline/table_sink.h"

namespace mysql2ch::pipeline {

class ClickHouseDestination final : public DestinationTables {
 public:
  ClickHouseDestination(ClickHouseConnection& connection, const DestinationConfig& config);

  Result<std::unique_ptr<TableSink>> open(const schema::TableSchema& source,
                                          const schema::TableSchema* previous) override;
  Status truncate(std::string_view database, std::string_view table) override;
  // Creates the target table of `source` when the destination does not have it; leaves an existing one as is.
  Status create_if_missing(const schema::TableSchema& source);

 private:
  Status run(const std::vector<std::string>& statements);
  Status converge(const TargetTable& target, const TargetTable* previous, const ServerCapabilities& caps);

  ClickHouseConnection& connection_;
  DestinationConfig config_;
};

}  // namespace mysql2ch::pipeline
