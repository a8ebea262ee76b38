// Hand-built row-image bytes for each value decoder edge: the exact canonical rendering, and an error (never
// a crash) on truncation.
#include <gtest/gtest.h>

#include <vector>

#include "binlog/json_diff.h"
#include "binlog/value_decoder.h"
#include "schema/value_json.h"

namespace mysql2ch::binlog {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;

ColumnDef column(ColumnType type) {
  ColumnDef c;
  c.name.push_back('c');
  c.type = type;
  return c;
}

// Decodes `bytes` as a value of `c`, requires every byte consumed, returns the rendering.
std::string render(const ColumnDef& c, const std::vector<uint8_t>& bytes) {
  ByteReader r(bytes);
  schema::Value v;
  const Status st = decode_column_value(c, r, v);
  if (!st.ok()) return "error: " + st.error().message();
  EXPECT_TRUE(r.empty()) << "bytes left: " << r.remaining();
  std::string out;
  const Status rs = schema::append_value_json(v, &c, out);
  if (!rs.ok()) return "render error: " + rs.error().message();
  return out;
}

void expect_truncation_fails(const ColumnDef& c, const std::vector<uint8_t>& bytes) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(n));
    ByteReader r(cut);
    schema::Value v;
    const Status st = decode_column_value(c, r, v);
    if (st.ok()) {
      // Only a shorter, self-consistent length prefix can decode; it must not read past the cut.
      EXPECT_LE(r.consumed(), n);
      continue;
    }
    EXPECT_EQ(st.error().code(), ErrorCode::kCorrupt) << st.error().message();
    EXPECT_NE(st.error().message().find("column c"), std::string::npos) << st.error().message();
  }
}

TEST(ValueDecoder, IntegersSignedAndUnsigned) {
  auto c = column(ColumnType::kTiny);
  EXPECT_EQ(render(c, {0x80}), "-128");
  c.is_unsigned = true;
  EXPECT_EQ(render(c, {0x80}), "128");
  c = column(ColumnType::kInt24);
  EXPECT_EQ(render(c, {0x00, 0x00, 0x80}), "-8388608");
  c.is_unsigned = true;
  EXPECT_EQ(render(c, {0xFF, 0xFF, 0xFF}), "16777215");
  c = column(ColumnType::kLongLong);
  EXPECT_EQ(render(c, {0, 0, 0, 0, 0, 0, 0, 0x80}), "-9223372036854775808");
  c.is_unsigned = true;
  EXPECT_EQ(render(c, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), "18446744073709551615");
  expect_truncation_fails(c, {1, 2, 3, 4, 5, 6, 7, 8});
}

TEST(ValueDecoder, DecimalExactIncludingNegative) {
  auto c = column(ColumnType::kNewDecimal);
  c.precision = 14;
  c.scale = 4;
  // The documented example of MySQL's decimal storage: 1234567890.1234 and its negation.
  EXPECT_EQ(render(c, {0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2}), "\"1234567890.1234\"");
  EXPECT_EQ(render(c, {0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D}), "\"-1234567890.1234\"");
  c.precision = 5;
  c.scale = 2;
  EXPECT_EQ(render(c, {0x80, 0x00, 0x00}), "\"0.00\"");
  EXPECT_EQ(render(c, {0x7F, 0xFF, 0xFE}), "\"-0.01\"");
  EXPECT_EQ(render(c, {0x7F, 0xFF, 0xFF}), "\"0.00\"");  // negative zero renders without a sign
  EXPECT_EQ(render(c, {0x83, 0xE7, 0x63}), "\"999.99\"");
  // A digit group above 10^digits - 1 cannot come from a server.
  EXPECT_EQ(render(c, {0x83, 0xE8, 0x00}).rfind("error", 0), 0u);
  expect_truncation_fails(c, {0x83, 0xE7, 0x63});
  c.precision = 65;
  c.scale = 30;
  std::vector<uint8_t> max(30, 0);
  // 35 integer digits = 8 + 3 groups: lead 8 digits (4 bytes) 99999999 then 3 × 999999999; 30 fraction digits =
  // 3 × 999999999 + 3 digits 999 (2 bytes).
  auto put = [&max](size_t at, uint32_t v, int n) {
    for (int k = n - 1; k >= 0; --k) max[at + static_cast<size_t>(n - 1 - k)] = static_cast<uint8_t>(v >> (8 * k));
  };
  put(0, 99999999, 4);
  for (size_t g = 0; g < 6; ++g) put(4 + 4 * g, 999999999, 4);
  put(28, 999, 2);
  max[0] ^= 0x80;
  EXPECT_EQ(render(c, max), "\"99999999999999999999999999999999999.999999999999999999999999999999\"");
}

TEST(ValueDecoder, FloatsIncludingNegativeZero) {
  auto c = column(ColumnType::kFloat);
  EXPECT_EQ(render(c, {0x00, 0x00, 0x00, 0x80}), "-0");
  EXPECT_EQ(render(c, {0xCD, 0xCC, 0xCC, 0x3D}), "0.1");  // the float nearest 0.1, shortest form
  c = column(ColumnType::kDouble);
  EXPECT_EQ(render(c, {0, 0, 0, 0, 0, 0, 0xF8, 0x3F}), "1.5");
  EXPECT_EQ(render(c, {0, 0, 0, 0, 0, 0, 0xF8, 0x7F}).rfind("render error", 0), 0u);  // NaN
}

TEST(ValueDecoder, TemporalsWithFspAndZeroDates) {
  EXPECT_EQ(render(column(ColumnType::kDate), {0, 0, 0}), "\"0000-00-00\"");
  // 2024-02-29: day | month << 5 | year << 9
  const uint32_t d = 29 | 2 << 5 | 2024 << 9;
  EXPECT_EQ(render(column(ColumnType::kDate), {static_cast<uint8_t>(d), static_cast<uint8_t>(d >> 8),
                                               static_cast<uint8_t>(d >> 16)}),
            "\"2024-02-29\"");
  EXPECT_EQ(render(column(ColumnType::kYear), {0}), "0");
  EXPECT_EQ(render(column(ColumnType::kYear), {255}), "2155");

  auto dt = column(ColumnType::kDateTime2);
  dt.fsp = 6;
  const uint64_t ymd = (2024ULL * 13 + 2) << 5 | 29;
  const uint64_t packed = (ymd << 17 | 12 << 12 | 34 << 6 | 56) + 0x8000000000ULL;
  std::vector<uint8_t> b;
  for (int k = 4; k >= 0; --k) b.push_back(static_cast<uint8_t>(packed >> (8 * k)));
  std::vector<uint8_t> b6 = b;
  for (uint32_t frac = 123456, k = 0; k < 3; ++k) b6.push_back(static_cast<uint8_t>(frac >> (8 * (2 - k))));
  EXPECT_EQ(render(dt, b6), "\"2024-02-29 12:34:56.123456\"");
  dt.fsp = 3;  // two fraction bytes holding hundreds of microseconds
  std::vector<uint8_t> b3 = b;
  b3.push_back(0x0D);
  b3.push_back(0x7A);  // 3450 → .345
  EXPECT_EQ(render(dt, b3), "\"2024-02-29 12:34:56.345\"");
  dt.fsp = 0;
  EXPECT_EQ(render(dt, {0x80, 0, 0, 0, 0}), "\"0000-00-00 00:00:00\"");
  expect_truncation_fails(dt, b);

  auto ts = column(ColumnType::kTimestamp2);
  ts.fsp = 1;
  EXPECT_EQ(render(ts, {0, 0, 0, 0, 0}), "\"0000-00-00 00:00:00.0\"");
  EXPECT_EQ(render(ts, {0x7F, 0xFF, 0xFF, 0xFF, 90}), "\"2038-01-19 03:14:07.9\"");  // hundredths

  auto tm = column(ColumnType::kTime2);
  tm.fsp = 1;
  // -00:00:00.5: integer part -1 with the fraction stored as 0x100 - 50.
  EXPECT_EQ(render(tm, {0x7F, 0xFF, 0xFF, 0xCE}), "\"-00:00:00.5\"");
  tm.fsp = 0;
  // -838:59:59
  const int64_t hms = 838 << 12 | 59 << 6 | 59;
  const uint64_t neg = static_cast<uint64_t>(0x800000 - hms);
  EXPECT_EQ(render(tm, {static_cast<uint8_t>(neg >> 16), static_cast<uint8_t>(neg >> 8), static_cast<uint8_t>(neg)}),
            "\"-838:59:59\"");
  tm.fsp = 6;
  // -00:00:00.000001 in the 6-byte form: (0 << 24) - 1 + 0x800000000000
  EXPECT_EQ(render(tm, {0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), "\"-00:00:00.000001\"");
}

TEST(ValueDecoder, StringsInTheirCharsets) {
  auto c = column(ColumnType::kVarchar);
  c.max_length = 80;
  c.charset = Charset::kLatin1;
  EXPECT_EQ(render(c, {3, 0x80, 0xE9, 0x81}), "\"€é\xC2\x81\"");  // cp1252 with 0x81 passed through
  c.charset = Charset::kUtf8mb4;
  EXPECT_EQ(render(c, {4, 0xF0, 0x9F, 0x98, 0x80}), "\"😀\"");
  EXPECT_EQ(render(c, {2, 0xC3, 0x28}).rfind("render error", 0), 0u);  // invalid UTF-8 is an error
  c.charset = Charset::kUtf8mb3;
  EXPECT_EQ(render(c, {4, 0xF0, 0x9F, 0x98, 0x80}).rfind("render error", 0), 0u);  // 4-byte in utf8mb3
  c.charset = Charset::kBinary;
  EXPECT_EQ(render(c, {3, 0x00, 0xFF, 0x10}), "{\"base64\":\"AP8Q\"}");
  c.max_length = 300;  // two length bytes
  c.charset = Charset::kUtf8mb4;
  EXPECT_EQ(render(c, {1, 0, '"'}), "\"\\\"\"");
  expect_truncation_fails(c, {3, 0, 'a', 'b', 'c'});

  auto bin = column(ColumnType::kString);
  bin.max_length = 4;
  bin.charset = Charset::kBinary;
  EXPECT_EQ(render(bin, {1, 'a'}), "{\"base64\":\"YQAAAA==\"}");  // BINARY(4) is zero-padded

  auto blob = column(ColumnType::kBlob);
  blob.length_bytes = 3;
  blob.charset = Charset::kUnknown;  // minimal metadata: TEXT or BLOB unknown
  EXPECT_EQ(render(blob, {2, 0, 0, 'o', 'k'}), "\"ok\"");
  EXPECT_EQ(render(blob, {1, 0, 0, 0xFF}), "{\"base64\":\"/w==\"}");
  expect_truncation_fails(blob, {2, 0, 0, 'o', 'k'});
}

TEST(ValueDecoder, EnumSetBit) {
  auto e = column(ColumnType::kEnum);
  e.length_bytes = 2;
  e.labels = {"a", "b", "ç"};
  EXPECT_EQ(render(e, {3, 0}), "\"ç\"");
  EXPECT_EQ(render(e, {0, 0}), "\"\"");
  EXPECT_EQ(render(e, {4, 0}).rfind("render error", 0), 0u);
  e.labels.clear();
  EXPECT_EQ(render(e, {2, 0}), "2");  // labels unknown: the index
  auto s = column(ColumnType::kSet);
  s.length_bytes = 1;
  s.labels = {"x", "y", "z"};
  EXPECT_EQ(render(s, {5}), "[\"x\",\"z\"]");
  EXPECT_EQ(render(s, {0}), "[]");
  auto b = column(ColumnType::kBit);
  b.max_length = 10;
  EXPECT_EQ(render(b, {0x02, 0x01}), "513");
  b.max_length = 64;
  EXPECT_EQ(render(b, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), "18446744073709551615");
}

TEST(ValueDecoder, VectorAndGeometry) {
  auto v = column(ColumnType::kVector);
  v.length_bytes = 4;
  EXPECT_EQ(render(v, {8, 0, 0, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0}), "[1.5,-2]");
  EXPECT_EQ(render(v, {3, 0, 0, 0, 1, 2, 3}).rfind("render error", 0), 0u);
  auto g = column(ColumnType::kGeometry);
  g.length_bytes = 4;
  EXPECT_EQ(render(g, {2, 0, 0, 0, 0xE6, 0x10}), "{\"base64\":\"5hA=\"}");
}

std::vector<uint8_t> json_doc_with_opaque(uint8_t field_type, std::vector<uint8_t> data) {
  // {"d": <opaque>}: small object, one key "d" at offset 11, the opaque value at offset 12.
  std::vector<uint8_t> doc = {0x00, 1, 0, 0, 0, 11, 0, 1, 0, 0x0F, 12, 0, 'd', field_type,
                              static_cast<uint8_t>(data.size())};
  for (uint8_t b : data) doc.push_back(b);
  doc[3] = static_cast<uint8_t>(doc.size() - 1);  // size of the object
  return doc;
}

std::string render_json(const std::vector<uint8_t>& doc) {
  auto c = column(ColumnType::kJson);
  c.length_bytes = 4;
  std::vector<uint8_t> bytes = {static_cast<uint8_t>(doc.size()), 0, 0, 0};
  for (uint8_t b : doc) bytes.push_back(b);
  return render(c, bytes);
}

TEST(ValueDecoder, JsonOpaqueTypesAndEscaping) {
  EXPECT_EQ(render_json(json_doc_with_opaque(246, {5, 2, 0x80, 0x01, 0x32})), "{\"d\": 1.50}");
  EXPECT_EQ(render_json(json_doc_with_opaque(246, {5, 2, 0x7F, 0xFE, 0xCD})), "{\"d\": -1.50}");
  const uint64_t ymd = (2020ULL * 13 + 1) << 5 | 2;
  const uint64_t dt = ((ymd << 17 | 3 << 12 | 4 << 6 | 5) << 24) | 678000;
  std::vector<uint8_t> le;
  for (int k = 0; k < 8; ++k) le.push_back(static_cast<uint8_t>(dt >> (8 * k)));
  EXPECT_EQ(render_json(json_doc_with_opaque(12, le)), "{\"d\": \"2020-01-02 03:04:05.678000\"}");
  const uint64_t date = (ymd << 17) << 24;
  le.clear();
  for (int k = 0; k < 8; ++k) le.push_back(static_cast<uint8_t>(date >> (8 * k)));
  EXPECT_EQ(render_json(json_doc_with_opaque(10, le)), "{\"d\": \"2020-01-02\"}");
  const int64_t time = -((int64_t{12} << 12 | 34 << 6 | 56) << 24 | 500000);
  le.clear();
  for (int k = 0; k < 8; ++k) le.push_back(static_cast<uint8_t>(static_cast<uint64_t>(time) >> (8 * k)));
  EXPECT_EQ(render_json(json_doc_with_opaque(11, le)), "{\"d\": \"-12:34:56.500000\"}");
  EXPECT_EQ(render_json(json_doc_with_opaque(15, {0, 0xFF})), "{\"d\": \"base64:type15:AP8=\"}");
  // A string with a quote, a backslash and a control character.
  EXPECT_EQ(render_json({0x0C, 4, '"', '\\', 0x01, 'x'}), "\"\\\"\\\\\\u0001x\"");
  EXPECT_EQ(render_json({0x04, 2}), "false");
  EXPECT_EQ(render_json({0x0B, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F}), "1.0");
  EXPECT_EQ(render_json({}), "null");
  // Malformed: an offset beyond the object, a truncated string.
  EXPECT_EQ(render_json({0x00, 1, 0, 12, 0, 200, 0, 1, 0, 0x0C, 11, 0}).rfind("render error", 0), 0u);
  EXPECT_EQ(render_json({0x0C, 9, 'a'}).rfind("render error", 0), 0u);
  EXPECT_EQ(render_json({0x0F, 246, 5, 5, 2}).rfind("render error", 0), 0u);
}

TEST(JsonDiff, AppliesReplaceInsertRemoveInMySqlKeyOrder) {
  std::string out;
  // REPLACE $.a by int16 42; INSERT $.zz = true; INSERT $.b[0] = "x"; REMOVE $."k y"
  std::vector<uint8_t> diffs = {0, 3, '$', '.', 'a', 3, 0x05, 42, 0,
                                1, 4, '$', '.', 'z', 'z', 2, 0x04, 1,
                                1, 6, '$', '.', 'b', '[', '0', ']', 3, 0x0C, 1, 'x',
                                2, 7, '$', '.', '"', 'k', ' ', 'y', '"'};
  ASSERT_TRUE(apply_json_diffs(R"({"a": 1, "b": [1], "k y": 2})", diffs, out).ok());
  EXPECT_EQ(out, R"({"a": 42, "b": ["x", 1], "zz": true})");
  // A double replaced in, next to one kept from the before image: both spelled as MySQL prints them.
  out.clear();
  const std::vector<uint8_t> to_double = {0, 3, '$', '.', 'a', 9, 0x0B, 0, 0, 52, 38, 245, 107, 12, 67};
  ASSERT_TRUE(apply_json_diffs(R"({"a": 1, "b": 1.5e-16, "c": [0.0000003, -0.0]})", to_double, out).ok());
  EXPECT_EQ(out, R"({"a": 1e15, "b": 1.5e-16, "c": [0.0000003, -0.0]})");
  out.clear();
  const std::vector<uint8_t> missing = {0, 3, '$', '.', 'q', 3, 0x05, 1, 0};
  EXPECT_FALSE(apply_json_diffs(R"({"a": 1})", missing, out).ok());
  const std::vector<uint8_t> truncated = {0, 9, '$'};
  EXPECT_FALSE(apply_json_diffs(R"({"a": 1})", truncated, out).ok());
}

}  // namespace
}  // namespace mysql2ch::binlog
