// `mysql2ch check --json` against the real destinations — ClickHouse 18.16 over HTTP and HTTPS, and chDB —
// and against each kind of bad destination input. Only the destination.* items are asserted: the source
// half belongs to its own tests.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "clickhouse/http_connection.h"
#include "support/clickhouse_transports.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

struct Item {
  std::string state;
  std::string found;
  std::string fix;
};

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class DestinationCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testenv::scratch_dir(std::string("dest_chk_") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  // Runs check with `destination` (YAML lines under destination:) and `include`; returns the destination.* items.
  std::map<std::string, Item> check(const std::string& destination,
                                    const std::string& include = "[\"dest_chk_shop.*\"]") {
    const std::string config = dir_ + "/mirror.yaml";
    testenv::write_file(
        config,
        fmt::format("source:\n  host: 127.0.0.1\n  port: {}\n  user: repl\n  password: replpass\n  server_id: 9001\n"
                    "destination:\n{}\ntables:\n  include: {}\nstate:\n  path: {}/state\n",
                    testenv::mariadb_port(), destination, include, dir_));
    const auto r = testenv::run_mysql2ch("check --json -c " + config);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
    std::map<std::string, Item> items;
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out << "\n" << r.err;
      return items;
    }
    for (const auto& j : doc.at("items")) {
      const std::string id = j.at("id");
      if (id.rfind("destination.", 0) != 0) continue;
      items[id] = Item{j.at("state"), j.at("found"), j.value("fix", "")};
    }
    return items;
  }

  static std::string http_url() { return "http://127.0.0.1:" + std::to_string(testenv::ch_http_port()); }
  static std::string https_url() { return "https://127.0.0.1:" + std::to_string(testenv::ch_https_port()); }
  static std::string ca() { return testenv::certs_dir() + "/ca.pem"; }

  // Whether the 18.16 server holds `database`, or a leftover probe table anywhere.
  static std::string server_query(const std::string& sql) {
    auto c = HttpConnection::open(test::http_options(false));
    if (!c.ok()) return "open failed";
    auto r = (*c)->query(sql, "TabSeparated");
    return r.ok() ? *r : r.error().message();
  }

  std::string dir_;
};

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST_F(DestinationCheck, ClickHouse1816OverHttpPassesWithALegacyProfile) {
  server_query("DROP DATABASE IF EXISTS dest_chk_shop");
  auto items = check("  url: " + http_url() + "\n  user: cdc\n  password: cdcpass");
  EXPECT_EQ(items["destination.reachable"].state, "pass");
  EXPECT_EQ(items["destination.tls"].state, "info");
  EXPECT_EQ(items["destination.auth"].state, "pass");
  EXPECT_EQ(items["destination.version"].state, "pass");
  EXPECT_TRUE(contains(items["destination.version"].found, "18.16.1 (legacy: no DateTime64"))
      << items["destination.version"].found;
  EXPECT_TRUE(contains(items["destination.database"].found, "dest_chk_shop"));
  EXPECT_EQ(items["destination.privileges"].state, "pass") << items["destination.privileges"].found;
  // The probe removed its table and the database it had to create.
  EXPECT_EQ(server_query("SELECT count() FROM system.databases WHERE name = 'dest_chk_shop'"), "0\n");
}

TEST_F(DestinationCheck, ClickHouse1816OverVerifiedHttpsPassesAndLeavesNoProbeTable) {
  server_query("CREATE DATABASE IF NOT EXISTS dest_chk_https");
  auto items = check("  url: " + https_url() +
                     "\n  user: cdc\n  password: cdcpass\n  database: dest_chk_https\n"
                     "  tls: {ca: " +
                     ca() + "}");
  EXPECT_EQ(items["destination.reachable"].state, "pass");
  EXPECT_EQ(items["destination.tls"].state, "pass");
  EXPECT_TRUE(contains(items["destination.tls"].found, "verified against " + ca())) << items["destination.tls"].found;
  EXPECT_EQ(items["destination.auth"].state, "pass");
  EXPECT_EQ(items["destination.privileges"].state, "pass") << items["destination.privileges"].found;
  // The database existed before: it stays, without the probe table.
  EXPECT_EQ(server_query("SELECT count() FROM system.tables WHERE database = 'dest_chk_https'"), "0\n");
  EXPECT_EQ(server_query("SELECT count() FROM system.databases WHERE name = 'dest_chk_https'"), "1\n");
  server_query("DROP DATABASE IF EXISTS dest_chk_https");
}

TEST_F(DestinationCheck, CompressionIsCheckedAgainstWhatTheServerAccepts) {
  const std::string base = "  url: " + http_url() + "\n  user: cdc\n  password: cdcpass\n  database: dest_chk_comp\n";
  auto none = check(base);
  EXPECT_EQ(none["destination.compression"].state, "info");
  auto gzip = check(base + "  compression: gzip\n");
  EXPECT_EQ(gzip["destination.compression"].state, "pass") << gzip["destination.compression"].found;
  EXPECT_TRUE(contains(gzip["destination.compression"].found, "gzip: accepted by ClickHouse 18.16.1"));
  auto zstd = check(base + "  compression: zstd\n");
  EXPECT_EQ(zstd["destination.compression"].state, "fail");
  EXPECT_TRUE(contains(zstd["destination.compression"].found, "need 22.10 or newer"));
  EXPECT_EQ(zstd["destination.compression"].fix, "set destination.compression to gzip or none");
  server_query("DROP DATABASE IF EXISTS dest_chk_comp");
}

TEST_F(DestinationCheck, UnverifiedTlsIsAWarning) {
  auto items = check("  url: " + https_url() +
                     "\n  user: cdc\n  password: cdcpass\n  database: dest_chk_unverified\n"
                     "  tls: {verify: false}");
  EXPECT_EQ(items["destination.reachable"].state, "pass");
  EXPECT_EQ(items["destination.tls"].state, "warn");
  EXPECT_TRUE(contains(items["destination.tls"].fix, "destination.tls.verify: true"));
}

TEST_F(DestinationCheck, AWrongCaFailsTlsWithTheFix) {
  auto items = check("  url: " + https_url() +
                     "\n  user: cdc\n  password: cdcpass\n  tls: {ca: " + testenv::certs_dir() + "/other-ca.pem}");
  EXPECT_EQ(items["destination.reachable"].state, "pass");
  EXPECT_EQ(items["destination.tls"].state, "fail");
  EXPECT_TRUE(contains(items["destination.tls"].found, "not trusted")) << items["destination.tls"].found;
  EXPECT_TRUE(contains(items["destination.tls"].fix, "other-ca.pem"));
  EXPECT_EQ(items.count("destination.privileges"), 0u);
}

TEST_F(DestinationCheck, AWrongPasswordFailsAuthWithoutShowingIt) {
  auto items = check("  url: " + http_url() + "\n  user: cdc\n  password: wrong-secret-1234");
  EXPECT_EQ(items["destination.reachable"].state, "pass");
  EXPECT_EQ(items["destination.auth"].state, "fail");
  EXPECT_TRUE(contains(items["destination.auth"].found, "Wrong password for user cdc"));
  EXPECT_TRUE(contains(items["destination.auth"].fix, "destination.password"));
  for (const auto& [id, item] : items) {
    EXPECT_FALSE(contains(item.found + item.fix, "wrong-secret-1234")) << id;
  }
}

TEST_F(DestinationCheck, AReadonlyUserFailsPrivilegesAndLeavesNothingBehind) {
  auto items =
      check("  url: " + http_url() + "\n  user: reader\n  password: readerpass\n  database: dest_chk_readonly");
  EXPECT_EQ(items["destination.auth"].state, "pass");
  EXPECT_EQ(items["destination.privileges"].state, "fail");
  EXPECT_TRUE(contains(items["destination.privileges"].found, "CREATE DATABASE in `dest_chk_readonly` refused"))
      << items["destination.privileges"].found;
  EXPECT_TRUE(contains(items["destination.privileges"].fix, "readonly = 0"));
  EXPECT_EQ(server_query("SELECT count() FROM system.databases WHERE name = 'dest_chk_readonly'"), "0\n");
}

TEST_F(DestinationCheck, HttpToTheHttpsPortSaysUseHttps) {
  auto items = check("  url: http://127.0.0.1:" + std::to_string(testenv::ch_https_port()) +
                     "\n  user: cdc\n  password: cdcpass");
  EXPECT_EQ(items["destination.reachable"].state, "fail");
  EXPECT_TRUE(contains(items["destination.reachable"].fix, "https://")) << items["destination.reachable"].fix;
}

TEST_F(DestinationCheck, HttpsToTheHttpPortSaysUseHttp) {
  auto items = check("  url: https://127.0.0.1:" + std::to_string(testenv::ch_http_port()) +
                     "\n  user: cdc\n  password: cdcpass\n  connect_timeout_s: 2\n  tls: {ca: " + ca() + "}");
  EXPECT_EQ(items["destination.tls"].state, "fail");
  EXPECT_TRUE(contains(items["destination.tls"].fix, "use http://")) << items["destination.tls"].fix;
}

TEST_F(DestinationCheck, AnUnreachableHostFailsReachable) {
  auto items = check("  url: http://127.0.0.1:1\n  connect_timeout_s: 2");
  EXPECT_EQ(items["destination.reachable"].state, "fail");
  EXPECT_TRUE(contains(items["destination.reachable"].found, "cannot connect")) << items["destination.reachable"].found;
  EXPECT_TRUE(contains(items["destination.reachable"].fix, "listens on 127.0.0.1:1"));
  EXPECT_EQ(items.size(), 1u);
}

TEST_F(DestinationCheck, AServiceThatIsNotClickHouseHttpFailsReachable) {
  auto items = check("  url: http://127.0.0.1:" + std::to_string(testenv::mariadb_port()));
  EXPECT_EQ(items["destination.reachable"].state, "fail");
  EXPECT_TRUE(contains(items["destination.reachable"].fix, "HTTP(S) interface")) << items["destination.reachable"].fix;
}

TEST_F(DestinationCheck, ChdbPassesWithAModernProfileAndAProbeDatabaseForWildcards) {
  M2C_SKIP_WITHOUT_CHDB();
  ScopedEnv lib("MYSQL2CH_LIBCHDB", testenv::libchdb_path());
  auto items = check("  url: chdb://chdata", "[\"shop.*\", \"*.orders\"]");
  EXPECT_EQ(items["destination.reachable"].state, "pass");
  EXPECT_TRUE(contains(items["destination.reachable"].found, dir_ + "/chdata")) << items["destination.reachable"].found;
  EXPECT_EQ(items["destination.tls"].state, "info");
  EXPECT_EQ(items["destination.auth"].state, "info");
  EXPECT_EQ(items["destination.version"].state, "pass");
  EXPECT_TRUE(contains(items["destination.version"].found, "(chDB) (modern")) << items["destination.version"].found;
  EXPECT_TRUE(contains(items["destination.database"].found, "shop, mysql2ch_check_probe"));
  EXPECT_EQ(items["destination.privileges"].state, "pass") << items["destination.privileges"].found;
}

TEST_F(DestinationCheck, AChdbPathThatCannotBeWrittenFailsWithTheFix) {
  M2C_SKIP_WITHOUT_CHDB();
  ScopedEnv lib("MYSQL2CH_LIBCHDB", testenv::libchdb_path());
  testenv::write_file(dir_ + "/a-file", "not a directory\n");
  auto items = check("  url: chdb://" + dir_ + "/a-file/storage");
  EXPECT_EQ(items["destination.reachable"].state, "fail");
  EXPECT_TRUE(contains(items["destination.reachable"].found, "cannot be created"))
      << items["destination.reachable"].found;
  EXPECT_TRUE(contains(items["destination.reachable"].fix, "writable"));
}

TEST_F(DestinationCheck, AMissingLibchdbFailsWithHowToGetIt) {
  ScopedEnv lib("MYSQL2CH_LIBCHDB", dir_ + "/nowhere/libchdb.so");
  auto items = check("  url: chdb://chdata");
  EXPECT_EQ(items["destination.reachable"].state, "fail");
  EXPECT_TRUE(contains(items["destination.reachable"].found, dir_ + "/nowhere/libchdb.so"));
  EXPECT_TRUE(contains(items["destination.reachable"].fix, "npm pack @chdb/lib-linux-x64-gnu"));
}

}  // namespace
}  // namespace mysql2ch
