#include "pipeline/clickhouse_destination.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "clickhouse/sql_text.h"
#include "clickhouse/table_ddl.h"
#include "common/strings.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/writer_sink.h"

namespace mysql2ch::pipeline {

ClickHouseDestination::ClickHouseDestination(ClickHouseConnection& connection, const DestinationConfig& config,
                                             ClickHouseConnection* sink_connection)
    : connection_(connection),
      config_(config),
      sink_connection_(sink_connection != nullptr ? *sink_connection : connection) {}

Status ClickHouseDestination::run(const std::vector<std::string>& statements) {
  for (const auto& sql : statements) {
    spdlog::debug("destination: {}", sql);
    TRY(connection_.execute(sql));
  }
  return {};
}

Status ClickHouseDestination::check_layout(const TargetTable& target, const ServerCapabilities& caps) {
  TRY_ASSIGN(auto actual, destination_columns(connection_, target.name));
  if (actual.empty()) return run(create_table_statements(target, caps));
  const std::vector<std::string> differences = column_differences(target, actual);
  if (differences.empty()) return {};
  return make_error(ErrorCode::kCorrupt,
                    "destination table {} does not have the columns of the source's rows as the schema history "
                    "describes them ({}): it was changed outside mysql2ch, or a DDL was skipped or made before the "
                    "stream's start; re-snapshot the table",
                    qualified_name(target.name), fmt::join(differences, "; "));
}

Result<std::unique_ptr<TableSink>> ClickHouseDestination::open(const schema::TableSchema& source,
                                                               const schema::TableSchema*) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  const TargetName name = target_name(config_, source.database, source.table);
  const auto options = TypeMappingOptions::from(config_);
  TRY_ASSIGN(TargetTable target, map_table(source, name, caps, options));
  TRY(check_layout(target, caps));
  TRY_ASSIGN(TableWriter writer, TableWriter::create(sink_connection_, source, target, WriterOptions{}));
  return std::unique_ptr<TableSink>(new WriterSink(std::move(writer)));
}

Status ClickHouseDestination::create_if_missing(const schema::TableSchema& source) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  const TargetName name = target_name(config_, source.database, source.table);
  TRY_ASSIGN(TargetTable target, map_table(source, name, caps, TypeMappingOptions::from(config_)));
  TRY_ASSIGN(auto actual, destination_columns(connection_, target.name));
  if (!actual.empty()) return {};
  return run(create_table_statements(target, caps));
}

Status ClickHouseDestination::truncate(std::string_view database, std::string_view table) {
  TargetTable target;
  target.name = target_name(config_, database, table);
  return run(truncate_table_statements(target));
}

}  // namespace mysql2ch::pipeline
