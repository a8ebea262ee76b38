#include "check/privilege_probe.h"

#include <fmt/format.h>

#include <random>

#include "clickhouse/sql_text.h"

namespace mysql2ch {
namespace {

std::string random_suffix() {
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

// One row in RowBinary: id UInt64 = 1 (little endian), v String = "ok" (LEB128 length, bytes).
constexpr char kProbeRow[] = {1, 0, 0, 0, 0, 0, 0, 0, 2, 'o', 'k'};

}  // namespace

PrivilegeProbe::PrivilegeProbe(ClickHouseConnection& connection, std::string database)
    : connection_(connection), database_(std::move(database)) {}

Status PrivilegeProbe::step(const char* name, std::string_view sql) {
  auto st = connection_.execute(sql);
  if (!st.ok()) failed_step_ = name;
  return st;
}

Status PrivilegeProbe::insert_row(const std::string& table) {
  auto st = connection_.insert(table + " (`id`, `v`)", "RowBinary", std::string_view(kProbeRow, sizeof kProbeRow));
  if (!st.ok()) failed_step_ = "INSERT";
  return st;
}

Status PrivilegeProbe::read_back(const std::string& table) {
  auto rows = connection_.query(fmt::format("SELECT id, v FROM {}", table), "TabSeparated");
  if (!rows.ok()) {
    failed_step_ = "SELECT";
    return std::move(rows).error();
  }
  if (*rows != "1\tok\n") {
    failed_step_ = "SELECT";
    return make_error(ErrorCode::kProtocol, "the probe row read back as '{}' instead of '1<TAB>ok'", *rows);
  }
  return {};
}

PrivilegeProbeOutcome PrivilegeProbe::run() {
  PrivilegeProbeOutcome outcome;
  const std::string db = clickhouse_identifier(database_);
  const std::string table = fmt::format("{}.{}", db, clickhouse_identifier("_mysql2ch_check_" + random_suffix()));
  bool created_database = false;
  bool created_table = false;

  auto steps = [&]() -> Status {
    auto existing = connection_.query(
        fmt::format("SELECT count() FROM system.databases WHERE name = {}", clickhouse_string(database_)), "TabSeparated");
    if (!existing.ok()) {
      failed_step_ = "SELECT";
      return std::move(existing).error();
    }
    if (*existing == "0\n") {
      TRY(step("CREATE DATABASE", fmt::format("CREATE DATABASE IF NOT EXISTS {}", db)));
      created_database = true;
    }
    TRY(step("CREATE TABLE",
             fmt::format("CREATE TABLE {} (`id` UInt64, `v` String) ENGINE = MergeTree ORDER BY `id`", table)));
    created_table = true;
    TRY(insert_row(table));
    TRY(read_back(table));
    TRY(step("ALTER", fmt::format("ALTER TABLE {} ADD COLUMN `extra` UInt8", table)));
    TRY(step("DROP", fmt::format("DROP TABLE {}", table)));
    created_table = false;
    if (created_database) {
      TRY(step("DROP DATABASE", fmt::format("DROP DATABASE {}", db)));
      created_database = false;
    }
    return {};
  };
  if (auto st = steps(); !st.ok()) {
    outcome.failed_step = failed_step_;
    outcome.error = std::move(st).error();
    clean_up(created_table ? table : std::string(), created_database, outcome);
    return outcome;
  }
  outcome.allowed = true;
  return outcome;
}

void PrivilegeProbe::clean_up(const std::string& table, bool created_database, PrivilegeProbeOutcome& outcome) {
  if (!table.empty()) {
    if (auto st = connection_.execute(fmt::format("DROP TABLE IF EXISTS {}", table)); !st.ok()) {
      outcome.cleanup_problem = fmt::format("the probe table could not be dropped ({}); remove it with: DROP TABLE {}",
                                            st.error().message(), table);
      return;
    }
  }
  if (!created_database) return;
  const std::string db = clickhouse_identifier(database_);
  if (auto st = connection_.execute(fmt::format("DROP DATABASE IF EXISTS {}", db)); !st.ok()) {
    outcome.cleanup_problem = fmt::format(
        "the database created by the probe could not be dropped ({}); remove it "
        "with: DROP DATABASE {}",
        st.error().message(), db);
  }
}

}  // namespace mysql2ch
