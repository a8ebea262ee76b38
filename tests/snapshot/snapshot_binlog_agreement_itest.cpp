// "Snapshot and CDC agree on every type" (DESIGN.md, type mapping): rows of every type are inserted on
// MariaDB and MySQL, then read twice — by the snapshot (information_schema schema + ChunkReader's streaming
// SELECT + value_from_select_text) and by the binlog path (ReplicationClient + EventParser + row-image
// decoders with the TABLE_MAP's FULL metadata) — and the canonical JSON of every column of every row must be
// identical. The two schemas must also describe every column alike.
#include <gtest/gtest.h>

#include "binlog/event_parser.h"
#include "binlog/replication_client.h"
#include "mysql/table_schema_loader.h"
#include "snapshot/binlog_start.h"
#include "snapshot/chunk_reader.h"
#include "snapshot_support.h"

namespace mysql2ch::snapshot {
namespace {

using namespace testing_support;
using nlohmann::json;

constexpr const char* kCommonSql[] = {
    R"(CREATE TABLE t_int (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, b1 TINYINT(1),
  y YEAR, bt1 BIT(1), bt10 BIT(10), bt64 BIT(64)))",
    R"(INSERT INTO t_int VALUES
 (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0, 1901, b'0', b'0', b'0'),
 (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
     18446744073709551615, 1, 2155, b'1', b'1111111111', b'1111111111111111111111111111111111111111111111111111111111111111'),
 (3, 0, 1, -1, 1, -1, 1, -1, 1, -1, 12345678901234567890, 127, 0, b'1', b'1000000001', b'1000000000000000000000000000000000000000000000000000000000000001'),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))",
    R"(CREATE TABLE t_num (id INT PRIMARY KEY, d65 DECIMAL(65,30), d10 DECIMAL(10,2), d5 DECIMAL(5,0), d18 DECIMAL(18,9),
  d9 DECIMAL(9,9), du DECIMAL(20,4) UNSIGNED, f FLOAT, fu FLOAT UNSIGNED, d DOUBLE))",
    R"(INSERT INTO t_num VALUES
 (1, '99999999999999999999999999999999999.999999999999999999999999999999', '-99999999.99', '-99999', '-123456789.123456789',
     '-0.999999999', '9999999999999999.9999', -3.40282e38, 0, -1.7976931348623157e308),
 (2, '-0.000000000000000000000000000001', '0.01', '0', '0.000000001', '0.000000001', '0', 1.17549e-38, 3.40282e38,
     2.2250738585072014e-308),
 (3, '0', '-0.01', '1', '-0.000000001', '0', '1.5', -0.0, 1.5, -0.0),
 (4, '-1.5', '12.34', '-1', '1', '0.5', '0.0001', 0.1, 0.1, 1e300),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))",
    R"(CREATE TABLE t_time (id INT PRIMARY KEY, d DATE, dt0 DATETIME, dt1 DATETIME(1), dt3 DATETIME(3), dt6 DATETIME(6),
  ts0 TIMESTAMP NULL, ts1 TIMESTAMP(1) NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL,
  tm0 TIME, tm1 TIME(1), tm2 TIME(2), tm4 TIME(4), tm6 TIME(6)))",
    R"(INSERT INTO t_time VALUES
 (1, '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.1', '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.000001',
     '1970-01-01 00:00:01', '1970-01-01 00:00:01.1', '1970-01-01 00:00:01.001', '1970-01-01 00:00:01.000001',
     '-838:59:59', '-838:59:58.9', '-838:59:58.99', '-838:59:58.9999', '-838:59:58.999999'),
 (2, '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.9', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
     '2038-01-19 03:14:07', '2038-01-19 03:14:07.9', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999',
     '838:59:59', '838:59:58.9', '838:59:58.99', '838:59:58.9999', '838:59:58.999999'),
 (3, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.0', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
     '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '0000-00-00 00:00:00',
     '00:00:00', '-00:00:00.5', '-00:00:00.05', '-00:00:00.0005', '-00:00:00.000001'),
 (4, '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56.345', '2001-02-03 04:05:06.000007',
     '2024-02-29 12:34:56', '2024-02-29 12:34:56.5', '2024-02-29 12:34:56.345', '2024-02-29 12:34:56.123456',
     '-01:02:03', '-01:02:03.4', '12:00:00.45', '23:59:59.0001', '-12:00:00.000001'),
 (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))",
    R"(CREATE TABLE t_str (id INT PRIMARY KEY, c CHAR(10) CHARACTER SET utf8mb4, cl CHAR(10) CHARACTER SET latin1,
  vc VARCHAR(300) CHARACTER SET utf8mb4, vl VARCHAR(20) CHARACTER SET latin1, v3 VARCHAR(20) CHARACTER SET utf8mb3,
  va VARCHAR(20) CHARACTER SET ascii, bn BINARY(4), vb VARBINARY(10), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT,
  lt LONGTEXT CHARACTER SET latin1, tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,
  e ENUM('a','b','ç',''), s SET('x','y','z','ü')) DEFAULT CHARSET = utf8mb4)",
    R"(INSERT INTO t_str VALUES
 (1, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', ''),
 (2, 'a😀b', CONVERT(_utf8mb4'déjà€‰' USING latin1), CONCAT(REPEAT('é', 299), '😀'),
     CONVERT(_utf8mb4'ÿþ€Š' USING latin1), 'Ωmega ✓', 'plain ascii', x'00FF0010', x'0001020300FF',
     REPEAT('t', 255), 'tab\there\nnewline "quoted" \\ back', REPEAT('m', 1500), CONVERT(_utf8mb4'Grüße' USING latin1),
     REPEAT(x'FF', 255), REPEAT(x'A5', 1000), REPEAT(x'5A', 700), x'DEADBEEF', 'ç', 'x,z,ü'),
 (3, 'trail  ', 'x', 'ctrl\0\x01\x1f', 'z', 'q', 'a', x'61', x'', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     'a', ''),
 (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL))",
    R"(CREATE TABLE t_geo (id INT PRIMARY KEY, g GEOMETRY, pt POINT, ls LINESTRING, pg POLYGON))",
    R"(INSERT INTO t_geo VALUES
 (1, ST_GeomFromText('POINT(1.5 -2.5)'), ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('LINESTRING(0 0,1 1,2 3)'),
     ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))')),
 (2, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(1 2,3 4))'), NULL, NULL, NULL),
 (3, NULL, NULL, NULL, NULL))",
    R"(CREATE TABLE t_inv (id INT PRIMARY KEY, v VARCHAR(10), hid INT INVISIBLE))",
    R"(INSERT INTO t_inv (id, v, hid) VALUES (1, 'seen', 42), (2, NULL, NULL))",
    R"(CREATE TABLE t_enumq (id INT PRIMARY KEY, e ENUM('a\\b', 'it''s', 'n\nl', 't	b'), s SET('q"', 'x y')))",
    R"(INSERT INTO t_enumq VALUES (1, 'a\\b', 'q"'), (2, 'it''s', ''), (3, 'n\nl', 'x y'), (4, 't	b', 'q",x y'))",
    R"(CREATE TABLE t_json (id INT PRIMARY KEY, j JSON))",
    R"(INSERT INTO t_json VALUES
 (1, '{"a": 1, "b": [1, 2, 3], "c": {"d": null, "e": true, "f": false}, "s": "str\\"q\\\\ \\n\\t\\u0001 é 😀"}'),
 (2, '[]'), (3, '{}'), (4, 'null'), (5, '"just a string"'), (6, '-9223372036854775808'),
 (7, '18446744073709551615'), (8, '3.5e300'), (10, NULL), (11, 'true'),
 (12, '[32767, -32768, 65535, 2147483647, -2147483648, 4294967295, 1.5, -1e-300, "", [], {}]'),
 (13, '{"short": 1, "a": 2, "longer key": 3, "bb": 4, "": 5}'),
 (14, '{"b":1,"a":2,"aa":3,"ab":4,"\\u00e9":5,"Z":6,"deep":[[[{"x":[{}]}]]],"k":{"k":{"k":[null,true,false]}}}'),
 (15, '[1.0, 1e0, -0.0, 0.1, 0.3, 1e15, 1e16, 1.5e15, 123456789012345.0, 1234567890123456.8, 1.2345678901234568e16,
       1e-15, 1.5e-15, 1e-16, 3e-7, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 100, 1.50, 0.000001,
       12345.678, 2e-5, 1e21, -9223372036854775809, 18446744073709551616]'),
 (16, '["\\u0001\\b\\t\\n\\f\\r\\u001f\\u007f/\\/", "é€😀", "\\u2028\\u00a0", "\\u0000", "q\\"b\\\\s", "\\ud83d\\ude00"]'))",
};

constexpr const char* kMysqlSql[] = {
    R"(CREATE TABLE t_vec (id INT PRIMARY KEY, v VECTOR(3), v1 VECTOR(1)))",
    R"(INSERT INTO t_vec VALUES (1, STRING_TO_VECTOR('[1.5, -2, 3.25]'), STRING_TO_VECTOR('[0]')), (2, NULL, NULL))",
    R"(CREATE TABLE t_srid (id INT PRIMARY KEY, p POINT SRID 4326 NOT NULL, g GEOMETRY SRID 0))",
    R"(INSERT INTO t_srid VALUES (1, ST_GeomFromText('POINT(45 7)', 4326), ST_GeomFromText('POINT(1 1)')))",
    // JSON values only MySQL's binary format has: opaque DECIMAL and temporals, binary strings, the large
    // (over 64 KiB) container format, and doubles computed rather than parsed.
    R"(CREATE TABLE t_json_my (id INT PRIMARY KEY, j JSON))",
    R"(INSERT INTO t_json_my VALUES
 (1, JSON_ARRAY(CAST(1.50 AS DECIMAL(5,2)), CAST(-0.5 AS DECIMAL(3,1)), 123456789012345678901234567890.0, 0.0,
     CAST(7 AS DECIMAL(10,0)), 2.0/3)),
 (2, JSON_ARRAY(DATE'2024-01-02', TIMESTAMP'2024-01-02 03:04:05.12', CAST('2024-01-02 03:04:05.123456' AS DATETIME(6)),
     TIME'-838:59:59', TIME'01:02:03.5', CAST('-00:00:01.25' AS TIME(2)), CAST('2024-02-29 00:00:00' AS DATETIME))),
 (3, JSON_ARRAY(CAST(1e0 AS JSON), -0e0, 2e0/3, 1e15 * 1e0, 1e300 * 10, 3e-7 * 1, CAST(1 AS JSON), x'01ff20',
     CAST(x'c3a9' AS CHAR CHARACTER SET utf8mb4), true, NULL, JSON_OBJECT(), JSON_ARRAY())),
 (4, JSON_OBJECT('zz', 1, 'a', JSON_ARRAY(REPEAT('x', 70000), 1, -70000, 4294967295, 'y'), 'b', JSON_OBJECT('c', 2.5e0))),
 (5, JSON_OBJECT('big', REPEAT('é', 40000), 'n', 65536, 'm', -32769, 'o', JSON_OBJECT('p', NULL))))",
};

// The binlog side: rows inserted into `db`, rendered with the TABLE_MAP's schema.
class InsertCollector : public binlog::EventHandler {
 public:
  explicit InsertCollector(std::string db) : db_(std::move(db)) {}
  std::map<std::string, std::map<std::string, json>> rows;  // table → id (JSON text) → row
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> texts;  // same, column texts
  std::map<std::string, schema::TableSchema> schemas;

  Status on_row(const binlog::EventInfo&, const binlog::RowChange& row) override {
    const auto& s = row.table->schema;
    if (s.database != db_) return {};
    EXPECT_EQ(row.op, binlog::RowOp::kInsert);
    schemas[s.table] = s;
    json r = render_row(s, row.after);
    rows[s.table][r.at("id").dump()] = r;
    texts[s.table][r.at("id").dump()] = render_row_texts(s, row.after);
    return {};
  }

 private:
  std::string db_;
};

class SnapshotBinlogAgreementTest : public testing::TestWithParam<ServerCase> {};

TEST_P(SnapshotBinlogAgreementTest, EveryColumnRendersIdenticallyFromSelectAndFromTheBinlog) {
  const bool mysql = GetParam().port == testenv::mysql_port();
  const std::string db = mysql ? "snap_types_my" : "snap_types_ma";
  Connection root = must(Connection::open(options_for(GetParam().port, "root", "rootpass")));
  must(root.execute("DROP DATABASE IF EXISTS " + db));
  must(root.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4"));
  must(root.execute("USE " + db));
  must(root.execute("SET SESSION sql_mode = '', time_zone = '+00:00'"));
  const state::BinlogPosition start = must(read_binlog_position(root));
  std::vector<std::string> tables;
  auto run = [&](const char* sql) {
    must(root.execute(sql));
    std::string_view s(sql);
    if (s.substr(0, 13) == "CREATE TABLE ") tables.emplace_back(s.substr(13, s.find(' ', 13) - 13));
  };
  for (const char* sql : kCommonSql) run(sql);
  if (mysql) {
    for (const char* sql : kMysqlSql) run(sql);
  }

  // Binlog path.
  binlog::ReplicationOptions ro;
  ro.server_id = GetParam().server_id;
  ro.stop_at_end = true;
  auto client = must(binlog::ReplicationClient::start(options_for(GetParam().port, "repl", "replpass"), ro,
                                                      binlog::StreamPosition::at_file(start.file, start.pos)));
  binlog::EventParser parser;
  parser.set_file(start.file);
  parser.set_checksum_before_format_description(binlog::ChecksumAlg::kCrc32);
  InsertCollector collector(db);
  while (true) {
    const binlog::StreamItem item = must(client.next());
    if (item.kind == binlog::StreamItem::Kind::kEndOfStream) break;
    if (item.kind != binlog::StreamItem::Kind::kEvent) continue;
    const uint64_t pos =
        item.header.log_pos >= item.header.event_size ? item.header.log_pos - item.header.event_size : 0;
    must(parser.parse(item.event, pos, collector));
  }

  // Snapshot path.
  Connection reader = must(open_snapshot_connection(options_for(GetParam().port, "repl", "replpass")));
  ASSERT_GE(tables.size(), 7u);
  size_t columns_compared = 0;
  for (const auto& table : tables) {
    SCOPED_TRACE(table);
    const schema::TableSchema s = must(load_table_schema(reader, db, table));
    ASSERT_EQ(collector.schemas.count(table), 1u) << "no rows of " << table << " in the binlog";
    const schema::TableSchema& b = collector.schemas.at(table);
    ASSERT_EQ(s.columns.size(), b.columns.size());
    for (size_t k = 0; k < s.columns.size(); ++k) {
      const auto& x = s.columns[k];
      const auto& y = b.columns[k];
      SCOPED_TRACE(x.name);
      EXPECT_EQ(x.name, y.name);
      EXPECT_EQ(x.type, y.type);
      EXPECT_EQ(x.is_unsigned, y.is_unsigned);
      EXPECT_EQ(x.in_primary_key, y.in_primary_key);
      // MariaDB's TABLE_MAP has no visibility metadata (every column reads as visible there).
      if (mysql) {
        EXPECT_EQ(x.visible, y.visible);
      }
      EXPECT_EQ(x.charset, y.charset);
      EXPECT_EQ(x.fsp, y.fsp);
      EXPECT_EQ(x.precision, y.precision);
      EXPECT_EQ(x.scale, y.scale);
      EXPECT_EQ(x.labels, y.labels);
      if (x.type == schema::ColumnType::kString || x.type == schema::ColumnType::kBit) {
        EXPECT_EQ(x.max_length, y.max_length);
      }
    }
    EXPECT_EQ(s.primary_key, b.primary_key);

    RecordingSinkFactory sinks;
    auto sink = must(sinks.open(s));
    ChunkReader chunk_reader(reader, s, ChunkReadLimits{});
    const auto r = must(chunk_reader.read(state::SnapshotChunk{}, 1, *sink));
    ASSERT_TRUE(r.completed);
    const auto selected = sinks.rows(db + "." + table);
    const auto& decoded = collector.rows[table];
    EXPECT_EQ(selected.size(), decoded.size());
    for (const auto& rec : selected) {
      const std::string id = rec.row.at("id").dump();
      const auto it = decoded.find(id);
      if (it == decoded.end()) {
        ADD_FAILURE() << "row id " << id << " not in the binlog";
        continue;
      }
      const auto& decoded_texts = collector.texts[table][id];
      for (const auto& c : s.columns) {
        EXPECT_EQ(rec.row.at(c.name).dump(), it->second.at(c.name).dump()) << "id " << id << " column " << c.name;
        // Byte for byte: parsing (above) normalises JSON documents, whose spelling the mirror keeps verbatim.
        EXPECT_EQ(rec.texts.at(c.name), decoded_texts.at(c.name)) << "id " << id << " column " << c.name;
        ++columns_compared;
      }
    }
  }
  EXPECT_GT(columns_compared, 200u);
}

INSTANTIATE_TEST_SUITE_P(Servers, SnapshotBinlogAgreementTest,
                         testing::Values(ServerCase{"MariaDB", testenv::mariadb_port(), 9272},
                                         ServerCase{"MySQL", testenv::mysql_port(), 9282}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace mysql2ch::snapshot
