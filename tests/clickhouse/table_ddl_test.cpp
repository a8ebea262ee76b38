// The schema-change generators of table_ddl.h the stream's DDL uses: ADD COLUMN defaults and the RENAME COLUMN
// copy of servers without RENAME COLUMN. (The statements run against real servers in ddl_sync_itest.)
#include "clickhouse/table_ddl.h"

#include <gtest/gtest.h>

#include "clickhouse/type_mapping.h"

namespace mysql2ch {
namespace {

ServerCapabilities legacy() {
  return ServerCapabilities::from_version(*ServerVersion::parse("18.16.1"));
}

MappedColumn column(std::string name, std::string type, ColumnEncoding encoding, bool nullable = false) {
  MappedColumn c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.encoding = encoding;
  c.nullable = nullable;
  return c;
}

ServerCapabilities modern() {
  return ServerCapabilities::from_version(*ServerVersion::parse("25.3.1"));
}

schema::ColumnDef source(schema::ColumnType type, bool nullable = true) {
  schema::ColumnDef c;
  c.name = std::string("col");
  c.type = type;
  c.nullable = nullable;
  return c;
}

struct DefaultCase {
  explicit DefaultCase(schema::ColumnDef c, ServerCapabilities k = modern()) : column(std::move(c)), caps(k) {}

  schema::ColumnDef column;
  ServerCapabilities caps;
  TypeMappingOptions options{};
  std::string time_zone = "SYSTEM";
  uint32_t start_seconds = 1577934245;  // 2020-01-02 03:04:05 UTC
  std::optional<uint32_t> start_microseconds;

  Result<std::string> of(std::optional<std::string> mysql_default) const {
    auto mapped = map_column(column, caps, options);
    if (!mapped.ok()) return std::move(mapped).error();
    return column_default_expression(*mapped, column, mysql_default,
                                     schema::StatementClock{time_zone, start_seconds, start_microseconds});
  }
};

std::string default_of(const DefaultCase& d, std::optional<std::string> mysql_default) {
  auto r = d.of(mysql_default);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : "error";
}

std::string refusal(const DefaultCase& d, std::optional<std::string> mysql_default) {
  auto r = d.of(mysql_default);
  EXPECT_FALSE(r.ok()) << "accepted as " << *r;
  return r.ok() ? "" : r.error().message();
}

TEST(ColumnDefault, NumbersAreTheValuesTheServerStores) {
  DefaultCase i{source(schema::ColumnType::kLong, false)};
  EXPECT_EQ(default_of(i, "7"), "CAST('7' AS Int32)");
  EXPECT_EQ(default_of(i, "-12"), "CAST('-12' AS Int32)");
  EXPECT_EQ(default_of(i, "'5'"), "CAST('5' AS Int32)");
  EXPECT_EQ(default_of(i, "TRUE"), "CAST('1' AS Int32)");
  DefaultCase u{source(schema::ColumnType::kTiny, false)};
  u.column.is_unsigned = true;
  EXPECT_EQ(default_of(u, "0x0F"), "CAST('15' AS UInt8)");
  DefaultCase d{source(schema::ColumnType::kNewDecimal)};
  d.column.precision = 8;
  d.column.scale = 2;
  EXPECT_EQ(default_of(d, "-1.5"), "CAST('-1.50' AS Nullable(Decimal(8, 2)))");
  EXPECT_EQ(default_of(d, "1.555"), "CAST('1.56' AS Nullable(Decimal(8, 2)))");  // rounded half away from zero
  EXPECT_EQ(default_of(d, "-99.995"), "CAST('-100.00' AS Nullable(Decimal(8, 2)))");
  EXPECT_EQ(default_of(d, "-0.001"), "CAST('0.00' AS Nullable(Decimal(8, 2)))");
  EXPECT_EQ(default_of(d, "'007.1'"), "CAST('7.10' AS Nullable(Decimal(8, 2)))");
  DefaultCase f{source(schema::ColumnType::kFloat, false)};
  EXPECT_EQ(default_of(f, "1.1"), "CAST('1.1' AS Float32)");
  DefaultCase y{source(schema::ColumnType::kYear, false)};
  EXPECT_EQ(default_of(y, "0"), "CAST('0' AS UInt16)");
  EXPECT_EQ(default_of(y, "'0'"), "CAST('2000' AS UInt16)");
  EXPECT_EQ(default_of(y, "69"), "CAST('2069' AS UInt16)");
  EXPECT_EQ(default_of(y, "'70'"), "CAST('1970' AS UInt16)");
  EXPECT_EQ(default_of(y, "2155"), "CAST('2155' AS UInt16)");
  DefaultCase bit{source(schema::ColumnType::kBit, false)};
  bit.column.max_length = 10;
  EXPECT_EQ(default_of(bit, "b'101'"), "CAST('5' AS UInt64)");
  EXPECT_EQ(default_of(bit, "0x1FF"), "CAST('511' AS UInt64)");
  EXPECT_EQ(default_of(bit, "3"), "CAST('3' AS UInt64)");
  EXPECT_NE(refusal(bit, "0xFFF").find("more bits"), std::string::npos);
}

TEST(ColumnDefault, StringsAreStoredAsTheRowsStoreThem) {
  DefaultCase s{source(schema::ColumnType::kVarchar)};
  s.column.charset = schema::Charset::kUtf8mb4;
  EXPECT_EQ(default_of(s, "'it''s'"), "CAST('it\\'s' AS Nullable(String))");
  EXPECT_EQ(default_of(s, "'a\\\\b'"), "CAST('a\\\\b' AS Nullable(String))");
  EXPECT_EQ(default_of(s, "'tab\\there'"), "CAST('tab\\x09here' AS Nullable(String))");
  DefaultCase ch{source(schema::ColumnType::kString, false)};
  ch.column.charset = schema::Charset::kUtf8mb4;
  ch.column.max_length = 20;
  EXPECT_EQ(default_of(ch, "'ab  '"), "CAST('ab' AS String)");  // CHAR reads back without trailing spaces
  DefaultCase bin{source(schema::ColumnType::kString, false)};
  bin.column.charset = schema::Charset::kBinary;
  bin.column.max_length = 4;
  EXPECT_EQ(default_of(bin, "'ab'"), "CAST('ab\\x00\\x00' AS String)");  // BINARY(4) is zero-padded
  EXPECT_EQ(default_of(bin, "X'FF00'"), "CAST('\\xff\\x00\\x00\\x00' AS String)");
  EXPECT_EQ(default_of(bin, std::nullopt), "CAST('\\x00\\x00\\x00\\x00' AS String)");
  DefaultCase e{source(schema::ColumnType::kEnum, false)};
  e.column.labels = {"a", "b"};
  EXPECT_EQ(default_of(e, "'b'"), "CAST('b' AS Enum8('' = 0, 'a' = 1, 'b' = 2))");
  EXPECT_EQ(default_of(e, "'B'"), "CAST('b' AS Enum8('' = 0, 'a' = 1, 'b' = 2))");
  EXPECT_EQ(default_of(e, std::nullopt), "CAST('a' AS Enum8('' = 0, 'a' = 1, 'b' = 2))");  // the first label
  DefaultCase set{source(schema::ColumnType::kSet, false)};
  set.column.labels = {"a", "b", "c"};
  EXPECT_EQ(default_of(set, "'c,a'"), "CAST('a,c' AS String)");  // definition order, as MySQL shows it
  EXPECT_EQ(default_of(set, "''"), "CAST('' AS String)");
}

TEST(ColumnDefault, TemporalsFollowTheRowEncodingAndDatePolicies) {
  DefaultCase date{source(schema::ColumnType::kNewDate, false)};
  EXPECT_EQ(default_of(date, "'2020-1-2'"), "CAST('2020-01-02' AS Nullable(Date32))");
  EXPECT_EQ(default_of(date, "'20200102'"), "CAST('2020-01-02' AS Nullable(Date32))");
  EXPECT_EQ(default_of(date, "'0000-00-00'"), "");  // zero_dates: null
  EXPECT_EQ(default_of(date, std::nullopt), "");    // MySQL's implicit zero date, also NULL
  date.options.zero_dates = DatePolicy::kClamp;
  date.options.out_of_range_dates = DatePolicy::kClamp;
  EXPECT_EQ(default_of(date, "'0000-00-00'"), "CAST('1900-01-01' AS Date32)");
  EXPECT_EQ(default_of(date, "'1000-01-01'"), "CAST('1900-01-01' AS Date32)");
  date.options.out_of_range_dates = DatePolicy::kError;
  EXPECT_NE(refusal(date, "'1000-01-01'").find("out_of_range_dates"), std::string::npos);
  DefaultCase legacy_date{source(schema::ColumnType::kNewDate, false), legacy()};
  EXPECT_EQ(default_of(legacy_date, "'0000-00-00'"), "CAST('0000-00-00' AS String)");
  EXPECT_EQ(default_of(legacy_date, std::nullopt), "CAST('0000-00-00' AS String)");

  DefaultCase dt{source(schema::ColumnType::kDateTime2)};
  dt.column.fsp = 6;
  EXPECT_EQ(default_of(dt, "'2020-01-02 03:04:05.5'"),
            "CAST('2020-01-02 03:04:05.500000' AS Nullable(DateTime64(6, 'UTC')))");
  EXPECT_EQ(default_of(dt, "'1969-12-31 23:59:59.25'"),
            "CAST('1969-12-31 23:59:59.250000' AS Nullable(DateTime64(6, 'UTC')))");
  EXPECT_EQ(default_of(dt, "'2020-01-02'"), "CAST('2020-01-02 00:00:00.000000' AS Nullable(DateTime64(6, 'UTC')))");
  DefaultCase legacy_dt{dt.column, legacy()};
  EXPECT_EQ(default_of(legacy_dt, "'2020-01-02 03:04:05.5'"), "CAST('2020-01-02 03:04:05.500000' AS Nullable(String))");
  DefaultCase dt0{source(schema::ColumnType::kDateTime2)};
  EXPECT_NE(refusal(dt0, "'2020-01-02 03:04:05.5'").find("fraction"), std::string::npos);  // the server rounds
  EXPECT_EQ(default_of(dt0, "'2020-01-02 03:04:05.000'"),
            "CAST('2020-01-02 03:04:05' AS Nullable(DateTime64(0, 'UTC')))");

  DefaultCase ts{source(schema::ColumnType::kTimestamp2)};
  ts.column.fsp = 3;
  ts.time_zone = "+05:30";
  EXPECT_EQ(default_of(ts, "'2020-01-02 03:04:05.125'"),
            "CAST('2020-01-01 21:34:05.125' AS Nullable(DateTime64(3, 'UTC')))");
  ts.time_zone = "-08:00";
  EXPECT_EQ(default_of(ts, "'2020-12-31 20:00:00'"),
            "CAST('2021-01-01 04:00:00.000' AS Nullable(DateTime64(3, 'UTC')))");
  ts.time_zone = "SYSTEM";
  EXPECT_NE(refusal(ts, "'2020-01-02 03:04:05'").find("'SYSTEM'"), std::string::npos);
  EXPECT_EQ(default_of(ts, "'0000-00-00 00:00:00'"), "");  // the zero timestamp needs no zone
  DefaultCase ts_not_null{source(schema::ColumnType::kTimestamp2, false)};
  EXPECT_NE(refusal(ts_not_null, std::nullopt).find("explicit_defaults_for_timestamp"), std::string::npos);

  DefaultCase time{source(schema::ColumnType::kTime2, false)};
  time.column.fsp = 3;
  EXPECT_EQ(default_of(time, "'-1 02:03:04.5'"), "CAST('-93784500000' AS Int64)");
  EXPECT_EQ(default_of(time, "'838:59:59'"), "CAST('3020399000000' AS Int64)");
  EXPECT_EQ(default_of(time, "'10:30'"), "CAST('37800000000' AS Int64)");
  EXPECT_EQ(default_of(time, "101112"), "CAST('36672000000' AS Int64)");
  EXPECT_EQ(default_of(time, std::nullopt), "CAST('0' AS Int64)");
}

TEST(ColumnDefault, ClickHousesOwnDefaultNeedsNoClause) {
  DefaultCase n{source(schema::ColumnType::kLong)};
  EXPECT_EQ(default_of(n, std::nullopt), "");
  EXPECT_EQ(default_of(n, "NULL"), "");
  DefaultCase s{source(schema::ColumnType::kVarchar)};
  s.column.charset = schema::Charset::kUtf8mb4;
  EXPECT_EQ(default_of(s, std::nullopt), "");
}

// Both servers give existing rows the statement's start, which the binlog logs with the statement.
TEST(ColumnDefault, CurrentTimestampIsTheStatementsLoggedStart) {
  DefaultCase ts{source(schema::ColumnType::kTimestamp2)};
  ts.column.fsp = 6;
  ts.start_microseconds = 123456;
  EXPECT_EQ(default_of(ts, "CURRENT_TIMESTAMP(6)"),
            "CAST('2020-01-02 03:04:05.123456' AS Nullable(DateTime64(6, 'UTC')))");
  EXPECT_EQ(default_of(ts, "current_timestamp"),
            "CAST('2020-01-02 03:04:05.000000' AS Nullable(DateTime64(6, 'UTC')))");
  EXPECT_EQ(default_of(ts, "NOW( 3 )"), "CAST('2020-01-02 03:04:05.123000' AS Nullable(DateTime64(6, 'UTC')))");
  DefaultCase dt{source(schema::ColumnType::kDateTime2), legacy()};
  dt.column.fsp = 6;
  dt.start_microseconds = 123456;
  dt.time_zone = "-01:30";  // DATETIME holds the session's wall clock
  EXPECT_EQ(default_of(dt, "LOCALTIMESTAMP(6)"), "CAST('2020-01-02 01:34:05.123456' AS Nullable(String))");
  dt.time_zone = "SYSTEM";
  EXPECT_NE(refusal(dt, "CURRENT_TIMESTAMP(6)").find("'SYSTEM'"), std::string::npos);
  ts.start_microseconds.reset();
  EXPECT_NE(refusal(ts, "CURRENT_TIMESTAMP(6)").find("microseconds"), std::string::npos);
  EXPECT_NE(refusal(ts, "NOW(7)").find("not a constant"), std::string::npos);
  DefaultCase ts0{source(schema::ColumnType::kTimestamp2)};
  EXPECT_NE(refusal(ts0, "CURRENT_TIMESTAMP(3)").find("more fraction digits"), std::string::npos);
}

TEST(ColumnDefault, WhatOnlyTheSourceKnowsIsRefused) {
  DefaultCase ts{source(schema::ColumnType::kTimestamp2)};
  EXPECT_NE(refusal(ts, "(CURRENT_TIMESTAMP + INTERVAL 1 DAY)").find("not a constant"), std::string::npos);
  DefaultCase date{source(schema::ColumnType::kNewDate)};
  EXPECT_NE(refusal(date, "CURRENT_TIMESTAMP").find("not DATETIME or TIMESTAMP"), std::string::npos);
  DefaultCase i{source(schema::ColumnType::kLong, false)};
  EXPECT_NE(refusal(i, "(1 + 2)").find("not a constant"), std::string::npos);
  EXPECT_NE(refusal(i, "2.5").find("not a plain integer"), std::string::npos);
  EXPECT_NE(refusal(i, "NULL").find("not nullable"), std::string::npos);
  DefaultCase s{source(schema::ColumnType::kVarchar)};
  s.column.charset = schema::Charset::kUtf8mb4;
  EXPECT_NE(refusal(s, "_utf8mb4'x'").find("not a constant"), std::string::npos);
}

TEST(RenameByCopy, AddsCopiesThenDropsAndRefusesKeyColumns) {
  TargetTable before;
  before.name = {"db", "t"};
  before.columns = {column("id", "Int32", ColumnEncoding::kInt32),
                    column("b", "Nullable(Int64)", ColumnEncoding::kInt64, true)};
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
