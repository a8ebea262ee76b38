// DDL while `mysql2ch sync` streams: MariaDB 10.11 and MySQL 9.x into ClickHouse 18.16 (HTTP) and chDB. Each
// schema change is made on the source between `sync --once` runs (or while a `sync` child runs), and the mirror
// must then equal the source table by table (FINAL, _is_deleted = 0, every source column by name).
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "clickhouse/chdb_library.h"
#include "mysql/connection.h"
#include "support/server_case.h"
#include "support/source_sql.h"
#include "support/sync_process.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

using test::server_case_name;
using test::ServerCase;

namespace fs = std::filesystem;
using testenv::run_mysql2ch;

class DdlSyncTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    const ServerCase& p = GetParam();
    if (p.chdb && !chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan";
    db_ = prefix_ + p.name;
    dir_ = testenv::scratch_dir(db_);
    port_ = p.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    exec("DROP DATABASE IF EXISTS " + db_);
    exec("CREATE DATABASE " + db_);
    exec(fmt::format("CREATE TABLE {}.t1 (id INT PRIMARY KEY, a VARCHAR(50), b BIGINT)", db_));
    exec(fmt::format("CREATE TABLE {}.t2 (k INT PRIMARY KEY, v INT NOT NULL)", db_));
    exec(fmt::format("CREATE TABLE {}.skipped (id INT PRIMARY KEY, x INT)", db_));
    if (!p.chdb) {
      const std::string cfg = dir_ + "/reset.yaml";
      testenv::write_file(cfg, fmt::format("source: {{host: 127.0.0.1, user: root, password: x, server_id: 1}}\n"
                                           "destination: {{url: 'http://127.0.0.1:{}'}}\n",
                                           testenv::ch_http_port()));
      ASSERT_EQ(run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", cfg, db_)).exit_code, 0);
    }
    config_ = dir_ + "/mirror.yaml";
    write_config("stop");
  }

  void TearDown() override {
    if (src_) (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  void write_config(const std::string& on_unparseable) {
    const ServerCase& p = GetParam();
    const std::string url =
        p.chdb ? "chdb://" + dir_ + "/chdb" : fmt::format("http://127.0.0.1:{}", testenv::ch_http_port());
    testenv::write_file(config_, fmt::format(R"(source:
  host: 127.0.0.1
  port: {}
  user: root
  password: rootpass
  server_id: {}
destination:
  url: '{}'
  database: {}
tables:
  include: ["{}.*"]
  exclude: ["{}.skipped"]
pipeline:
  max_delay_ms: 200
  checkpoint_interval_s: 1
  on_unparseable_ddl: {}
state:
  path: state
)",
                                             port_, p.server_id, url, db_, db_, db_, on_unparseable));
  }

  void exec(const std::string& sql) { test::must(src_->execute(sql)); }

  void sync_once() {
    auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    last_log_ = r.err;
  }

  // chDB (ClickHouse 26) prints decimals without trailing zeros unless told to, as MySQL and 18.16 print them.
  testenv::CommandResult ch(const std::string& sql) {
    const bool select = sql.starts_with("SELECT");
    const std::string settings = GetParam().chdb && select ? " SETTINGS output_format_decimal_trailing_zeros = 1" : "";
    return run_mysql2ch(fmt::format("query -c {} \"{}{}\"", config_, sql, settings));
  }

  std::string source_rows(const std::string& table, const std::string& order) {
    auto q = src_->query(fmt::format("SELECT * FROM {}.{} ORDER BY {}", db_, table, order));
    if (!q.ok()) throw std::runtime_error(q.error().message());
    std::string out;
    for (const auto& row : q->rows) {
      for (size_t k = 0; k < row.size(); ++k) {
        out += k == 0 ? "" : "\t";
        out += row[k] ? *row[k] : "\\N";
      }
      out += "\n";
    }
    return out;
  }

  std::string destination_rows(const std::string& table, const std::string& order) {
    auto cols =
        src_->query(fmt::format("SELECT column_name FROM information_schema.columns WHERE table_schema = '{}' "
                                "AND table_name = '{}' ORDER BY ordinal_position",
                                db_, table));
    if (!cols.ok()) throw std::runtime_error(cols.error().message());
    std::string list;
    for (const auto& row : cols->rows) list += (list.empty() ? "" : ", ") + *row[0];
    auto r = ch(fmt::format("SELECT {} FROM {}.{} FINAL WHERE _is_deleted = 0 ORDER BY {}", list, db_, table, order));
    if (r.exit_code != 0) return "query failed: " + r.err;
    return r.out;
  }

  void expect_exact(const std::string& table, const std::string& order = "1") {
    const std::string expected = source_rows(table, order);
    EXPECT_FALSE(expected.empty()) << "table " << table << " has no rows to compare";
    EXPECT_EQ(destination_rows(table, order), expected) << "table " << table;
  }

  bool destination_has(const std::string& table) {
    return ch(fmt::format("EXISTS TABLE {}.{}", db_, table)).out == "1\n";
  }

  std::string prefix_ = "ddl_sync_";  // of the source and destination database, and the scratch directory
  std::string db_, dir_, config_, last_log_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
};

// The DEFAULT tests, in databases of their own.
class DdlDefaultSyncTest : public DdlSyncTest {
 protected:
  DdlDefaultSyncTest() { prefix_ = "ddldef_"; }
};

TEST_P(DdlSyncTest, EachKindOfDdlKeepsTheMirrorExact) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10), (2, 'two', 20)", db_));
  exec(fmt::format("INSERT INTO {}.t2 VALUES (1, 100)", db_));
  sync_once();
  expect_exact("t1");

  // Several alterations in one statement; the rows the table had take the DEFAULTs without any row event.
  exec(
      fmt::format("ALTER TABLE {}.t1 ADD COLUMN d INT NOT NULL DEFAULT 7, ADD COLUMN e VARCHAR(10) DEFAULT 'x\"y', "
                  "ADD COLUMN f DECIMAL(8,2) DEFAULT -1.5 AFTER a, ADD COLUMN g INT NULL",
                  db_));
  exec(fmt::format("INSERT INTO {}.t1 (id, a, b, d, e, f, g) VALUES (3, 'three', 30, 33, 'e3', 3.25, 3)", db_));
  sync_once();
  expect_exact("t1");
  EXPECT_EQ(ch(fmt::format("SELECT d, e, f FROM {}.t1 FINAL WHERE id = 1", db_)).out, "7\tx\"y\t-1.50\n");

  // RENAME COLUMN keeps the values (18.16: copy through a mutation; chDB: RENAME COLUMN).
  exec(fmt::format("ALTER TABLE {}.t1 RENAME COLUMN b TO b2", db_));
  exec(fmt::format("INSERT INTO {}.t1 (id, a, b2) VALUES (4, 'four', 40)", db_));
  sync_once();
  expect_exact("t1");
  // CHANGE renames and widens at once; MODIFY widens.
  exec(
      fmt::format("ALTER TABLE {}.t1 CHANGE COLUMN d d2 BIGINT NOT NULL DEFAULT 7, MODIFY COLUMN a VARCHAR(200)", db_));
  exec(fmt::format("INSERT INTO {}.t1 (id, a, b2, d2) VALUES (5, REPEAT('w', 150), 50, 5000000000)", db_));
  sync_once();
  expect_exact("t1");
  exec(fmt::format("ALTER TABLE {}.t1 DROP COLUMN e, DROP COLUMN g", db_));
  exec(fmt::format("UPDATE {}.t1 SET b2 = b2 + 1", db_));
  sync_once();
  expect_exact("t1");

  // A table created after the start, selected by the glob, then renamed, then dropped.
  exec(fmt::format("CREATE TABLE {}.t3 (id BIGINT PRIMARY KEY, s VARCHAR(20) NOT NULL)", db_));
  exec(fmt::format("INSERT INTO {}.t3 VALUES (1, 'a'), (2, 'b')", db_));
  sync_once();
  expect_exact("t3");
  exec(fmt::format("RENAME TABLE {}.t3 TO {}.t4", db_, db_));
  exec(fmt::format("INSERT INTO {}.t4 VALUES (3, 'c')", db_));
  exec(fmt::format("ALTER TABLE {}.t2 RENAME TO {}.t5, ADD COLUMN w INT DEFAULT 9", db_, db_));
  exec(fmt::format("INSERT INTO {}.t5 (k, v) VALUES (2, 200)", db_));
  sync_once();
  expect_exact("t4");
  expect_exact("t5");
  EXPECT_FALSE(destination_has("t3"));
  EXPECT_FALSE(destination_has("t2"));
  // A table renamed out of the selection is dropped from the mirror.
  exec(fmt::format("RENAME TABLE {}.t5 TO {}.skipped2", db_, db_));
  exec(fmt::format("DROP TABLE {}.t4", db_));
  sync_once();
  EXPECT_FALSE(destination_has("t4"));
  EXPECT_FALSE(destination_has("t5"));
  expect_exact("t1");
}

TEST_P(DdlSyncTest, TruncateFollowsRenamesAndTheSelection) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10), (2, 'two', 20)", db_));
  exec(fmt::format("INSERT INTO {}.t2 VALUES (1, 100), (2, 200)", db_));
  exec(fmt::format("INSERT INTO {}.skipped VALUES (1, 1)", db_));
  sync_once();
  // The TRUNCATE names the table by its new name, unqualified (the statement's default database applies):
  // rows from before the rename and rows after it but before the TRUNCATE vanish, rows after it stay.
  exec(fmt::format("RENAME TABLE {}.t2 TO {}.t6", db_, db_));
  exec(fmt::format("INSERT INTO {}.t6 VALUES (3, 300)", db_));
  exec("USE " + db_);
  exec("TRUNCATE t6");
  exec(fmt::format("INSERT INTO {}.t6 VALUES (4, 400)", db_));
  // An excluded table's TRUNCATE reaches no destination table.
  exec(fmt::format("TRUNCATE TABLE {}.skipped", db_));
  exec(fmt::format("INSERT INTO {}.skipped VALUES (2, 2)", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (3, 'three', 30)", db_));
  sync_once();
  expect_exact("t6");
  EXPECT_EQ(destination_rows("t6", "1"), "4\t400\n");
  expect_exact("t1");
  EXPECT_FALSE(destination_has("t2"));
  EXPECT_FALSE(destination_has("skipped"));
}

// Constant DEFAULTs of temporal, BIT, YEAR and BINARY columns: the rows the table had before the ADD COLUMN
// read exactly what the source shows for them (validate agrees, and the values are checked as ClickHouse shows
// them). The TIMESTAMP default is written in a session time zone of +05:30, which the binlog logs with the
// statement: the mirror holds the UTC instant.
TEST_P(DdlDefaultSyncTest, TemporalBitAndBinaryDefaultsOfAddedColumnsAreMirroredExactly) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10), (2, 'two', 20)", db_));
  sync_once();
  exec("SET SESSION time_zone = '+05:30'");
  exec(
      fmt::format("ALTER TABLE {}.t1 ADD COLUMN dd DATE NOT NULL DEFAULT '2021-2-3', "
                  "ADD COLUMN dt DATETIME(6) DEFAULT '2020-01-02 03:04:05.5', "
                  "ADD COLUMN ts TIMESTAMP(3) NULL DEFAULT '2020-01-02 03:04:05.125', "
                  "ADD COLUMN tm TIME(3) DEFAULT '-1 02:03:04.5', ADD COLUMN yr YEAR DEFAULT 69, "
                  "ADD COLUMN bt BIT(10) DEFAULT b'1010', ADD COLUMN bn BINARY(4) DEFAULT 'ab', "
                  "ADD COLUMN dc DECIMAL(6,2) DEFAULT 1.005, ADD COLUMN st SET('a','b','c') DEFAULT 'c,a'",
                  db_));
  exec("SET SESSION time_zone = '+00:00'");
  exec(
      fmt::format("INSERT INTO {}.t1 VALUES (3, 'three', 30, '1999-12-31', '2001-01-01 00:00:00.000001', "
                  "'2030-06-01 12:00:00.5', '838:59:59', 2155, b'1111111111', 'wxyz', -2.5, 'b')",
                  db_));
  sync_once();
  EXPECT_EQ(ch(fmt::format("SELECT dd, dt, ts, tm, yr, bt, hex(bn), dc, st FROM {}.t1 FINAL WHERE id = 1", db_)).out,
            "2021-02-03\t2020-01-02 03:04:05.500000\t2020-01-01 21:34:05.125\t-93784500000\t2069\t10\t61620000\t"
            "1.01\ta,c\n");
  auto v = run_mysql2ch(fmt::format("validate -c {}", config_));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP gives every existing row the statement's start time, which both
// servers log with the statement (header timestamp, and its microseconds when used): TIMESTAMP columns in any
// session time zone, DATETIME columns in a fixed-offset one.
TEST_P(DdlDefaultSyncTest, CurrentTimestampDefaultOfAddedColumnsIsTheStatementsStart) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10), (2, 'two', 20)", db_));
  sync_once();
  exec("SET SESSION time_zone = DEFAULT");
  exec(
      fmt::format("ALTER TABLE {}.t1 ADD COLUMN ts TIMESTAMP(6) NULL DEFAULT CURRENT_TIMESTAMP(6), "
                  "ADD COLUMN t0 TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
                  db_));
  exec("SET SESSION time_zone = '+02:00'");
  exec(fmt::format("ALTER TABLE {}.t1 ADD COLUMN dt DATETIME(3) DEFAULT NOW(3)", db_));
  exec("SET SESSION time_zone = '+00:00'");
  exec(fmt::format("INSERT INTO {}.t1 (id, a, b) VALUES (3, 'three', 30)", db_));
  sync_once();
  for (int id : {1, 2, 3}) {
    auto q = src_->query(fmt::format("SELECT ts, t0, dt FROM {}.t1 WHERE id = {}", db_, id));
    ASSERT_TRUE(q.ok()) << q.error().message();
    const auto& row = q->rows.at(0);
    EXPECT_EQ(ch(fmt::format("SELECT ts, t0, dt FROM {}.t1 FINAL WHERE id = {}", db_, id)).out,
              fmt::format("{}\t{}\t{}\n", *row[0], *row[1], *row[2]));
  }
  auto v = run_mysql2ch(fmt::format("validate -c {}", config_));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_P(DdlSyncTest, NonConstantDefaultStopsAskingForAResnapshot) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10)", db_));
  sync_once();
  exec(fmt::format("ALTER TABLE {}.t1 ADD COLUMN created DATETIME DEFAULT CURRENT_TIMESTAMP", db_));
  auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(db_ + ".t1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("re-snapshot the table"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CURRENT_TIMESTAMP"), std::string::npos) << r.err;
}

TEST_P(DdlSyncTest, PrimaryKeyChangeStopsNamingTheTable) {
  exec(fmt::format("INSERT INTO {}.t2 VALUES (1, 100)", db_));
  sync_once();
  exec(fmt::format("ALTER TABLE {}.t2 DROP PRIMARY KEY, ADD PRIMARY KEY (k, v)", db_));
  auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(db_ + ".t2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("PRIMARY KEY"), std::string::npos) << r.err;
}

TEST_P(DdlSyncTest, DdlTheHistoryRefusesStopsWithThePositionAndSkipProceeds) {
  // CONVERT TO utf8mb4 turns a long latin1 VARCHAR into MEDIUMTEXT (outside strict mode), which the schema
  // history does not derive.
  exec(fmt::format("CREATE TABLE {}.wide (id INT PRIMARY KEY, w VARCHAR(20000)) CHARACTER SET latin1", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10)", db_));
  sync_once();
  exec("SET SESSION sql_mode = ''");
  exec(fmt::format("ALTER TABLE {}.wide CONVERT TO CHARACTER SET utf8mb4", db_));
  exec("SET SESSION sql_mode = DEFAULT");
  exec(fmt::format("INSERT INTO {}.t1 VALUES (2, 'two', 20)", db_));
  auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("DDL at "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(db_ + ".wide"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CONVERT TO CHARACTER SET utf8mb4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("on_unparseable_ddl: skip"), std::string::npos) << r.err;
  // Stopped before the statement: the row after it is not there.
  EXPECT_EQ(ch(fmt::format("SELECT count() FROM {}.t1 FINAL WHERE _is_deleted = 0", db_)).out, "1\n");
  write_config("skip");
  sync_once();
  EXPECT_NE(last_log_.find("SKIPPING DDL"), std::string::npos) << last_log_;
  expect_exact("t1");
}

TEST_P(DdlSyncTest, RestartDecodesRowsBeforeADdlWithTheOldColumns) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10)", db_));
  sync_once();
  // Rows with the old layout, the DDL, rows with the new: the restart's history comes from the checkpoint.
  exec(fmt::format("INSERT INTO {}.t1 VALUES (2, 'two', 20)", db_));
  exec(fmt::format("ALTER TABLE {}.t1 DROP COLUMN b, ADD COLUMN c VARCHAR(5) DEFAULT 'c'", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (3, 'three', 'c3')", db_));
  sync_once();
  EXPECT_NE(last_log_.find("restored from the checkpoint"), std::string::npos) << last_log_;
  expect_exact("t1");
}

TEST_P(DdlSyncTest, KillNineRightAfterADdl) {
  // The test watches the mirror while the child runs, and a chDB directory is held by one process at a time.
  if (GetParam().chdb) GTEST_SKIP() << "a chDB mirror cannot be read while sync runs";
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10)", db_));
  sync_once();
  {
    test::SyncProcess child(config_, dir_ + "/child.log");
    exec(fmt::format("INSERT INTO {}.t1 VALUES (2, 'two', 20)", db_));
    exec(fmt::format("ALTER TABLE {}.t1 RENAME COLUMN a TO a2, ADD COLUMN n INT NOT NULL DEFAULT 3", db_));
    exec(fmt::format("INSERT INTO {}.t1 VALUES (3, 'three', 30, 4)", db_));
    // Killed once the DDL is in the mirror (the added column exists), or found dead.
    while (
        child.running() &&
        ch(fmt::format("SELECT count() FROM system.columns WHERE database = '{}' AND table = 't1' AND name = 'n'", db_))
                .out != "1\n") {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(child.running()) << "sync stopped by itself";
    child.signal_and_wait(SIGKILL);
  }
  exec(fmt::format("INSERT INTO {}.t1 VALUES (4, 'four', 40, 5)", db_));
  sync_once();
  expect_exact("t1");
}

TEST_P(DdlSyncTest, ResumesFromTheDestinationMirrorAfterDdlWithoutLocalState) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10)", db_));
  sync_once();
  exec(fmt::format("ALTER TABLE {}.t1 ADD COLUMN c INT DEFAULT 5", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (2, 'two', 20, 6)", db_));
  sync_once();
  fs::remove_all(dir_ + "/state");
  exec(fmt::format("ALTER TABLE {}.t1 RENAME COLUMN c TO c2", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (3, 'three', 30, 7)", db_));
  sync_once();
  EXPECT_NE(last_log_.find("restored from the checkpoint"), std::string::npos) << last_log_;
  expect_exact("t1");
}

INSTANTIATE_TEST_SUITE_P(Servers, DdlSyncTest,
                         testing::Values(ServerCase{"maria_http", false, false, 9431},
                                         ServerCase{"maria_chdb", false, true, 9432},
                                         ServerCase{"mysql_http", true, false, 9433},
                                         ServerCase{"mysql_chdb", true, true, 9434}),
                         server_case_name);

INSTANTIATE_TEST_SUITE_P(Servers, DdlDefaultSyncTest,
                         testing::Values(ServerCase{"maria_http", false, false, 9481},
                                         ServerCase{"maria_chdb", false, true, 9482},
                                         ServerCase{"mysql_http", true, false, 9483},
                                         ServerCase{"mysql_chdb", true, true, 9484}),
                         server_case_name);

}  // namespace
}  // namespace mysql2ch
