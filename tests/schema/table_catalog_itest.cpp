// Differential test of the DDL parser and TableCatalog against the real servers: each statement runs on MariaDB
// 10.11 and MySQL 9, is parsed and applied to the catalog, and then every table of the test databases must be
// described by the catalog exactly as information_schema describes it (types, lengths, charsets and collations,
// ENUM/SET labels, nullability, visibility, order, primary key).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "mysql/connection.h"
#include "schema/ddl_parser.h"
#include "schema/table_catalog.h"
#include "support/testenv.h"

namespace mysql2ch::schema {
namespace {

using mysql2ch::Connection;
using mysql2ch::ServerFlavor;

Connection root(int port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = "root";
  o.password = Secret(std::string("rootpass"));
  o.tls.mode = TlsMode::kPreferred;
  auto c = Connection::open(o);
  if (!c.ok()) throw std::runtime_error(c.error().message());
  return std::move(c).value();
}

std::string value(const QueryResult& r, size_t row, const char* column) {
  const int k = r.column(column);
  if (k < 0) throw std::runtime_error(std::string("no column ") + column);
  return r.rows[row][static_cast<size_t>(k)].value_or("");
}

// ENUM/SET labels from COLUMN_TYPE: enum('a','b''c').
std::vector<std::string> labels_of(const std::string& column_type) {
  std::vector<std::string> out;
  size_t k = column_type.find('(');
  while (k != std::string::npos && k < column_type.size()) {
    k = column_type.find('\'', k);
    if (k == std::string::npos) break;
    std::string label;
    for (++k; k < column_type.size(); ++k) {
      if (column_type[k] == '\'') {
        if (k + 1 < column_type.size() && column_type[k + 1] == '\'') {
          label.push_back('\'');
          ++k;
          continue;
        }
        break;
      }
      label.push_back(column_type[k]);
    }
    out.push_back(label);
    ++k;
  }
  return out;
}

struct ServerColumn {
  ColumnDef def;
  std::string collation;
};

class Differential {
 public:
  explicit Differential(int port) : conn_(root(port)) {
    const bool mysql = conn_.server().flavor == ServerFlavor::kMySQL;
    flavor_ = mysql ? Flavor::kMySQL : Flavor::kMariaDB;
    auto server_collation = conn_.query_value("SELECT @@collation_server");
    if (!server_collation.ok() || !server_collation->has_value()) throw std::runtime_error("no @@collation_server");
    auto catalog = TableCatalog::create(flavor_, **server_collation);
    if (!catalog.ok()) throw std::runtime_error(catalog.error().message());
    catalog_.emplace(std::move(catalog).value());
    auto ids = conn_.query(mysql ? "SELECT COLLATION_NAME AS n, ID FROM information_schema.COLLATIONS"
                                 : "SELECT FULL_COLLATION_NAME AS n, ID FROM "
                                   "information_schema.COLLATION_CHARACTER_SET_APPLICABILITY");
    if (!ids.ok()) throw std::runtime_error(ids.error().message());
    for (size_t r = 0; r < ids->rows.size(); ++r)
      collation_ids_[value(*ids, r, "n")] = std::stoul(value(*ids, r, "ID"));
  }

  Flavor flavor() const { return flavor_; }

  // Runs `sql` on the server with `db` as default database, applies it to the catalog, compares `dbs`.
  void step(const std::string& db, const std::string& sql, const std::vector<std::string>& dbs) {
    SCOPED_TRACE(sql);
    if (!db.empty()) {
      ASSERT_TRUE(conn_.execute("USE " + mysql_identifier(db)).ok());
    }
    auto st = conn_.execute(sql);
    ASSERT_TRUE(st.ok()) << st.error().message();
    ParseOptions o;
    o.flavor = flavor_;
    o.server_version = conn_.server().version_id;
    o.default_database = db;
    auto parsed = parse_ddl(sql, o);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    auto changes = catalog_->apply(*parsed);
    ASSERT_TRUE(changes.ok()) << changes.error().message();
    for (const auto& d : dbs) compare_database(d);
    // The catalog survives its JSON form unchanged.
    auto restored = TableCatalog::from_json(catalog_->to_json());
    ASSERT_TRUE(restored.ok()) << restored.error().message();
    EXPECT_EQ(restored->to_json(), catalog_->to_json());
  }

  void execute(const std::string& sql) {
    auto st = conn_.execute(sql);
    ASSERT_TRUE(st.ok()) << sql << ": " << st.error().message();
  }

  const TableCatalog& catalog() const { return *catalog_; }

 private:
  void compare_database(const std::string& db) {
    auto tables =
        conn_.query(fmt::format("SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE "
                                "TABLE_SCHEMA = {} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
                                conn_.quote(db)));
    ASSERT_TRUE(tables.ok()) << tables.error().message();
    std::set<std::string> server_tables, catalog_tables;
    for (size_t r = 0; r < tables->rows.size(); ++r) {
      const std::string name = value(*tables, r, "TABLE_NAME");
      server_tables.insert(name);
      compare_table(db, name, value(*tables, r, "TABLE_COLLATION"));
    }
    for (const auto& t : catalog_->tables()) {
      if (t.database == db) catalog_tables.insert(t.table);
    }
    EXPECT_EQ(catalog_tables, server_tables) << "tables of " << db;
  }

  std::vector<ServerColumn> server_columns(const std::string& db, const std::string& table) {
    auto cols = conn_.query(fmt::format(
        "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, NUMERIC_PRECISION, "
        "NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_OCTET_LENGTH, IS_NULLABLE, COLUMN_KEY, ORDINAL_POSITION, EXTRA "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {} ORDER BY ORDINAL_POSITION",
        conn_.quote(db), conn_.quote(table)));
    if (!cols.ok()) throw std::runtime_error(cols.error().message());
    std::vector<ServerColumn> out;
    for (size_t r = 0; r < cols->rows.size(); ++r) {
      ServerColumn sc;
      ColumnDef& d = sc.def;
      d.name = value(*cols, r, "COLUMN_NAME");
      const std::string type = value(*cols, r, "DATA_TYPE");
      const std::string column_type = value(*cols, r, "COLUMN_TYPE");
      const auto num = [&](const char* c) { return static_cast<uint32_t>(std::stoul("0" + value(*cols, r, c))); };
      d.is_unsigned = column_type.find("unsigned") != std::string::npos;
      d.nullable = value(*cols, r, "IS_NULLABLE") == "YES";
      const std::string extra = value(*cols, r, "EXTRA");
      d.visible = extra.find("INVISIBLE") == std::string::npos;
      sc.collation = value(*cols, r, "COLLATION_NAME");
      const std::string charset = value(*cols, r, "CHARACTER_SET_NAME");
      if (!sc.collation.empty()) {
        d.charset = charset_from_name(charset);
        d.collation_id = collation_ids_.at(sc.collation);
      }
      static const std::map<std::string, ColumnType> kTypes = {
          {"tinyint", ColumnType::kTiny},  {"smallint", ColumnType::kShort},     {"mediumint", ColumnType::kInt24},
          {"int", ColumnType::kLong},      {"bigint", ColumnType::kLongLong},    {"float", ColumnType::kFloat},
          {"double", ColumnType::kDouble}, {"decimal", ColumnType::kNewDecimal}, {"bit", ColumnType::kBit},
          {"date", ColumnType::kDate},     {"datetime", ColumnType::kDateTime2}, {"timestamp", ColumnType::kTimestamp2},
          {"time", ColumnType::kTime2},    {"year", ColumnType::kYear},          {"char", ColumnType::kString},
          {"binary", ColumnType::kString}, {"varchar", ColumnType::kVarchar},    {"varbinary", ColumnType::kVarchar},
          {"json", ColumnType::kJson},     {"enum", ColumnType::kEnum},          {"set", ColumnType::kSet},
          {"vector", ColumnType::kVector}};
      static const std::map<std::string, uint8_t> kBlobs = {{"tinytext", 1},   {"text", 2},     {"mediumtext", 3},
                                                            {"longtext", 4},   {"tinyblob", 1}, {"blob", 2},
                                                            {"mediumblob", 3}, {"longblob", 4}};
      static const std::map<std::string, uint32_t> kGeometries = {
          {"geometry", 0},      {"point", 1},           {"linestring", 2},   {"polygon", 3},
          {"multipoint", 4},    {"multilinestring", 5}, {"multipolygon", 6}, {"geometrycollection", 7},
          {"geomcollection", 7}};
      if (auto t = kTypes.find(type); t != kTypes.end()) {
        d.type = t->second;
      } else if (auto b = kBlobs.find(type); b != kBlobs.end()) {
        d.type = ColumnType::kBlob;
        d.length_bytes = b->second;
      } else if (auto g = kGeometries.find(type); g != kGeometries.end()) {
        d.type = ColumnType::kGeometry;
        d.length_bytes = 4;
        d.geometry_type = g->second;
      } else {
        ADD_FAILURE() << "type " << type << " of " << d.name;
      }
      if (type == "binary" || type == "varbinary" || type.find("blob") != std::string::npos) {
        d.charset = Charset::kBinary;  // information_schema shows no charset; row images say binary (63)
        d.collation_id = 63;
        sc.collation = "binary";
      }
      switch (d.type) {
        case ColumnType::kString:
        case ColumnType::kVarchar:
        case ColumnType::kVector: d.max_length = num("CHARACTER_OCTET_LENGTH"); break;
        case ColumnType::kBit: d.max_length = num("NUMERIC_PRECISION"); break;
        case ColumnType::kNewDecimal:
          d.precision = static_cast<uint8_t>(num("NUMERIC_PRECISION"));
          d.scale = static_cast<uint8_t>(num("NUMERIC_SCALE"));
          break;
        case ColumnType::kDateTime2:
        case ColumnType::kTimestamp2:
        case ColumnType::kTime2: d.fsp = static_cast<uint8_t>(num("DATETIME_PRECISION")); break;
        case ColumnType::kJson:
        case ColumnType::kBlob: d.length_bytes = d.length_bytes == 0 ? 4 : d.length_bytes; break;
        case ColumnType::kEnum:
        case ColumnType::kSet: {
          d.labels = labels_of(column_type);
          const size_t n = d.labels.size();
          d.length_bytes = d.type == ColumnType::kEnum ? (n < 256 ? 1 : 2) : ((n + 7) / 8 > 4 ? 8 : (n + 7) / 8);
          break;
        }
        default: break;
      }
      if (d.type == ColumnType::kVector) d.length_bytes = 4;
      out.push_back(std::move(sc));
    }
    auto pk =
        conn_.query(fmt::format("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {} "
                                "AND TABLE_NAME = {} AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
                                conn_.quote(db), conn_.quote(table)));
    if (!pk.ok()) throw std::runtime_error(pk.error().message());
    for (size_t r = 0; r < pk->rows.size(); ++r) {
      for (auto& c : out) {
        if (c.def.name == value(*pk, r, "COLUMN_NAME")) c.def.in_primary_key = true;
      }
    }
    return out;
  }

  void compare_table(const std::string& db, const std::string& table, const std::string& table_collation) {
    SCOPED_TRACE(db + "." + table);
    const TableName name{db, table};
    const TableSchema* tracked = catalog_->find(name);
    ASSERT_NE(tracked, nullptr) << "the catalog does not know " << db << "." << table;
    EXPECT_EQ(catalog_->table_collation(name).value_or(""), table_collation);
    const auto server = server_columns(db, table);
    ASSERT_EQ(tracked->columns.size(), server.size());
    for (size_t k = 0; k < server.size(); ++k) {
      const ColumnDef& want = server[k].def;
      const ColumnDef& got = tracked->columns[k];
      SCOPED_TRACE(want.name);
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(column_type_name(got.type), column_type_name(want.type));
      EXPECT_EQ(got.is_unsigned, want.is_unsigned);
      EXPECT_EQ(got.nullable, want.nullable);
      EXPECT_EQ(got.visible, want.visible);
      EXPECT_EQ(got.in_primary_key, want.in_primary_key);
      EXPECT_EQ(charset_name(got.charset), charset_name(want.charset));
      EXPECT_EQ(got.collation_id, want.collation_id);
      EXPECT_EQ(catalog_->column_collation(name, want.name).value_or("?"), server[k].collation);
      EXPECT_EQ(got.max_length, want.max_length);
      EXPECT_EQ(got.length_bytes, want.length_bytes);
      EXPECT_EQ(got.precision, want.precision);
      EXPECT_EQ(got.scale, want.scale);
      EXPECT_EQ(got.fsp, want.fsp);
      EXPECT_EQ(got.geometry_type, want.geometry_type);
      EXPECT_EQ(got.labels, want.labels);
    }
    std::vector<uint32_t> want_pk;
    for (size_t k = 0; k < server.size(); ++k) {
      if (server[k].def.in_primary_key) want_pk.push_back(static_cast<uint32_t>(k));
    }
    std::vector<uint32_t> got_pk = tracked->primary_key;
    std::sort(got_pk.begin(), got_pk.end());
    EXPECT_EQ(got_pk, want_pk);
  }

  Connection conn_;
  Flavor flavor_;
  std::optional<TableCatalog> catalog_;
  std::map<std::string, uint32_t> collation_ids_;
};

class CatalogDifferential : public testing::TestWithParam<int> {};

TEST_P(CatalogDifferential, EveryStatementLeavesTheCatalogEqualToInformationSchema) {
  Differential d(GetParam());
  const bool mysql = d.flavor() == Flavor::kMySQL;
  const std::string db = mysql ? "ddl_it_my" : "ddl_it_ma";
  const std::string db2 = db + "2";
  d.execute("DROP DATABASE IF EXISTS " + db);
  d.execute("DROP DATABASE IF EXISTS " + db2);
  const std::vector<std::string> dbs = {db};
  const std::vector<std::string> both = {db, db2};

  d.step("", "CREATE DATABASE " + db + " CHARACTER SET latin1", dbs);
  d.step(db,
         "CREATE TABLE t1 (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, a TINYINT, b SMALLINT(5) ZEROFILL, "
         "c MEDIUMINT, d BIGINT, e FLOAT, f DOUBLE, g DECIMAL(10,3), g2 DECIMAL, h BIT(7), i DATE, j DATETIME(3), "
         "k TIMESTAMP(6) NULL, l TIME(2), m YEAR, n CHAR(5), o VARCHAR(20) CHARACTER SET utf8mb4, p BINARY(3), "
         "q VARBINARY(10), r TINYTEXT, s TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, tt MEDIUMBLOB, u LONGTEXT, "
         "v JSON, w ENUM('x','y''z','a,b', 'sp  '), x SET('s1','s2'), y GEOMETRY, z POINT, "
         "aa INT AS (a + 1) VIRTUAL, ab INT AS (a + 2) STORED, ac CHAR(2) BINARY, ad TEXT(300), ae FLOAT(30), "
         "af BOOL, ag NATIONAL CHAR(4), ai INT /*!80023 INVISIBLE */, `sp ace``s` INT, `select` INT)",
         dbs);
  d.step(db,
         "CREATE TABLE t2 (a INT, b VARCHAR(10), PRIMARY KEY (a, b(5))) DEFAULT CHARSET=utf8mb4 "
         "COLLATE utf8mb4_unicode_ci",
         dbs);
  d.step(db,
         "ALTER TABLE t2 ADD COLUMN c INT NOT NULL DEFAULT 0 AFTER a, ADD d VARCHAR(5) FIRST, "
         "MODIFY b VARCHAR(30) NOT NULL, ALGORITHM=COPY",
         dbs);
  d.step(db, "ALTER TABLE t2 CHANGE COLUMN a a2 BIGINT NOT NULL AFTER b, RENAME COLUMN c TO c2", dbs);
  d.step(db, "CREATE TABLE t9 (s SERIAL, v INT)", dbs);
  d.step(db, "ALTER TABLE t2 DROP PRIMARY KEY, ADD PRIMARY KEY (c2)", dbs);
  d.step(db, "ALTER TABLE t2 DROP COLUMN d, ALTER COLUMN c2 SET DEFAULT 5, ALTER COLUMN b DROP DEFAULT", dbs);
  d.step(db, "ALTER TABLE t2 CONVERT TO CHARACTER SET latin1", dbs);
  d.step(db, "ALTER TABLE t1 CONVERT TO CHARACTER SET utf8mb4", dbs);
  d.step(db, "ALTER TABLE t2 DEFAULT CHARSET utf8mb4, ADD COLUMN e VARCHAR(4), ADD INDEX ix (e), LOCK=SHARED", dbs);
  d.step(db,
         "ALTER TABLE t1 MODIFY COLUMN e DOUBLE FIRST, ADD COLUMN ag2 SET('a','b','c','d','e','f','g','h','i') "
         "AFTER x, DROP COLUMN w, ADD (n1 INT, n2 CHAR(1) COLLATE utf8mb4_bin)",
         dbs);
  d.step(db, "CREATE TABLE t3 LIKE t2", dbs);
  d.step(db, "RENAME TABLE t3 TO t4, t2 TO t3", dbs);
  d.step(db, "ALTER TABLE t4 RENAME TO t5, ADD COLUMN z INT", dbs);
  d.step(db, "TRUNCATE TABLE t5", dbs);
  d.step(db, "DROP TABLE IF EXISTS t5, nonexistent", dbs);
  d.step(db, "CREATE TABLE t6 (a INT NOT NULL, k INT, UNIQUE KEY (a))", dbs);
  d.step(db, "ALTER TABLE t6 ADD COLUMN b INT INVISIBLE, ADD PRIMARY KEY (a)", dbs);
  d.step(db, "ALTER TABLE t6 DROP COLUMN a", dbs);
  d.step(db, "CREATE INDEX ix2 ON t6 (b)", dbs);
  d.step(db, "ALTER TABLE t6 ADD PRIMARY KEY (k)", dbs);
  d.step(db, "DROP INDEX `PRIMARY` ON t6", dbs);
  d.step(db, "ALTER DATABASE " + db + " CHARACTER SET utf8mb4", dbs);
  d.step(db,
         "CREATE TABLE t7 (a VARCHAR(3), b ENUM('é', 'ü'), c CHAR(2) CHARACTER SET utf8mb4, d TEXT COLLATE latin1_bin)",
         dbs);
  d.step("", "CREATE DATABASE " + db2 + " DEFAULT COLLATE ascii_bin", both);
  d.step(db, "RENAME TABLE t7 TO " + db2 + ".t7", both);
  d.step(db2, "CREATE TABLE t8 (a CHAR(1), b DATETIME, /* comment */ c TIMESTAMP NULL DEFAULT NULL) -- tail", both);
  if (mysql) {
    d.step(db, "ALTER TABLE t1 ALTER COLUMN ai SET VISIBLE, ADD COLUMN vec VECTOR(3)", dbs);
  } else {
    d.step(db, "ALTER TABLE t6 ADD COLUMN IF NOT EXISTS b INT, DROP COLUMN IF EXISTS nope", dbs);
    d.step(db, "CREATE OR REPLACE TABLE t6 (x INT /*M!100100 NOT NULL */)", dbs);
  }
  d.step("", "DROP DATABASE " + db2, both);
  d.step("", "DROP DATABASE " + db, dbs);
  EXPECT_TRUE(d.catalog().tables().empty());
}

INSTANTIATE_TEST_SUITE_P(Servers, CatalogDifferential, testing::Values(testenv::mariadb_port(), testenv::mysql_port()),
                         [](const testing::TestParamInfo<int>& param) {
                           return param.param == testenv::mariadb_port() ? std::string("MariaDB")
                                                                         : std::string("MySQL");
                         });

}  // namespace
}  // namespace mysql2ch::schema
