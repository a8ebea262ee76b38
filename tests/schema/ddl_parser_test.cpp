// DDL parser: every statement form the schema history applies, tricky lexing, and errors naming the position.
#include "schema/ddl_parser.h"

#include <gtest/gtest.h>

#include "schema/ddl_lexer.h"

namespace mysql2ch::schema {
namespace {

ParseOptions mysql_options() {
  ParseOptions o;
  o.flavor = Flavor::kMySQL;
  o.server_version = 90704;
  o.default_database = "shop";
  return o;
}
ParseOptions mariadb_options() {
  ParseOptions o = mysql_options();
  o.flavor = Flavor::kMariaDB;
  o.server_version = 101119;
  return o;
}

SchemaChange parse_ok(std::string_view sql, const ParseOptions& o = mysql_options()) {
  auto r = parse_ddl(sql, o);
  EXPECT_TRUE(r.ok()) << sql << "\n" << (r.ok() ? "" : r.error().message());
  if (!r.ok()) return NoSchemaChange{"failed"};
  return std::move(r).value();
}

template <typename T>
T parse_as(std::string_view sql, const ParseOptions& o = mysql_options()) {
  SchemaChange c = parse_ok(sql, o);
  EXPECT_TRUE(std::holds_alternative<T>(c)) << sql << " parsed as variant #" << c.index();
  if (!std::holds_alternative<T>(c)) return T{};
  return std::get<T>(std::move(c));
}

Error parse_error(std::string_view sql, const ParseOptions& o = mysql_options()) {
  auto r = parse_ddl(sql, o);
  EXPECT_FALSE(r.ok()) << sql;
  if (r.ok()) return Error(ErrorCode::kInternal, "parsed");
  return std::move(r).error();
}

TEST(DdlParser, CreateTableWithEveryTypeAndAttribute) {
  auto ct = parse_as<CreateTable>(
      "CREATE TABLE IF NOT EXISTS `orders` (\n"
      "  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'the ''id''',\n"
      "  qty SMALLINT(5) ZEROFILL DEFAULT '0',\n"
      "  price DECIMAL(12,4) NOT NULL DEFAULT -1.5,\n"
      "  ratio FLOAT(30), r2 DOUBLE PRECISION, r3 REAL, f FLOAT(7,3),\n"
      "  flags BIT(5) DEFAULT b'101',\n"
      "  created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),\n"
      "  ts TIMESTAMP(3) NULL, t TIME, d DATE, y YEAR(4),\n"
      "  name VARCHAR(100) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL,\n"
      "  code CHAR(3) BINARY, nc NATIONAL CHARACTER VARYING(10), bin BINARY(16), vb VARBINARY(300),\n"
      "  body MEDIUMTEXT, small TINYBLOB, txt TEXT(1000), lt LONG VARCHAR,\n"
      "  doc JSON, g POINT SRID 4326, e ENUM('a','b c','it''s', 'x,y') DEFAULT 'a', s SET('p','q'),\n"
      "  v INT AS (qty + 1) VIRTUAL, st INT GENERATED ALWAYS AS (qty * 2) STORED,\n"
      "  hidden INT INVISIBLE, vec VECTOR(3),\n"
      "  CONSTRAINT pk PRIMARY KEY USING BTREE (id, name(10) DESC),\n"
      "  UNIQUE KEY uq (code), KEY (qty), INDEX ix USING HASH (d), FULLTEXT ft (body), SPATIAL KEY sp (g),\n"
      "  CONSTRAINT fk FOREIGN KEY (qty) REFERENCES other (id) ON DELETE SET NULL ON UPDATE CASCADE,\n"
      "  CHECK (qty > 0), CONSTRAINT c2 CHECK (price >= 0) NOT ENFORCED\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=10 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='t' ROW_FORMAT=DYNAMIC");
  EXPECT_EQ(ct.name, (TableName{"shop", "orders"}));
  EXPECT_TRUE(ct.if_not_exists);
  ASSERT_EQ(ct.columns.size(), 30u);
  EXPECT_EQ(ct.primary_key, (std::vector<std::string>{"id", "name"}));
  EXPECT_EQ(ct.table_charset.charset, "utf8mb4");
  EXPECT_EQ(ct.table_charset.collation, "utf8mb4_bin");
  const auto& id = ct.columns[0];
  EXPECT_EQ(id.type, "bigint");
  EXPECT_TRUE(id.is_unsigned);
  EXPECT_TRUE(id.auto_increment);
  EXPECT_EQ(id.nullable, false);
  EXPECT_EQ(id.comment, "the 'id'");
  EXPECT_TRUE(ct.columns[1].zerofill);
  EXPECT_EQ(ct.columns[1].length, 5u);
  EXPECT_EQ(ct.columns[2].default_value, "-1.5");
  EXPECT_EQ(ct.columns[2].length, 12u);
  EXPECT_EQ(ct.columns[2].scale, 4u);
  EXPECT_EQ(ct.columns[3].length, 30u);
  EXPECT_EQ(ct.columns[4].type, "double");
  EXPECT_EQ(ct.columns[5].type, "double");
  EXPECT_EQ(ct.columns[7].default_value, "b'101'");
  EXPECT_EQ(ct.columns[8].default_value, "CURRENT_TIMESTAMP(6)");
  EXPECT_EQ(ct.columns[9].nullable, true);
  EXPECT_EQ(ct.columns[13].charset.charset, "latin1");
  EXPECT_EQ(ct.columns[13].charset.collation, "latin1_bin");
  EXPECT_TRUE(ct.columns[14].binary_collation);
  EXPECT_EQ(ct.columns[15].type, "varchar");
  EXPECT_EQ(ct.columns[15].charset.charset, "utf8mb3");
  EXPECT_EQ(ct.columns[20].type, "text");
  EXPECT_EQ(ct.columns[20].length, 1000u);
  EXPECT_EQ(ct.columns[21].type, "mediumtext");
  EXPECT_EQ(ct.columns[23].type, "point");
  EXPECT_EQ(ct.columns[24].labels, (std::vector<std::string>{"a", "b c", "it's", "x,y"}));
  EXPECT_EQ(ct.columns[26].generated, Generated::kVirtual);
  EXPECT_EQ(ct.columns[27].generated, Generated::kStored);
  EXPECT_TRUE(ct.columns[28].invisible);
  EXPECT_EQ(ct.columns[29].type, "vector");
  EXPECT_EQ(ct.columns[11].name, "d");
}

TEST(DdlParser, InlinePrimaryKeyAndSerial) {
  auto ct = parse_as<CreateTable>("create table t (a serial, b int key, c int)");
  EXPECT_EQ(ct.primary_key, (std::vector<std::string>{"b"}));
  EXPECT_TRUE(ct.columns[0].is_unsigned);
  EXPECT_TRUE(ct.columns[0].unique_key);
  EXPECT_EQ(ct.columns[0].nullable, false);
}

TEST(DdlParser, CreateTableLikeAndSelect) {
  auto like = parse_as<CreateTableLike>("CREATE TABLE copy LIKE other.src");
  EXPECT_EQ(like.name, (TableName{"shop", "copy"}));
  EXPECT_EQ(like.source, (TableName{"other", "src"}));
  auto paren = parse_as<CreateTableLike>("CREATE TABLE IF NOT EXISTS x.copy (LIKE src)");
  EXPECT_EQ(paren.source, (TableName{"shop", "src"}));
  for (auto sql :
       {"CREATE TABLE t AS SELECT * FROM u", "CREATE TABLE t SELECT 1", "CREATE TABLE t (a INT) SELECT a FROM u",
        "CREATE TABLE t (a int) ENGINE=InnoDB IGNORE SELECT 1", "CREATE TABLE t (SELECT 1)"}) {
    auto nr = parse_as<NeedsRefresh>(sql);
    ASSERT_EQ(nr.tables.size(), 1u) << sql;
    EXPECT_EQ(nr.tables[0], (TableName{"shop", "t"}));
  }
  // MySQL's atomic CREATE … SELECT logs the columns followed by START TRANSACTION.
  auto atomic = parse_as<CreateTable>("CREATE TABLE `t` (\n  `a` int DEFAULT NULL\n) START TRANSACTION");
  EXPECT_EQ(atomic.columns.size(), 1u);
}

TEST(DdlParser, AlterTableWithFiveOperations) {
  auto at = parse_as<AlterTable>(
      "ALTER TABLE db1.t ADD COLUMN c1 INT NOT NULL DEFAULT 0 AFTER id, DROP COLUMN old, "
      "MODIFY name VARCHAR(200) FIRST, CHANGE COLUMN a b BIGINT UNSIGNED, RENAME COLUMN x TO y, "
      "ALGORITHM=INPLACE, LOCK=NONE");
  EXPECT_EQ(at.name, (TableName{"db1", "t"}));
  ASSERT_EQ(at.ops.size(), 5u);
  auto& add = std::get<alter::AddColumn>(at.ops[0]);
  EXPECT_EQ(add.column.name, "c1");
  EXPECT_EQ(add.position.kind, PositionKind::kAfter);
  EXPECT_EQ(add.position.after, "id");
  EXPECT_EQ(std::get<alter::DropColumn>(at.ops[1]).name, "old");
  auto& mod = std::get<alter::ModifyColumn>(at.ops[2]);
  EXPECT_EQ(mod.old_name, "name");
  EXPECT_EQ(mod.position.kind, PositionKind::kFirst);
  auto& change = std::get<alter::ModifyColumn>(at.ops[3]);
  EXPECT_EQ(change.old_name, "a");
  EXPECT_EQ(change.column.name, "b");
  EXPECT_TRUE(change.column.is_unsigned);
  auto& rename = std::get<alter::RenameColumn>(at.ops[4]);
  EXPECT_EQ(rename.from, "x");
  EXPECT_EQ(rename.to, "y");
}

TEST(DdlParser, AlterTableKeysDefaultsCharsetsAndOptions) {
  auto at = parse_as<AlterTable>(
      "alter online ignore table t add primary key (a, b(4)), drop primary key, add index ix (c), drop index ix, "
      "add unique key (d), add constraint fk foreign key (e) references u(id), drop foreign key fk, "
      "alter column c set default 5, alter c drop default, alter column d set invisible, rename index a to b, "
      "rename to t2, convert to character set latin1 collate latin1_general_ci, default charset=utf8mb4 "
      "collate=utf8mb4_bin, engine=InnoDB, auto_increment=5, comment 'x', force, "
      "add (p int, q int), add column if not exists r int, drop column if exists s");
  std::vector<size_t> kinds;
  for (const auto& op : at.ops) kinds.push_back(op.index());
  // AddPrimaryKey, DropPrimaryKey, default, default, visibility, rename, convert, table charset, add p, add q, add r,
  // drop s
  EXPECT_EQ(kinds, (std::vector<size_t>{6, 7, 4, 4, 5, 8, 9, 10, 0, 0, 0, 1}));
  EXPECT_EQ(std::get<alter::AddPrimaryKey>(at.ops[0]).columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(std::get<alter::AlterColumnDefault>(at.ops[2]).default_value, "5");
  EXPECT_FALSE(std::get<alter::AlterColumnDefault>(at.ops[3]).default_value.has_value());
  EXPECT_FALSE(std::get<alter::AlterColumnVisibility>(at.ops[4]).visible);
  EXPECT_EQ(std::get<alter::RenameTable>(at.ops[5]).to, (TableName{"shop", "t2"}));
  EXPECT_EQ(std::get<alter::ConvertCharset>(at.ops[6]).charset.collation, "latin1_general_ci");
  const auto& cs = std::get<alter::SetTableCharset>(at.ops[7]).charset;
  EXPECT_EQ(cs.charset, "utf8mb4");
  EXPECT_EQ(cs.collation, "utf8mb4_bin");
  EXPECT_TRUE(std::get<alter::AddColumn>(at.ops[10]).if_not_exists);
  EXPECT_TRUE(std::get<alter::DropColumn>(at.ops[11]).if_exists);
}

TEST(DdlParser, AlterTableRenameForms) {
  EXPECT_EQ(std::get<alter::RenameTable>(parse_as<AlterTable>("ALTER TABLE t RENAME AS other.u").ops[0]).to,
            (TableName{"other", "u"}));
  EXPECT_EQ(std::get<alter::RenameTable>(parse_as<AlterTable>("ALTER TABLE t RENAME u").ops[0]).to,
            (TableName{"shop", "u"}));
}

TEST(DdlParser, PartitionClauses) {
  EXPECT_TRUE(parse_as<AlterTable>("ALTER TABLE t PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (10), "
                                   "PARTITION p1 VALUES LESS THAN MAXVALUE)")
                  .ops.empty());
  EXPECT_TRUE(parse_as<AlterTable>("ALTER TABLE t ADD PARTITION (PARTITION p2 VALUES LESS THAN (20))").ops.empty());
  EXPECT_TRUE(parse_as<AlterTable>("ALTER TABLE t COALESCE PARTITION 2").ops.empty());
  EXPECT_TRUE(parse_as<AlterTable>("ALTER TABLE t REMOVE PARTITIONING").ops.empty());
  for (auto sql : {"ALTER TABLE t DROP PARTITION p0", "ALTER TABLE t TRUNCATE PARTITION p0, p1",
                   "ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE u WITHOUT VALIDATION"}) {
    auto at = parse_as<AlterTable>(sql);
    ASSERT_EQ(at.ops.size(), 1u) << sql;
    EXPECT_TRUE(std::holds_alternative<alter::RowsChangedOutsideBinlog>(at.ops[0])) << sql;
  }
  EXPECT_EQ(std::get<alter::RowsChangedOutsideBinlog>(
                parse_as<AlterTable>("ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE u").ops[0])
                .other_tables[0],
            (TableName{"shop", "u"}));
  auto ct = parse_as<CreateTable>("CREATE TABLE p (id INT PRIMARY KEY) PARTITION BY HASH(id) PARTITIONS 4");
  EXPECT_EQ(ct.columns.size(), 1u);
}

TEST(DdlParser, DroppingTheIndexNamedPrimaryDropsThePrimaryKey) {
  auto a = parse_as<AlterTable>("ALTER TABLE t DROP INDEX `PRIMARY`, DROP KEY other");
  ASSERT_EQ(a.ops.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<alter::DropPrimaryKey>(a.ops[0]));
  auto d = parse_as<AlterTable>("DROP INDEX `PRIMARY` ON x.t ALGORITHM=INPLACE LOCK=NONE");
  EXPECT_EQ(d.name, (TableName{"x", "t"}));
  ASSERT_EQ(d.ops.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<alter::DropPrimaryKey>(d.ops[0]));
}

TEST(DdlParser, RenameDropTruncate) {
  auto r = parse_as<RenameTables>("RENAME TABLE a TO b, db2.c TO db3.`c 2`");
  ASSERT_EQ(r.renames.size(), 2u);
  EXPECT_EQ(r.renames[1].first, (TableName{"db2", "c"}));
  EXPECT_EQ(r.renames[1].second, (TableName{"db3", "c 2"}));
  auto d = parse_as<DropTables>("DROP TABLE IF EXISTS a, `b`.`c` /* generated by server */");
  EXPECT_TRUE(d.if_exists);
  EXPECT_EQ(d.tables.size(), 2u);
  EXPECT_TRUE(parse_as<DropTables>("DROP TEMPORARY TABLE IF EXISTS tmp RESTRICT").temporary);
  EXPECT_EQ(parse_as<TruncateTable>("TRUNCATE t").name, (TableName{"shop", "t"}));
  EXPECT_EQ(parse_as<TruncateTable>("truncate table x.t;").name, (TableName{"x", "t"}));
}

TEST(DdlParser, Databases) {
  auto c =
      parse_as<CreateDatabase>("CREATE DATABASE IF NOT EXISTS `d` DEFAULT CHARACTER SET latin1 COLLATE latin1_bin");
  EXPECT_TRUE(c.if_not_exists);
  EXPECT_EQ(c.charset.charset, "latin1");
  EXPECT_EQ(c.charset.collation, "latin1_bin");
  EXPECT_EQ(parse_as<CreateDatabase>("create schema s /*!40100 DEFAULT CHARACTER SET utf8mb4 */").charset.charset,
            "utf8mb4");
  EXPECT_EQ(parse_as<AlterDatabase>("ALTER DATABASE CHARACTER SET = ascii").name, "shop");
  EXPECT_EQ(parse_as<AlterDatabase>("ALTER SCHEMA d COLLATE utf8mb4_bin").charset.collation, "utf8mb4_bin");
  auto d = parse_as<DropDatabase>("DROP SCHEMA IF EXISTS d");
  EXPECT_TRUE(d.if_exists);
  EXPECT_EQ(d.name, "d");
}

TEST(DdlParser, StatementsThatChangeNoColumns) {
  for (auto sql : {"CREATE INDEX ix ON t (a)",
                   "CREATE UNIQUE INDEX ix ON t (a)",
                   "DROP INDEX ix ON t",
                   "CREATE VIEW v AS SELECT 1",
                   "CREATE OR REPLACE VIEW v AS SELECT 1",
                   "CREATE DEFINER=`root`@`%` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
                   "GRANT SELECT ON *.* TO 'u'@'%'",
                   "BEGIN",
                   "COMMIT",
                   "FLUSH PRIVILEGES",
                   "DROP VIEW v",
                   "ALTER USER u IDENTIFIED BY 'x'",
                   "CREATE USER u",
                   "DROP PROCEDURE p",
                   "ANALYZE TABLE t",
                   "SAVEPOINT a",
                   "XA START 'x'",
                   "RENAME USER a TO b",
                   "-- only a comment",
                   ""}) {
    parse_as<NoSchemaChange>(sql);
  }
  EXPECT_EQ(parse_as<StatementDml>("INSERT INTO t VALUES (1)").verb, "INSERT");
  EXPECT_EQ(parse_as<StatementDml>("delete from t").verb, "DELETE");
}

TEST(DdlParser, CommentsAndVersionedComments) {
  auto ct = parse_as<CreateTable>(
      "/* leading */ CREATE -- line comment\n TABLE # hash comment\n t (a INT /*!80023 INVISIBLE */, "
      "b INT /*!99999 NOT NULL */, c INT /*M!100100 NOT NULL */, d INT /*!NOT NULL*/)");
  ASSERT_EQ(ct.columns.size(), 4u);
  EXPECT_TRUE(ct.columns[0].invisible);              // 8.0.23 <= 9.7.4
  EXPECT_FALSE(ct.columns[1].nullable.has_value());  // 9.99.99 > 9.7.4: a comment
  EXPECT_FALSE(ct.columns[2].nullable.has_value());  // MariaDB-only on MySQL: a comment
  EXPECT_EQ(ct.columns[3].nullable, false);          // no version: always
  auto maria = parse_as<CreateTable>("CREATE TABLE t (c INT /*M!100100 NOT NULL */)", mariadb_options());
  EXPECT_EQ(maria.columns[0].nullable, false);
  // "--" without a following space is two minus signs, not a comment.
  EXPECT_EQ(parse_as<CreateTable>("CREATE TABLE t (a INT DEFAULT 1--1)").columns[0].default_value, "1--1");
}

TEST(DdlParser, QuotedNamesAndReservedWords) {
  auto ct = parse_as<CreateTable>(
      "CREATE TABLE `we``ird db`.`my table` (`select` INT, `col with space` TEXT, `ünï` INT, `from` INT, "
      "status INT, `date` DATE, date2 DATE, `1x` INT, 2col INT, comment VARCHAR(3), text TEXT)");
  EXPECT_EQ(ct.name, (TableName{"we`ird db", "my table"}));
  std::vector<std::string> names;
  for (const auto& c : ct.columns) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"select", "col with space", "ünï", "from", "status", "date", "date2", "1x",
                                             "2col", "comment", "text"}));
  ParseOptions ansi = mysql_options();
  ansi.ansi_quotes = true;
  auto a = parse_as<CreateTable>("CREATE TABLE \"a \"\"b\" (\"c\" INT DEFAULT 'x')", ansi);
  EXPECT_EQ(a.name.table, "a \"b");
  EXPECT_EQ(a.columns[0].name, "c");
}

TEST(DdlParser, StringLiterals) {
  auto ct = parse_as<CreateTable>(
      "CREATE TABLE t (e ENUM('a\\'b', 'c''d', \"e\\\\f\", 'trail  ', _utf8mb4'g' 'h', N'i', 'x\\ny') "
      "COMMENT 'multi' ' part')");
  EXPECT_EQ(ct.columns[0].labels, (std::vector<std::string>{"a'b", "c'd", "e\\f", "trail", "gh", "i", "x\ny"}));
  EXPECT_EQ(ct.columns[0].comment, "multi part");
  ParseOptions raw = mysql_options();
  raw.no_backslash_escapes = true;
  EXPECT_EQ(parse_as<CreateTable>("CREATE TABLE t (e ENUM('a\\', 'b'))", raw).columns[0].labels,
            (std::vector<std::string>{"a\\", "b"}));
  // A DEFAULT is handed on in the server's default spelling (backslash escapes), whatever the statement's mode:
  // under NO_BACKSLASH_ESCAPES the backslash it contains is doubled, and a quote written '' is escaped.
  EXPECT_EQ(
      parse_as<CreateTable>("CREATE TABLE t (s VARCHAR(20) DEFAULT 'c:\\dir\\n''x')", raw).columns[0].default_value,
      "'c:\\\\dir\\\\n\\'x'");
  EXPECT_EQ(
      parse_as<CreateTable>("CREATE TABLE t (u VARCHAR(9) DEFAULT (CONCAT('a\\', 'b')))", raw).columns[0].default_value,
      "(CONCAT('a\\\\', 'b'))");
  EXPECT_EQ(parse_as<CreateTable>("CREATE TABLE t (s VARCHAR(20) DEFAULT 'c:\\dir')").columns[0].default_value,
            "'c:\\dir'");
}

TEST(DdlParser, DefaultDatabaseRequiredForUnqualifiedNames) {
  ParseOptions none = mysql_options();
  none.default_database.clear();
  auto e = parse_error("DROP TABLE t", none);
  EXPECT_NE(e.message().find("no default database"), std::string::npos) << e.message();
  EXPECT_TRUE(parse_ddl("DROP TABLE d.t", none).ok());
}

TEST(DdlParser, ErrorsNameOffsetAndText) {
  auto e = parse_error("CREATE TABLE t (a INT, b FOOTYPE(3))");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(e.message().find("offset 25 near \"FOOTYPE(3))\""), std::string::npos) << e.message();
  EXPECT_NE(parse_error("CREATE TABLE t (a INT WIBBLE)").message().find("a column attribute"), std::string::npos);
  EXPECT_NE(parse_error("CREATE TABLE t (a INT").message().find("statement ends"), std::string::npos);
  EXPECT_NE(parse_error("CREATE TABLE t (a ENUM('x)").message().find("string literal opened at offset 23"),
            std::string::npos);
  EXPECT_NE(parse_error("ALTER TABLE t ADD COLUMN").message().find("a column name"), std::string::npos);
  EXPECT_NE(parse_error("CREATE TABLE t (a INT /*!50000 NOT NULL)").message().find("not closed"), std::string::npos);
  EXPECT_NE(parse_error("FROBNICATE t").message().find("unrecognized statement"), std::string::npos);
  EXPECT_EQ(parse_error("CREATE TABLE t (a INT) WITH SYSTEM VERSIONING", mariadb_options()).code(),
            ErrorCode::kUnsupported);
  EXPECT_EQ(parse_error("CREATE TABLE t (a INET6)", mariadb_options()).code(), ErrorCode::kUnsupported);
  EXPECT_NE(parse_error("ALTER TABLE t ADD c INT, FROB").message().find("an ALTER TABLE clause"), std::string::npos);
}

TEST(DdlLexer, NumbersHexAndIdentifiersStartingWithDigits) {
  LexOptions o;
  auto t = tokenize("1.5 .5 1e10 2E-3 0x1F 0b101 X'AB' b'01' 12abc db.5t", o);
  ASSERT_TRUE(t.ok());
  std::vector<std::pair<TokenKind, std::string>> got;
  for (const auto& tok : *t) got.emplace_back(tok.kind, tok.text);
  std::vector<std::pair<TokenKind, std::string>> want = {{TokenKind::kNumber, "1.5"},
                                                         {TokenKind::kNumber, ".5"},
                                                         {TokenKind::kNumber, "1e10"},
                                                         {TokenKind::kNumber, "2E-3"},
                                                         {TokenKind::kHexOrBit, "0x1F"},
                                                         {TokenKind::kHexOrBit, "0b101"},
                                                         {TokenKind::kHexOrBit, "X'AB'"},
                                                         {TokenKind::kHexOrBit, "b'01'"},
                                                         {TokenKind::kWord, "12abc"},
                                                         {TokenKind::kWord, "db"},
                                                         {TokenKind::kSymbol, "."},
                                                         {TokenKind::kWord, "5t"},
                                                         {TokenKind::kEnd, ""}};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace mysql2ch::schema
