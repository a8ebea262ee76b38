// TableCatalog: applying parsed DDL in stream order, the change list for the destination, charset resolution,
// atomicity on error, and the JSON form persisted with checkpoints.
#include "schema/table_catalog.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "schema/ddl_parser.h"

namespace mysql2ch::schema {
namespace {

class Catalog : public testing::Test {
 protected:
  void SetUp() override {
    auto c = TableCatalog::create(Flavor::kMySQL, "utf8mb4_0900_ai_ci");
    ASSERT_TRUE(c.ok());
    catalog_.emplace(std::move(c).value());
    apply("CREATE DATABASE shop CHARACTER SET latin1");
  }

  Result<std::vector<TableChange>> try_apply(std::string_view sql, const std::string& db = "shop") {
    ParseOptions o;
    o.flavor = Flavor::kMySQL;
    o.server_version = 90704;
    o.default_database = db;
    auto parsed = parse_ddl(sql, o);
    if (!parsed.ok()) return std::move(parsed).error();
    return catalog_->apply(*parsed);
  }

  std::vector<std::string> apply(std::string_view sql) {
    auto r = try_apply(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << (r.ok() ? "" : r.error().message());
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& c : *r) out.push_back(describe(c));
    }
    return out;
  }

  std::vector<std::string> columns(const std::string& table) {
    const TableSchema* t = catalog_->find({"shop", table});
    EXPECT_NE(t, nullptr) << table;
    std::vector<std::string> out;
    if (t != nullptr) {
      for (const auto& c : t->columns) out.push_back(c.name);
    }
    return out;
  }

  const ColumnDef& column(const std::string& table, size_t k) { return catalog_->find({"shop", table})->columns.at(k); }

  std::optional<TableCatalog> catalog_;
};

TEST_F(Catalog, CreateTableResolvesTypesAndCharsets) {
  auto changes = apply(
      "CREATE TABLE t (id INT UNSIGNED PRIMARY KEY, v VARCHAR(10), u VARCHAR(10) CHARACTER SET utf8mb4, "
      "b TEXT COLLATE utf8mb4_bin, e ENUM('a','b') NOT NULL, s SET('x','y','z','w','v','q','r','s','t'), "
      "d DATETIME(6), j JSON, g POINT, bin VARBINARY(8), c CHAR(3) CHARACTER SET binary)");
  EXPECT_EQ(changes, (std::vector<std::string>{"TableCreated shop.t (11 columns)"}));
  const ColumnDef& id = column("t", 0);
  EXPECT_EQ(id.type, ColumnType::kLong);
  EXPECT_TRUE(id.is_unsigned);
  EXPECT_FALSE(id.nullable);
  EXPECT_TRUE(id.in_primary_key);
  const ColumnDef& v = column("t", 1);  // database default latin1
  EXPECT_EQ(v.type, ColumnType::kVarchar);
  EXPECT_EQ(v.charset, Charset::kLatin1);
  EXPECT_EQ(v.collation_id, 8u);
  EXPECT_EQ(v.max_length, 10u);
  const ColumnDef& u = column("t", 2);
  EXPECT_EQ(u.charset, Charset::kUtf8mb4);
  EXPECT_EQ(u.collation_id, 255u);  // MySQL's default utf8mb4 collation
  EXPECT_EQ(u.max_length, 40u);
  const ColumnDef& b = column("t", 3);
  EXPECT_EQ(b.type, ColumnType::kBlob);
  EXPECT_EQ(b.length_bytes, 2);
  EXPECT_EQ(b.collation_id, 46u);
  EXPECT_EQ(column("t", 4).type, ColumnType::kEnum);
  EXPECT_EQ(column("t", 4).length_bytes, 1);
  EXPECT_EQ(column("t", 4).labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(column("t", 5).type, ColumnType::kSet);
  EXPECT_EQ(column("t", 5).length_bytes, 2);
  EXPECT_EQ(column("t", 6).type, ColumnType::kDateTime2);
  EXPECT_EQ(column("t", 6).fsp, 6);
  EXPECT_EQ(column("t", 7).type, ColumnType::kJson);
  EXPECT_EQ(column("t", 8).type, ColumnType::kGeometry);
  EXPECT_EQ(column("t", 8).geometry_type, 1u);
  EXPECT_EQ(column("t", 9).charset, Charset::kBinary);
  EXPECT_EQ(column("t", 9).max_length, 8u);
  EXPECT_EQ(column("t", 10).charset, Charset::kBinary);
  EXPECT_EQ(column("t", 10).type, ColumnType::kString);
  EXPECT_EQ(catalog_->table_collation({"shop", "t"}), "latin1_swedish_ci");
}

TEST_F(Catalog, MariaDbDefaultsAndJson) {
  auto c = TableCatalog::create(Flavor::kMariaDB, "utf8mb4_general_ci");
  ASSERT_TRUE(c.ok());
  ParseOptions o;
  o.flavor = Flavor::kMariaDB;
  o.server_version = 101119;
  o.default_database = "m";
  ASSERT_TRUE(c->apply(*parse_ddl("CREATE DATABASE m", o)).ok());
  ASSERT_TRUE(c->apply(*parse_ddl("CREATE TABLE t (a VARCHAR(2), j JSON)", o)).ok());
  const TableSchema* t = c->find({"m", "t"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->columns[0].collation_id, 45u);        // utf8mb4_general_ci
  EXPECT_EQ(t->columns[1].type, ColumnType::kBlob);  // JSON is LONGTEXT utf8mb4_bin on MariaDB
  EXPECT_EQ(t->columns[1].length_bytes, 4);
  EXPECT_EQ(t->columns[1].collation_id, 46u);
}

TEST_F(Catalog, AlterPositionsRenamesAndKeys) {
  apply("CREATE TABLE t (id INT, a INT, b INT, PRIMARY KEY (id, a))");
  EXPECT_EQ(apply("ALTER TABLE t ADD COLUMN c INT AFTER id, ADD z INT FIRST, ADD e INT"),
            (std::vector<std::string>{"ColumnAdded shop.t.c after id", "ColumnAdded shop.t.z first",
                                      "ColumnAdded shop.t.e after b"}));
  EXPECT_EQ(columns("t"), (std::vector<std::string>{"z", "id", "c", "a", "b", "e"}));
  EXPECT_EQ(apply("ALTER TABLE t CHANGE a a2 BIGINT NOT NULL"),
            (std::vector<std::string>{"ColumnRenamed shop.t.a to a2", "ColumnModified shop.t.a2 INT to BIGINT"}));
  const TableSchema* t = catalog_->find({"shop", "t"});
  EXPECT_EQ(t->primary_key, (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(apply("ALTER TABLE t MODIFY b INT AFTER z"), (std::vector<std::string>{"ColumnMoved shop.t.b after z"}));
  EXPECT_EQ(columns("t"), (std::vector<std::string>{"z", "b", "id", "c", "a2", "e"}));
  EXPECT_EQ(catalog_->find({"shop", "t"})->primary_key, (std::vector<uint32_t>{2, 4}));
  EXPECT_EQ(apply("ALTER TABLE t RENAME COLUMN c TO C2, DROP COLUMN z"),
            (std::vector<std::string>{"ColumnRenamed shop.t.c to C2", "ColumnDropped shop.t.z"}));
  EXPECT_EQ(apply("ALTER TABLE t DROP PRIMARY KEY"),
            (std::vector<std::string>{"PrimaryKeyChanged shop.t (id,a2) to ()"}));
  EXPECT_TRUE(catalog_->find({"shop", "t"})->primary_key.empty());
  EXPECT_FALSE(column("t", 1).nullable);  // key columns stay NOT NULL after the key is dropped
  EXPECT_EQ(apply("ALTER TABLE t ADD PRIMARY KEY (e)"),
            (std::vector<std::string>{"ColumnModified shop.t.e INT to INT", "PrimaryKeyChanged shop.t () to (e)"}));
  EXPECT_FALSE(column("t", 4).nullable);
  EXPECT_EQ(apply("ALTER TABLE t DROP COLUMN e"),
            (std::vector<std::string>{"ColumnDropped shop.t.e", "PrimaryKeyChanged shop.t (e) to ()"}));
  EXPECT_EQ(apply("ALTER TABLE t ALTER COLUMN b SET DEFAULT 3, ALTER b DROP DEFAULT, ADD INDEX (b)"),
            std::vector<std::string>{});
  EXPECT_EQ(apply("ALTER TABLE t ALTER COLUMN b SET INVISIBLE"),
            (std::vector<std::string>{"ColumnModified shop.t.b INT to INT"}));
  EXPECT_FALSE(column("t", 0).visible);
}

TEST_F(Catalog, ConvertCharsetWidensTextAndChangesCollations) {
  apply("CREATE TABLE t (a VARCHAR(10), b TINYTEXT, c TEXT, d VARBINARY(4), e INT, f ENUM('x'))");
  auto changes = apply("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4");
  EXPECT_EQ(changes.size(), 4u);
  EXPECT_EQ(column("t", 0).max_length, 40u);
  EXPECT_EQ(column("t", 1).length_bytes, 2);  // TINYTEXT → TEXT
  EXPECT_EQ(column("t", 2).length_bytes, 3);  // TEXT → MEDIUMTEXT
  EXPECT_EQ(column("t", 3).charset, Charset::kBinary);
  EXPECT_EQ(column("t", 5).collation_id, 255u);
  EXPECT_EQ(catalog_->table_collation({"shop", "t"}), "utf8mb4_0900_ai_ci");
  apply("ALTER TABLE t DEFAULT CHARSET=ascii, ADD g CHAR(2)");
  EXPECT_EQ(column("t", 6).charset, Charset::kAscii);
  EXPECT_EQ(column("t", 0).charset, Charset::kUtf8mb4);
}

TEST_F(Catalog, TableLevelStatements) {
  apply("CREATE TABLE a (id INT PRIMARY KEY)");
  EXPECT_EQ(apply("CREATE TABLE b LIKE a"), (std::vector<std::string>{"TableCreated shop.b (1 columns)"}));
  apply("CREATE DATABASE other");
  EXPECT_EQ(apply("RENAME TABLE a TO tmp, b TO a, tmp TO other.b"),
            (std::vector<std::string>{"TableRenamed shop.a to shop.tmp", "TableRenamed shop.b to shop.a",
                                      "TableRenamed shop.tmp to other.b"}));
  EXPECT_NE(catalog_->find({"other", "b"}), nullptr);
  EXPECT_EQ(apply("ALTER TABLE a RENAME TO other.c, ADD x INT"),
            (std::vector<std::string>{"TableRenamed shop.a to other.c", "ColumnAdded other.c.x after id"}));
  EXPECT_EQ(apply("TRUNCATE other.c"), (std::vector<std::string>{"TableTruncated other.c"}));
  EXPECT_EQ(apply("DROP TABLE IF EXISTS other.c, nothere"), (std::vector<std::string>{"TableDropped other.c"}));
  EXPECT_EQ(apply("CREATE TEMPORARY TABLE tt (a INT)"), std::vector<std::string>{});
  EXPECT_EQ(catalog_->find({"shop", "tt"}), nullptr);
  EXPECT_EQ(apply("DROP DATABASE other"), (std::vector<std::string>{"TableDropped other.b"}));
  EXPECT_TRUE(catalog_->tables().empty());
  EXPECT_EQ(
      apply("CREATE TABLE s AS SELECT 1 AS x"),
      (std::vector<std::string>{"TableNeedsRefresh shop.s: CREATE TABLE … SELECT: the columns come from the query"}));
  apply("CREATE TABLE p (id INT) PARTITION BY HASH(id) PARTITIONS 2");
  EXPECT_EQ(apply("ALTER TABLE p TRUNCATE PARTITION p0").size(), 1u);
  EXPECT_EQ(apply("GRANT SELECT ON *.* TO x"), std::vector<std::string>{});
}

TEST_F(Catalog, ErrorsLeaveTheCatalogUnchanged) {
  apply("CREATE TABLE t (a INT, b INT)");
  const auto before = catalog_->to_json();
  auto r = try_apply("ALTER TABLE t ADD c INT, DROP COLUMN nope");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unknown column `nope`"), std::string::npos) << r.error().message();
  EXPECT_EQ(catalog_->to_json(), before);
  EXPECT_EQ(try_apply("ALTER TABLE missing ADD c INT").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(try_apply("ALTER TABLE t ADD b INT").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(try_apply("ALTER TABLE t ADD x INT AFTER nope").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(try_apply("CREATE TABLE t (x INT)").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(try_apply("CREATE TABLE IF NOT EXISTS t (x INT)").ok());
  EXPECT_EQ(try_apply("CREATE TABLE u (x VARCHAR(10) CHARACTER SET nosuch)").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(try_apply("CREATE TABLE u (x INT)", "nodb").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(try_apply("RENAME TABLE t TO u, nope TO v").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(catalog_->find({"shop", "u"}), nullptr);
  // A latin1 statement that was not converted to UTF-8: refused, never stored (JSON holds UTF-8 only).
  EXPECT_EQ(try_apply(std::string("CREATE TABLE x (e ENUM('caf") + '\xe9' + "'))").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(try_apply(std::string("ALTER TABLE t ADD `caf") + '\xe9' + "` INT").error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(catalog_->find({"shop", "x"}), nullptr);
}

TEST_F(Catalog, JsonRoundTripKeepsEverything) {
  apply(
      "CREATE TABLE t (id BIGINT UNSIGNED NOT NULL, e ENUM('a''q','b') CHARACTER SET utf8mb4, d DECIMAL(20,5), "
      "g GEOMETRY, h INT INVISIBLE, PRIMARY KEY (id))");
  catalog_->set_position("gtid:1-5");
  const auto json = catalog_->to_json();
  auto restored = TableCatalog::from_json(nlohmann::json::parse(json.dump()));
  ASSERT_TRUE(restored.ok()) << restored.error().message();
  EXPECT_EQ(restored->to_json(), json);
  EXPECT_EQ(restored->position(), "gtid:1-5");
  const TableSchema* t = restored->find({"shop", "t"});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->primary_key, (std::vector<uint32_t>{0}));
  EXPECT_EQ(t->columns[1].labels, (std::vector<std::string>{"a'q", "b"}));
  EXPECT_FALSE(t->columns[4].visible);
  // Later DDL applies to the restored catalog as to the original.
  ParseOptions o;
  o.server_version = 90704;
  o.default_database = "shop";
  EXPECT_TRUE(restored->apply(*parse_ddl("ALTER TABLE t ADD z INT", o)).ok());

  auto broken = json;
  broken["tables"][0]["columns"][0]["type"] = 99;
  EXPECT_EQ(TableCatalog::from_json(broken).error().code(), ErrorCode::kCorrupt);
  broken = json;
  broken["tables"][0]["primary_key"] = {"nope"};
  EXPECT_EQ(TableCatalog::from_json(broken).error().code(), ErrorCode::kCorrupt);
  broken = json;
  broken.erase("databases");
  EXPECT_EQ(TableCatalog::from_json(broken).error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(TableCatalog::from_json(nlohmann::json::array()).error().code(), ErrorCode::kCorrupt);
}

TEST_F(Catalog, SeedingFromInformationSchema) {
  TableSchema s;
  s.database = "shop";
  s.table = "seeded";
  ColumnDef a;
  a.name = "a";
  a.type = ColumnType::kLong;
  ColumnDef b;
  b.name = "b";
  b.type = ColumnType::kVarchar;
  b.charset = Charset::kLatin1;
  b.collation_id = 8;
  b.max_length = 5;
  s.columns = {a, b};
  s.primary_key = {0};
  ASSERT_TRUE(catalog_->add_table(s, "latin1_swedish_ci", {"", "latin1_swedish_ci"}).ok());
  EXPECT_TRUE(catalog_->find({"shop", "seeded"})->columns[0].in_primary_key);
  EXPECT_EQ(apply("ALTER TABLE seeded CONVERT TO CHARACTER SET utf8mb4"),
            (std::vector<std::string>{"ColumnModified shop.seeded.b VARCHAR to VARCHAR"}));
  EXPECT_EQ(column("seeded", 1).max_length, 20u);
  EXPECT_FALSE(catalog_->add_table(s, "latin1_swedish_ci", {""}).ok());
}

}  // namespace
}  // namespace mysql2ch::schema
