// `mysql2ch sync` over XA transactions: MariaDB 10.11 and MySQL 9.x into ClickHouse 18.16 (HTTP). A prepared XA
// transaction's rows reach the mirror at its XA COMMIT and never after XA ROLLBACK; XA transactions in
// databases the config does not select change nothing; a sync killed between XA PREPARE and XA COMMIT keeps its
// checkpoint before the prepared transaction, so the restarted sync still applies it; a DDL on another table
// while a transaction is prepared is applied (and replayed exactly after a restart from the held checkpoint)
// when that table had no rows since the checkpoint, and stops sync naming the table when it had.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "mysql/connection.h"
#include "support/server_case.h"
#include "support/source_sql.h"
#include "support/sync_process.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

using test::server_case_name;
using test::ServerCase;

using testenv::run_mysql2ch;

class XaSyncTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    const ServerCase& p = GetParam();
    db_ = "xa_" + p.name;
    other_db_ = "xa_" + p.name + "_other";
    dir_ = testenv::scratch_dir(db_);
    port_ = p.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    for (const auto& db : {db_, other_db_}) {
      test::must(src_->execute("DROP DATABASE IF EXISTS " + db));
      test::must(src_->execute("CREATE DATABASE " + db));
      test::must(src_->execute(fmt::format("CREATE TABLE {}.t (id INT PRIMARY KEY, v VARCHAR(40))", db)));
    }
    config_ = dir_ + "/mirror.yaml";
    testenv::write_file(config_, fmt::format(R"(source:
  host: 127.0.0.1
  port: {}
  user: root
  password: rootpass
  server_id: {}
destination:
  url: 'http://127.0.0.1:{}'
  database: {}
tables:
  include: ["{}.*"]
pipeline:
  max_delay_ms: 200
  checkpoint_interval_s: 1
state:
  path: state
)",
                                             port_, p.server_id, testenv::ch_http_port(), db_, db_));
    // The destination database also holds the checkpoint mirror: dropping it starts from nothing.
    auto r = run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", config_, db_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void TearDown() override {
    if (!src_) return;
    // A failed test may leave a prepared transaction behind; it would hold locks on the shared server.
    for (const char* xid : {"'xa-a'", "'xa-b'", "'xa-c'", "'xa-other'", "'xa-kill'", "'xa-truncate'"}) {
      (void)src_->execute(fmt::format("XA ROLLBACK {}", xid));
    }
    (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
    (void)src_->execute("DROP DATABASE IF EXISTS " + other_db_);
  }

  void exec(const std::string& sql) { test::must(src_->execute(sql)); }

  // XA START, `statements`, XA END, XA PREPARE on a connection of its own, then disconnects: MariaDB lets no
  // other statement run on a session whose XA transaction is prepared, and only another session can commit it
  // once the preparing one has gone. The transaction stays prepared on the server.
  void prepare_xa(const std::string& xid, const std::vector<std::string>& statements) {
    Connection c = test::root_connection(port_);
    test::must(c.execute(fmt::format("XA START '{}'", xid)));
    for (const auto& sql : statements) test::must(c.execute(sql));
    test::must(c.execute(fmt::format("XA END '{}'", xid)));
    test::must(c.execute(fmt::format("XA PREPARE '{}'", xid)));
  }

  void sync_once() {
    auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    last_log_ = r.err;
  }

  std::string source_rows() {
    auto q = src_->query(fmt::format("SELECT id, v FROM {}.t ORDER BY id", db_));
    if (!q.ok()) throw std::runtime_error(q.error().message());
    std::string out;
    for (const auto& row : q->rows) out += fmt::format("{}\t{}\n", *row[0], row[1] ? *row[1] : "\\N");
    return out;
  }

  std::string destination_rows() {
    auto r = run_mysql2ch(
        fmt::format("query -c {} \"SELECT id, v FROM {}.t FINAL WHERE _is_deleted = 0 ORDER BY id\"", config_, db_));
    if (r.exit_code != 0) return "query failed: " + r.err;
    return r.out;
  }

  std::string db_, other_db_, dir_, config_, last_log_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
};

TEST_P(XaSyncTest, XaInAnUnselectedDatabaseDoesNotDisturbSync) {
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one')", db_));
  sync_once();
  prepare_xa("xa-other", {fmt::format("INSERT INTO {}.t VALUES (1, 'other'), (2, 'other')", other_db_)});
  exec(fmt::format("INSERT INTO {}.t VALUES (2, 'two')", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), "1\tone\n2\ttwo\n");
  exec("XA COMMIT 'xa-other'");
  exec(fmt::format("UPDATE {}.t SET v = 'uno' WHERE id = 1", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  EXPECT_EQ(destination_rows(), "1\tuno\n2\ttwo\n");
  // The unselected database never reaches the destination.
  auto other = run_mysql2ch(fmt::format("query -c {} \"EXISTS TABLE {}.t\"", config_, other_db_));
  EXPECT_EQ(other.out, "0\n") << other.err;
}

TEST_P(XaSyncTest, PreparedThenCommittedIsMirroredInCommitOrder) {
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one'), (2, 'two')", db_));
  sync_once();
  prepare_xa("xa-a", {fmt::format("INSERT INTO {}.t VALUES (10, 'xa')", db_),
                      fmt::format("UPDATE {}.t SET v = 'xa-update' WHERE id = 1", db_),
                      fmt::format("DELETE FROM {}.t WHERE id = 2", db_)});
  // Committed after the PREPARE but before the COMMIT, on rows the XA transaction does not lock.
  exec(fmt::format("INSERT INTO {}.t VALUES (20, 'plain')", db_));
  sync_once();
  // Nothing of the prepared transaction is applied yet.
  EXPECT_EQ(destination_rows(), "1\tone\n2\ttwo\n20\tplain\n");
  exec("XA COMMIT 'xa-a'");
  // After the commit, a later plain transaction changes a row the XA transaction wrote: the later one wins.
  exec(fmt::format("UPDATE {}.t SET v = 'after-xa' WHERE id = 10", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  EXPECT_EQ(destination_rows(), "1\txa-update\n10\tafter-xa\n20\tplain\n");
}

TEST_P(XaSyncTest, PreparedThenRolledBackLeavesNothing) {
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one')", db_));
  sync_once();
  prepare_xa("xa-b", {fmt::format("INSERT INTO {}.t VALUES (5, 'never')", db_),
                      fmt::format("UPDATE {}.t SET v = 'never' WHERE id = 1", db_)});
  sync_once();
  exec("XA ROLLBACK 'xa-b'");
  exec(fmt::format("INSERT INTO {}.t VALUES (6, 'six')", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  EXPECT_EQ(destination_rows(), "1\tone\n6\tsix\n");
}

TEST_P(XaSyncTest, TruncateWhileAnXaTransactionIsPreparedIsApplied) {
  // TRUNCATE changes no schema, so it needs no checkpoint, which a prepared transaction holding rows forbids.
  exec(fmt::format("CREATE TABLE {}.u (id INT PRIMARY KEY)", db_));
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one')", db_));
  exec(fmt::format("INSERT INTO {}.u VALUES (1), (2)", db_));
  sync_once();
  prepare_xa("xa-truncate", {fmt::format("INSERT INTO {}.t VALUES (10, 'xa')", db_)});
  exec(fmt::format("TRUNCATE TABLE {}.u", db_));
  exec(fmt::format("INSERT INTO {}.u VALUES (3)", db_));
  sync_once();
  const auto u_rows = [&] {
    return run_mysql2ch(
               fmt::format("query -c {} \"SELECT id FROM {}.u FINAL WHERE _is_deleted = 0 ORDER BY id\"", config_, db_))
        .out;
  };
  EXPECT_EQ(u_rows(), "3\n");
  EXPECT_EQ(destination_rows(), "1\tone\n");
  exec("XA COMMIT 'xa-truncate'");
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  EXPECT_EQ(destination_rows(), "1\tone\n10\txa\n");
  EXPECT_EQ(u_rows(), "3\n");
}

TEST_P(XaSyncTest, OnePhaseCommitIsMirrored) {
  sync_once();
  exec("XA START 'xa-c'");
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one-phase'), (2, 'gone')", db_));
  exec(fmt::format("DELETE FROM {}.t WHERE id = 2", db_));
  exec("XA END 'xa-c'");
  exec("XA COMMIT 'xa-c' ONE PHASE");
  exec(fmt::format("INSERT INTO {}.t VALUES (3, 'after')", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  EXPECT_EQ(destination_rows(), "1\tone-phase\n3\tafter\n");
}

TEST_P(XaSyncTest, KillNineBetweenPrepareAndCommitLosesNothing) {
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one')", db_));
  sync_once();
  prepare_xa("xa-kill", {fmt::format("INSERT INTO {}.t VALUES (100, 'prepared'), (101, 'prepared')", db_),
                         fmt::format("UPDATE {}.t SET v = 'xa' WHERE id = 1", db_)});
  // Plain transactions after the PREPARE: a sync that checkpointed past them without the prepared rows would
  // lose those rows on its restart.
  for (int k = 0; k < 5; ++k) exec(fmt::format("INSERT INTO {}.t VALUES ({}, 'plain')", db_, 200 + k));
  // A clean --once run stops with the XA transaction undecided: its checkpoint must stay before it.
  sync_once();
  EXPECT_NE(last_log_.find("prepared XA transaction"), std::string::npos) << last_log_;
  {
    // A continuous sync, checkpointing every second, killed while the transaction is still prepared.
    test::SyncProcess child(config_, dir_ + "/child.log");
    for (int k = 0; k < 5; ++k) {
      exec(fmt::format("INSERT INTO {}.t VALUES ({}, 'while running')", db_, 300 + k));
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
    }
    const int status = child.signal_and_wait(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status)) << status;
  }
  EXPECT_EQ(destination_rows().find("prepared"), std::string::npos) << "prepared rows applied before XA COMMIT";
  exec("XA COMMIT 'xa-kill'");
  exec(fmt::format("INSERT INTO {}.t VALUES (400, 'after commit')", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  EXPECT_NE(destination_rows().find("100\tprepared\n101\tprepared\n"), std::string::npos);
}

// While a prepared XA transaction holds rows of t, no checkpoint can pass its start. A DDL on another selected
// table u that had no rows since that checkpoint is applied without one (it used to stop sync); a restart from
// the older checkpoint replays the statement against the already changed destination and then u's rows of the
// new layout. MySQL and MariaDB make a DDL on t itself wait for the XA transaction (its metadata locks).
TEST_P(XaSyncTest, DdlOnAnotherTableWhilePreparedIsAppliedAndReplayedExactly) {
  exec(fmt::format("CREATE TABLE {}.u (id INT PRIMARY KEY, v VARCHAR(40))", db_));
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one')", db_));
  exec(fmt::format("INSERT INTO {}.u VALUES (1, 'u-one'), (2, 'u-two')", db_));
  sync_once();
  prepare_xa("xa-b", {fmt::format("INSERT INTO {}.t VALUES (100, 'prepared')", db_)});
  exec(fmt::format("ALTER TABLE {}.u ADD COLUMN c INT NOT NULL DEFAULT 7, ADD COLUMN d VARCHAR(10) DEFAULT 'dd'", db_));
  exec(fmt::format("INSERT INTO {}.u VALUES (3, 'u-three', 8, NULL)", db_));
  exec(fmt::format("INSERT INTO {}.t VALUES (2, 'plain')", db_));
  sync_once();
  EXPECT_NE(last_log_.find("without a checkpoint"), std::string::npos) << last_log_;
  // Stopped with the XA transaction undecided, so the checkpoint is still before it: this run replays the ALTER
  // against a destination that has its columns already, then u's row 3 of the new layout.
  sync_once();
  EXPECT_EQ(destination_rows(), "1\tone\n2\tplain\n");
  exec("XA COMMIT 'xa-b'");
  exec(fmt::format("UPDATE {}.u SET c = 9 WHERE id = 1", db_));
  sync_once();
  EXPECT_EQ(destination_rows(), source_rows());
  auto u = run_mysql2ch(fmt::format(
      "query -c {} \"SELECT id, v, c, d FROM {}.u FINAL WHERE _is_deleted = 0 ORDER BY id\"", config_, db_));
  EXPECT_EQ(u.out, "1\tu-one\t9\tdd\n2\tu-two\t7\tdd\n3\tu-three\t8\t\\N\n") << u.err;
  auto v = run_mysql2ch(fmt::format("validate -c {}", config_));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

// A DDL on a table that had rows since the checkpoint the prepared XA transaction holds back cannot be exact
// either way (a checkpoint loses the prepared rows, a restart replays old-layout rows into the new layout): sync
// stops naming the table and the xid.
TEST_P(XaSyncTest, DdlOnATableWithRowsSinceTheHeldCheckpointStopsNamingIt) {
  exec(fmt::format("CREATE TABLE {}.u (id INT PRIMARY KEY, v VARCHAR(40))", db_));
  exec(fmt::format("INSERT INTO {}.t VALUES (1, 'one')", db_));
  sync_once();
  prepare_xa("xa-c", {fmt::format("INSERT INTO {}.t VALUES (100, 'prepared')", db_)});
  exec(fmt::format("INSERT INTO {}.u VALUES (1, 'u-one')", db_));
  exec(fmt::format("ALTER TABLE {}.u ADD COLUMN c INT NOT NULL DEFAULT 7", db_));
  auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(fmt::format("DDL on {}.u", db_)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("xid X'78612d63'"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Servers, XaSyncTest,
                         testing::Values(ServerCase{"maria_http", false, false, 9711},
                                         ServerCase{"mysql_http", true, false, 9712}),
                         server_case_name);

}  // namespace
}  // namespace mysql2ch
