// Start-up and snapshot orchestration of `mysql2ch sync` against DDL and lost state, end to end with the real
// binary: MariaDB 10.11 and MySQL 9.x into ClickHouse 18.16 (HTTP).
//   - a table the stream created is not snapshotted by a later start (kill -9 after its CREATE was applied, an
//     ALTER after that): the mirror is exact and the table has no snapshot chunks;
//   - a table dropped while its snapshot runs is skipped; sync keeps running and the other tables complete;
//   - a start without any checkpoint over a destination that already holds rows re-reads with a removal bound,
//     so rows deleted in the source meanwhile leave the mirror;
//   - a resume from the destination's checkpoint mirror re-reads a table whose snapshot was not complete.
// Each test compares ClickHouse's current rows (FINAL, _is_deleted = 0) with the source (mirror_compare.h).
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "mysql/connection.h"
#include "state/state_store.h"
#include "support/mirror_compare.h"
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
using namespace std::chrono_literals;

class SnapshotStartupTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    const ServerCase& p = GetParam();
    db_ = "snapfix_" + p.name;
    dir_ = testenv::scratch_dir(db_);
    port_ = p.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    exec("DROP DATABASE IF EXISTS " + db_);
    exec("CREATE DATABASE " + db_);
    config_ = dir_ + "/mirror.yaml";
    log_ = dir_ + "/sync.log";
    fs::remove_all(dir_ + "/state");
    write_config({"t1"}, 2000);
    ASSERT_EQ(run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", config_, db_)).exit_code, 0);
  }

  void TearDown() override {
    if (src_) (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  void exec(const std::string& sql) {
    Status st = src_->execute(sql);
    if (!st.ok()) throw std::runtime_error(st.error().message());
  }

  void create_table(const std::string& table, int rows) {
    exec(fmt::format("CREATE TABLE {}.{} (id INT PRIMARY KEY, a VARCHAR(50), b BIGINT)", db_, table));
    for (int from = 0; from < rows; from += 5000) {
      std::string values;
      for (int k = from; k < std::min(rows, from + 5000); ++k) {
        values += fmt::format("{}({}, 'r{}', {})", k == from ? "" : ",", k, k, k * 3);
      }
      exec(fmt::format("INSERT INTO {}.{} VALUES {}", db_, table, values));
    }
  }

  void write_config(const std::vector<std::string>& tables, uint64_t chunk_rows) {
    std::string include;
    for (const auto& t : tables) include += fmt::format("{}\"{}.{}\"", include.empty() ? "" : ", ", db_, t);
    testenv::write_file(
        config_, fmt::format(R"(source:
  host: 127.0.0.1
  port: {}
  user: root
  password: rootpass
  server_id: {}
  max_connections: 3
destination:
  url: 'http://127.0.0.1:{}'
  database: {}
tables:
  include: [{}]
snapshot:
  concurrency: 2
  chunk_rows: {}
pipeline:
  max_batch_rows: 3000
  max_delay_ms: 200
  checkpoint_interval_s: 1
state:
  path: {}/state
)",
                             port_, GetParam().server_id, testenv::ch_http_port(), db_, include, chunk_rows, dir_));
  }

  void sync_once() {
    auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

  std::string query(const std::string& sql) {
    auto r = run_mysql2ch(fmt::format("query -c {} \"{}\"", config_, sql));
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  void expect_exact(const std::string& table) {
    EXPECT_EQ(test::compare_table(*src_, config_, db_, table), "") << table;
  }

  std::optional<state::TableSnapshot> table_state(const std::string& table) {
    auto s = state::StateStore::open(dir_ + "/state");
    if (!s.ok()) throw std::runtime_error(s.error().message());
    auto t = (*s)->table({db_, table});
    if (!t.ok()) throw std::runtime_error(t.error().message());
    return *t;
  }

  bool table_done(const std::string& table) {
    auto t = table_state(table);
    return t && t->state == state::SnapshotState::kDone && !t->purge_below;
  }

  std::string db_, dir_, config_, log_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
};

// B: t2 is created by the stream; sync is killed -9 before the ALTER that follows; the next start must not
// snapshot t2 with today's columns into the destination table that still has the old ones.
TEST_P(SnapshotStartupTest, StreamCreatedTableIsNotSnapshottedAfterKill) {
  create_table("t1", 500);
  write_config({"t1", "t2"}, 2000);
  {
    test::SyncProcess child(config_, log_);
    while (!table_done("t1")) {
      int status = 0;
      ASSERT_FALSE(child.exited(status)) << test::tail_of(log_);
      std::this_thread::sleep_for(100ms);
    }
    create_table("t2", 300);
    // The stream applied the CREATE and the rows after it.
    while (run_mysql2ch(fmt::format("query -c {} \"SELECT count() FROM {}.t2 FINAL\"", config_, db_)).out != "300\n") {
      int status = 0;
      ASSERT_FALSE(child.exited(status)) << test::tail_of(log_);
      std::this_thread::sleep_for(100ms);
    }
    const int status = child.signal_and_wait(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  exec(fmt::format("ALTER TABLE {}.t2 ADD COLUMN c3 INT NOT NULL DEFAULT 7", db_));
  exec(fmt::format("INSERT INTO {}.t2 VALUES (1000, 'new', 1, 9)", db_));
  exec(fmt::format("DELETE FROM {}.t2 WHERE id < 10", db_));
  sync_once();
  expect_exact("t1");
  expect_exact("t2");
  auto t2 = table_state("t2");
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->state, state::SnapshotState::kDone);
  EXPECT_EQ(t2->chunks_done, 0u) << "t2 was snapshotted although the stream created it";
}

// A: t1 is dropped while its snapshot (small chunks) runs; sync goes on, t2 is snapshotted and the stream drops
// t1's target.
TEST_P(SnapshotStartupTest, TableDroppedDuringSnapshotIsSkipped) {
  create_table("t1", 60000);
  create_table("t2", 3000);
  write_config({"t1", "t2"}, 100);
  test::SyncProcess child(config_, log_, "info");
  while (true) {
    auto t = table_state("t1");
    if (t && t->chunks_done >= 3) break;
    int status = 0;
    ASSERT_FALSE(child.exited(status)) << test::tail_of(log_);
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_FALSE(table_done("t1")) << "t1's snapshot finished before the DROP: the test needs more rows";
  exec(fmt::format("DROP TABLE {}.t1", db_));
  exec(fmt::format("UPDATE {}.t2 SET b = -b WHERE id < 100", db_));
  while (!table_done("t2") || query(fmt::format("EXISTS TABLE {}.t1", db_)) != "0") {
    int status = 0;
    ASSERT_FALSE(child.exited(status)) << "sync exited after the DROP: " << test::tail_of(log_);
    std::this_thread::sleep_for(100ms);
  }
  // Let the stream reach the UPDATE.
  while (test::compare_table(*src_, config_, db_, "t2") != "") {
    int status = 0;
    ASSERT_FALSE(child.exited(status)) << test::tail_of(log_);
    std::this_thread::sleep_for(200ms);
  }
  const int status = child.signal_and_wait(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::tail_of(log_);
  EXPECT_EQ(test::destination_tables(config_, db_), std::vector<std::string>{"t2"});
}

// E: the state is lost before any checkpoint reached the destination's mirror (here: the state directory and the
// mirror's checkpoint row are both removed); rows deleted in the source meanwhile must leave the mirror.
TEST_P(SnapshotStartupTest, FreshStartOverFilledDestinationRemovesDeletedRows) {
  create_table("t1", 128);
  sync_once();
  expect_exact("t1");
  fs::remove_all(dir_ + "/state");
  query(fmt::format("DROP TABLE IF EXISTS {}._mysql2ch_state", db_));
  exec(fmt::format("DELETE FROM {}.t1 WHERE id >= 71", db_));
  exec(fmt::format("UPDATE {}.t1 SET a = 'changed' WHERE id < 5", db_));
  sync_once();
  expect_exact("t1");
  sync_once();
  expect_exact("t1");
}

// The state is lost while a snapshot is part way (kill -9, state directory deleted) after a checkpoint reached
// the destination's mirror: the resume from the mirror must not take the partly copied table as complete.
TEST_P(SnapshotStartupTest, MirrorResumeRereadsPartialSnapshot) {
  create_table("t1", 40000);
  write_config({"t1"}, 200);
  {
    test::SyncProcess child(config_, log_);
    while (true) {
      auto t = table_state("t1");
      if (t && t->chunks_done >= 3) break;
      int status = 0;
      ASSERT_FALSE(child.exited(status)) << test::tail_of(log_);
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_FALSE(table_done("t1")) << "the snapshot finished before the kill: the test needs more rows";
    const int status = child.signal_and_wait(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  fs::remove_all(dir_ + "/state");
  exec(fmt::format("DELETE FROM {}.t1 WHERE id < 300 OR id >= 39000", db_));
  sync_once();
  expect_exact("t1");
  sync_once();
  expect_exact("t1");
}

INSTANTIATE_TEST_SUITE_P(Servers, SnapshotStartupTest,
                         testing::Values(ServerCase{"maria", false, false, 9621},
                                         ServerCase{"mysql", true, false, 9622}),
                         server_case_name);

}  // namespace
}  // namespace mysql2ch
