// `mysql2ch sync` end to end: MariaDB 10.11 and MySQL 9.x into ClickHouse 18.16 (HTTP) and chDB. Every test
// ends by comparing the current state in ClickHouse (FINAL, _is_deleted = 0) with the source, table by table.
// The comparison is tests/support/mirror_compare.h's (the per-type equivalence of both paths is the writer's
// and the decoders' tests' job; workload_itest.cpp covers more types under a random workload).
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "clickhouse/chdb_library.h"
#include "mysql/connection.h"
#include "support/mirror_compare.h"
#include "support/server_case.h"
#include "support/source_sql.h"
#include "support/sync_process.h"
#include "support/tcp_relay.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

using test::server_case_name;
using test::ServerCase;

namespace fs = std::filesystem;
using testenv::run_mysql2ch;

// The tables every test compares.
const std::vector<std::string> kTables = {"t1", "t2", "truncated"};

class SyncTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    const ServerCase& p = GetParam();
    if (p.chdb && !chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan";
    db_ = "sync_" + p.name;
    dir_ = testenv::scratch_dir(db_);
    port_ = p.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    test::must(src_->execute("DROP DATABASE IF EXISTS " + db_));
    test::must(src_->execute("CREATE DATABASE " + db_));
    test::must(src_->execute(fmt::format("CREATE TABLE {}.t1 (id INT PRIMARY KEY, a VARCHAR(50), b BIGINT)", db_)));
    test::must(src_->execute(
        fmt::format("CREATE TABLE {}.t2 (k1 INT, k2 VARCHAR(20), v INT NOT NULL, PRIMARY KEY (k1, k2))", db_)));
    test::must(src_->execute(fmt::format("CREATE TABLE {}.truncated (id INT PRIMARY KEY, note VARCHAR(20))", db_)));
    test::must(src_->execute(fmt::format("CREATE TABLE {}.skipped (id INT PRIMARY KEY, x INT)", db_)));
    if (!p.chdb) {
      // The destination database also holds the checkpoint mirror: dropping it starts from nothing.
      auto r = run_ch_via_http("DROP DATABASE IF EXISTS " + db_);
      ASSERT_TRUE(r) << "could not reset the ClickHouse database";
    }
    config_ = dir_ + "/mirror.yaml";
    write_config(fmt::format("http://127.0.0.1:{}", testenv::ch_http_port()));
  }

  void TearDown() override {
    if (src_) (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  bool run_ch_via_http(const std::string& sql) {
    // The binary is the client: `query` runs statements too (the result is empty).
    const std::string cfg = dir_ + "/reset.yaml";
    testenv::write_file(cfg, fmt::format("source: {{host: 127.0.0.1, user: root, password: x, server_id: 1}}\n"
                                         "destination: {{url: 'http://127.0.0.1:{}'}}\n",
                                         testenv::ch_http_port()));
    return run_mysql2ch(fmt::format("query -c {} \"{}\"", cfg, sql)).exit_code == 0;
  }

  void write_config(const std::string& http_url, const std::string& state = "state") {
    const ServerCase& p = GetParam();
    const std::string url = p.chdb ? "chdb://" + dir_ + "/chdb" : http_url;
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
  max_batch_rows: 700
  max_batch_bytes: 65536
  max_delay_ms: 200
  checkpoint_interval_s: 1
state:
  path: {}
)",
                                             port_, p.server_id, url, db_, db_, db_, state));
  }

  void sync_once() {
    auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    last_log_ = r.err;
  }

  void expect_mirror_exact() {
    for (const auto& table : kTables) {
      const std::string diff = test::compare_table(*src_, config_, db_, table);
      EXPECT_EQ(diff, "") << "table " << table;
    }
    auto skipped = run_mysql2ch(fmt::format("query -c {} \"EXISTS TABLE {}.skipped\"", config_, db_));
    EXPECT_EQ(skipped.out, "0\n") << "an excluded table reached the destination";
  }

  void exec(const std::string& sql) { test::must(src_->execute(sql)); }

  // The "next version:" line of `mysql2ch status`.
  std::string next_version() {
    const std::string out = run_mysql2ch(fmt::format("status -c {}", config_)).out;
    const size_t at = out.find("next version:");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  }

  // A mix of every row operation the mirror must reproduce.
  void workload(int round) {
    const int base = round * 100000;
    std::string values;
    for (int k = 0; k < 300; ++k) {
      values += fmt::format("{}({}, 'a{}', {})", k == 0 ? "" : ",", base + k, k, k * 7);
    }
    exec(fmt::format("INSERT INTO {}.t1 VALUES {}", db_, values));
    exec(fmt::format("UPDATE {}.t1 SET a = CONCAT(a, 'u'), b = b + 1 WHERE id % 3 = 0 AND id >= {}", db_, base));
    exec(fmt::format("DELETE FROM {}.t1 WHERE id % 5 = 1 AND id >= {}", db_, base));
    // Primary-key changes: tombstone for the old key, row for the new one.
    exec(fmt::format("UPDATE {}.t1 SET id = id + 50000 WHERE id % 7 = 2 AND id >= {} AND id < {}", db_, base,
                     base + 300));
    // A multi-table transaction.
    exec("BEGIN");
    exec(fmt::format("INSERT INTO {}.t2 VALUES ({}, 'x', 1), ({}, 'y', 2), ({}, 'z', 3)", db_, base, base, base + 1));
    exec(fmt::format("UPDATE {}.t1 SET b = -1 WHERE id = {}", db_, base + 4));
    exec(fmt::format("UPDATE {}.t2 SET k2 = 'w', v = v * 10 WHERE k1 = {} AND k2 = 'y'", db_, base));
    exec(fmt::format("INSERT INTO {}.skipped VALUES ({}, 1)", db_, base));
    exec(fmt::format("DELETE FROM {}.t1 WHERE id = {}", db_, base + 5));
    exec("COMMIT");
    // A large transaction: far above max_batch_rows and max_batch_bytes.
    exec("BEGIN");
    for (int s = 0; s < 10; ++s) {
      std::string rows;
      for (int k = 0; k < 1000; ++k) {
        const int id = base + 10000 + s * 1000 + k;
        rows += fmt::format("{}({}, 'large-{}-{}', {})", k == 0 ? "" : ",", id, s, k, id);
      }
      exec(fmt::format("INSERT INTO {}.t1 VALUES {}", db_, rows));
    }
    exec(fmt::format("UPDATE {}.t1 SET a = 'changed' WHERE id >= {} AND id < {}", db_, base + 10000, base + 10500));
    exec("COMMIT");
    // TRUNCATE in stream order: rows before it vanish, rows after it stay.
    exec(fmt::format("INSERT INTO {}.truncated VALUES ({}, 'before')", db_, base));
    exec(fmt::format("TRUNCATE TABLE {}.truncated", db_));
    exec(fmt::format("INSERT INTO {}.truncated VALUES ({}, 'after'), ({}, 'after2')", db_, base + 1, base + 2));
    exec(fmt::format("INSERT INTO {}.skipped VALUES ({}, 2)", db_, base + 1));
  }

  std::string db_, dir_, config_, last_log_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
};

TEST_P(SyncTest, OnceMirrorsEveryOperationExactly) {
  // Rows that exist before the first run come from the snapshot; the stream starts at its recorded position.
  std::string rows;
  for (int k = 0; k < 2500; ++k) rows += fmt::format("{}({}, 'pre{}', {})", k == 0 ? "" : ",", 900000 + k, k, k);
  exec(fmt::format("INSERT INTO {}.t1 VALUES {}", db_, rows));
  exec(fmt::format("INSERT INTO {}.t2 VALUES (-1, 'pre', 1), (-2, 'pre', 2)", db_));
  sync_once();
  expect_mirror_exact();
  workload(0);
  sync_once();
  expect_mirror_exact();
  // Resume from the checkpoint: a second round on top.
  workload(1);
  sync_once();
  expect_mirror_exact();
  // Nothing new: a run that changes nothing.
  sync_once();
  expect_mirror_exact();
  auto status = run_mysql2ch(fmt::format("status -c {}", config_));
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("position:"), std::string::npos) << status.out;
  EXPECT_EQ(status.out.find("rootpass"), std::string::npos);
}

TEST_P(SyncTest, ResumesFromTheDestinationMirrorWithoutLocalState) {
  sync_once();
  workload(0);
  sync_once();
  fs::remove_all(dir_ + "/state");
  workload(1);
  sync_once();
  EXPECT_NE(last_log_.find("resuming from checkpoint"), std::string::npos) << last_log_;
  expect_mirror_exact();
}

TEST_P(SyncTest, AddedAndDroppedColumnsConverge) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10), (2, 'two', 20)", db_));
  sync_once();
  exec(fmt::format("ALTER TABLE {}.t1 ADD COLUMN c INT NULL", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (3, 'three', 30, 300)", db_));
  exec(fmt::format("UPDATE {}.t1 SET c = 100 WHERE id = 1", db_));
  sync_once();
  expect_mirror_exact();
  exec(fmt::format("ALTER TABLE {}.t1 DROP COLUMN b", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (4, 'four', 400)", db_));
  sync_once();
  expect_mirror_exact();
}

TEST_P(SyncTest, RenamedColumnKeepsItsValues) {
  exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one', 10)", db_));
  sync_once();
  exec(fmt::format("ALTER TABLE {}.t1 RENAME COLUMN b TO b2", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (2, 'two', 20)", db_));
  sync_once();
  auto kept = run_mysql2ch(fmt::format("query -c {} \"SELECT b2 FROM {}.t1 FINAL WHERE id = 1\"", config_, db_));
  EXPECT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.out, "10\n");
  expect_mirror_exact();
}

TEST_P(SyncTest, KillNineUnderWriteLoadLosesAndDuplicatesNothing) {
  sync_once();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    Connection w = test::root_connection(port_);
    std::mt19937 rng(20261124);
    for (int i = 0; !done.load(); ++i) {
      const int id = static_cast<int>(rng() % 2000);
      switch (rng() % 5) {
        case 0: (void)w.execute(fmt::format("REPLACE INTO {}.t1 VALUES ({}, 'w{}', {})", db_, id, i, i)); break;
        case 1: (void)w.execute(fmt::format("UPDATE {}.t1 SET b = b + 1 WHERE id = {}", db_, id)); break;
        case 2: (void)w.execute(fmt::format("DELETE FROM {}.t1 WHERE id = {}", db_, id)); break;
        case 3:
          (void)w.execute(fmt::format("UPDATE IGNORE {}.t1 SET id = {} WHERE id = {}", db_, 2000 + id, id));
          break;
        default: (void)w.execute(fmt::format("INSERT IGNORE INTO {}.t2 VALUES ({}, 'k', {})", db_, id, i)); break;
      }
    }
  });
  std::mt19937 rng(7);
  for (int round = 0; round < 6; ++round) {
    test::SyncProcess child(config_, dir_ + "/child.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1500));
    const int status = child.signal_and_wait(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status)) << "round " << round;
  }
  // A clean stop drains too.
  {
    test::SyncProcess child(config_, dir_ + "/child.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const int status = child.signal_and_wait(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  done.store(true);
  writer.join();
  sync_once();
  expect_mirror_exact();
}

TEST_P(SyncTest, StopUnderWriteLoadCheckpointsEveryRowApplied) {
  if (GetParam().chdb) GTEST_SKIP() << "reads the destination while sync runs, which a chDB directory does not allow";
  sync_once();
  // The highest version in the destination: every row written so far, flushed.
  auto max_version = [&] {
    auto r =
        run_mysql2ch(fmt::format("query -c {} \"SELECT max(v) FROM (SELECT max(_version) AS v FROM {}.t1 "
                                 "UNION ALL SELECT max(_version) AS v FROM {}.t2)\"",
                                 config_, db_, db_));
    return r.exit_code == 0 ? std::stoull(r.out) : 0ull;
  };
  std::atomic<bool> done{false};
  std::thread writer([&] {
    Connection w = test::root_connection(port_);
    // Transactions of many row events, so that a stop often arrives inside one.
    for (int i = 0; !done.load(); ++i) {
      (void)w.execute("BEGIN");
      for (int k = 0; k < 40; ++k) {
        (void)w.execute(fmt::format("INSERT INTO {}.t1 VALUES ({}, 'stop', 0)", db_, i * 100 + k));
      }
      (void)w.execute(fmt::format("INSERT INTO {}.t2 VALUES ({}, 'stop', {})", db_, i, i));
      (void)w.execute("COMMIT");
    }
  });
  {
    test::SyncProcess child(config_, dir_ + "/child.log");
    while (max_version() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int status = child.signal_and_wait(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  // The stop finished the transaction it arrived in, so the final checkpoint is past every row written.
  EXPECT_EQ(next_version(), fmt::format("next version:    {}", max_version() + 1));
  done.store(true);
  writer.join();
  sync_once();
  expect_mirror_exact();
}

// ClickHouse unreachable for a while under load, then back: the reader pauses, nothing is lost or doubled.
TEST_P(SyncTest, DestinationOutageLosesNothing) {
  if (GetParam().chdb) GTEST_SKIP() << "an embedded destination has no network to cut";
  test::TcpRelay relay(testenv::ch_http_port());
  write_config(fmt::format("http://127.0.0.1:{}", relay.port()));
  sync_once();
  const std::string before = next_version();
  test::SyncProcess child(config_, dir_ + "/child.log");
  workload(0);
  // Cut the destination only once the child streams (its checkpoints move), not during its start.
  while (next_version() == before) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  relay.close();
  workload(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(4000));
  relay.open();
  // SIGTERM drains: it returns only after every row is acknowledged and checkpointed.
  const int status = child.signal_and_wait(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  sync_once();
  expect_mirror_exact();
  // Nothing doubled beyond what FINAL collapses: one current row per key.
  auto dupes = run_mysql2ch(fmt::format(
      "query -c {} \"SELECT count() - uniqExact(id) FROM {}.t1 FINAL WHERE _is_deleted = 0\"", config_, db_));
  EXPECT_EQ(dupes.out, "0\n") << dupes.err;
}

INSTANTIATE_TEST_SUITE_P(Servers, SyncTest,
                         testing::Values(ServerCase{"maria_http", false, false, 9411},
                                         ServerCase{"maria_chdb", false, true, 9412},
                                         ServerCase{"mysql_http", true, false, 9413},
                                         ServerCase{"mysql_chdb", true, true, 9414}),
                         server_case_name);

}  // namespace
}  // namespace mysql2ch
