// The binary JSON renderer must print exactly what MySQL prints for the same document (SELECT of a JSON
// column), so that snapshot rows and binlog rows agree byte for byte. Every expected text below was read from
// MySQL 9.7 (SELECT JSON_ARRAY(CAST(<value> AS DOUBLE)) and documents inserted into a JSON column).
#include <gtest/gtest.h>

#include <vector>

#include "schema/json_binary.h"

namespace mysql2ch::schema {
namespace {

std::string mysql_double(double d) {
  std::string out;
  append_mysql_json_double(d, out);
  return out;
}

TEST(MysqlJsonDouble, MatchesMySqlsTextForFixedAndScientificRanges) {
  struct Case {
    double value;
    const char* text;
  };
  const Case cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {1.5, "1.5"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {100.0, "100.0"},
      {12345.678, "12345.678"},
      {100000000000000.0, "100000000000000.0"},  // 1e14: integral below 1e15 stays fixed
      {123456789012345.0, "123456789012345.0"},
      {1e15, "1e15"},
      {1.5e15, "1.5e15"},
      {-2.5e15, "-2.5e15"},
      {1234567890123456.8, "1234567890123456.8"},  // the point falls inside the digits: fixed
      {1.2345678901234568e16, "1.2345678901234568e16"},
      {1.2345678901234568e18, "1.2345678901234568e18"},
      {1e21, "1e21"},
      {1e300, "1e300"},
      {1.7976931348623157e308, "1.7976931348623157e308"},
      {0.001, "0.001"},
      {3e-7, "0.0000003"},
      {2e-5, "0.00002"},
      {1e-15, "0.000000000000001"},
      {1.5e-15, "0.0000000000000015"},
      {1.2345678901234568e-15, "0.0000000000000012345678901234568"},
      {1e-16, "1e-16"},
      {1.5e-16, "1.5e-16"},
      {1.23e-16, "1.23e-16"},
      {-1e-320, "-1e-320"},
      {5e-324, "5e-324"},
      {2.0 / 3.0, "0.6666666666666666"},
  };
  for (const auto& c : cases) EXPECT_EQ(mysql_double(c.value), c.text) << c.text;
}

std::string render(const std::vector<uint8_t>& doc) {
  std::string out;
  const Status st = append_json_binary(doc, out);
  return st.ok() ? out : "error: " + st.error().message();
}

TEST(JsonBinary, UsesMySqlsSeparatorsAndKeepsStoredOrder) {
  // {"a": [1, "x"], "bb": {}}: a small object of 37 bytes; offsets are from the object's start.
  const std::vector<uint8_t> doc = {
      0x00, 2, 0, 37, 0,                             // type, 2 members, 37 bytes
      18, 0, 1, 0, 19, 0, 2, 0,                      // keys: "a" at 18 (1 byte), "bb" at 19 (2 bytes)
      0x02, 21, 0, 0x00, 33, 0,                      // values: the array at 21, the object at 33
      'a', 'b', 'b',                                 // key bytes (18..20)
      2, 0, 12, 0, 0x05, 1, 0, 0x0C, 10, 0, 1, 'x',  // [1, "x"] (21..32): int16 1 inline, "x" at 10
      0, 0, 4, 0,                                    // {} (33..36)
  };
  EXPECT_EQ(render(doc), R"({"a": [1, "x"], "bb": {}})");
  EXPECT_EQ(render({0x02, 0, 0, 4, 0}), "[]");
  EXPECT_EQ(render({0x0B, 0, 0, 0, 0, 0, 0, 0, 0x80}), "-0.0");
}

}  // namespace
}  // namespace mysql2ch::schema
