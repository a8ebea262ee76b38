#include "check/source_tables.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/testenv.h"

namespace mysql2ch {
namespace {

TablesConfig tables(std::vector<std::string> include, std::vector<std::string> exclude = {}) {
  TablesConfig t;
  t.include = std::move(include);
  t.exclude = std::move(exclude);
  return t;
}

TEST(SourceTables, SelectionByIncludeAndExclude) {
  const TablesConfig t = tables({"shop.*", "crm.lead?"}, {"shop.tmp_*"});
  EXPECT_TRUE(table_selected(t, "shop", "orders"));
  EXPECT_FALSE(table_selected(t, "shop", "tmp_orders"));
  EXPECT_TRUE(table_selected(t, "crm", "leads"));
  EXPECT_FALSE(table_selected(t, "crm", "lead"));
  EXPECT_FALSE(table_selected(t, "shop2", "orders"));
}

TEST(SourceTables, SystemSchemasAreNeverSelected) {
  const TablesConfig all = tables({"*.*", "mysql.user"});
  for (const char* schema : {"mysql", "information_schema", "performance_schema", "sys", "MySQL"}) {
    EXPECT_FALSE(table_selected(all, schema, "user")) << schema;
    EXPECT_TRUE(is_system_schema(schema));
  }
  EXPECT_TRUE(table_selected(all, "sysadmin", "user"));
}

SourceTable table(std::string schema, std::string name, uint64_t rows, std::vector<std::string> pk) {
  return {std::move(schema), std::move(name), "InnoDB", rows, rows * 100, std::move(pk), {}};
}

TEST(SourceTables, ReportCountsAndWarnsAboutMissingKeys) {
  std::vector<SourceTable> list{table("a", "t1", 10, {"id"}), table("b", "t2", 5, {})};
  list[0].lob_columns.push_back({"body", "longtext"});
  CheckReport report;
  report_tables(list, tables({"*.*"}), report);
  ASSERT_EQ(report.items().size(), 3u);
  EXPECT_EQ(report.items()[0].state, CheckState::kPass);
  EXPECT_EQ(report.items()[0].found, "2 tables in 2 databases, ~15 rows, ~1.5 KiB");
  EXPECT_EQ(report.items()[1].id, "source.tables_without_pk");
  EXPECT_EQ(report.items()[1].state, CheckState::kWarn);
  EXPECT_EQ(report.items()[1].found, "1 without (copied append-only: updates and deletes add rows): b.t2");
  EXPECT_EQ(report.items()[2].found, "1: a.t1.body (longtext)");
}

TEST(SourceTables, NothingSelectedFails) {
  CheckReport report;
  report_tables({}, tables({"nope.*"}, {"x.y"}), report);
  ASSERT_EQ(report.items().size(), 1u);
  EXPECT_EQ(report.items()[0].state, CheckState::kFail);
  EXPECT_EQ(report.items()[0].found, "no table matches include [nope.*] minus exclude [x.y]");
}

TEST(SourceTables, BaselineIsWrittenAsJson) {
  const std::string dir = testenv::scratch_dir("src_chk_baseline_unit") + "/state/nested";
  ServerInfo server{ServerFlavor::kMariaDB, "10.11.19-MariaDB", 101119, 7};
  const auto doc = baseline_json({table("a", "t1", 10, {"id", "k"})}, server, "db:3306", "2026-01-02T03:04:05Z");
  auto path = write_baseline(dir, doc);
  ASSERT_TRUE(path.ok()) << path.error().message();
  EXPECT_EQ(*path, dir + "/baseline.json");
  std::ifstream in(*path);
  const nlohmann::json back = nlohmann::json::parse(in);
  EXPECT_EQ(back, doc);
  EXPECT_EQ(back["taken_at"], "2026-01-02T03:04:05Z");
  EXPECT_EQ(back["source"]["flavor"], "MariaDB");
  EXPECT_EQ(back["source"]["server_id"], 7);
  EXPECT_EQ(back["totals"]["estimated_rows"], 10);
  EXPECT_EQ(back["tables"][0]["primary_key"], nlohmann::json::array({"id", "k"}));
  EXPECT_FALSE(std::filesystem::exists(dir + "/baseline.json.tmp"));
}

TEST(SourceTables, BaselineIntoAFileIsAnIoError) {
  const std::string dir = testenv::scratch_dir("src_chk_baseline_blocked");
  testenv::write_file(dir + "/file", "not a directory");
  auto path = write_baseline(dir + "/file/state", nlohmann::json::object());
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().code(), ErrorCode::kIo);
}

TEST(SourceTables, TimestampIsUtcIso8601) {
  const std::string ts = utc_timestamp();
  ASSERT_EQ(ts.size(), 20u);
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts.back(), 'Z');
}

}  // namespace
}  // namespace mysql2ch
