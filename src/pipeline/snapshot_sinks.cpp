#include "pipeline/snapshot_sinks.h"

#include "clickhouse/connection.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/table_writer.h"
#include "clickhouse/type_mapping.h"
#include "common/strings.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/writer_sink.h"

#include <fmt/ranges.h>

#include <algorithm>

namespace mysql2ch::pipeline {
namespace {

std::string layout_text(const std::vector<std::pair<std::string, std::string>>& columns) {
  std::vector<std::string> parts;
  for (const auto& [n, t] : columns) parts.push_back(n + " " + t);
  return fmt::format("({})", fmt::join(parts, ", "));
}

}  // namespace

std::set<std::string> ClickHouseSnapshotSinks::deferred() const {
  std::lock_guard lock(mutex_);
  return deferred_;
}
Result<std::unique_ptr<snapshot::SnapshotSink>> ClickHouseSnapshotSinks::open(const schema::TableSchema& table) {
  TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
  TRY_ASSIGN(ServerCapabilities caps, conn->capabilities());
  const TargetName name = target_name(config_.destination, table.database, table.table);
  TRY_ASSIGN(TargetTable target, map_table(table, name, caps, TypeMappingOptions::from(config_.destination)));
  TRY_ASSIGN(auto actual, destination_columns(*conn, name));
  std::vector<std::pair<std::string, std::string>> present, expected;
  for (const auto& [n, t] : actual) {
    if (n != kVersionColumn && n != kIsDeletedColumn) present.emplace_back(n, without_spaces(t));
  }
  for (const auto& c : target.columns) expected.emplace_back(c.name, without_spaces(c.type));
  // The writer names its columns, so their order does not matter; names and types do.
  auto sorted = [](std::vector<std::pair<std::string, std::string>> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  if (sorted(present) != sorted(expected)) {
    {
      std::lock_guard lock(mutex_);
      deferred_.insert(table.database + "." + table.table);
    }
    return make_error(ErrorCode::kUnavailable,
                      "snapshot of {}.{}: the destination table {}.{} has the columns {}, the source's rows are read "
                      "as {}; no row is written until the stream has replayed the DDL in between",
                      table.database, table.table, name.database, name.table, layout_text(present),
                      layout_text(expected));
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
