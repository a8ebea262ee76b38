#include "pipeline/snapshot_sinks.h"

#include <fmt/ranges.h>

#include "clickhouse/connection.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/table_writer.h"
#include "clickhouse/type_mapping.h"
#include "common/strings.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/writer_sink.h"

namespace mysql2ch::pipeline {

std::set<std::string> ClickHouseSnapshotSinks::deferred() const {
  std::lock_guard lock(mutex_);
  return deferred_;
}

Result<std::unique_ptr<snapshot::SnapshotSink>> ClickHouseSnapshotSinks::open(const schema::TableSchema& table) {
  TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
  TRY_ASSIGN(ServerCapabilities caps, conn->capabilities());
  const TargetName name = target_name(config_.destination, table.database, table.table);
  TRY_ASSIGN(TargetTable target, map_table(table, name, caps, TypeMappingOptions::from(config_.destination)));
  TRY_ASSIGN(const auto actual, destination_columns(*conn, name));
  const std::vector<std::string> differences = column_differences(target, actual);
  if (!differences.empty()) {
    {
      std::lock_guard lock(mutex_);
      deferred_.insert(table.database + "." + table.table);
    }
    return make_error(ErrorCode::kUnavailable,
                      "snapshot of {}.{}: the destination table {} does not have the columns the source's rows are "
                      "read with ({}); no row is written until the stream has replayed the DDL in between",
                      table.database, table.table, qualified_name(name), fmt::join(differences, "; "));
  }
  TRY_ASSIGN(TableWriter writer, TableWriter::create(*conn, table, target, WriterOptions{}));
  return std::unique_ptr<snapshot::SnapshotSink>(new WriterSink(std::move(writer), std::move(conn)));
}

Status ClickHouseSnapshotSinks::discard_partial_append_only(const schema::TableSchema& table) {
  TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
  TargetTable target;
  target.name = target_name(config_.destination, table.database, table.table);
  for (const auto& sql : truncate_table_statements(target)) TRY(conn->execute(sql));
  return {};
}

}  // namespace mysql2ch::pipeline
