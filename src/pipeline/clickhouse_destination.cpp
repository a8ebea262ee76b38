#include "pipeline/clickhouse_destination.h"

#include "pipeline/writer_sink.h"

#include <fmt/ranges.h>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "clickhouse/sql_text.h"
#include "clickhouse/table_ddl.h"

namespace mysql2ch::pipeline {
namespace {

// name -> type of the table's columns; empty when the table does not exist.
Result<std::vector<std::pair<std::string, std::string>>> actual_columns(ClickHouseConnection& conn,
                                                                        const TargetName& name) {
  TRY_ASSIGN(std::string rows,
             conn.query(fmt::format("SELECT name, type FROM system.columns WHERE database = {} AND table = {} "
                                    "",
                                    clickhouse_string(name.database), clickhouse_string(name.table)),
                        "JSONEachRow"));
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < rows.size()) {
    size_t end = rows.find('\n', start);
    if (end == std::string::npos) end = rows.size();
    const auto j = nlohmann::json::parse(std::string_view(rows).substr(start, end - start), nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.emplace_back(j.value("name", ""), j.value("type", ""));
    start = end + 1;
  }
  return out;
}

}  // namespace

ClickHouseDestination::ClickHouseDestination(ClickHouseConnection& connection, const DestinationConfig& config)
    : connection_(connection), config_(config) {}

Status ClickHouseDestination::run(const std::vector<std::string>& statements) {
  for (const auto& sql : statements) {
    spdlog::debug("destination: {}", sql);
    TRY(connection_.execute(sql));
  }
  return {};
}

Status ClickHouseDestination::converge(const TargetTable& target, const TargetTable* previous,
                                       const ServerCapabilities& caps) {
  TRY_ASSIGN(auto actual, actual_columns(connection_, target.name));
  if (actual.empty()) return run(create_table_statements(target, caps));
  std::map<std::string, std::string> actual_type;
  for (const auto& [n, t] : actual) actual_type.emplace(n, t);
  // What the table has now, as far as the generators need it: the previous mapping where it knows the column,
  // else the name and type ClickHouse reports.
  TargetTable before = target;
  before.columns.clear();
  for (const auto& [n, t] : actual) {
    if (n == kVersionColumn || n == kIsDeletedColumn) continue;
    const MappedColumn* known = nullptr;
    if (previous != nullptr) {
      for (const auto& c : previous->columns) {
        if (c.name == n) known = &c;
      }
    }
    if (known == nullptr) {
      for (const auto& c : target.columns) {
        if (c.name == n) known = &c;
      }
    }
    MappedColumn col = known != nullptr ? *known : MappedColumn{};
    col.name = n;
    col.type = t;
    before.columns.push_back(col);
  }
  // Until DDL from the stream is applied, a layout that lost columns and gained others is ambiguous: a
  // RENAME COLUMN (whose values must be kept) looks exactly like DROP + ADD (whose values go). Guessing either
  // way can lose data silently, so stop and say what to do.
  std::vector<std::string> gone;
  std::vector<std::string> added;
  for (const auto& col : before.columns) {
    bool wanted = false;
    for (const auto& c : target.columns) wanted = wanted || c.name == col.name;
    if (!wanted) gone.push_back(col.name);
  }
  for (const auto& c : target.columns) {
    if (actual_type.count(c.name) == 0) added.push_back(c.name);
  }
  if (!gone.empty() && !added.empty()) {
    return make_error(ErrorCode::kUnsupported,
                      "table {}: the source's rows no longer have column(s) {} and now have {}: a RENAME COLUMN "
                      "or a DROP + ADD COLUMN, which cannot be told apart from row events alone. To keep the "
                      "mirror exact, drop the destination table and run sync again after removing the state "
                      "(state.path and the destination's _mysql2ch_state), which snapshots it anew",
                      target.name.database + "." + target.name.table, fmt::join(gone, ", "),
                      fmt::join(added, ", "));
  }
  for (size_t k = 0; k < target.columns.size(); ++k) {
    const auto it = actual_type.find(target.columns[k].name);
    if (it == actual_type.end()) {
      TRY_ASSIGN(Statements add, add_column_statements(target, k, caps));
      TRY(run(add));
    } else if (it->second != target.columns[k].type) {
      TRY_ASSIGN(Statements modify, modify_column_statements(before, target, k, caps));
      TRY(run(modify));
    }
  }
  for (const auto& col : before.columns) {
    bool wanted = false;
    for (const auto& c : target.columns) wanted = wanted || c.name == col.name;
    if (wanted) continue;
    TRY_ASSIGN(Statements drop, drop_column_statements(before, target, col.name, caps));
    TRY(run(drop));
  }
  return {};
}

Result<std::unique_ptr<TableSink>> ClickHouseDestination::open(const schema::TableSchema& source,
                                                               const schema::TableSchema* previous) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  const TargetName name = target_name(config_, source.database, source.table);
  const auto options = TypeMappingOptions::from(config_);
  TRY_ASSIGN(TargetTable target, map_table(source, name, caps, options));
  std::optional<TargetTable> before;
  if (previous != nullptr) {
    auto mapped = map_table(*previous, name, caps, options);
    if (mapped.ok()) before = std::move(mapped).value();
  }
  TRY(converge(target, before ? &*before : nullptr, caps));
  TRY_ASSIGN(TableWriter writer, TableWriter::create(connection_, source, target, WriterOptions{}));
  return std::unique_ptr<TableSink>(new WriterSink(std::move(writer)));
}

Status ClickHouseDestination::create_if_missing(const schema::TableSchema& source) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  const TargetName name = target_name(config_, source.database, source.table);
  TRY_ASSIGN(TargetTable target, map_table(source, name, caps, TypeMappingOptions::from(config_)));
  TRY_ASSIGN(auto actual, actual_columns(connection_, target.name));
  if (!actual.empty()) return {};
  return run(create_table_statements(target, caps));
}

Status ClickHouseDestination::truncate(std::string_view database, std::string_view table) {
  TargetTable target;
  target.name = target_name(config_, database, table);
  return run(truncate_table_statements(target));
}

}  // namespace mysql2ch::pipeline
