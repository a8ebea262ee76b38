// The acceptance test of `mysql2ch sync`: a seeded random workload (tests/support/random_workload.h) runs
// against MariaDB 10.11 or MySQL 9.x while the real binary streams it into ClickHouse 18.16 (HTTP) or chDB,
// and something goes wrong on the way: the sync process is killed with SIGKILL at random steps and restarted,
// or the destination is unreachable for a while, or the local state directory is lost. At the end a
// `sync --once` catches up and every table's current state in the destination (FINAL, _is_deleted = 0) must
// equal the source's, and the destination must hold exactly the source's mirrored tables.
//
// Every case prints its seed. M2C_WORKLOAD_SEED=<n> replays a case with that seed (M2C_WORKLOAD_SEED=random
// draws one); M2C_WORKLOAD_STEPS=<n> changes the number of steps (default 150); M2C_WORKLOAD_DDL narrows the
// schema changes (see ddl_kinds()); M2C_WORKLOAD_UNDISTURBED=1 runs without kills; M2C_WORKLOAD_KEEP=1 keeps
// the source database. When `mysql2ch validate` exists, it must also find the mirror equal. The statements
// each case ran are in <scratch>/wl_<case>/statements.sql and the sync process's log in
// <scratch>/wl_<case>/sync.log.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "clickhouse/chdb_library.h"
#include "mysql/connection.h"
#include "support/mirror_compare.h"
#include "support/random_workload.h"
#include "support/source_sql.h"
#include "support/sync_process.h"
#include "support/tcp_relay.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

namespace fs = std::filesystem;
using testenv::run_mysql2ch;

enum class Disruption {
  kKills,              // SIGKILL at 3-5 random steps, restarted each time
  kDestinationOutage,  // ClickHouse unreachable from a third to two thirds of the workload
  kStateLoss,          // SIGKILLs, and once the local state directory is deleted before the restart
};

struct Case {
  std::string name;
  bool mysql;                    // MySQL 9.x, else MariaDB 10.11
  bool chdb;                     // chDB, else ClickHouse 18.16 over HTTP
  bool compressed_partial_json;  // MySQL: the workload's session compresses transactions and logs partial JSON
  Disruption disruption;
  uint32_t server_id;  // unique per case: other tests may replicate at the same time
  uint64_t seed;       // the default seed (M2C_WORKLOAD_SEED overrides it)
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

uint64_t seed_for(const Case& c) {
  const std::string env = testenv::env_or("M2C_WORKLOAD_SEED", "");
  if (env.empty()) return c.seed;
  if (env == "random") return std::random_device{}();
  return std::stoull(env);
}

int steps_to_run() {
  return std::stoi(testenv::env_or("M2C_WORKLOAD_STEPS", "150"));
}

// The schema changes the workload issues. Default (and M2C_WORKLOAD_DDL=all): every kind it knows, RENAME TABLE
// included. M2C_WORKLOAD_DDL=columns: ADD (no DEFAULT), DROP and MODIFY COLUMN and CREATE TABLE, each followed by
// a row in the table; M2C_WORKLOAD_DDL=none: row changes and TRUNCATE only. The narrower sets tell which kind a
// failure needs.
test::DdlKinds ddl_kinds() {
  const std::string env = testenv::env_or("M2C_WORKLOAD_DDL", "default");
  if (env == "none") return test::DdlKinds{false, false, false, false, false, false, false, false};
  if (env == "columns") return test::DdlKinds{};
  return test::DdlKinds{true, true, true, true, true, true, true, true};
}

bool validate_available() {
  static const bool available = run_mysql2ch("--help").out.find("validate") != std::string::npos;
  return available;
}

class WorkloadTest : public testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Case& c = GetParam();
    if (c.chdb && !chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan";
    db_ = "wl_" + c.name;
    dir_ = testenv::scratch_dir(db_);
    port_ = c.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    config_ = dir_ + "/mirror.yaml";
    if (!c.chdb) {
      // The destination database also holds the checkpoint mirror: dropping it starts from nothing.
      write_config(fmt::format("http://127.0.0.1:{}", testenv::ch_http_port()));
      auto r = run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", config_, db_));
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }

  void TearDown() override {
    // M2C_WORKLOAD_KEEP=1 keeps the source database for a look after a failure.
    if (src_ && testenv::env_or("M2C_WORKLOAD_KEEP", "") != "1") (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  void write_config(const std::string& http_url) {
    const Case& c = GetParam();
    const std::string url = c.chdb ? "chdb://" + dir_ + "/chdb" : http_url;
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
  exclude: ["{}.skip_*"]
pipeline:
  max_batch_rows: 700
  max_batch_bytes: 262144
  max_delay_ms: 200
  checkpoint_interval_s: 1
state:
  path: state
)",
                                             port_, c.server_id, url, db_, db_, db_));
  }

  void start_sync() { child_ = std::make_unique<test::SyncProcess>(config_, dir_ + "/sync.log", "info"); }

  // SIGKILL, after checking the process was still running (it must not stop on its own).
  void kill_sync(const std::string& when) {
    int status = 0;
    if (child_->exited(status)) {
      FAIL() << "the sync process stopped on its own before " << when << " (status " << status << "); its log:\n"
             << test::tail_of(dir_ + "/sync.log");
    }
    child_->signal_and_wait(SIGKILL);
    child_.reset();
  }

  // Until the sync process logs that it streams (its initial snapshot is complete). Fails when it stops first.
  void wait_for_streaming() {
    for (;;) {
      if (test::tail_of(dir_ + "/sync.log", 1u << 30).find("resuming from checkpoint") != std::string::npos) return;
      int status = 0;
      if (child_->exited(status)) {
        FAIL() << "the sync process stopped on its own (status " << status << "); its log:\n"
               << test::tail_of(dir_ + "/sync.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // Until the destination's checkpoint mirror has a checkpoint (HTTP destinations: chDB is the child's while
  // it runs). Fails when the sync process stops first.
  void wait_for_mirrored_checkpoint() {
    for (;;) {
      auto r = run_mysql2ch(fmt::format("query -c {} \"SELECT count() FROM {}._mysql2ch_state\"", config_, db_));
      if (r.exit_code == 0 && r.out != "0\n") return;
      int status = 0;
      if (child_->exited(status)) {
        FAIL() << "the sync process stopped on its own (status " << status << "); its log:\n"
               << test::tail_of(dir_ + "/sync.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  void expect_mirror_exact(const test::RandomWorkload& workload) {
    for (const auto& table : workload.mirrored_tables()) {
      const std::string diff = test::compare_table(*src_, config_, db_, table);
      EXPECT_EQ(diff, "") << "table " << table << " (seed " << workload.seed() << ")";
    }
    EXPECT_EQ(test::destination_tables(config_, db_), workload.mirrored_tables()) << "seed " << workload.seed();
  }

  std::string db_, dir_, config_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
  std::unique_ptr<test::SyncProcess> child_;
};

TEST_P(WorkloadTest, MirrorEqualsSourceAfterDisruptions) {
  const Case& c = GetParam();
  std::unique_ptr<test::TcpRelay> relay;
  if (c.disruption == Disruption::kDestinationOutage) {
    ASSERT_FALSE(c.chdb) << "an embedded destination has no network to cut";
    relay = std::make_unique<test::TcpRelay>(testenv::ch_http_port());
    write_config(fmt::format("http://127.0.0.1:{}", relay->port()));
  }
  if (c.chdb) write_config("");

  const uint64_t seed = seed_for(c);
  const int steps = steps_to_run();
  std::cout << fmt::format(
                   "[ workload ] case {} seed {} steps {} (replay: M2C_WORKLOAD_SEED={} "
                   "M2C_WORKLOAD_STEPS={} --gtest_filter='*{}')\n",
                   c.name, seed, steps, seed, steps, c.name)
            << std::flush;
  RecordProperty("seed", std::to_string(seed));

  test::WorkloadOptions options;
  options.seed = seed;
  options.database = db_;
  options.ddl = ddl_kinds();
  // Without RENAME COLUMN in the mix a row follows each column change, so the narrower sets also converge where
  // a table's layout is learnt from its row events alone.
  options.row_after_ddl = !options.ddl.rename_column;
  options.compressed_partial_json = c.compressed_partial_json;
  options.log_path = dir_ + "/statements.sql";
  test::RandomWorkload workload(*src_, options);
  workload.create(400);

  // Where the disruptions happen: a plan drawn from the seed, apart from the workload's own draws.
  std::mt19937_64 plan(seed ^ 0x9e3779b97f4a7c15ULL);
  std::set<int> kills;
  if (c.disruption != Disruption::kDestinationOutage) {
    const int count = 3 + static_cast<int>(plan() % 3);
    while (static_cast<int>(kills.size()) < count) {
      kills.insert(steps / 10 + static_cast<int>(plan() % static_cast<uint64_t>(steps * 8 / 10)));
    }
  }
  if (testenv::env_or("M2C_WORKLOAD_UNDISTURBED", "") == "1") kills.clear();  // to tell disruption bugs apart
  const int state_loss_at = c.disruption == Disruption::kStateLoss ? steps / 2 : -1;
  const std::set<int> large = {steps / 3, 2 * steps / 3};

  const auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  start_sync();
  // Schema changes while a snapshot reads the table make the snapshot fail ("Unknown column", "Table doesn't
  // exist": its column list is the one loaded when it started), so the workload starts once the initial
  // snapshot is done. Snapshots after restarts can still meet the workload's DDL.
  wait_for_streaming();
  if (HasFatalFailure()) return;
  for (int step = 1; step <= steps; ++step) {
    if (large.count(step) != 0) workload.large_transaction();
    workload.step();
    // A pace the sync process keeps up with now and then, so kills land in every phase, not only in a backlog.
    std::this_thread::sleep_for(std::chrono::milliseconds(plan() % 8));
    if (relay && step == steps / 3) relay->close();
    if (relay && step == 2 * steps / 3) relay->open();
    if (step == state_loss_at) {
      wait_for_mirrored_checkpoint();
      if (HasFatalFailure()) return;
    }
    if (kills.count(step) != 0 || step == state_loss_at) {
      kill_sync(fmt::format("step {}", step));
      if (HasFatalFailure()) return;
      if (step == state_loss_at) fs::remove_all(dir_ + "/state");
      std::this_thread::sleep_for(std::chrono::milliseconds(plan() % 300));
      start_sync();
    }
  }
  if (c.disruption == Disruption::kDestinationOutage) {
    // A clean stop drains: it returns only after every row is acknowledged and checkpointed.
    const int status = child_->signal_and_wait(SIGTERM);
    child_.reset();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "; log:\n"
                                                               << test::tail_of(dir_ + "/sync.log");
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(plan() % 1000));
    kill_sync("the end of the workload");
    if (HasFatalFailure()) return;
  }

  const auto caught_up = std::chrono::steady_clock::now();
  const double workload_s = std::chrono::duration<double>(caught_up - started).count();
  auto once = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  const double catch_up_s = seconds_since(caught_up);
  ASSERT_EQ(once.exit_code, 0) << "seed " << seed << ": " << once.err;
  if (c.disruption == Disruption::kStateLoss) {
    EXPECT_NE(test::tail_of(dir_ + "/sync.log", 1u << 30).find("no local state"), std::string::npos)
        << "the restart after the state directory was deleted did not resume from the destination's mirror";
  }
  const auto compared = std::chrono::steady_clock::now();
  expect_mirror_exact(workload);
  if (validate_available()) {
    auto v = run_mysql2ch(fmt::format("validate -c {}", config_));
    EXPECT_EQ(v.exit_code, 0) << "seed " << seed << ": " << v.out << v.err;
  }
  std::cout << fmt::format(
      "[ workload ] {} steps ({} statements) and disruptions {:.1f} s, final sync --once "
      "{:.1f} s, comparison {:.1f} s\n",
      workload.steps_done(), workload.statements_done(), workload_s, catch_up_s, seconds_since(compared));
}

INSTANTIATE_TEST_SUITE_P(
    Servers, WorkloadTest,
    testing::Values(Case{"maria_http", false, false, false, Disruption::kKills, 9511, 1001},
                    Case{"maria_chdb", false, true, false, Disruption::kKills, 9512, 1002},
                    Case{"mysql_http", true, false, false, Disruption::kKills, 9513, 1003},
                    Case{"mysql_chdb", true, true, false, Disruption::kKills, 9514, 1004},
                    Case{"mysql_zip_pjson_http", true, false, true, Disruption::kKills, 9515, 1005},
                    Case{"mysql_zip_pjson_chdb", true, true, true, Disruption::kKills, 9516, 1006},
                    Case{"outage_mysql_zip_pjson_http", true, false, true, Disruption::kDestinationOutage, 9517, 1007},
                    Case{"state_loss_maria_http", false, false, false, Disruption::kStateLoss, 9518, 1008}),
    case_name);

}  // namespace
}  // namespace mysql2ch
