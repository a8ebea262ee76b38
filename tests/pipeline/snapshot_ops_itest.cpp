// Snapshots next to the stream, end to end with the real binary: MariaDB 10.11 and MySQL 9.x into ClickHouse 18.16
// (HTTP) and chDB. Concurrent writes during a snapshot, kill -9 in the middle of one, a table added to
// tables.include while `sync` streams, `resnapshot` repairing a damaged mirror, and the resume from the
// destination's checkpoint mirror. Each test ends by comparing ClickHouse's current state (FINAL,
// _is_deleted = 0) with the source. Progress is read from the state database (SQLite: readable while `sync`
// runs, also with a chDB destination whose directory the running process holds).
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "clickhouse/chdb_library.h"
#include "mysql/connection.h"
#include "state/state_store.h"
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

// Random row changes on tables (id INT PRIMARY KEY, a VARCHAR, b BIGINT) until stopped.
class Writer {
 public:
  Writer(int port, std::vector<std::string> tables, int id_range, uint32_t seed)
      : thread_([this, port, tables = std::move(tables), id_range, seed] {
          Connection w = test::root_connection(port);
          std::mt19937 rng(seed);
          for (int i = 0; !done_.load(); ++i) {
            const std::string& t = tables[rng() % tables.size()];
            const int id = static_cast<int>(rng() % static_cast<uint32_t>(id_range));
            switch (rng() % 4) {
              case 0: (void)w.execute(fmt::format("REPLACE INTO {} VALUES ({}, 'w{}', {})", t, id, i, i)); break;
              case 1: (void)w.execute(fmt::format("UPDATE {} SET b = b + 1, a = 'u{}' WHERE id = {}", t, i, id)); break;
              case 2: (void)w.execute(fmt::format("DELETE FROM {} WHERE id = {}", t, id)); break;
              default:
                (void)w.execute(fmt::format("UPDATE IGNORE {} SET id = {} WHERE id = {}", t, id_range + id, id));
                break;
            }
            ++changes_;
          }
        }) {}
  ~Writer() { stop(); }
  void stop() {
    done_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  uint64_t changes() const { return changes_.load(); }

 private:
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> changes_{0};
  std::thread thread_;
};

class SnapshotOpsTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    const ServerCase& p = GetParam();
    if (p.chdb && !chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan";
    db_ = "snapops_" + p.name;
    dir_ = testenv::scratch_dir(db_);
    port_ = p.mysql ? testenv::mysql_port() : testenv::mariadb_port();
    src_ = std::make_unique<Connection>(test::root_connection(port_));
    exec("DROP DATABASE IF EXISTS " + db_);
    exec("CREATE DATABASE " + db_);
    config_ = dir_ + "/mirror.yaml";
    if (!p.chdb) {
      write_config({"t1"});
      ASSERT_EQ(run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", config_, db_)).exit_code, 0);
    }
  }

  void TearDown() override {
    if (src_) (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  void exec(const std::string& sql) { test::must(src_->execute(sql)); }

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

  void write_config(const std::vector<std::string>& tables, uint64_t chunk_rows = 2000,
                    const std::string& extra_source = "") {
    const ServerCase& p = GetParam();
    const std::string url =
        p.chdb ? "chdb://" + dir_ + "/chdb" : fmt::format("http://127.0.0.1:{}", testenv::ch_http_port());
    std::string include;
    for (const auto& t : tables) include += fmt::format("{}\"{}.{}\"", include.empty() ? "" : ", ", db_, t);
    testenv::write_file(config_, fmt::format(R"(source:
  host: 127.0.0.1
  port: {}
  user: root
  password: rootpass
  server_id: {}
  max_connections: 3
{}destination:
  url: '{}'
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
                                             port_, p.server_id, extra_source, url, db_, include, chunk_rows, dir_));
  }

  testenv::CommandResult sync_once() {
    auto r = run_mysql2ch(fmt::format("sync --once -c {}", config_));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  std::string source_rows(const std::string& table) {
    auto q = src_->query(fmt::format("SELECT id, a, b FROM {}.{} ORDER BY id", db_, table));
    if (!q.ok()) throw std::runtime_error(q.error().message());
    std::string out;
    for (const auto& row : q->rows) {
      out += fmt::format("{}\t{}\t{}\n", row[0].value_or("\\N"), row[1].value_or("\\N"), row[2].value_or("\\N"));
    }
    return out;
  }

  std::string destination_rows(const std::string& table) {
    auto r =
        run_mysql2ch(fmt::format("query -c {} \"SELECT id, a, b FROM {}.{} FINAL WHERE _is_deleted = 0 ORDER "
                                 "BY id\"",
                                 config_, db_, table));
    if (r.exit_code != 0) return "query failed: " + r.err;
    return r.out;
  }

  void expect_mirror_exact(const std::vector<std::string>& tables) {
    for (const auto& table : tables) {
      const std::string expected = source_rows(table);
      const std::string actual = destination_rows(table);
      if (actual == expected) continue;
      size_t at = 0;
      while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
      const size_t line = expected.rfind('\n', at == 0 ? 0 : at - 1);
      const size_t from = line == std::string::npos ? 0 : line + 1;
      ADD_FAILURE() << "table " << table << ": source has " << std::count(expected.begin(), expected.end(), '\n')
                    << " rows, destination " << std::count(actual.begin(), actual.end(), '\n')
                    << "; first difference: source '" << expected.substr(from, 60) << "' destination '"
                    << actual.substr(from, 60) << "'";
    }
  }

  std::string query(const std::string& sql) {
    auto r = run_mysql2ch(fmt::format("query -c {} \"{}\"", config_, sql));
    EXPECT_EQ(r.exit_code, 0) << sql << ": " << r.err;
    return r.out;
  }

  std::unique_ptr<state::StateStore> state() {
    auto s = state::StateStore::open(dir_ + "/state");
    if (!s.ok()) throw std::runtime_error(s.error().message());
    return std::move(s).value();
  }

  std::optional<state::TableSnapshot> table_state(const std::string& table) {
    auto t = state()->table({db_, table});
    if (!t.ok()) throw std::runtime_error(t.error().message());
    return *t;
  }

  // Waits until the table's snapshot (or re-read) is done and its removal of older rows finished.
  void wait_snapshot_done(const std::string& table, test::SyncProcess& child) {
    while (true) {
      auto t = table_state(table);
      auto requests = state()->resnapshot_requests();
      if (t && t->state == state::SnapshotState::kDone && !t->purge_below && requests.ok() && requests->empty()) {
        return;
      }
      ASSERT_TRUE(child.running()) << "sync exited while " << table << " was being snapshotted";
      std::this_thread::sleep_for(200ms);
    }
  }

  std::string db_, dir_, config_;
  int port_ = 0;
  std::unique_ptr<Connection> src_;
};

// (a) A writer changes the table while `sync --once` snapshots it in small chunks; the next run is exact.
TEST_P(SnapshotOpsTest, ConcurrentWritesDuringSnapshot) {
  create_table("t1", 50000);
  write_config({"t1"}, 1000);
  Writer writer(port_, {db_ + ".t1"}, 50000, 11);
  while (writer.changes() < 50) std::this_thread::sleep_for(10ms);
  const uint64_t before = writer.changes();
  sync_once();
  EXPECT_GT(writer.changes(), before + 50) << "the writer did not run during the snapshot";
  writer.stop();
  sync_once();
  expect_mirror_exact({"t1"});
  auto t = table_state("t1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, state::SnapshotState::kDone);
  EXPECT_GE(t->chunks_done, 50u);
}

// (b) kill -9 of the real process at random points of a snapshot, several rounds: every chunk recorded done
// keeps its version (it is never read again), and the final mirror is exact.
TEST_P(SnapshotOpsTest, KillNineDuringSnapshotResumesChunks) {
  create_table("t1", 60000);
  write_config({"t1"}, 500);
  Writer writer(port_, {db_ + ".t1"}, 60000, 12);
  std::map<uint32_t, uint64_t> done_versions;
  std::mt19937 rng(5);
  int rounds_with_progress = 0;
  size_t done_before = 0;
  for (int round = 0; round < 5; ++round) {
    test::SyncProcess child(config_, dir_ + "/child.log");
    // Kill once a few more chunks are done (the snapshot is under way), at a random point after that.
    const size_t target = done_before + 1 + rng() % 8;
    while (child.running()) {
      auto chunks = state()->chunks({db_, "t1"});
      ASSERT_TRUE(chunks.ok()) << chunks.error().message();
      const auto done =
          static_cast<size_t>(std::count_if(chunks->begin(), chunks->end(), [](const auto& c) { return c.done; }));
      if (done >= target || (!chunks->empty() && done == chunks->size() && !chunks->back().upper_key)) break;
      std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    const int status = child.signal_and_wait(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status)) << "round " << round;
    auto chunks = state()->chunks({db_, "t1"});
    ASSERT_TRUE(chunks.ok()) << chunks.error().message();
    size_t done = 0;
    for (const auto& c : *chunks) {
      if (!c.done) continue;
      ++done;
      auto it = done_versions.find(c.index);
      if (it != done_versions.end()) {
        EXPECT_EQ(it->second, c.version) << "chunk " << c.index << " was read again in round " << round;
      }
      done_versions[c.index] = c.version;
    }
    if (done > 0 && (done < chunks->size() || chunks->back().upper_key)) ++rounds_with_progress;
    done_before = done;
  }
  writer.stop();
  sync_once();
  expect_mirror_exact({"t1"});
  auto chunks = state()->chunks({db_, "t1"});
  ASSERT_TRUE(chunks.ok());
  for (const auto& c : *chunks) {
    auto it = done_versions.find(c.index);
    if (it != done_versions.end()) {
      EXPECT_EQ(it->second, c.version) << "chunk " << c.index << " read again";
    }
  }
  EXPECT_GT(rounds_with_progress, 0) << "no kill landed in the middle of the snapshot";
}

// (c) A table added to tables.include while `sync` streams: it is snapshotted and mirrored while the other
// table keeps changing.
TEST_P(SnapshotOpsTest, TableAddedWhileStreaming) {
  create_table("t1", 1000);
  create_table("added", 30000);
  write_config({"t1"});
  sync_once();
  write_config({"t1", "added"}, 1500);
  Writer writer(port_, {db_ + ".t1", db_ + ".added"}, 30000, 13);
  {
    test::SyncProcess child(config_, dir_ + "/child.log");
    wait_snapshot_done("added", child);
    std::this_thread::sleep_for(1s);
    const int status = child.signal_and_wait(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  writer.stop();
  sync_once();
  expect_mirror_exact({"t1", "added"});
}

// (d) `resnapshot` repairs rows changed, deleted and added directly in ClickHouse, while sync runs under writes.
TEST_P(SnapshotOpsTest, ResnapshotRepairsTheMirror) {
  create_table("t1", 20000);
  write_config({"t1"});
  sync_once();
  expect_mirror_exact({"t1"});
  const std::string t = db_ + ".t1";
  // Versions below the pipeline's counter, as a stray writer or a bug would leave them.
  query(
      fmt::format("INSERT INTO {0} (id, a, b, _version, _is_deleted) SELECT id, 'corrupt', b, _version + 1, 0 "
                  "FROM {0} FINAL WHERE id = 7",
                  t));
  query(
      fmt::format("INSERT INTO {0} (id, a, b, _version, _is_deleted) SELECT id, a, b, _version + 1, 1 "
                  "FROM {0} FINAL WHERE id = 9",
                  t));
  query(fmt::format("INSERT INTO {} (id, a, b, _version, _is_deleted) VALUES (777777, 'ghost', 1, 1, 0)", t));
  EXPECT_NE(destination_rows("t1"), source_rows("t1"));
  // Rows the source deletes while ClickHouse holds an old copy of them at a low version.
  Writer writer(port_, {t}, 20000, 14);
  {
    test::SyncProcess child(config_, dir_ + "/child.log");
    auto r = run_mysql2ch(fmt::format("resnapshot -c {} '{}.t*'", config_, db_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("resnapshot requested: " + t), std::string::npos) << r.out;
    wait_snapshot_done("t1", child);
    const int status = child.signal_and_wait(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  writer.stop();
  sync_once();
  expect_mirror_exact({"t1"});
  // A name that is not selected is refused.
  auto bad = run_mysql2ch(fmt::format("resnapshot -c {} {}.nope", config_, db_));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("matches none"), std::string::npos) << bad.err;
}

// A request recorded while no sync runs is taken by the next one; status shows it until then.
TEST_P(SnapshotOpsTest, ResnapshotRequestWaitsForTheNextSync) {
  create_table("t1", 3000);
  write_config({"t1"});
  sync_once();
  query(fmt::format("INSERT INTO {}.t1 (id, a, b, _version, _is_deleted) VALUES (888888, 'ghost', 1, 1, 0)", db_));
  auto r = run_mysql2ch(fmt::format("resnapshot -c {} {}.t1", config_, db_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto status = run_mysql2ch(fmt::format("status -c {}", config_));
  EXPECT_NE(status.out.find("resnapshot of " + db_ + ".t1 requested"), std::string::npos) << status.out;
  sync_once();
  expect_mirror_exact({"t1"});
  auto t = table_state("t1");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->purge_below);
  EXPECT_EQ(t->state, state::SnapshotState::kDone);
}

// Resuming from the destination's mirror alone records the tables as copied: the run after it reads nothing.
TEST_P(SnapshotOpsTest, MirrorOnlyResumeDoesNotSnapshotAgain) {
  create_table("t1", 3000);
  write_config({"t1"});
  sync_once();
  fs::remove_all(dir_ + "/state");
  exec(fmt::format("UPDATE {}.t1 SET a = 'after' WHERE id < 10", db_));
  auto resumed = sync_once();
  EXPECT_NE(resumed.err.find("resuming from"), std::string::npos) << resumed.err;
  EXPECT_EQ(resumed.err.find("table(s) start at"), std::string::npos) << "snapshotted again:\n" << resumed.err;
  auto next = sync_once();
  EXPECT_EQ(next.err.find("table(s) start at"), std::string::npos) << "snapshotted again:\n" << next.err;
  expect_mirror_exact({"t1"});
  auto t = table_state("t1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, state::SnapshotState::kDone);
  EXPECT_EQ(t->chunks_planned, 0u);
}

INSTANTIATE_TEST_SUITE_P(Servers, SnapshotOpsTest,
                         testing::Values(ServerCase{"maria_http", false, false, 9511},
                                         ServerCase{"maria_chdb", false, true, 9512},
                                         ServerCase{"mysql_http", true, false, 9513},
                                         ServerCase{"mysql_chdb", true, true, 9514}),
                         server_case_name);

}  // namespace
}  // namespace mysql2ch
