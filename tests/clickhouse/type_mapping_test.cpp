// The type table for modern and legacy servers, the RowBinary primitives and the generated DDL text.
#include <gtest/gtest.h>

#include "clickhouse/row_binary.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/type_mapping.h"

namespace mysql2ch {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;

ServerCapabilities modern() { return ServerCapabilities::from_version(*ServerVersion::parse("24.8.1.1")); }
ServerCapabilities legacy() { return ServerCapabilities::from_version(*ServerVersion::parse("18.16.1")); }

ColumnDef def(ColumnType type, bool nullable = false, std::string name = "c") {
  ColumnDef c;
  c.name = std::move(name);
  c.type = type;
  c.nullable = nullable;
  return c;
}

std::string type_on(const ServerCapabilities& caps, ColumnDef c, TypeMappingOptions o = {}) {
  auto m = map_column(c, caps, o);
  EXPECT_TRUE(m.ok()) << m.error().message();
  return m.ok() ? m->type : "";
}

TEST(TypeMapping, IntegersKeepTheirSignednessAndWidth) {
  for (const auto& caps : {modern(), legacy()}) {
    EXPECT_EQ(type_on(caps, def(ColumnType::kTiny)), "Int8");
    ColumnDef u = def(ColumnType::kInt24);
    u.is_unsigned = true;
    EXPECT_EQ(type_on(caps, u), "UInt32");
    u.type = ColumnType::kLongLong;
    EXPECT_EQ(type_on(caps, u), "UInt64");
    EXPECT_EQ(type_on(caps, def(ColumnType::kYear)), "UInt16");
    EXPECT_EQ(type_on(caps, def(ColumnType::kBit)), "UInt64");
    EXPECT_EQ(type_on(caps, def(ColumnType::kTime2)), "Int64");
    EXPECT_EQ(type_on(caps, def(ColumnType::kLong, true)), "Nullable(Int32)");
  }
}

TEST(TypeMapping, DecimalsAreExactOnEveryServer) {
  ColumnDef d = def(ColumnType::kNewDecimal);
  d.precision = 65;
  d.scale = 30;
  EXPECT_EQ(type_on(modern(), d), "Decimal(65, 30)");
  EXPECT_EQ(type_on(legacy(), d), "String");  // 18.16 stops at 38 digits
  d.precision = 38;
  d.scale = 10;
  EXPECT_EQ(type_on(legacy(), d), "Decimal(38, 10)");
  d.precision = 66;
  EXPECT_FALSE(map_column(d, modern(), {}).ok());
}

TEST(TypeMapping, TemporalsAreDateTime64OnModernAndTextOnLegacy) {
  ColumnDef dt = def(ColumnType::kDateTime2);
  dt.fsp = 6;
  const TypeMappingOptions clamp{JsonMapping::kString, DatePolicy::kClamp, DatePolicy::kClamp};
  EXPECT_EQ(type_on(modern(), dt, clamp), "DateTime64(6, 'UTC')");
  EXPECT_EQ(type_on(modern(), dt), "Nullable(DateTime64(6, 'UTC'))");  // zero_dates: null needs Nullable
  EXPECT_EQ(type_on(legacy(), dt), "String");
  EXPECT_EQ(type_on(modern(), def(ColumnType::kNewDate), clamp), "Date32");
  EXPECT_EQ(type_on(legacy(), def(ColumnType::kNewDate)), "String");
  ColumnDef key = def(ColumnType::kNewDate);
  key.in_primary_key = true;
  EXPECT_EQ(type_on(modern(), key), "Date32");  // never Nullable in the sort key
}

TEST(TypeMapping, EnumsSetsJsonGeometryVector) {
  ColumnDef e = def(ColumnType::kEnum);
  e.labels = {"a", "it's"};
  EXPECT_EQ(type_on(modern(), e), "Enum8('' = 0, 'a' = 1, 'it\\'s' = 2)");
  e.labels = {"", "a"};  // a label '' of its own cannot be told from the error value
  EXPECT_EQ(type_on(modern(), e), "LowCardinality(String)");
  EXPECT_EQ(type_on(legacy(), e), "String");
  e.labels.clear();
  for (int k = 0; k < 200; ++k) e.labels.push_back(fmt::format("l{}", k));
  EXPECT_TRUE(type_on(modern(), e).starts_with("Enum16("));
  e.labels.clear();
  EXPECT_FALSE(map_column(e, modern(), {}).ok());  // labels unknown
  ColumnDef s = def(ColumnType::kSet, true);
  s.labels = {"x", "y"};
  EXPECT_EQ(type_on(legacy(), s), "Nullable(String)");
  s.labels = {"", "y"};
  EXPECT_FALSE(map_column(s, legacy(), {}).ok());
  const TypeMappingOptions native{JsonMapping::kNative, DatePolicy::kNull, DatePolicy::kError};
  EXPECT_EQ(type_on(modern(), def(ColumnType::kJson), native), "JSON");
  EXPECT_EQ(type_on(modern(), def(ColumnType::kJson, true), native), "Nullable(String)");
  EXPECT_EQ(type_on(legacy(), def(ColumnType::kJson), native), "String");
  EXPECT_EQ(type_on(legacy(), def(ColumnType::kGeometry)), "String");
  EXPECT_EQ(type_on(modern(), def(ColumnType::kVector, true)), "Array(Float32)");
  ColumnDef text = def(ColumnType::kVarchar);
  text.charset = Charset::kUnsupported;
  text.collation_id = 28;
  auto r = map_column(text, modern(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("collation 28"), std::string::npos);
}

TEST(RowBinaryPrimitives, DecimalsAreTwosComplementOfTheUnscaledValue) {
  std::string out;
  ASSERT_TRUE(append_decimal("-1.50", 9, 2, 4, out).ok());
  EXPECT_EQ(out, std::string("\x6A\xFF\xFF\xFF", 4));  // -150
  out.clear();
  ASSERT_TRUE(append_decimal("18446744073709551616", 65, 0, 32, out).ok());  // 2^64
  std::string expected(32, '\0');
  expected[8] = 1;
  EXPECT_EQ(out, expected);
  out.clear();
  EXPECT_FALSE(append_decimal("1.5", 9, 2, 4, out).ok());
  EXPECT_FALSE(append_decimal("1234567890", 9, 0, 4, out).ok());
}

// Up to 19 digits take a 64-bit path, longer ones the 256-bit one: both sides of the boundary, both signs.
TEST(RowBinaryPrimitives, DecimalsAtTheSixtyFourBitBoundary) {
  auto bytes_of = [](std::string_view text, unsigned precision, unsigned scale) {
    std::string out;
    EXPECT_TRUE(append_decimal(text, precision, scale, 16, out).ok()) << text;
    return out;
  };
  auto le128 = [](uint64_t low, uint64_t high) {
    std::string out;
    append_fixed(low, out);
    append_fixed(high, out);
    return out;
  };
  EXPECT_EQ(bytes_of("9999999999999999999", 38, 0), le128(9999999999999999999ull, 0));
  EXPECT_EQ(bytes_of("-9999999999999999999", 38, 0), le128(~9999999999999999999ull + 1, ~0ull));
  EXPECT_EQ(bytes_of("99999999999999999.99", 38, 2), le128(9999999999999999999ull, 0));
  EXPECT_EQ(bytes_of("18446744073709551615", 38, 0), le128(~0ull, 0));   // 20 digits: the wide path
  EXPECT_EQ(bytes_of("18446744073709551616", 38, 0), le128(0, 1));
  EXPECT_EQ(bytes_of("-18446744073709551616", 38, 0), le128(0, ~0ull));
  EXPECT_EQ(bytes_of("-0.01", 38, 2), le128(~0ull, ~0ull));
  std::string out;
  EXPECT_FALSE(append_decimal("12345678901234567890", 19, 0, 16, out).ok());  // 20 digits > precision
  EXPECT_FALSE(append_decimal("1234567890123456789", 18, 0, 16, out).ok());   // 19 digits > precision
  EXPECT_FALSE(append_decimal("12a", 18, 0, 16, out).ok());
}

// Legacy servers hold dates as text: the encoder renders MySQL's text, fraction digits as the column's fsp.
TEST(RowBinaryPrimitives, TemporalTextOnLegacyServers) {
  auto encode = [](ColumnDef c, const schema::Value& v) {
    auto m = map_column(c, legacy(), {});
    EXPECT_TRUE(m.ok());
    RowBinaryEncoder encoder;
    std::string out;
    const Status st = encoder.append(*m, c, v, out);
    EXPECT_TRUE(st.ok()) << st.error().message();
    return out;
  };
  schema::Temporal t;
  t.year = 987;
  t.month = 1;
  t.day = 2;
  t.hour = 3;
  t.minute = 4;
  t.second = 5;
  t.microsecond = 67000;
  EXPECT_EQ(encode(def(ColumnType::kDate), schema::Value::temporal(schema::ValueKind::kDate, t)),
            "\x0a" "0987-01-02");
  ColumnDef dt = def(ColumnType::kDateTime2);
  dt.fsp = 3;
  t.fsp = 3;
  EXPECT_EQ(encode(dt, schema::Value::temporal(schema::ValueKind::kDateTime, t)), "\x17" "0987-01-02 03:04:05.067");
  t.fsp = 0;
  EXPECT_EQ(encode(def(ColumnType::kTimestamp2), schema::Value::temporal(schema::ValueKind::kTimestamp, t)),
            "\x13" "0987-01-02 03:04:05");
}

TEST(RowBinaryPrimitives, DaysAndVarints) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1900, 1, 1), -25567);
  EXPECT_EQ(days_from_civil(2299, 12, 31), 120529);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  std::string out;
  append_varuint(300, out);
  EXPECT_EQ(out, "\xAC\x02");
}

TEST(TableDdl, CreateStatementsFollowTheServer) {
  schema::TableSchema s;
  s.database = "shop";
  s.table = "orders";
  s.columns = {def(ColumnType::kLong), def(ColumnType::kVarchar, true)};
  s.columns[0].name = "id";
  s.columns[0].in_primary_key = true;
  s.columns[1].name = "select";
  s.columns[1].charset = Charset::kUtf8mb4;
  s.primary_key = {0};
  auto t = map_table(s, {"shop", "orders"}, legacy(), {});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(create_table_statements(*t, legacy()),
            (Statements{"CREATE DATABASE IF NOT EXISTS `shop`",
                        "CREATE TABLE IF NOT EXISTS `shop`.`orders` (`id` Int32, `select` Nullable(String), `_version` "
                        "UInt64, `_is_deleted` UInt8) ENGINE = ReplacingMergeTree(`_version`) ORDER BY (`id`)",
                        "CREATE VIEW IF NOT EXISTS `shop`.`orders_current` AS SELECT `id`, `select`, `_version`, "
                        "`_is_deleted` FROM `shop`.`orders` FINAL WHERE `_is_deleted` = 0"}));
  auto m = map_table(s, {"shop", "orders"}, modern(), {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(create_table_statements(*m, modern())[1],
            "CREATE TABLE IF NOT EXISTS `shop`.`orders` (`id` Int32, `select` Nullable(String), `_version` UInt64, "
            "`_is_deleted` UInt8) ENGINE = ReplacingMergeTree(`_version`, `_is_deleted`) ORDER BY (`id`) SETTINGS "
            "non_replicated_deduplication_window = 1000");
  EXPECT_EQ(create_table_statements(*m, modern()).size(), 2u);
}

}  // namespace
}  // namespace mysql2ch
