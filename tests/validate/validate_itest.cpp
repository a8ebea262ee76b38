// `mysql2ch validate` end to end: MariaDB 10.11 and MySQL 9.x mirrored by `sync --once` into ClickHouse 18.16
// (HTTP, legacy mapping) and chDB (modern mapping). A fresh mirror validates equal (exit 0); then differences
// are written straight into ClickHouse the way a broken pipeline would leave them — a newer version with other
// values, a newer tombstone, a row for a key the source lacks — and validate must exit 1 naming exactly those
// keys (and the first differing column), in the text and in the JSON report.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "clickhouse/chdb_library.h"
#include "mysql/connection.h"
#include "support/server_case.h"
#include "support/source_sql.h"
#include "support/testenv.h"

extern char** environ;

namespace mysql2ch {
namespace {

using test::server_case_name;
using test::ServerCase;

using testenv::run_mysql2ch;

// A newer version than anything `sync` wrote in these tests.
constexpr uint64_t kInjectedVersion = 4000000000ull;

class ValidateTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    const ServerCase& p = GetParam();
    if (p.chdb && !chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan";
    db_ = "val_" + p.name;
    dir_ = testenv::scratch_dir(db_);
    src_ =
        std::make_unique<Connection>(test::root_connection(p.mysql ? testenv::mysql_port() : testenv::mariadb_port()));
    exec("DROP DATABASE IF EXISTS " + db_);
    exec("CREATE DATABASE " + db_);
    exec(fmt::format(R"(CREATE TABLE {}.types (
        id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, bi BIGINT UNSIGNED, b1 TINYINT(1),
        d1 DECIMAL(10,2), d2 DECIMAL(50,10), f FLOAT, dbl DOUBLE, bt BIT(5), yr YEAR, dt DATE, dtm DATETIME(6),
        ts TIMESTAMP(3) NULL, tm TIME(3), ch CHAR(5) CHARACTER SET latin1, vc VARCHAR(40) CHARACTER SET utf8mb4,
        bn BINARY(4), vb VARBINARY(10), bl BLOB, tx TEXT, en ENUM('a','b','c'), st SET('x','y','z'), js JSON,
        nv VARCHAR(10) NULL))",
                     db_));
    std::string values;
    for (int k = 1; k <= 40; ++k) {
      values += fmt::format(
          "{}({}, {}, {}, {}, {}, {}, {}.25, '12345678901234567890.0123456789', {}.3, {}.0 / 7, {}, {}, "
          "'2020-{:02}-{:02}', '2021-03-04 05:06:{:02}.123456', '2022-01-01 00:00:{:02}.5', '-12:34:{:02}.789', "
          "'caf\xc3\xa9', 'na\xc3\xafve \xf0\x9f\x98\x80 {}', X'000102{:02X}', X'ABCD{:02X}', X'00FF', 'text {}', "
          "'b', 'x,z', '{{\"a\": {}, \"b\": [1, 2.5]}}', {})",
          k == 1 ? "" : ",", k, k - 20, k * 100, -k * 1000, 18446744073709551615ull - static_cast<uint64_t>(k), k % 2,
          k, k, k, k % 32, 2000 + k, k % 12 + 1, k % 28 + 1, k, k, k, k, k, k, k, k, k % 3 == 0 ? "NULL" : "'n'");
    }
    exec(fmt::format("INSERT INTO {}.types VALUES {}", db_, values));
    // A text key of two columns: compared as one range (MySQL's collation order is not ClickHouse's).
    exec(
        fmt::format("CREATE TABLE {}.ckey (region VARCHAR(10), id INT, v VARCHAR(20), PRIMARY KEY (region, id))", db_));
    exec(
        fmt::format("INSERT INTO {}.ckey VALUES ('eu', 1, 'a'), ('eu', 2, 'b'), ('eu', 3, 'c'), ('us', 1, 'd'), "
                    "('asia', 7, 'e')",
                    db_));
    // An integer key over many ranges (--range-rows 50).
    exec(fmt::format("CREATE TABLE {}.ranged (id BIGINT PRIMARY KEY, a INT, b VARCHAR(20))", db_));
    values.clear();
    for (int k = 1; k <= 1000; ++k) values += fmt::format("{}({}, {}, 'b{}')", k == 1 ? "" : ",", k, k * 3, k);
    exec(fmt::format("INSERT INTO {}.ranged VALUES {}", db_, values));
    exec(fmt::format("CREATE TABLE {}.nokey (a INT, b VARCHAR(10))", db_));
    exec(fmt::format("INSERT INTO {}.nokey VALUES (1, 'x'), (1, 'x'), (2, 'y')", db_));

    if (!p.chdb) {
      // The destination database also holds the checkpoint mirror: dropping it starts from nothing.
      ASSERT_EQ(ch("DROP DATABASE IF EXISTS " + db_).exit_code, 0);
    }
    config_ = dir_ + "/mirror.yaml";
    const std::string url =
        p.chdb ? "chdb://" + dir_ + "/chdb" : fmt::format("http://127.0.0.1:{}", testenv::ch_http_port());
    testenv::write_file(
        config_, fmt::format(R"(source:
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
pipeline:
  max_delay_ms: 200
  checkpoint_interval_s: 1
state:
  path: state
)",
                             p.mysql ? testenv::mysql_port() : testenv::mariadb_port(), p.server_id, url, db_, db_));
  }

  void TearDown() override {
    if (src_) (void)src_->execute("DROP DATABASE IF EXISTS " + db_);
  }

  void exec(const std::string& sql) { test::must(src_->execute(sql)); }

  // One statement on the destination, through the binary (a chDB directory is opened by one process at a time).
  testenv::CommandResult ch(const std::string& sql) {
    if (GetParam().chdb) return run_mysql2ch(fmt::format("query -c {} \"{}\"", config_, sql));
    const std::string cfg = dir_ + "/http.yaml";
    testenv::write_file(cfg, fmt::format("source: {{host: 127.0.0.1, user: root, password: x, server_id: 1}}\n"
                                         "destination: {{url: 'http://127.0.0.1:{}'}}\n",
                                         testenv::ch_http_port()));
    return run_mysql2ch(fmt::format("query -c {} \"{}\"", cfg, sql));
  }

  // Re-inserts the mirror's current row of `where` with a newer version: `replace` swaps one column's value
  // (column name → ClickHouse expression), `deleted` makes it a tombstone.
  void reinsert(const std::string& table, const std::string& where, const std::pair<std::string, std::string>& replace,
                bool deleted) {
    auto cols =
        src_->query(fmt::format("SELECT column_name FROM information_schema.columns WHERE table_schema = '{}' "
                                "AND table_name = '{}' ORDER BY ordinal_position",
                                db_, table));
    ASSERT_TRUE(cols.ok());
    std::string names, select;
    for (const auto& row : cols->rows) {
      names += *row[0] + ", ";
      select += (*row[0] == replace.first ? replace.second : *row[0]) + ", ";
    }
    auto r =
        ch(fmt::format("INSERT INTO {0}.{1} ({2}_version, _is_deleted) SELECT {3}toUInt64({4}), toUInt8({5}) "
                       "FROM {0}.{1} FINAL WHERE _is_deleted = 0 AND {6}",
                       db_, table, names, select, kInjectedVersion, deleted ? 1 : 0, where));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  nlohmann::json validate_json(int expected_exit) {
    auto r = run_mysql2ch(fmt::format("validate -c {} --json --range-rows 50", config_));
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  static const nlohmann::json& table(const nlohmann::json& report, const std::string& source) {
    for (const auto& t : report["tables"]) {
      if (t["source"] == source) return t;
    }
    throw std::runtime_error("no table " + source + " in the report");
  }

  // "kind key…[ column]" for each listed key, sorted.
  static std::set<std::string> keys(const nlohmann::json& t) {
    std::set<std::string> out;
    for (const auto& k : t["keys"]) {
      std::string line = k["kind"].get<std::string>();
      // Appended piecewise: GCC 12 reports `" " + string` as an overlapping copy (-Wrestrict false positive).
      for (const auto& v : k["key"]) {
        line += ' ';
        line += v.get<std::string>();
      }
      if (k.contains("column")) {
        line += " column ";
        line += k["column"].get<std::string>();
      }
      out.insert(line);
    }
    return out;
  }

  std::string db_, dir_, config_;
  std::unique_ptr<Connection> src_;
};

TEST_P(ValidateTest, EqualMirrorThenInjectedDifferencesAreNamed) {
  auto synced = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(synced.exit_code, 0) << synced.err;

  const nlohmann::json equal = validate_json(0);
  ASSERT_TRUE(equal.is_object());
  EXPECT_TRUE(equal["equal"].get<bool>());
  ASSERT_EQ(equal["tables"].size(), 4u);
  EXPECT_EQ(table(equal, db_ + ".types")["source_rows"], 40);
  EXPECT_EQ(table(equal, db_ + ".types")["mirror_rows"], 40);
  EXPECT_EQ(table(equal, db_ + ".ckey")["key_ranges"], false);
  EXPECT_EQ(table(equal, db_ + ".ckey")["ranges"], 1);
  EXPECT_EQ(table(equal, db_ + ".ranged")["key_ranges"], true);
  // 1000 rows by 50: twenty ranges up to id 1000, then the planner's open-ended last range (empty here).
  EXPECT_EQ(table(equal, db_ + ".ranged")["ranges"], 21);
  EXPECT_EQ(table(equal, db_ + ".nokey")["has_primary_key"], false);
  EXPECT_EQ(table(equal, db_ + ".nokey")["mirror_rows"], 3);

  // A changed value, a missing row, an extra row.
  reinsert("ranged", "id = 517", {"a", "toInt32(-1)"}, false);
  reinsert("ranged", "id = 733", {}, true);
  ASSERT_EQ(ch(fmt::format("INSERT INTO {}.ranged (id, a, b, _version, _is_deleted) VALUES (5000, 1, 'x', {}, 0)", db_,
                           kInjectedVersion))
                .exit_code,
            0);
  reinsert("ckey", "region = 'eu' AND id = 3", {"v", "'changed'"}, false);
  ASSERT_EQ(ch(fmt::format("INSERT INTO {}.ckey (region, id, v, _version, _is_deleted) VALUES ('zz', 1, 'x', {}, 0)",
                           db_, kInjectedVersion))
                .exit_code,
            0);
  reinsert("types", "id = 7", {"vc", "'other'"}, false);
  reinsert("types", "id = 9", {}, true);
  reinsert("types", "id = 11", {"dbl", "dbl + 1"}, false);
  ASSERT_EQ(ch(fmt::format("INSERT INTO {}.nokey (a, b, _version, _is_deleted) VALUES (3, 'z', {}, 0)", db_,
                           kInjectedVersion))
                .exit_code,
            0);

  const nlohmann::json diff = validate_json(1);
  ASSERT_TRUE(diff.is_object());
  EXPECT_FALSE(diff["equal"].get<bool>());
  const auto& ranged = table(diff, db_ + ".ranged");
  EXPECT_EQ(keys(ranged), (std::set<std::string>{"different 517 column a", "missing 733", "extra 5000"}));
  EXPECT_EQ(ranged["differing_keys"], 3);
  EXPECT_EQ(ranged["differing_ranges"], 3);  // those of 517 and 733, and the open-ended last one
  EXPECT_EQ(ranged["source_rows"], 1000);
  EXPECT_EQ(ranged["mirror_rows"], 1000);  // one missing, one extra
  EXPECT_EQ(keys(table(diff, db_ + ".ckey")), (std::set<std::string>{"different eu 3 column v", "extra zz 1"}));
  EXPECT_EQ(keys(table(diff, db_ + ".types")),
            (std::set<std::string>{"different 7 column vc", "missing 9", "different 11 column dbl"}));
  const auto& nokey = table(diff, db_ + ".nokey");
  EXPECT_EQ(nokey["equal"], false);
  EXPECT_EQ(nokey["mirror_rows"], 4);
  EXPECT_EQ(nokey["keys"].size(), 0u);

  // --max-keys and --tables narrow the text report.
  auto text =
      run_mysql2ch(fmt::format("validate -c {} --tables '{}.rang*' --max-keys 2 --range-rows 50", config_, db_));
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_NE(text.out.find("3 differing key(s), the first 2"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(db_ + ".ckey"), std::string::npos) << text.out;

  // The source changing the way the mirror was damaged makes the tables equal again.
  exec(fmt::format("UPDATE {}.ranged SET a = -1 WHERE id = 517", db_));
  exec(fmt::format("DELETE FROM {}.ranged WHERE id = 733", db_));
  exec(fmt::format("INSERT INTO {}.ranged VALUES (5000, 1, 'x')", db_));
  auto narrowed = run_mysql2ch(fmt::format("validate -c {} --tables '{}.ranged' --json", config_, db_));
  EXPECT_EQ(narrowed.exit_code, 0) << narrowed.out << narrowed.err;
}

// `mysql2ch sync` (continuous) in the background; SIGTERM drains it.
class SyncProcess {
 public:
  explicit SyncProcess(const std::string& config) {
    const std::string binary = MYSQL2CH_BINARY;
    std::vector<std::string> args{binary, "--log-level", "warn", "sync", "-c", config};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("posix_spawn failed");
    }
  }
  ~SyncProcess() {
    if (pid_ > 0) stop();
  }
  int stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// Changes made just before validate starts reach the mirror while it runs: whatever the first pass sees as
// different only by lag is read again once the checkpoint passed the source, so the mirror validates equal.
// Meanwhile another table keeps the source position moving, so the "source did not move" shortcut never applies.
TEST_P(ValidateTest, WhileSyncStreamsLagIsNotReportedAsDifference) {
  if (GetParam().chdb) GTEST_SKIP() << "a chDB directory is held by one process: validate runs between syncs";
  auto synced = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(synced.exit_code, 0) << synced.err;
  SyncProcess sync(config_);
  std::atomic<bool> done{false};
  std::string writer_error;  // read after join
  Connection writer_conn = test::root_connection(GetParam().mysql ? testenv::mysql_port() : testenv::mariadb_port());
  std::thread writer([&] {
    for (int k = 100; !done.load() && writer_error.empty(); ++k) {
      if (Status st = writer_conn.execute(fmt::format("INSERT INTO {}.nokey VALUES ({}, 'w')", db_, k)); !st.ok()) {
        writer_error = st.error().message();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exec(fmt::format("UPDATE {}.ranged SET a = a + 1 WHERE id % 10 = 0", db_));
  exec(fmt::format("DELETE FROM {}.ranged WHERE id BETWEEN 300 AND 320", db_));
  exec(fmt::format("INSERT INTO {}.ranged VALUES (2000, 1, 'new'), (2001, 2, 'new')", db_));
  // A generous bound for the checkpoint on a loaded machine; the wait ends as soon as the checkpoint is there.
  auto r =
      run_mysql2ch(fmt::format("validate -c {} --tables '{}.ranged' --range-rows 50 --rechecks 5 "
                               "--recheck-wait 300 --json",
                               config_, db_));
  done.store(true);
  writer.join();
  EXPECT_EQ(writer_error, "");
  const int status = sync.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "sync status " << status;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_TRUE(j["equal"].get<bool>()) << r.out;
  EXPECT_EQ(table(j, db_ + ".ranged")["source_rows"], 981);
  std::printf("re-checks after lag: %d\n", j["rechecks"].get<int>());
}

// A JSON document copied by the snapshot (SELECT text) and the same document arriving through the stream
// (MySQL: binary JSON from the row image) must be stored with the same spelling, MySQL's own text: otherwise
// the mirror holds two spellings of one value and validate reports the streamed rows as different.
TEST_P(ValidateTest, JsonFromTheSnapshotAndFromTheStreamIsStoredAlike) {
  const std::vector<std::string> docs = {
      R"({"a":1,"b":[1,2],"c":{"d":null,"e":true,"f":false},"":[],"bb":{}})",
      R"([1.0, 1e0, -0.0, 0.1, 1e15, 1.5e-16, 3e-7, 123456789012345.0, 1.7976931348623157e308, 1.50, 100])",
      R"({"s": "q\\"b\\\\s\\n\\t\\u0001\\u001f\\u007f/ é 😀", "zz": 1, "a": 2})",
      R"([-9223372036854775808, 18446744073709551615, 32767, -32769, 65536, 4294967296])",
      R"("just a string")",
      R"(null)",
  };
  exec(fmt::format("CREATE TABLE {}.jdocs (id INT PRIMARY KEY, j JSON)", db_));
  std::string values;
  for (size_t k = 0; k < docs.size(); ++k) values += fmt::format("{}({}, '{}')", k == 0 ? "" : ",", k + 1, docs[k]);
  exec(fmt::format("INSERT INTO {}.jdocs VALUES {}", db_, values));
  auto snapshot = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.err;
  exec(fmt::format("INSERT INTO {0}.jdocs SELECT id + 100, j FROM {0}.jdocs", db_));
  auto stream = run_mysql2ch(fmt::format("sync --once -c {}", config_));
  ASSERT_EQ(stream.exit_code, 0) << stream.err;

  // Every document is stored twice (ids k and k + 100) with one spelling.
  const auto same =
      ch(fmt::format("SELECT count() FROM (SELECT j FROM {}.jdocs FINAL WHERE _is_deleted = 0 GROUP BY j "
                     "HAVING count() = 2 AND min(id) + 100 = max(id))",
                     db_));
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.out, fmt::format("{}\n", docs.size()));
  const nlohmann::json report = validate_json(0);
  ASSERT_TRUE(report.is_object());
  EXPECT_TRUE(report["equal"].get<bool>());
  EXPECT_EQ(table(report, db_ + ".jdocs")["mirror_rows"], 2 * docs.size());
}

INSTANTIATE_TEST_SUITE_P(Servers, ValidateTest,
                         testing::Values(ServerCase{"maria_http", false, false, 9741},
                                         ServerCase{"maria_chdb", false, true, 9742},
                                         ServerCase{"mysql_http", true, false, 9743},
                                         ServerCase{"mysql_chdb", true, true, 9744}),
                         server_case_name);

TEST(ValidateCommand, ConfigurationErrorsExit2AndUnreachableServersExit3) {
  const std::string dir = testenv::scratch_dir("val_errors");
  auto missing = run_mysql2ch(fmt::format("validate -c {}/does-not-exist.yaml", dir));
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  // Port 1 on the loopback: nothing listens, the connection is refused at once.
  testenv::write_file(dir + "/down.yaml", fmt::format("source: {{host: 127.0.0.1, port: 1, user: root, password: x, "
                                                      "server_id: 1}}\ndestination: {{url: 'http://127.0.0.1:{}'}}\n",
                                                      testenv::ch_http_port()));
  auto down = run_mysql2ch(fmt::format("validate -c {}/down.yaml", dir));
  EXPECT_EQ(down.exit_code, 3) << down.err;
  EXPECT_NE(down.err.find("127.0.0.1:1"), std::string::npos) << down.err;
}

}  // namespace
}  // namespace mysql2ch
