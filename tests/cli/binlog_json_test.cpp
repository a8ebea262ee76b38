// The `mysql2ch binlog` line format, on the recorded MySQL fixture.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "binlog/binlog_file_reader.h"
#include "cli/binlog_json.h"

namespace mysql2ch {
namespace {

std::vector<nlohmann::json> lines_of(const std::string& pattern, std::optional<uint64_t> limit) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  {
    BinlogJsonPrinter printer(out, pattern, limit);
    binlog::EventParser parser;
    const Status st = binlog::decode_binlog_file(
        std::string(MYSQL2CH_SOURCE_DIR) + "/tests/binlog/fixtures/mysql.binlog", parser, printer);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message());
  }
  std::fclose(out);
  std::vector<nlohmann::json> lines;
  std::stringstream ss(std::string(buf, size));
  std::free(buf);
  for (std::string line; std::getline(ss, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(BinlogJson, RowAndDdlLines) {
  const auto lines = lines_of("binlog_fx_my.t_int", std::nullopt);
  ASSERT_GT(lines.size(), 3u);
  const auto& ddl = lines.at(0);
  EXPECT_EQ(ddl["op"], "ddl");
  EXPECT_EQ(ddl["db"], "binlog_fx_my");
  EXPECT_EQ(ddl["file"], "mysql.binlog");
  EXPECT_TRUE(ddl["sql"].get<std::string>().rfind("CREATE TABLE t_int", 0) == 0);
  nlohmann::json first_insert;
  for (const auto& l : lines) {
    if (l["op"] == "insert" && l["table"] == "t_int") {
      first_insert = l;
      break;
    }
  }
  ASSERT_FALSE(first_insert.is_null());
  EXPECT_TRUE(first_insert["before"].is_null());
  const auto& after = first_insert["after"];
  EXPECT_EQ(after["id"], 1);
  EXPECT_EQ(after["ti"], -128);
  EXPECT_EQ(after["bi"], INT64_MIN);
  EXPECT_EQ(after["y"], 1901);
  EXPECT_EQ(after["bt64"], 0);
  EXPECT_TRUE(first_insert["gtid"].get<std::string>().find(':') != std::string::npos);
  EXPECT_GT(first_insert["pos"].get<uint64_t>(), 4u);
  EXPECT_GT(first_insert["ts"].get<uint64_t>(), 1700000000u);
}

TEST(BinlogJson, LimitAndPattern) {
  EXPECT_EQ(lines_of("binlog_fx_my.*", 5).size(), 5u);
  EXPECT_TRUE(lines_of("no_such_db.*", std::nullopt).empty());
}

}  // namespace
}  // namespace mysql2ch
