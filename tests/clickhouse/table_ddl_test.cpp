// The schema-change generators of table_ddl.h the stream's DDL uses: ADD COLUMN defaults and the RENAME COLUMN
// copy of servers without RENAME COLUMN. (The statements run against real servers in ddl_sync_itest.)
#include <gtest/gtest.h>

#include "clickhouse/table_ddl.h"

namespace mysql2ch {
namespace {

ServerCapabilities legacy() { return ServerCapabilities::from_version(*ServerVersion::parse("18.16.1")); }

MappedColumn column(std::string name, std::string type, ColumnEncoding encoding, bool nullable = false) {
  MappedColumn c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.encoding = encoding;
  c.nullable = nullable;
  return c;
}

std::string default_of(const MappedColumn& c, std::optional<std::string> mysql_default) {
  auto r = column_default_expression(c, mysql_default);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : "error";
}

std::string refusal(const MappedColumn& c, std::optional<std::string> mysql_default) {
  auto r = column_default_expression(c, mysql_default);
  EXPECT_FALSE(r.ok()) << "accepted as " << *r;
  return r.ok() ? "" : r.error().message();
}

TEST(ColumnDefault, ConstantsBecomeCastsOfTheirText) {
  const auto i = column("n", "Int32", ColumnEncoding::kInt32);
  EXPECT_EQ(default_of(i, "7"), "CAST('7' AS Int32)");
  EXPECT_EQ(default_of(i, "-12"), "CAST('-12' AS Int32)");
  EXPECT_EQ(default_of(i, "'5'"), "CAST('5' AS Int32)");
  const auto d = column("p", "Nullable(Decimal(8, 2))", ColumnEncoding::kDecimal, true);
  EXPECT_EQ(default_of(d, "-1.5"), "CAST('-1.5' AS Nullable(Decimal(8, 2)))");
  const auto s = column("s", "Nullable(String)", ColumnEncoding::kText, true);
  EXPECT_EQ(default_of(s, "'it''s'"), "CAST('it\\'s' AS Nullable(String))");
  EXPECT_EQ(default_of(s, "'a\\\\b'"), "CAST('a\\\\b' AS Nullable(String))");
  const auto e = column("e", "Enum8('a' = 1, 'b' = 2)", ColumnEncoding::kEnum8);
  EXPECT_EQ(default_of(e, "'b'"), "CAST('b' AS Enum8('a' = 1, 'b' = 2))");
}

TEST(ColumnDefault, ClickHousesOwnDefaultNeedsNoClause) {
  EXPECT_EQ(default_of(column("n", "Nullable(Int32)", ColumnEncoding::kInt32, true), std::nullopt), "");
  EXPECT_EQ(default_of(column("n", "Nullable(Int32)", ColumnEncoding::kInt32, true), "NULL"), "");
  EXPECT_EQ(default_of(column("n", "Int64", ColumnEncoding::kInt64), std::nullopt), "");
  EXPECT_EQ(default_of(column("s", "String", ColumnEncoding::kText), std::nullopt), "");
}

TEST(ColumnDefault, WhatOnlyTheSourceKnowsIsRefused) {
  const auto ts = column("t", "Nullable(DateTime64(0, 'UTC'))", ColumnEncoding::kDateTime64, true);
  EXPECT_NE(refusal(ts, "CURRENT_TIMESTAMP").find("not a constant"), std::string::npos);
  const auto i = column("n", "Int32", ColumnEncoding::kInt32);
  EXPECT_NE(refusal(i, "(1 + 2)").find("not a constant"), std::string::npos);
  EXPECT_NE(refusal(i, "2.5").find("not a plain integer"), std::string::npos);
  EXPECT_NE(refusal(i, "NULL").find("not nullable"), std::string::npos);
  EXPECT_NE(refusal(column("t", "DateTime64(0, 'UTC')", ColumnEncoding::kDateTime64), std::nullopt)
                .find("implicit default"),
            std::string::npos);
  EXPECT_NE(refusal(column("b", "String", ColumnEncoding::kBytes), "'ab'").find("cannot be reproduced"),
            std::string::npos);
}

TEST(RenameByCopy, AddsCopiesThenDropsAndRefusesKeyColumns) {
  TargetTable before;
  before.name = {"db", "t"};
  before.columns = {column("id", "Int32", ColumnEncoding::kInt32), column("b", "Nullable(Int64)", ColumnEncoding::kInt64, true)};
  before.columns[0].in_primary_key = true;
  before.primary_key = {0};
  TargetTable after = before;
  after.columns[1].name = "b2";
  auto steps = rename_column_by_copy(before, "b", after, 1, legacy());
  ASSERT_TRUE(steps.ok()) << steps.error().message();
  EXPECT_EQ(steps->add, Statements{"ALTER TABLE `db`.`t` ADD COLUMN `b2` Nullable(Int64) AFTER `b`"});
  EXPECT_EQ(steps->copy, Statements{"ALTER TABLE `db`.`t` UPDATE `b2` = `b` WHERE 1"});
  ASSERT_EQ(steps->drop.size(), 3u);  // the legacy current-state view goes and comes back with the new column
  EXPECT_EQ(steps->drop[1], "ALTER TABLE `db`.`t` DROP COLUMN `b`");
  EXPECT_NE(steps->drop[2].find("`b2`"), std::string::npos);

  TargetTable key_after = before;
  key_after.columns[0].name = "id2";
  auto key = rename_column_by_copy(before, "id", key_after, 0, legacy());
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message().find("sort key"), std::string::npos) << key.error().message();
  EXPECT_NE(key.error().message().find("`db`.`t`"), std::string::npos) << key.error().message();
}

}  // namespace
}  // namespace mysql2ch
