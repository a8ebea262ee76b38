// source.on_lost_position end to end: the checkpoint's binlogs are purged on a MariaDB 10.11 instance of this
// test's own (PURGE BINARY LOGS on the shared servers would break the other tests), into ClickHouse 18.16 (HTTP)
// and chDB. `fail` stops with the numbers; `resnapshot` continues from the current position, re-reads the table
// and removes the rows deleted while the binlogs were lost.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "clickhouse/chdb_library.h"
#include "mysql/connection.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

namespace fs = std::filesystem;
using testenv::run_mysql2ch;
using namespace std::chrono_literals;

constexpr int kPort = 13377;

// A throw-away MariaDB server with binlogs as the shared one has, in a scratch directory; stopped (its own pid)
// when the test ends.
class DedicatedMariaDb {
 public:
  DedicatedMariaDb() {
    dir_ = testenv::scratch_dir("lostpos_mariadb");
    const std::string install = fmt::format(
        "mariadb-install-db --no-defaults --user=root --datadir={0}/data --auth-root-authentication-method=normal "
        "--skip-test-db >{0}/install.log 2>&1",
        dir_);
    if (std::system(install.c_str()) != 0) throw std::runtime_error("mariadb-install-db failed, see " + dir_);
    const std::string start = fmt::format(
        "/usr/sbin/mariadbd --no-defaults --user=root --datadir={0}/data --socket={0}/sock --pid-file={0}/pid "
        "--log-error={0}/error.log --bind-address=127.0.0.1 --port={1} --skip-name-resolve --server-id=1 "
        "--log-bin={0}/data/mariadb-bin --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL "
        "--gtid-strict-mode=ON --innodb-buffer-pool-size=64M >/dev/null 2>&1 & echo $! >{0}/server.pid",
        dir_, kPort);
    if (std::system(start.c_str()) != 0) throw std::runtime_error("cannot start mariadbd");
    std::ifstream(dir_ + "/server.pid") >> pid_;
    try {
      // Ready once root answers on the socket; a server that died is an error, not a wait.
      while (std::system(fmt::format("mariadb-admin -S {}/sock -uroot ping >/dev/null 2>&1", dir_).c_str()) != 0) {
        if (pid_ <= 0 || kill(pid_, 0) != 0) throw std::runtime_error("mariadbd exited, see " + dir_ + "/error.log");
        std::this_thread::sleep_for(200ms);
      }
      const std::string users = fmt::format(
          "mariadb -S {}/sock -uroot -e \"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; ALTER USER "
          "'root'@'127.0.0.1' IDENTIFIED BY 'rootpass'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT "
          "OPTION;\" >{}/users.log 2>&1",
          dir_, dir_);
      if (std::system(users.c_str()) != 0) throw std::runtime_error("cannot create the test user, see " + dir_);
    } catch (...) {
      stop();
      throw;
    }
  }
  ~DedicatedMariaDb() {
    stop();
    fs::remove_all(dir_);
  }

 private:
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      // mariadbd is the shell's background child, not ours (it may linger as a zombie nobody reaps): it has
      // shut down once it removed its pid file.
      while (kill(pid_, 0) == 0 && fs::exists(dir_ + "/pid")) std::this_thread::sleep_for(100ms);
    }
    pid_ = -1;
  }

  std::string dir_;
  pid_t pid_ = -1;
};

struct Param {
  std::string name;
  bool chdb;
};

class LostPositionTest : public testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() { server_ = new DedicatedMariaDb(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    if (GetParam().chdb && !chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan";
    db_ = "lostpos_" + GetParam().name;
    dir_ = testenv::scratch_dir(db_);
    ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = kPort;
    o.user = "root";
    o.password = Secret("rootpass");
    auto c = Connection::open(o);
    ASSERT_TRUE(c.ok()) << c.error().message();
    src_ = std::make_unique<Connection>(std::move(c).value());
    exec("DROP DATABASE IF EXISTS " + db_);
    exec("CREATE DATABASE " + db_);
    config_ = dir_ + "/mirror.yaml";
    write_config("fail");
    if (!GetParam().chdb) {
      ASSERT_EQ(run_mysql2ch(fmt::format("query -c {} \"DROP DATABASE IF EXISTS {}\"", config_, db_)).exit_code, 0);
    }
  }

  void exec(const std::string& sql) {
    Status st = src_->execute(sql);
    ASSERT_TRUE(st.ok()) << sql << ": " << st.error().message();
  }

  void write_config(const std::string& policy) {
    const std::string url =
        GetParam().chdb ? "chdb://" + dir_ + "/chdb" : fmt::format("http://127.0.0.1:{}", testenv::ch_http_port());
    testenv::write_file(config_, fmt::format(R"(source:
  host: 127.0.0.1
  port: {}
  user: root
  password: rootpass
  server_id: 9601
  on_lost_position: {}
destination:
  url: '{}'
  database: {}
tables:
  include: ["{}.*"]
snapshot:
  chunk_rows: 700
pipeline:
  checkpoint_interval_s: 1
state:
  path: {}/state
)",
                                             kPort, policy, url, db_, db_, dir_));
  }

  std::string source_rows() {
    auto q = src_->query(fmt::format("SELECT id, a FROM {}.t ORDER BY id", db_));
    if (!q.ok()) throw std::runtime_error(q.error().message());
    std::string out;
    for (const auto& row : q->rows) out += fmt::format("{}\t{}\n", row[0].value_or("\\N"), row[1].value_or("\\N"));
    return out;
  }

  std::string destination_rows() {
    auto r = run_mysql2ch(
        fmt::format("query -c {} \"SELECT id, a FROM {}.t FINAL WHERE _is_deleted = 0 ORDER BY id\"", config_, db_));
    return r.exit_code == 0 ? r.out : "query failed: " + r.err;
  }

  static DedicatedMariaDb* server_;
  std::string db_, dir_, config_;
  std::unique_ptr<Connection> src_;
};

DedicatedMariaDb* LostPositionTest::server_ = nullptr;

TEST_P(LostPositionTest, FailStopsAndResnapshotRecovers) {
  exec(fmt::format("CREATE TABLE {}.t (id INT PRIMARY KEY, a VARCHAR(20))", db_));
  std::string values;
  for (int k = 0; k < 5000; ++k) values += fmt::format("{}({}, 'v{}')", k == 0 ? "" : ",", k, k);
  exec(fmt::format("INSERT INTO {}.t VALUES {}", db_, values));
  auto first = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(destination_rows(), source_rows());

  // Changes the stream will never see: their binlogs are purged before the next run.
  exec(fmt::format("DELETE FROM {}.t WHERE id % 10 = 3", db_));
  exec(fmt::format("UPDATE {}.t SET a = 'changed' WHERE id % 10 = 4", db_));
  exec(fmt::format("INSERT INTO {}.t VALUES (90001, 'new')", db_));
  exec("FLUSH BINARY LOGS");
  // PURGE skips a file a replica connection still reads (the last run's may linger a moment): until only the
  // newest file is left.
  while (true) {
    auto logs = src_->query("SHOW BINARY LOGS");
    ASSERT_TRUE(logs.ok() && !logs->rows.empty());
    if (logs->rows.size() == 1) break;
    exec(fmt::format("PURGE BINARY LOGS TO '{}'", *logs->rows.back()[0]));
    std::this_thread::sleep_for(200ms);
  }

  auto failed = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_NE(failed.err.find("no longer has the stream at"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("on_lost_position: resnapshot"), std::string::npos) << failed.err;

  write_config("resnapshot");
  auto recovered = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
  EXPECT_NE(recovered.err.find("on_lost_position is resnapshot"), std::string::npos) << recovered.err;
  EXPECT_EQ(destination_rows(), source_rows());

  // Streaming goes on from the new position.
  exec(fmt::format("DELETE FROM {}.t WHERE id < 100", db_));
  auto again = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("on_lost_position is resnapshot"), std::string::npos) << again.err;
  EXPECT_EQ(destination_rows(), source_rows());
}

INSTANTIATE_TEST_SUITE_P(Destinations, LostPositionTest, testing::Values(Param{"http", false}, Param{"chdb", true}),
                         [](const testing::TestParamInfo<Param>& p) { return p.param.name; });

}  // namespace
}  // namespace mysql2ch
