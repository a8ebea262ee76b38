// The writer end to end: canonical values → type mapping → DDL → RowBinary → ClickHouse → read back, compared
// with the canonical rendering (value_json), on ClickHouse 18.16 over HTTP and HTTPS (legacy mapping) and on
// chDB (modern mapping). Also the date policies, the current-state view, retries while the server is
// unreachable, and a malformed insert.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <optional>
#include <thread>

#include "clickhouse/http_connection.h"
#include "clickhouse/sql_text.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/table_writer.h"
#include "schema/text_value.h"
#include "schema/value_json.h"
#include "support/clickhouse_transports.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;
using schema::Value;
using schema::ValueKind;
using test::Transport;

ColumnDef column(std::string name, ColumnType type) {
  ColumnDef c;
  c.name = std::move(name);
  c.type = type;
  c.nullable = false;
  return c;
}
ColumnDef unsigned_column(std::string name, ColumnType type) {
  ColumnDef c = column(std::move(name), type);
  c.is_unsigned = true;
  return c;
}
ColumnDef decimal_column(std::string name, uint8_t p, uint8_t s) {
  ColumnDef c = column(std::move(name), ColumnType::kNewDecimal);
  c.precision = p;
  c.scale = s;
  return c;
}
ColumnDef temporal_column(std::string name, ColumnType type, uint8_t fsp) {
  ColumnDef c = column(std::move(name), type);
  c.fsp = fsp;
  return c;
}
ColumnDef text_column(std::string name, ColumnType type, Charset cs, uint32_t max_length = 0) {
  ColumnDef c = column(std::move(name), type);
  c.charset = cs;
  c.max_length = max_length;
  return c;
}
ColumnDef labelled_column(std::string name, ColumnType type, std::vector<std::string> labels) {
  ColumnDef c = column(std::move(name), type);
  c.charset = Charset::kUtf8mb4;
  c.labels = std::move(labels);
  return c;
}
ColumnDef nullable(ColumnDef c) {
  c.nullable = true;
  c.name = "n_" + c.name;
  return c;
}

std::string float_bytes(std::initializer_list<float> values) {
  std::string s;
  for (float f : values) {
    char b[4];
    std::memcpy(b, &f, 4);
    s.append(b, 4);
  }
  return s;
}

// SRID 4326 + WKB POINT(1.5 -2), as MySQL stores it.
std::string geometry_point() {
  std::string s("\xE6\x10\x00\x00\x01\x01\x00\x00\x00", 9);
  const double xy[2] = {1.5, -2.0};
  s.append(reinterpret_cast<const char*>(xy), sizeof xy);
  return s;
}

// Binary JSON {"a":1} (small object, one key, inline int16).
const std::string kJsonBinaryObject("\x00\x01\x00\x0C\x00\x0B\x00\x01\x00\x05\x01\x00\x61", 13);

int hex_digit(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }
std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t k = 0; k + 1 < hex.size(); k += 2) {
    out.push_back(static_cast<char>(hex_digit(hex[k]) * 16 + hex_digit(hex[k + 1])));
  }
  return out;
}

bool read_as_hex(ColumnEncoding e) {
  switch (e) {
    case ColumnEncoding::kText:
    case ColumnEncoding::kBytes:
    case ColumnEncoding::kGeometry:
    case ColumnEncoding::kJsonText:
    case ColumnEncoding::kDecimalText:
    case ColumnEncoding::kDateText:
    case ColumnEncoding::kDateTimeText:
    case ColumnEncoding::kSetText:
    case ColumnEncoding::kEnumText:
    case ColumnEncoding::kEnum8:
    case ColumnEncoding::kEnum16: return true;
    default: return false;
  }
}

// One TSV field of the read-back SELECT → the canonical JSON rendering of the value it holds.
std::string canonical_from_clickhouse(const MappedColumn& m, const ColumnDef& c, std::string_view field) {
  if (field == "\\N") return "null";
  std::string out;
  if (read_as_hex(m.encoding)) {
    const std::string bytes = unhex(field);
    switch (m.encoding) {
      case ColumnEncoding::kText:
      case ColumnEncoding::kEnumText:
      case ColumnEncoding::kEnum8:
      case ColumnEncoding::kEnum16: schema::append_json_string(bytes, out); return out;
      case ColumnEncoding::kBytes:
      case ColumnEncoding::kGeometry:
        out = "{\"base64\":\"";
        schema::append_base64(bytes, out);
        return out + "\"}";
      case ColumnEncoding::kJsonText: return bytes;
      case ColumnEncoding::kSetText: {
        out = "[";
        size_t at = 0;
        while (at < bytes.size()) {
          size_t comma = bytes.find(',', at);
          if (comma == std::string::npos) comma = bytes.size();
          if (out.size() > 1) out += ',';
          schema::append_json_string(std::string_view(bytes).substr(at, comma - at), out);
          at = comma + 1;
        }
        return out + "]";
      }
      default: return "\"" + bytes + "\"";  // decimal and date texts
    }
  }
  switch (m.encoding) {
    case ColumnEncoding::kFloat32: schema::append_float(std::strtof(std::string(field).c_str(), nullptr), out); return out;
    case ColumnEncoding::kFloat64: schema::append_double(std::strtod(std::string(field).c_str(), nullptr), out); return out;
    case ColumnEncoding::kDecimal:
    case ColumnEncoding::kDate32:
    case ColumnEncoding::kDateTime64: return "\"" + std::string(field) + "\"";
    case ColumnEncoding::kTimeMicros: {
      int64_t us = std::stoll(std::string(field));
      out = "\"";
      if (us < 0) {
        out += '-';
        us = -us;
      }
      out += fmt::format("{:02}:{:02}:{:02}", us / 3600000000, us / 60000000 % 60, us / 1000000 % 60);
      if (c.fsp > 0) out += fmt::format(".{:06}", us % 1000000).substr(0, 1u + c.fsp);
      return out + "\"";
    }
    case ColumnEncoding::kVector: {
      if (field == "[]") return "null";  // MySQL has no empty vector: [] is a NULL
      out = "[";
      std::string_view inner = field.substr(1, field.size() - 2);
      size_t at = 0;
      while (at <= inner.size()) {
        size_t comma = inner.find(',', at);
        if (comma == std::string_view::npos) comma = inner.size();
        if (out.size() > 1) out += ',';
        schema::append_float(std::strtof(std::string(inner.substr(at, comma - at)).c_str(), nullptr), out);
        at = comma + 1;
      }
      return out + "]";
    }
    default: return std::string(field);  // integers
  }
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t at = 0;
  while (true) {
    size_t next = s.find(sep, at);
    out.emplace_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) return out;
    at = next + 1;
  }
}

class TableWriterTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    if (GetParam() == Transport::kChdb) M2C_SKIP_WITHOUT_CHDB();
    conn_ = test::open_transport(GetParam());
    ASSERT_NE(conn_, nullptr);
    auto caps = conn_->capabilities();
    ASSERT_TRUE(caps.ok()) << caps.error().message();
    caps_ = *caps;
    db_ = std::string("wr_itest_") + test::transport_name(GetParam());
    ASSERT_TRUE(conn_->execute("DROP DATABASE IF EXISTS " + db_).ok());
  }
  void TearDown() override {
    if (conn_) {
      EXPECT_TRUE(conn_->execute("DROP DATABASE IF EXISTS " + db_).ok());
    }
  }

  bool modern() const { return caps_.profile == CapabilityProfile::kModern; }

  void run(const Statements& statements) {
    for (const auto& sql : statements) {
      auto st = conn_->execute(sql);
      ASSERT_TRUE(st.ok()) << sql << ": " << st.error().message();
    }
  }

  std::string query(const std::string& sql) {
    RequestOptions o;
    if (modern()) o.settings.emplace_back("output_format_decimal_trailing_zeros", "1");
    auto r = conn_->query(sql, "TabSeparated", o);
    EXPECT_TRUE(r.ok()) << sql << ": " << (r.ok() ? "" : r.error().message());
    return r.ok() ? *r : std::string();
  }

  TargetTable create(const schema::TableSchema& source, const TypeMappingOptions& options = {}) {
    auto t = map_table(source, {db_, source.table}, caps_, options);
    EXPECT_TRUE(t.ok()) << t.error().message();
    if (!t.ok()) return {};
    run(create_table_statements(*t, caps_));
    return *t;
  }

  // The table's current state, each field rendered canonically, one row per line: "[v1,v2,...]".
  std::vector<std::string> read_back(const TargetTable& t, const schema::TableSchema& source,
                                     const std::string& from = "") {
    std::string select;
    for (const auto& m : t.columns) {
      if (!select.empty()) select += ", ";
      const std::string id = clickhouse_identifier(m.name);
      select += read_as_hex(m.encoding) ? "hex(toString(" + id + "))" : id;
    }
    const std::string source_sql = from.empty() ? qualified_name(t.name) + " FINAL" : from;
    const std::string tsv = query("SELECT " + select + " FROM " + source_sql + " WHERE _is_deleted = 0 ORDER BY " +
                                  clickhouse_identifier(t.columns[0].name));
    std::vector<std::string> rows;
    for (const auto& line : split(tsv, '\n')) {
      if (line.empty()) continue;
      auto fields = split(line, '\t');
      EXPECT_EQ(fields.size(), t.columns.size()) << line;
      std::string row = "[";
      for (size_t k = 0; k < fields.size() && k < t.columns.size(); ++k) {
        if (k) row += ',';
        row += canonical_from_clickhouse(t.columns[k], source.columns[k], fields[k]);
      }
      rows.push_back(row + "]");
    }
    return rows;
  }

  static std::string canonical(const schema::TableSchema& source, const std::vector<Value>& row) {
    std::string s = "[";
    for (size_t k = 0; k < row.size(); ++k) {
      if (k) s += ',';
      EXPECT_TRUE(schema::append_value_json(row[k], &source.columns[k], s).ok());
    }
    return s + "]";
  }

  std::unique_ptr<ClickHouseConnection> conn_;
  ServerCapabilities caps_;
  std::string db_;
};

// Every column type, three rows of edge values (minimums, maximums, zeros and odd cases) plus NULLs.
struct AllTypes {
  schema::TableSchema schema;
  std::vector<std::vector<std::optional<std::string>>> texts;  // SELECT texts; nullopt = NULL
  std::vector<std::vector<Value>> rows;

  AllTypes() {
    schema.database = "src";
    schema.table = "all_types";
    schema.column_names_known = true;
    auto& c = schema.columns;
    c.push_back(column("id", ColumnType::kLongLong));
    c.back().in_primary_key = true;
    schema.primary_key = {0};
    c.push_back(column("ti", ColumnType::kTiny));
    c.push_back(unsigned_column("tu", ColumnType::kTiny));
    c.push_back(column("si", ColumnType::kShort));
    c.push_back(unsigned_column("su", ColumnType::kShort));
    c.push_back(column("mi", ColumnType::kInt24));
    c.push_back(unsigned_column("mu", ColumnType::kInt24));
    c.push_back(column("i", ColumnType::kLong));
    c.push_back(unsigned_column("iu", ColumnType::kLong));
    c.push_back(column("bi", ColumnType::kLongLong));
    c.push_back(unsigned_column("bu", ColumnType::kLongLong));
    c.push_back(column("f", ColumnType::kFloat));
    c.push_back(column("d", ColumnType::kDouble));
    c.push_back(decimal_column("dec9", 9, 2));
    c.push_back(decimal_column("dec18", 18, 0));
    c.push_back(decimal_column("dec38", 38, 10));
    c.push_back(decimal_column("dec65", 65, 30));
    c.push_back(column("bit64", ColumnType::kBit));
    c.push_back(column("y", ColumnType::kYear));
    c.push_back(column("dt", ColumnType::kNewDate));
    for (uint8_t fsp = 0; fsp <= 6; ++fsp) c.push_back(temporal_column(fmt::format("dt{}", fsp), ColumnType::kDateTime2, fsp));
    for (uint8_t fsp = 0; fsp <= 6; fsp += 3) c.push_back(temporal_column(fmt::format("ts{}", fsp), ColumnType::kTimestamp2, fsp));
    for (uint8_t fsp = 0; fsp <= 6; fsp += 3) c.push_back(temporal_column(fmt::format("tm{}", fsp), ColumnType::kTime2, fsp));
    c.push_back(text_column("vc", ColumnType::kVarchar, Charset::kUtf8mb4, 400));
    c.push_back(text_column("l1", ColumnType::kVarchar, Charset::kLatin1, 100));
    c.push_back(text_column("vb", ColumnType::kVarchar, Charset::kBinary, 100));
    c.push_back(text_column("bfix", ColumnType::kString, Charset::kBinary, 4));
    c.push_back(text_column("blob", ColumnType::kBlob, Charset::kBinary));
    c.push_back(labelled_column("e", ColumnType::kEnum, {"a", "b", "c"}));
    c.push_back(labelled_column("s", ColumnType::kSet, {"x", "y", "z"}));
    c.push_back(column("j", ColumnType::kJson));
    c.push_back(column("g", ColumnType::kGeometry));
    c.push_back(column("v", ColumnType::kVector));
    c.push_back(nullable(column("int", ColumnType::kLong)));
    c.push_back(nullable(text_column("str", ColumnType::kVarchar, Charset::kUtf8mb4, 40)));
    c.push_back(nullable(decimal_column("dec", 65, 30)));
    c.push_back(nullable(temporal_column("dt6", ColumnType::kDateTime2, 6)));
    c.push_back(nullable(labelled_column("e", ColumnType::kEnum, {"a", "b"})));
    c.push_back(nullable(labelled_column("s", ColumnType::kSet, {"a", "b"})));
    c.push_back(nullable(column("j", ColumnType::kJson)));
    c.push_back(nullable(column("v", ColumnType::kVector)));

    const std::string blob(70000, 'b');
    texts = {
        {"1", "-128", "0", "-32768", "0", "-8388608", "0", "-2147483648", "0", "-9223372036854775808", "0",
         "-3.4028234663852886e38", "-1.7976931348623157e308", "-9999999.99", "-999999999999999999",
         "-9999999999999999999999999999.9999999999",
         "-99999999999999999999999999999999999.999999999999999999999999999999", "0", "1901",
         "1900-01-01", "1900-01-01 00:00:00", "1900-01-01 00:00:00.0", "1969-12-31 23:59:59.99",
         "1969-12-31 23:59:59.999", "1969-12-31 23:59:59.9999", "1969-12-31 23:59:59.99999",
         "1969-12-31 23:59:59.999999", "1970-01-01 00:00:01", "1970-01-01 00:00:01.000", "1970-01-01 00:00:01.000000",
         "-838:59:59", "-00:00:00.001", "-838:59:59.000000", "", "", "", "", "", "", "", "[]", "", "",
         std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
         std::nullopt},
        {"2", "127", "255", "32767", "65535", "8388607", "16777215", "2147483647", "4294967295",
         "9223372036854775807", "18446744073709551615", "3.4028234663852886e38", "1.7976931348623157e308",
         "9999999.99", "999999999999999999", "9999999999999999999999999999.9999999999",
         "99999999999999999999999999999999999.999999999999999999999999999999", "18446744073709551615", "2155",
         "2299-12-31", "2299-12-31 23:59:59", "2299-12-31 23:59:59.9", "2299-12-31 23:59:59.99",
         "2299-12-31 23:59:59.999", "2299-12-31 23:59:59.9999", "2299-12-31 23:59:59.99999",
         "2299-12-31 23:59:59.999999", "2038-01-19 03:14:07", "2038-01-19 03:14:07.999", "2038-01-19 03:14:07.999999",
         "838:59:59", "838:59:59.000", "838:59:59.000000", "\xF0\x9F\x98\x80 za\xC5\xBC\xC3\xB3\xC5\x82\xC4\x87 \t\n\"\\",
         "", std::string("\0\x01\xFF\0", 4), "\xFF\xFF\xFF\xFF", blob, "c", "x,y,z",
         "{\"a\": [1, 2.5, \"\\u00e9\", null, true], \"b\": {}}", "", "", "-2147483648", "\xE6\xBC\xA2", 
         "-0.000000000000000000000000000001", "2106-02-07 06:28:16.000001", "b", "a,b", "\"s\"", ""},
        {"3", "0", "1", "0", "1", "0", "1", "0", "1", "0", "1", "-0", "-0", "0.00", "0", "0.0000000000",
         "0.000000000000000000000000000001", "1", "0", "2106-02-08", "2262-04-12 00:00:00", "2262-04-12 00:00:00.1",
         "1970-01-01 00:00:00.00", "2000-02-29 12:00:00.500", "2000-02-29 12:00:00.0001", "1999-12-31 23:59:59.00001",
         "1999-12-31 23:59:59.000001", "2000-01-01 00:00:00", "2000-01-01 00:00:00.123", "2000-01-01 00:00:00.123456",
         "00:00:00", "12:34:56.789", "-01:02:03.000004", "caf", "", "", "a", "", "", "y", "{}", "", "",
         "1", "", "12345.678900000000000000000000000000", "1900-01-01 00:00:00.000000", "a", "", "null", ""},
    };
    for (auto& row : texts) {
      std::vector<Value> values;
      for (size_t k = 0; k < row.size(); ++k) {
        const ColumnDef& col = schema.columns[k];
        if (!row[k]) {
          values.push_back(Value::null());
          continue;
        }
        auto v = schema::value_from_select_text(col, *row[k]);
        EXPECT_TRUE(v.ok()) << col.name << ": " << v.error().message();
        values.push_back(v.ok() ? *v : Value::null());
      }
      rows.push_back(std::move(values));
    }
    // Values SELECT text cannot carry: latin1 text, binary JSON, GEOMETRY and VECTOR bytes.
    static const std::string latin1("caf\xE9 \x80\x81", 7);
    static const std::string geometry = geometry_point();
    static const std::string vector_a = float_bytes({1.5f, -0.0f, 3.4028235e38f});
    static const std::string vector_b = float_bytes({-1e-45f});
    const size_t l1 = index_of("l1"), j = index_of("j"), g = index_of("g"), v = index_of("v");
    rows[1][l1] = Value::string(latin1, Charset::kLatin1);
    rows[2][j] = Value::with_bytes(ValueKind::kJsonBinary, kJsonBinaryObject);
    for (auto& row : rows) row[g] = Value::with_bytes(ValueKind::kGeometry, geometry);
    rows[0][v] = Value::with_bytes(ValueKind::kVector, vector_a);
    rows[1][v] = Value::with_bytes(ValueKind::kVector, vector_b);
    rows[2][v] = Value::with_bytes(ValueKind::kVector, vector_a);
    rows[1][index_of("n_v")] = Value::with_bytes(ValueKind::kVector, vector_b);
    rows[2][index_of("n_v")] = Value::null();
  }

  size_t index_of(std::string_view name) const {
    for (size_t k = 0; k < schema.columns.size(); ++k) {
      if (schema.columns[k].name == name) return k;
    }
    ADD_FAILURE() << name;
    return 0;
  }
};

TEST_P(TableWriterTest, EveryTypeAndEdgeValueRoundTrips) {
  AllTypes data;
  ASSERT_EQ(data.texts[0].size(), data.schema.columns.size());
  const TargetTable t = create(data.schema);
  ASSERT_EQ(t.columns.size(), data.schema.columns.size());
  auto writer = TableWriter::create(*conn_, data.schema, t, {});
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  std::vector<std::string> expected;
  uint64_t version = 100;
  for (const auto& row : data.rows) {
    auto st = writer->append(row, version++, false);
    ASSERT_TRUE(st.ok()) << st.error().message();
    expected.push_back(canonical(data.schema, row));
  }
  EXPECT_EQ(writer->buffered_rows(), 3u);
  auto st = writer->flush();
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(writer->buffered_rows(), 0u);
  EXPECT_EQ(writer->buffered_bytes(), 0u);
  EXPECT_EQ(read_back(t, data.schema), expected);
  if (!modern()) {
    // Legacy servers: the same through the current-state view.
    EXPECT_EQ(read_back(t, data.schema, qualified_name(current_view_name(t.name))), expected);
  }
}

TEST_P(TableWriterTest, NewerVersionsReplaceRowsAndTombstonesHideThem) {
  AllTypes data;
  const TargetTable t = create(data.schema);
  auto writer = TableWriter::create(*conn_, data.schema, t, {});
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  ASSERT_TRUE(writer->append(data.rows[0], 10, false).ok());
  ASSERT_TRUE(writer->append(data.rows[1], 11, false).ok());
  ASSERT_TRUE(writer->flush().ok());
  // Row 1 is replaced by row 3's contents under id 1, row 2 is deleted (tombstone with its before image).
  std::vector<Value> replaced = data.rows[2];
  replaced[0] = Value::int64(1);
  ASSERT_TRUE(writer->append(replaced, 12, false).ok());
  ASSERT_TRUE(writer->append(data.rows[1], 13, true).ok());
  // An older version arriving late loses.
  ASSERT_TRUE(writer->append(data.rows[0], 9, false).ok());
  ASSERT_TRUE(writer->flush().ok());
  EXPECT_EQ(read_back(t, data.schema), std::vector<std::string>{canonical(data.schema, replaced)});
  EXPECT_EQ(query("SELECT count() FROM " + qualified_name(t.name) + " FINAL WHERE _is_deleted = 0"), "1\n");
}

TEST_P(TableWriterTest, DatesOutsideTheTypeFollowThePolicyAndAreCounted) {
  schema::TableSchema s;
  s.database = "src";
  s.table = "dates";
  s.columns = {column("id", ColumnType::kLong), column("d", ColumnType::kNewDate),
               temporal_column("dt", ColumnType::kDateTime2, 3)};
  s.columns[0].in_primary_key = true;
  s.primary_key = {0};
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"0000-00-00", "0000-00-00 00:00:00.000"}, {"2020-00-15", "2020-05-00 10:00:00.000"},
      {"1000-01-01", "1000-01-01 00:00:00.000"}, {"9999-12-31", "9999-12-31 23:59:59.999"}};
  for (DatePolicy policy : {DatePolicy::kNull, DatePolicy::kClamp, DatePolicy::kError}) {
    s.table = fmt::format("dates_{}", static_cast<int>(policy));
    const TargetTable t = create(s, {JsonMapping::kString, policy, policy});
    auto writer = TableWriter::create(*conn_, s, t, {});
    ASSERT_TRUE(writer.ok()) << writer.error().message();
    std::vector<std::string> expected;
    int id = 1;
    for (const auto& [d, dt] : inputs) {
      std::vector<Value> row = {Value::int64(id), *schema::value_from_select_text(s.columns[1], d),
                                *schema::value_from_select_text(s.columns[2], dt)};
      auto st = writer->append(row, 1, false);
      if (!modern()) {
        // Legacy servers store the text exactly: no policy needed.
        ASSERT_TRUE(st.ok()) << st.error().message();
        expected.push_back(fmt::format("[{},\"{}\",\"{}\"]", id, d, dt));
      } else if (policy == DatePolicy::kError) {
        ASSERT_FALSE(st.ok());
        EXPECT_NE(st.error().message().find("column `d`"), std::string::npos) << st.error().message();
        EXPECT_EQ(writer->buffered_rows(), 0u);
        EXPECT_EQ(writer->buffered_bytes(), 0u);
      } else {
        ASSERT_TRUE(st.ok()) << st.error().message();
        const bool high = d.starts_with("9999");
        if (policy == DatePolicy::kNull) {
          expected.push_back(fmt::format("[{},null,null]", id));
        } else {
          expected.push_back(high ? fmt::format("[{},\"2299-12-31\",\"2299-12-31 23:59:59.999\"]", id)
                                  : fmt::format("[{},\"1900-01-01\",\"1900-01-01 00:00:00.000\"]", id));
        }
      }
      ++id;
    }
    ASSERT_TRUE(writer->flush().ok());
    EXPECT_EQ(read_back(t, s), expected) << "policy " << static_cast<int>(policy);
    if (modern() && policy != DatePolicy::kError) {
      EXPECT_EQ(writer->date_counters().zero_dates, 4u);  // two rows, two columns each
      EXPECT_EQ(writer->date_counters().out_of_range_dates, 4u);
    } else {
      EXPECT_EQ(writer->date_counters().zero_dates, 0u);
    }
  }
}

TEST_P(TableWriterTest, AbsentValuesAndWrongKindsAreErrorsNamingTheColumn) {
  AllTypes data;
  const TargetTable t = create(data.schema);
  auto writer = TableWriter::create(*conn_, data.schema, t, {});
  ASSERT_TRUE(writer.ok());
  std::vector<Value> row = data.rows[0];
  row[data.index_of("vc")] = Value::absent();
  auto st = writer->append(row, 1, false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("column `vc`"), std::string::npos) << st.error().message();
  row = data.rows[0];
  row[data.index_of("tu")] = Value::int64(256);
  st = writer->append(row, 1, false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("column `tu`"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("256 is out of range"), std::string::npos) << st.error().message();
  row = data.rows[0];
  row[data.index_of("i")] = Value::null();
  st = writer->append(row, 1, false);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("NULL in a column that is not nullable"), std::string::npos);
  EXPECT_EQ(writer->buffered_rows(), 0u);
  EXPECT_EQ(writer->buffered_bytes(), 0u);
}

TEST_P(TableWriterTest, TablesWithoutPrimaryKeyAreAppendOnly) {
  schema::TableSchema s;
  s.database = "src";
  s.table = "log";
  s.columns = {column("msg", ColumnType::kVarchar)};
  s.columns[0].charset = Charset::kUtf8mb4;
  const TargetTable t = create(s);
  EXPECT_EQ(query("SELECT engine FROM system.tables WHERE database = '" + db_ + "' AND name = 'log'"), "MergeTree\n");
  EXPECT_EQ(query("EXISTS TABLE " + qualified_name(current_view_name(t.name))), "0\n");
  auto writer = TableWriter::create(*conn_, s, t, {});
  ASSERT_TRUE(writer.ok());
  for (int k = 0; k < 3; ++k) ASSERT_TRUE(writer->append(std::vector<Value>{Value::string("same", Charset::kUtf8mb4)}, 1 + static_cast<uint64_t>(k), false).ok());
  ASSERT_TRUE(writer->flush().ok());
  EXPECT_EQ(query("SELECT msg, _version FROM " + qualified_name(t.name) + " ORDER BY _version"), "same\t1\nsame\t2\nsame\t3\n");
}

TEST_P(TableWriterTest, CreateUsesTheEngineTheServerHasAndPrefixNaming) {
  AllTypes data;
  DestinationConfig dest;
  dest.naming = Naming::kPrefix;
  dest.database = db_;
  const TargetName name = target_name(dest, "shop", "order items");
  EXPECT_EQ(name.database, db_);
  EXPECT_EQ(name.table, "mysql_shop_order items");
  auto t = map_table(data.schema, name, caps_, {});
  ASSERT_TRUE(t.ok());
  run(create_table_statements(*t, caps_));
  run(create_table_statements(*t, caps_));  // IF NOT EXISTS: running it again is harmless
  const std::string engine = query("SHOW CREATE TABLE " + qualified_name(t->name));
  if (modern()) {
    EXPECT_NE(engine.find("ReplacingMergeTree(_version, _is_deleted)"), std::string::npos) << engine;
  } else {
    EXPECT_NE(engine.find("ReplacingMergeTree(_version) ORDER BY id"), std::string::npos) << engine;
    EXPECT_EQ(query("EXISTS TABLE " + qualified_name(current_view_name(t->name))), "1\n");
  }
  DestinationConfig mirror;
  const TargetName m = target_name(mirror, "shop", "orders");
  EXPECT_EQ(m.database, "shop");
  EXPECT_EQ(m.table, "orders");
}

// Schema evolution: each change applied on the server, then rows written with the new mapping read back.
TEST_P(TableWriterTest, SchemaEvolution) {
  schema::TableSchema s;
  s.database = "src";
  s.table = "evolve";
  s.columns = {column("id", ColumnType::kLong), column("a", ColumnType::kShort), decimal_column("p", 10, 2),
               labelled_column("e", ColumnType::kEnum, {"x", "y"}), temporal_column("t", ColumnType::kDateTime2, 0)};
  s.columns[0].in_primary_key = true;
  s.primary_key = {0};
  TargetTable before = create(s);
  auto remap = [&](const schema::TableSchema& x) {
    auto t = map_table(x, before.name, caps_, {});
    EXPECT_TRUE(t.ok());
    return *t;
  };
  auto apply = [&](const Result<Statements>& r) {
    ASSERT_TRUE(r.ok()) << r.error().message();
    run(*r);
  };

  // ADD a nullable column after `a`.
  schema::TableSchema s2 = s;
  s2.columns.insert(s2.columns.begin() + 2, nullable(text_column("c", ColumnType::kVarchar, Charset::kUtf8mb4)));
  TargetTable t2 = remap(s2);
  apply(add_column_statements(t2, 2, caps_));
  // MODIFY: SMALLINT → INT, DECIMAL(10,2) → DECIMAL(20,4), ENUM gains a label, DATETIME(0) → (3), NOT NULL → NULL.
  schema::TableSchema s3 = s2;
  s3.columns[1] = column("a", ColumnType::kLong);
  s3.columns[3] = decimal_column("p", 20, 4);
  s3.columns[4].labels.push_back("z");
  s3.columns[5].fsp = 3;
  TargetTable t3 = remap(s3);
  for (size_t k : {1u, 3u, 4u}) apply(modify_column_statements(t2, t3, k, caps_));
  auto dt = modify_column_statements(t2, t3, 5, caps_);
  if (modern()) {
    apply(dt);
  } else {
    // Legacy DATETIME text keeps the old number of fraction digits: not lossless.
    ASSERT_FALSE(dt.ok());
    EXPECT_NE(dt.error().message().find("MODIFY COLUMN `t`"), std::string::npos) << dt.error().message();
    s3.columns[5].fsp = 0;
    t3 = remap(s3);
  }
  // DROP `c`.
  schema::TableSchema s4 = s3;
  s4.columns.erase(s4.columns.begin() + 2);
  TargetTable t4 = remap(s4);
  apply(drop_column_statements(t3, t4, "n_c", caps_));
  // RENAME `a` → `b`.
  schema::TableSchema s5 = s4;
  s5.columns[1].name = "b";
  TargetTable t5 = remap(s5);
  auto rename = rename_column_statements(t5, "a", 1, caps_);
  if (modern()) {
    apply(rename);
  } else {
    ASSERT_FALSE(rename.ok());
    EXPECT_NE(rename.error().message().find("no RENAME COLUMN"), std::string::npos) << rename.error().message();
    s5 = s4;
    t5 = t4;
  }
  // Rows written with the final mapping read back exactly (from the view on legacy servers).
  auto writer = TableWriter::create(*conn_, s5, t5, {});
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  std::vector<Value> row = {Value::int64(1), Value::int64(100000), *schema::value_from_select_text(s5.columns[2], "-12345678.1234"),
                            Value::with_uint(ValueKind::kEnum, 3),
                            *schema::value_from_select_text(s5.columns[4], modern() ? "2024-02-29 10:11:12.345" : "2024-02-29 10:11:12")};
  ASSERT_TRUE(writer->append(row, 1, false).ok());
  ASSERT_TRUE(writer->flush().ok());
  EXPECT_EQ(read_back(t5, s5), std::vector<std::string>{canonical(s5, row)});
  if (!modern()) {
    EXPECT_EQ(read_back(t5, s5, qualified_name(current_view_name(t5.name))), std::vector<std::string>{canonical(s5, row)});
  }

  // Changes that cannot be lossless are refused, naming the table and the change.
  schema::TableSchema narrow = s5;
  narrow.columns[1] = column(narrow.columns[1].name, ColumnType::kTiny);
  auto r = modify_column_statements(t5, remap(narrow), 1, caps_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find(qualified_name(t5.name)), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("Int32 → Int8"), std::string::npos) << r.error().message();
  schema::TableSchema to_text = s5;
  to_text.columns[2] = text_column("p", ColumnType::kVarchar, Charset::kUtf8mb4);
  EXPECT_FALSE(modify_column_statements(t5, remap(to_text), 2, caps_).ok());
  schema::TableSchema reorder = s5;
  reorder.columns[3].labels = {"y", "x", "z"};
  EXPECT_FALSE(modify_column_statements(t5, remap(reorder), 3, caps_).ok());
  schema::TableSchema key = s5;
  key.columns[0] = column("id", ColumnType::kLongLong);
  key.columns[0].in_primary_key = true;
  r = modify_column_statements(t5, remap(key), 0, caps_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("primary-key"), std::string::npos);
  EXPECT_FALSE(drop_column_statements(t5, t5, "id", caps_).ok());

  // RENAME TABLE, TRUNCATE, DROP.
  TargetTable renamed = t5;
  renamed.name.table = "evolved";
  run(rename_table_statements(t5, renamed, caps_));
  EXPECT_EQ(read_back(renamed, s5), std::vector<std::string>{canonical(s5, row)});
  if (!modern()) {
    EXPECT_EQ(query("EXISTS TABLE " + qualified_name(current_view_name(t5.name))), "0\n");
    EXPECT_EQ(read_back(renamed, s5, qualified_name(current_view_name(renamed.name))),
              std::vector<std::string>{canonical(s5, row)});
  }
  run(truncate_table_statements(renamed));
  EXPECT_EQ(query("SELECT count() FROM " + qualified_name(renamed.name)), "0\n");
  run(drop_table_statements(renamed, caps_));
  EXPECT_EQ(query("EXISTS TABLE " + qualified_name(renamed.name)), "0\n");
  EXPECT_EQ(query("EXISTS TABLE " + qualified_name(current_view_name(renamed.name))), "0\n");
}

TEST_P(TableWriterTest, NativeJsonWhereTheServerHasIt) {
  schema::TableSchema s;
  s.database = "src";
  s.table = "docs";
  s.columns = {column("id", ColumnType::kLong), column("j", ColumnType::kJson)};
  s.columns[0].in_primary_key = true;
  s.primary_key = {0};
  const TargetTable t = create(s, {JsonMapping::kNative, DatePolicy::kNull, DatePolicy::kError});
  EXPECT_EQ(t.columns[1].type, caps_.json_type ? "JSON" : "String");
  auto writer = TableWriter::create(*conn_, s, t, {});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(1), Value::with_bytes(ValueKind::kJsonBinary, kJsonBinaryObject)}, 1, false).ok());
  ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(2), Value::with_bytes(ValueKind::kJsonText, "{\"a\": 7, \"b\": [\"x\"]}")}, 1, false).ok());
  auto st = writer->flush();
  ASSERT_TRUE(st.ok()) << st.error().message();
  if (caps_.json_type) {
    EXPECT_EQ(query("SELECT id, j.a FROM " + qualified_name(t.name) + " FINAL ORDER BY id"), "1\t1\n2\t7\n");
  } else {
    EXPECT_EQ(query("SELECT id, j FROM " + qualified_name(t.name) + " FINAL ORDER BY id"),
              "1\t{\"a\": 1}\n2\t{\"a\": 7, \"b\": [\"x\"]}\n");  // binary JSON in MySQL's spelling
  }
}

TEST_P(TableWriterTest, AMalformedInsertIsNotRetried) {
  schema::TableSchema s;
  s.database = "src";
  s.table = "mismatch";
  s.columns = {column("id", ColumnType::kLong)};
  s.columns[0].in_primary_key = true;
  s.primary_key = {0};
  const TargetTable t = create(s);
  // The writer names a column the server's table does not have: the server rejects the statement.
  TargetTable wrong = t;
  wrong.columns[0].name = "no_such_column";
  schema::TableSchema ws = s;
  ws.columns[0].name = "no_such_column";
  unsigned sleeps = 0;
  WriterOptions o;
  o.sleep = [&](std::chrono::milliseconds) { ++sleeps; };
  auto writer = TableWriter::create(*conn_, ws, wrong, o);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(7)}, 1, false).ok());
  auto st = writer->flush();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kServer) << st.error().message();
  EXPECT_NE(st.error().message().find("the rows stay buffered"), std::string::npos);
  EXPECT_EQ(writer->insert_attempts(), 1u);
  EXPECT_EQ(sleeps, 0u);
  EXPECT_EQ(writer->buffered_rows(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Transports, TableWriterTest, ::testing::Values(Transport::kHttp, Transport::kHttps, Transport::kChdb),
                         [](const auto& param_info) { return std::string(test::transport_name(param_info.param)); });

// A TCP forwarder to the test server that the test can cut and restore, so the server becomes unreachable
// in the middle of a batch without stopping the shared server. Restarts keep the port.
class CuttableProxy {
 public:
  explicit CuttableProxy(int target_port) : target_port_(target_port) {}
  ~CuttableProxy() { cut(); }

  void open() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port_));
    ASSERT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
    socklen_t len = sizeof a;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ASSERT_EQ(listen(listener_, 16), 0);
    stop_ = false;
    thread_ = std::thread([this] { serve(); });
  }

  // Closes the listener and every forwarded connection: new connections are refused.
  void cut() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
  }

  int port() const { return port_; }

 private:
  void serve() {
    struct Pair {
      int a, b;
    };
    std::vector<Pair> pairs;
    while (!stop_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (auto& p : pairs) {
        fds.push_back({p.a, POLLIN, 0});
        fds.push_back({p.b, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      std::vector<Pair> alive;
      for (size_t k = 0; k < pairs.size(); ++k) {
        bool open = true;
        for (int side = 0; side < 2 && open; ++side) {
          const pollfd& f = fds[1 + 2 * k + static_cast<size_t>(side)];
          if (!(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
          char buf[65536];
          const ssize_t n = read(f.fd, buf, sizeof buf);
          const int to = side == 0 ? pairs[k].b : pairs[k].a;
          if (n <= 0 || write(to, buf, static_cast<size_t>(n)) != n) open = false;
        }
        if (open) {
          alive.push_back(pairs[k]);
        } else {
          close(pairs[k].a);
          close(pairs[k].b);
        }
      }
      pairs = alive;
      if (fds[0].revents & POLLIN) {
        const int client = accept(listener_, nullptr, nullptr);
        const int upstream = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(target_port_));
        if (connect(upstream, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
          pairs.push_back({client, upstream});
        } else {
          close(client);
          close(upstream);
        }
      }
    }
    for (auto& p : pairs) {
      close(p.a);
      close(p.b);
    }
    close(listener_);
  }

  int target_port_;
  int port_ = 0;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(TableWriterRetry, AnUnreachableServerMidBatchIsRetriedAndNothingIsLostOrDoubled) {
  CuttableProxy proxy(testenv::ch_http_port());
  proxy.open();
  HttpOptions o = test::http_options(false);
  auto url = parse_destination_url("http://127.0.0.1:" + std::to_string(proxy.port()), "/");
  ASSERT_TRUE(url.ok());
  o.url = *url;
  auto conn = HttpConnection::open(std::move(o));
  ASSERT_TRUE(conn.ok()) << conn.error().message();
  auto caps = (*conn)->capabilities();
  ASSERT_TRUE(caps.ok()) << caps.error().message();

  schema::TableSchema s;
  s.database = "src";
  s.table = "retry";
  s.columns = {column("id", ColumnType::kLong), column("x", ColumnType::kLongLong)};
  s.columns[0].in_primary_key = true;
  s.primary_key = {0};
  auto t = map_table(s, {"wr_itest_retry", "retry"}, *caps, {});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*conn)->execute("DROP DATABASE IF EXISTS wr_itest_retry").ok());
  for (const auto& sql : create_table_statements(*t, *caps)) ASSERT_TRUE((*conn)->execute(sql).ok());

  unsigned sleeps = 0;
  WriterOptions wo;
  wo.retry.max_attempts = 5;
  wo.sleep = [&](std::chrono::milliseconds) {
    if (++sleeps == 2) proxy.open();  // the server comes back after the second failed attempt
  };
  auto writer = TableWriter::create(**conn, s, *t, wo);
  ASSERT_TRUE(writer.ok());
  uint64_t version = 1;
  for (int k = 0; k < 1000; ++k) ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(k), Value::int64(k)}, version++, false).ok());
  ASSERT_TRUE(writer->flush().ok());

  proxy.cut();  // mid-stream: the next batch finds nobody listening
  for (int k = 500; k < 1500; ++k) ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(k), Value::int64(-k)}, version++, false).ok());
  auto st = writer->flush();
  ASSERT_TRUE(st.ok()) << st.error().message();
  // Two attempts at least found nobody listening; every failed attempt was followed by a wait.
  EXPECT_GE(sleeps, 2u);
  EXPECT_EQ(writer->insert_attempts(), 1u + sleeps + 1u);

  // The same batch delivered twice (an insert whose acknowledgement was lost, then retried): versions make
  // the repeat harmless.
  for (int k = 1000; k < 1500; ++k) ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(k), Value::int64(-k)}, 1000 + static_cast<uint64_t>(k) - 500 + 1, false).ok());
  ASSERT_TRUE(writer->flush().ok());

  auto direct = test::open_transport(Transport::kHttp);
  auto r = direct->query("SELECT count(), sum(x), uniqExact(id), min(id), max(id) FROM wr_itest_retry.retry FINAL", "TabSeparated");
  ASSERT_TRUE(r.ok()) << r.error().message();
  // ids 0..499 have x = k; ids 500..1499 have x = -k.
  int64_t sum = 0;
  for (int k = 0; k < 500; ++k) sum += k;
  for (int k = 500; k < 1500; ++k) sum -= k;
  EXPECT_EQ(*r, fmt::format("1500\t{}\t1500\t0\t1499\n", sum));
  EXPECT_TRUE(direct->execute("DROP DATABASE wr_itest_retry").ok());
}

TEST(TableWriterRetry, GivingUpKeepsTheRowsForALaterFlush) {
  CuttableProxy proxy(testenv::ch_http_port());
  proxy.open();
  HttpOptions o = test::http_options(false);
  o.url = *parse_destination_url("http://127.0.0.1:" + std::to_string(proxy.port()), "/");
  auto conn = HttpConnection::open(std::move(o));
  ASSERT_TRUE(conn.ok());
  auto caps = (*conn)->capabilities();
  ASSERT_TRUE(caps.ok()) << caps.error().message();
  schema::TableSchema s;
  s.database = "src";
  s.table = "later";
  s.columns = {column("id", ColumnType::kLong)};
  s.columns[0].in_primary_key = true;
  s.primary_key = {0};
  auto t = map_table(s, {"wr_itest_later", "later"}, *caps, {});
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*conn)->execute("DROP DATABASE IF EXISTS wr_itest_later").ok());
  for (const auto& sql : create_table_statements(*t, *caps)) ASSERT_TRUE((*conn)->execute(sql).ok());
  WriterOptions wo;
  wo.retry.max_attempts = 3;
  wo.sleep = [](std::chrono::milliseconds) {};
  auto writer = TableWriter::create(**conn, s, *t, wo);
  ASSERT_TRUE(writer.ok());
  proxy.cut();
  for (int k = 0; k < 10; ++k) ASSERT_TRUE(writer->append(std::vector<Value>{Value::int64(k)}, 1, false).ok());
  auto st = writer->flush();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().retryable()) << st.error().message();
  EXPECT_NE(st.error().message().find("gave up after 3 attempts"), std::string::npos) << st.error().message();
  EXPECT_EQ(writer->buffered_rows(), 10u);
  proxy.open();
  ASSERT_TRUE(writer->flush().ok());
  auto direct = test::open_transport(Transport::kHttp);
  EXPECT_EQ(*direct->query("SELECT count() FROM wr_itest_later.later FINAL", "TabSeparated"), "10\n");
  EXPECT_TRUE(direct->execute("DROP DATABASE wr_itest_later").ok());
}

}  // namespace
}  // namespace mysql2ch
