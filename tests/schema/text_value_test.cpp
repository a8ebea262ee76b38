// SELECT text → canonical Value → JSON, for the forms the snapshot path reads.
#include <gtest/gtest.h>

#include "schema/text_value.h"
#include "schema/value_json.h"

namespace mysql2ch::schema {
namespace {

std::string render(const ColumnDef& c, std::string_view text) {
  auto v = value_from_select_text(c, text);
  if (!v.ok()) return "error: " + v.error().message();
  std::string out;
  const Status st = append_value_json(*v, &c, out);
  return st.ok() ? out : "render error: " + st.error().message();
}

ColumnDef col(ColumnType t, uint8_t fsp = 0) {
  ColumnDef c;
  c.name.push_back('c');
  c.type = t;
  c.fsp = fsp;
  return c;
}

TEST(TextValue, TemporalsKeepTheirFsp) {
  EXPECT_EQ(render(col(ColumnType::kTime2, 6), "-838:59:58.999999"), "\"-838:59:58.999999\"");
  EXPECT_EQ(render(col(ColumnType::kTime2, 1), "-00:00:00.5"), "\"-00:00:00.5\"");
  EXPECT_EQ(render(col(ColumnType::kDateTime2, 3), "0000-00-00 00:00:00.000"), "\"0000-00-00 00:00:00.000\"");
  EXPECT_EQ(render(col(ColumnType::kTimestamp2, 0), "2038-01-19 03:14:07"), "\"2038-01-19 03:14:07\"");
  EXPECT_EQ(render(col(ColumnType::kDate), "2024-02-30x").rfind("error", 0), 0u);
}

TEST(TextValue, NumbersAndDecimals) {
  auto d = col(ColumnType::kNewDecimal);
  d.precision = 10;
  d.scale = 2;
  EXPECT_EQ(render(d, "-0.01"), "\"-0.01\"");
  EXPECT_EQ(render(d, "1.5").rfind("error", 0), 0u);  // not the canonical scale
  auto f = col(ColumnType::kFloat);
  EXPECT_EQ(render(f, "3.4028234663852886e38"), "3.4028235e+38");
  auto u = col(ColumnType::kLongLong);
  u.is_unsigned = true;
  EXPECT_EQ(render(u, "18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(render(u, "-1").rfind("error", 0), 0u);
}

TEST(TextValue, EnumSetAndText) {
  auto s = col(ColumnType::kSet);
  s.labels = {"x", "y", "ü"};
  EXPECT_EQ(render(s, "x,ü"), "[\"x\",\"ü\"]");
  EXPECT_EQ(render(s, ""), "[]");
  EXPECT_EQ(render(s, "w").rfind("error", 0), 0u);
  auto e = col(ColumnType::kEnum);
  e.labels = {"a", "b"};
  EXPECT_EQ(render(e, "b"), "\"b\"");
  auto t = col(ColumnType::kVarchar);
  t.charset = Charset::kLatin1;  // SELECT text arrives in the connection charset, utf8mb4
  EXPECT_EQ(render(t, "€"), "\"€\"");
  auto j = col(ColumnType::kJson);
  EXPECT_EQ(render(j, R"({"a": [1, 2]})"), R"({"a": [1, 2]})");
}

// The snapshot reuses one Value per column across rows: parsing into it gives what a fresh parse gives, and
// a refused text gets the error value_from_select_text reports.
TEST(TextValue, ParsingIntoAReusedValue) {
  auto d = col(ColumnType::kNewDecimal);
  d.precision = 10;
  d.scale = 2;
  auto s = col(ColumnType::kVarchar);
  s.charset = Charset::kUtf8mb4;
  auto dt = col(ColumnType::kDateTime2, 2);
  const std::vector<std::pair<ColumnDef, std::vector<std::string_view>>> cases = {
      {d, {"-12.50", "0.00", "99999999.99"}},
      {s, {"abc", "", "Zürich"}},
      {dt, {"2024-02-29 23:59:59.99", "0000-00-00 00:00:00.00"}},
  };
  for (const auto& [c, texts] : cases) {
    Value reused;
    for (std::string_view text : texts) {
      ASSERT_TRUE(parse_select_text(c, text, reused)) << text;
      std::string got, want;
      ASSERT_TRUE(append_value_json(reused, &c, got).ok());
      ASSERT_TRUE(append_value_json(*value_from_select_text(c, text), &c, want).ok());
      EXPECT_EQ(got, want) << text;
    }
  }
  Value v;
  EXPECT_FALSE(parse_select_text(d, "1.5", v));
  EXPECT_EQ(select_text_error(d, "1.5").message(), value_from_select_text(d, "1.5").error().message());
  EXPECT_NE(select_text_error(d, "1.5").message().find("DECIMAL text"), std::string::npos);
  EXPECT_FALSE(parse_select_text(s, "\xff", v));
  EXPECT_NE(select_text_error(s, "\xff").message().find("utf8mb4 text"), std::string::npos);
  auto u = col(ColumnType::kLong);
  u.is_unsigned = true;
  EXPECT_FALSE(parse_select_text(u, "-1", v));
  EXPECT_NE(select_text_error(u, "-1").message().find("unsigned integer"), std::string::npos);
}

}  // namespace
}  // namespace mysql2ch::schema
