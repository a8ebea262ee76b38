// A schema change that reaches the stream while the destination is unreachable: `mysql2ch sync` must wait for
// ClickHouse (retrying the DDL step with backoff) instead of exiting, then apply the change and go on. ClickHouse
// 18.16 is reached through a TCP relay the test cuts while the source runs ALTER TABLE … ADD COLUMN.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "mysql/connection.h"
#include "support/mirror_compare.h"
#include "support/source_sql.h"
#include "support/sync_process.h"
#include "support/tcp_relay.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

using testenv::run_mysql2ch;

struct Case {
  std::string name;
  bool mysql;
  uint32_t server_id;  // unique: other tests replicate from the same servers
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

class DdlOutageTest : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Case& c = GetParam();
    db_ = "ddlfix_outage_" + c.name;
    dir_ = testenv::scratch_dir(db_);
    // A fresh start: no checkpoint, and no log lines of an earlier run for wait_for_log() to find.
    std::filesystem::remove_all(dir_ + "/state");
    std::filesystem::remove(log_path());
    port_ = c.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    relay_ = std::make_unique<test::TcpRelay>(testenv::ch_http_port());
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
  max_delay_ms: 100
  checkpoint_interval_s: 1
state:
  path: state
)",
                                             port_, c.server_id, relay_->port(), db_, db_));
    auto r = run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", config_, db_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    exec("DROP DATABASE IF EXISTS " + db_);
    exec("CREATE DATABASE " + db_);
    exec(fmt::format("CREATE TABLE {}.t1 (id INT PRIMARY KEY, a VARCHAR(20))", db_));
    exec(fmt::format("INSERT INTO {}.t1 VALUES (1, 'one'), (2, 'two')", db_));
  }

  void TearDown() override {
    if (src_) (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  void exec(const std::string& sql) {
    Status st = src_->execute(sql);
    if (!st.ok()) throw std::runtime_error(st.error().message());
  }

  std::string log() { return test::tail_of(log_path(), 1u << 30); }
  std::string log_path() const { return dir_ + "/sync.log"; }

  // Until `text` is in the child's log. Fails when the child exits first.
  void wait_for_log(const std::string& text) {
    for (;;) {
      if (log().find(text) != std::string::npos) return;
      int status = 0;
      if (child_->exited(status)) {
        FAIL() << "sync exited (status " << status << ") before logging '" << text << "'; its log:\n"
               << test::tail_of(log_path());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Until the destination's t1 equals the source's. Fails when the child exits first.
  void wait_for_mirror() {
    for (;;) {
      if (test::compare_table(*src_, config_, db_, "t1").empty()) return;
      int status = 0;
      if (child_->exited(status)) {
        FAIL() << "sync exited (status " << status << ") before the mirror caught up; its log:\n"
               << test::tail_of(log_path());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  std::string db_, dir_, config_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
  std::unique_ptr<test::TcpRelay> relay_;
  std::unique_ptr<test::SyncProcess> child_;
};

TEST_P(DdlOutageTest, AddColumnWaitsForTheDestinationAndCompletes) {
  child_ = std::make_unique<test::SyncProcess>(config_, log_path(), "info");
  // Row 3 comes after the snapshot read the table, so only the stream brings it: once it is in the destination,
  // every row before the ALTER is acknowledged and the outage hits the DDL step, not a row flush.
  wait_for_log("snapshot: 1 chunks");
  if (HasFatalFailure()) return;
  exec(fmt::format("INSERT INTO {}.t1 VALUES (3, 'three')", db_));
  wait_for_mirror();
  if (HasFatalFailure()) return;

  relay_->close();
  exec(fmt::format("ALTER TABLE {}.t1 ADD COLUMN c1 INT NOT NULL DEFAULT 7", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (4, 'four', 40)", db_));
  wait_for_log("applying DDL to the destination");
  if (HasFatalFailure()) return;
  // A few more failed attempts while the destination stays away.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int status = 0;
  ASSERT_FALSE(child_->exited(status)) << "sync exited during the outage (status " << status << "); its log:\n"
                                       << test::tail_of(log_path());
  relay_->open();

  exec(fmt::format("UPDATE {}.t1 SET c1 = 10 WHERE id = 1", db_));
  exec(fmt::format("INSERT INTO {}.t1 VALUES (5, 'five', 50)", db_));
  wait_for_mirror();
  if (HasFatalFailure()) return;

  status = child_->signal_and_wait(SIGTERM);
  child_.reset();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "; log:\n"
                                                             << test::tail_of(log_path());
  EXPECT_EQ(test::compare_table(*src_, config_, db_, "t1"), "");
  EXPECT_EQ(test::destination_tables(config_, db_), std::vector<std::string>{"t1"});
  // The checkpoint mirrored to the destination carries the schema history with the new column.
  auto mirrored = run_mysql2ch(fmt::format(
      "query -c {} \"SELECT checkpoint FROM {}._mysql2ch_state ORDER BY sequence DESC LIMIT 1\"", config_, db_));
  ASSERT_EQ(mirrored.exit_code, 0) << mirrored.err;
  EXPECT_NE(mirrored.out.find("c1"), std::string::npos) << mirrored.out;
}

INSTANTIATE_TEST_SUITE_P(Sources, DdlOutageTest,
                         testing::Values(Case{"mariadb", false, 4711}, Case{"mysql", true, 4712}), case_name);

}  // namespace
}  // namespace mysql2ch
