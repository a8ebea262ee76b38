// DestinationTables on a ClickHouse connection: each source table gets a TableWriter on its target table
// (destination.naming), the table created first when the destination does not have it.
//
// Schema changes reach the destination from the stream's DDL (schema_ddl_handler.h applies them before any
// row of the new layout). open() is the cross-check: the target's columns (names and types) must be exactly
// those of the rows' schema, else it fails (kCorrupt) naming the table and each difference, rather than
// guessing whether a column was renamed or dropped and added.
//
// Sinks write over `sink_connection` when given: TableBatches flushes several sinks at once from different
// threads, so it must serve several threads (a ConnectionPool, clickhouse/connection_pool.h); without it, sinks
// share `connection` and must be flushed one at a time.
//
// Threading: open() and truncate() from one thread; `connection` outlives this object and every sink it opened.
#pragma once

#include "clickhouse/connection.h"
#include "clickhouse/table_writer.h"
#include "clickhouse/type_mapping.h"
#include "config/config.h"
#include "pipeline/table_sink.h"

namespace mysql2ch::pipeline {

class ClickHouseDestination final : public DestinationTables {
 public:
  ClickHouseDestination(ClickHouseConnection& connection, const DestinationConfig& config,
                        ClickHouseConnection* sink_connection = nullptr);

  Result<std::unique_ptr<TableSink>> open(const schema::TableSchema& source,
                                          const schema::TableSchema* previous) override;
  Status truncate(std::string_view database, std::string_view table) override;
  // Creates the target table of `source` when the destination does not have it; leaves an existing one as is.
  Status create_if_missing(const schema::TableSchema& source);

 private:
  Status run(const std::vector<std::string>& statements);
  Status check_layout(const TargetTable& target, const ServerCapabilities& caps);

  ClickHouseConnection& connection_;
  DestinationConfig config_;
  ClickHouseConnection& sink_connection_;
};

}  // namespace mysql2ch::pipeline
