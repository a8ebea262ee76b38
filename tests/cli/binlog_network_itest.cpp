// `mysql2ch binlog -c FILE` against the real servers: the JSON lines of exactly the transactions written after
// the start position, positioned by GTID and by file:pos, on MariaDB and MySQL.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "mysql/connection.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

struct Server {
  const char* name;
  int (*port)();
};

class BinlogNetwork : public ::testing::TestWithParam<Server> {
 protected:
  void SetUp() override {
    ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = static_cast<uint16_t>(GetParam().port());
    o.user = "root";
    o.password = Secret("rootpass");
    auto c = Connection::open(o);
    ASSERT_TRUE(c.ok()) << c.error().message();
    root_ = std::make_unique<Connection>(std::move(c).value());
    mariadb_ = root_->server().flavor == ServerFlavor::kMariaDB;
    ASSERT_TRUE(root_->execute("CREATE DATABASE IF NOT EXISTS cli_binlog_it").ok());
    ASSERT_TRUE(root_->execute("DROP TABLE IF EXISTS cli_binlog_it.t").ok());
    ASSERT_TRUE(root_->execute("CREATE TABLE cli_binlog_it.t (id INT PRIMARY KEY, name VARCHAR(20), "
                               "amount DECIMAL(20,4), at DATETIME(6) NULL, flags SET('a','b','c'))")
                    .ok());
    dir_ = testenv::scratch_dir(std::string("cli_binlog_") + GetParam().name);
    testenv::write_file(dir_ + "/m.yaml", fmt::format(R"(source:
  host: 127.0.0.1
  port: {}
  user: repl
  password: replpass
  server_id: 9301
destination:
  url: http://127.0.0.1:{}
)",
                                                      GetParam().port(), testenv::ch_http_port()));
  }

  std::string value(const std::string& sql) {
    auto v = root_->query_value(sql);
    EXPECT_TRUE(v.ok()) << v.error().message();
    return v.ok() && v->has_value() ? **v : "";
  }

  void write_rows() {
    ASSERT_TRUE(root_->execute("INSERT INTO cli_binlog_it.t VALUES (1, 'zażółć', -12.5, '2024-02-29 23:59:59.000001', 'a,c')").ok());
    ASSERT_TRUE(root_->execute("UPDATE cli_binlog_it.t SET amount = 99999.9999, flags = '' WHERE id = 1").ok());
    ASSERT_TRUE(root_->execute("DELETE FROM cli_binlog_it.t WHERE id = 1").ok());
  }

  std::vector<nlohmann::json> lines(const std::string& args) {
    auto r = testenv::run_mysql2ch(fmt::format("binlog -c {}/m.yaml {}", dir_, args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  void expect_the_three_changes(const std::vector<nlohmann::json>& got) {
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0]["op"], "insert");
    EXPECT_EQ(got[0]["db"], "cli_binlog_it");
    EXPECT_EQ(got[0]["table"], "t");
    EXPECT_TRUE(got[0]["before"].is_null());
    EXPECT_EQ(got[0]["after"], nlohmann::json::parse(R"({"id":1,"name":"zażółć","amount":"-12.5000",
        "at":"2024-02-29 23:59:59.000001","flags":["a","c"]})"));
    EXPECT_EQ(got[1]["op"], "update");
    EXPECT_EQ(got[1]["before"], got[0]["after"]);
    EXPECT_EQ(got[1]["after"]["amount"], "99999.9999");
    EXPECT_EQ(got[1]["after"]["flags"], nlohmann::json::array());
    EXPECT_EQ(got[2]["op"], "delete");
    EXPECT_EQ(got[2]["before"], got[1]["after"]);
    EXPECT_TRUE(got[2]["after"].is_null());
    for (const auto& l : got) EXPECT_FALSE(l["gtid"].get<std::string>().empty());
  }

  std::unique_ptr<Connection> root_;
  bool mariadb_ = false;
  std::string dir_;
};

TEST_P(BinlogNetwork, FromGtidUntilEnd) {
  const std::string start = value(mariadb_ ? "SELECT @@gtid_binlog_pos" : "SELECT @@gtid_executed");
  write_rows();
  expect_the_three_changes(lines(fmt::format("--from-gtid '{}' --until-end --tables 'cli_binlog_it.*'", start)));
}

TEST_P(BinlogNetwork, FromFileAndPosition) {
  auto status = root_->query(mariadb_ ? "SHOW MASTER STATUS" : "SHOW BINARY LOG STATUS");
  ASSERT_TRUE(status.ok()) << status.error().message();
  ASSERT_EQ(status->rows.size(), 1u);
  const std::string file = *status->rows[0][0];
  const std::string pos = *status->rows[0][1];
  write_rows();
  const auto got = lines(fmt::format("--from-file {} --from-pos {} --until-end --tables 'cli_binlog_it.*'", file, pos));
  expect_the_three_changes(got);
  EXPECT_EQ(got[0]["file"], file);
  EXPECT_GE(got[0]["pos"].get<uint64_t>(), std::stoull(pos));
}

TEST_P(BinlogNetwork, LimitStopsEarly) {
  const std::string start = value(mariadb_ ? "SELECT @@gtid_binlog_pos" : "SELECT @@gtid_executed");
  write_rows();
  const auto got = lines(fmt::format("--from-gtid '{}' --until-end --tables 'cli_binlog_it.*' --limit 2", start));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1]["op"], "update");
}

TEST_P(BinlogNetwork, BadPositionsAreUsageErrors) {
  auto r = testenv::run_mysql2ch(fmt::format("binlog -c {}/m.yaml --from-gtid nonsense --until-end", dir_));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--from-gtid"), std::string::npos) << r.err;
  r = testenv::run_mysql2ch(fmt::format("binlog -c {}/m.yaml --from-pos 4 --until-end", dir_));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = testenv::run_mysql2ch(fmt::format("binlog -c {}/m.yaml --file x.bin", dir_));
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_P(BinlogNetwork, UnknownFileIsARuntimeError) {
  auto r = testenv::run_mysql2ch(
      fmt::format("binlog -c {}/m.yaml --from-file no-such-binlog.000042 --from-pos 4 --until-end", dir_));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("no-such-binlog.000042"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Servers, BinlogNetwork,
                         ::testing::Values(Server{"mariadb", testenv::mariadb_port}, Server{"mysql", testenv::mysql_port}),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace mysql2ch
