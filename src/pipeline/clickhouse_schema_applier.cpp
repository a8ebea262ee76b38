#include "pipeline/clickhouse_schema_applier.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "clickhouse/sql_text.h"
#include "common/strings.h"

namespace mysql2ch::pipeline {
namespace {

bool has_column(const std::vector<std::pair<std::string, std::string>>& columns, std::string_view name) {
  for (const auto& c : columns) {
    if (c.first == name) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> destination_columns(ClickHouseConnection& conn,
                                                                             const TargetName& name) {
  TRY_ASSIGN(std::string rows,
             conn.query(fmt::format("SELECT name, type FROM system.columns WHERE database = {} AND table = {}",
                                    clickhouse_string(name.database), clickhouse_string(name.table)),
                        "JSONEachRow"));
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start < rows.size()) {
    size_t end = rows.find('\n', start);
    if (end == std::string::npos) end = rows.size();
    const std::string_view line = std::string_view(rows).substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return make_error(ErrorCode::kProtocol, "system.columns of {}: unreadable row '{}'", qualified_name(name),
                        line.substr(0, 200));
    }
    out.emplace_back(j.value("name", ""), j.value("type", ""));
  }
  return out;
}

std::vector<std::string> column_differences(const TargetTable& expected,
                                            const std::vector<std::pair<std::string, std::string>>& actual) {
  std::vector<std::pair<std::string, std::string>> unmatched;  // (name, type without spaces), in table order
  for (const auto& [n, t] : actual) {
    if (n != kVersionColumn && n != kIsDeletedColumn) unmatched.emplace_back(n, without_spaces(t));
  }
  std::vector<std::string> differences;
  for (const auto& c : expected.columns) {
    const auto it = std::find_if(unmatched.begin(), unmatched.end(), [&](const auto& a) { return a.first == c.name; });
    if (it == unmatched.end()) {
      differences.push_back(fmt::format("{} {} is missing", c.name, c.type));
      continue;
    }
    if (it->second != without_spaces(c.type)) {
      differences.push_back(fmt::format("{} is {} instead of {}", c.name, it->second, c.type));
    }
    unmatched.erase(it);
  }
  for (const auto& [n, t] : unmatched) differences.push_back(fmt::format("{} {} is extra", n, t));
  return differences;
}

ClickHouseSchemaApplier::ClickHouseSchemaApplier(ClickHouseConnection& connection, const DestinationConfig& config)
    : connection_(connection), config_(config) {}

Result<TargetTable> ClickHouseSchemaApplier::map(const schema::TableSchema& table) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  return map_table(table, target_name(config_, table.database, table.table), caps, TypeMappingOptions::from(config_));
}

Status ClickHouseSchemaApplier::run(const Statements& statements) {
  for (const auto& sql : statements) {
    spdlog::info("destination: {}", sql);
    TRY(connection_.execute(sql));
  }
  return {};
}

Status ClickHouseSchemaApplier::wait_for_mutations(const TargetName& name) {
  const std::string sql =
      fmt::format("SELECT count() FROM system.mutations WHERE database = {} AND table = {} AND is_done = 0",
                  clickhouse_string(name.database), clickhouse_string(name.table));
  auto last_log = std::chrono::steady_clock::now();
  while (true) {
    TRY_ASSIGN(std::string pending, connection_.query(sql, "TSV"));
    if (pending == "0\n" || pending == "0") return {};
    if (std::chrono::steady_clock::now() - last_log >= std::chrono::seconds(10)) {
      spdlog::info("waiting for {} mutation(s) of {} (system.mutations)", pending.substr(0, pending.find('\n')),
                   qualified_name(name));
      last_log = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Status ClickHouseSchemaApplier::create_table(const schema::TableSchema& table) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TRY_ASSIGN(TargetTable target, map(table));
  TRY(drop_table(table.database, table.table));
  return run(create_table_statements(target, caps));
}

Status ClickHouseSchemaApplier::drop_table(const std::string& database, const std::string& table) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TargetTable target;
  target.name = target_name(config_, database, table);
  // Whether it has a view decides what to drop; a key makes has_current_view() true, and the view's DROP is
  // IF EXISTS, so assume one.
  target.primary_key.push_back(0);
  return run(drop_table_statements(target, caps));
}

Status ClickHouseSchemaApplier::rename_table(const schema::TableSchema& from, const schema::TableSchema& to) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TRY_ASSIGN(TargetTable source_target, map(from));
  TRY_ASSIGN(TargetTable dest_target, map(to));
  TRY_ASSIGN(auto existing, destination_columns(connection_, source_target.name));
  TRY_ASSIGN(auto renamed, destination_columns(connection_, dest_target.name));
  if (existing.empty()) {
    // Done before an interruption, which may have come between the RENAME and the new name's view.
    if (!renamed.empty()) return run(refresh_view_statements(dest_target, caps));
    return make_error(ErrorCode::kNotFound, "RENAME TABLE: the destination has neither {} nor {}",
                      qualified_name(source_target.name), qualified_name(dest_target.name));
  }
  // The source had no table of the new name at this point of the stream (RENAME would have failed), so a
  // destination table of that name is ahead of the stream (made at a restart from the source's tables now).
  if (!renamed.empty()) TRY(drop_table(to.database, to.table));
  return run(rename_table_statements(source_target, dest_target, caps));
}

Status ClickHouseSchemaApplier::add_column(const schema::TableSchema& after, size_t index,
                                           const std::optional<std::string>& mysql_default,
                                           const schema::StatementClock& statement) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TRY_ASSIGN(TargetTable target, map(after));
  TRY_ASSIGN(auto existing, destination_columns(connection_, target.name));
  if (has_column(existing, target.columns[index].name)) return run(refresh_view_statements(target, caps));
  TRY_ASSIGN(std::string default_expression,
             column_default_expression(target.columns[index], after.columns[index], mysql_default, statement));
  TRY_ASSIGN(Statements statements, add_column_statements(target, index, caps, default_expression));
  return run(statements);
}

Status ClickHouseSchemaApplier::drop_column(const schema::TableSchema& before, const schema::TableSchema& after,
                                            const std::string& name) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TRY_ASSIGN(TargetTable from, map(before));
  TRY_ASSIGN(TargetTable to, map(after));
  TRY_ASSIGN(auto existing, destination_columns(connection_, from.name));
  if (!has_column(existing, name)) return run(refresh_view_statements(to, caps));
  TRY_ASSIGN(Statements statements, drop_column_statements(from, to, name, caps));
  return run(statements);
}

Status ClickHouseSchemaApplier::modify_column(const schema::TableSchema& before, const schema::TableSchema& after,
                                              size_t index) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TRY_ASSIGN(TargetTable from, map(before));
  TRY_ASSIGN(TargetTable to, map(after));
  TRY_ASSIGN(auto existing, destination_columns(connection_, to.name));
  for (const auto& [n, type] : existing) {
    if (n == to.columns[index].name && type == to.columns[index].type) return run(refresh_view_statements(to, caps));
  }
  TRY_ASSIGN(Statements statements, modify_column_statements(from, to, index, caps));
  return run(statements);
}

Status ClickHouseSchemaApplier::rename_column(const schema::TableSchema& before, const schema::TableSchema& after,
                                              const std::string& from, size_t index) {
  TRY_ASSIGN(ServerCapabilities caps, connection_.capabilities());
  TRY_ASSIGN(TargetTable old_target, map(before));
  TRY_ASSIGN(TargetTable new_target, map(after));
  const std::string& to = new_target.columns[index].name;
  TRY_ASSIGN(auto existing, destination_columns(connection_, new_target.name));
  const bool has_from = has_column(existing, from);
  const bool has_to = has_column(existing, to);
  if (!has_from && has_to) return run(refresh_view_statements(new_target, caps));  // done before an interruption
  if (caps.rename_column) {
    TRY_ASSIGN(Statements statements, rename_column_statements(new_target, from, index, caps));
    return run(statements);
  }
  TRY_ASSIGN(ColumnCopyRename steps, rename_column_by_copy(old_target, from, new_target, index, caps));
  // An interrupted copy left both columns: the copy and the drop are run again.
  if (!has_to) TRY(run(steps.add));
  TRY(run(steps.copy));
  TRY(wait_for_mutations(new_target.name));
  return run(steps.drop);
}

}  // namespace mysql2ch::pipeline
