// `mysql2ch check` against real sources: the good MariaDB 10.11 and MySQL 9 of scripts/testenv.sh, their
// misconfigured twins (mariadb-misconf, mysql-misconf), accounts created here with missing privileges, role
// grants and REQUIRE SSL, and every kind of bad connection input. Asserts the exact ✘ lines, the item ids of
// the JSON report, and the exit code. Only source.* items are asserted: the destination half is its own test.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "mysql/connection.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

namespace fs = std::filesystem;

int mariadb_misconf_port() {
  return std::stoi(testenv::env_or("MARIADB_MISCONF_PORT", "13307"));
}
int mysql_misconf_port() {
  return std::stoi(testenv::env_or("MYSQL_MISCONF_PORT", "13311"));
}
std::string cert(const std::string& name) {
  return testenv::certs_dir() + "/" + name;
}

// What one test's configuration says about the source.
struct SourceSpec {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string user = "repl";
  std::string password = "replpass";
  std::string tls = "{mode: preferred}";
  uint32_t server_id = 9001;
  std::string include = "['src_chk_db.*']";
  std::string exclude = "[]";
};

struct CheckRun {
  int exit_code = -1;
  std::string text;
  nlohmann::json json;
  std::string state_dir;

  const nlohmann::json* item(const std::string& id) const {
    for (const auto& i : json["items"]) {
      if (i["id"] == id) return &i;
    }
    return nullptr;
  }
  std::string state(const std::string& id) const {
    const auto* i = item(id);
    return i == nullptr ? "absent" : i->at("state").get<std::string>();
  }
  bool has_line(const std::string& line) const { return text.find(line + "\n") != std::string::npos; }
  std::vector<std::string> source_ids() const {
    std::vector<std::string> ids;
    for (const auto& i : json["items"]) {
      const std::string id = i["id"];
      if (id.rfind("source.", 0) == 0) ids.push_back(id);
    }
    return ids;
  }
};

// Writes the config into a scratch directory and runs `mysql2ch check` on it twice: as text and as JSON.
CheckRun run_check(const std::string& test_name, const SourceSpec& s) {
  const std::string dir = testenv::scratch_dir("src_chk_" + test_name);
  const std::string config = dir + "/mirror.yaml";
  testenv::write_file(config, fmt::format(R"(source:
  host: {}
  port: {}
  user: {}
  password: '{}'
  server_id: {}
  connect_timeout_s: 2
  tls: {}
destination:
  url: http://127.0.0.1:{}
tables:
  include: {}
  exclude: {}
state:
  path: {}/state
)",
                                          s.host, s.port, s.user, s.password, s.server_id, s.tls,
                                          testenv::ch_http_port(), s.include, s.exclude, dir));
  CheckRun r;
  const auto text = testenv::run_mysql2ch("check -c " + config);
  const auto json = testenv::run_mysql2ch("check --json -c " + config);
  r.exit_code = text.exit_code;
  r.text = text.out;
  r.json = nlohmann::json::parse(json.out);
  r.state_dir = dir + "/state";
  EXPECT_EQ(json.exit_code, text.exit_code);
  EXPECT_EQ(r.exit_code, r.json["ok"].get<bool>() ? 0 : 1) << text.err;
  return r;
}

Connection root(int port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = "root";
  o.password = Secret("rootpass");
  auto c = Connection::open(o);
  if (!c.ok()) throw std::runtime_error(c.error().message());
  return std::move(c).value();
}

void run_sql(Connection& c, const std::vector<std::string>& statements) {
  for (const auto& sql : statements) {
    auto st = c.execute(sql);
    if (!st.ok()) throw std::runtime_error(sql + ": " + st.error().message());
  }
}

// src_chk_db with a table with a primary key and a LOB column, and one without a primary key.
void create_tables(Connection& c) {
  run_sql(c, {"CREATE DATABASE IF NOT EXISTS src_chk_db",
              "CREATE TABLE IF NOT EXISTS src_chk_db.with_pk (id INT PRIMARY KEY, body LONGTEXT)",
              "CREATE TABLE IF NOT EXISTS src_chk_db.no_pk (v INT)",
              "REPLACE INTO src_chk_db.with_pk VALUES (1, 'a'), (2, 'b'), (3, 'c')",
              // Exact statistics, so that the estimated row counts are the real ones.
              "ANALYZE TABLE src_chk_db.with_pk, src_chk_db.no_pk"});
}

// A fresh account with exactly `grants` (each "PRIVS ON SCOPE").
void create_user(Connection& c, const std::string& user, const std::vector<std::string>& grants,
                 const std::string& extra = {}) {
  run_sql(c, {fmt::format("DROP USER IF EXISTS '{}'@'127.0.0.1'", user),
              fmt::format("CREATE USER '{}'@'127.0.0.1' IDENTIFIED BY 'chkpass' {}", user, extra)});
  for (const auto& g : grants) run_sql(c, {fmt::format("GRANT {} TO '{}'@'127.0.0.1'", g, user)});
}

struct Source {
  const char* name;
  int port;
  bool mariadb;
};

class GoodSource : public testing::TestWithParam<Source> {
 protected:
  void SetUp() override {
    admin_ = std::make_unique<Connection>(root(GetParam().port));
    create_tables(*admin_);
  }
  SourceSpec spec(const std::string& user = "repl") const {
    SourceSpec s;
    s.port = GetParam().port;
    s.user = user;
    if (user != "repl") s.password = "chkpass";
    return s;
  }
  std::string name(const std::string& test) const { return fmt::format("{}_{}", test, GetParam().name); }
  // Everything mysql2ch needs, plus (MariaDB) the right to list connected replicas.
  std::vector<std::string> all_needed() const {
    std::vector<std::string> g{"SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.*"};
    if (GetParam().mariadb) g.emplace_back("REPLICATION MASTER ADMIN ON *.*");
    return g;
  }
  std::unique_ptr<Connection> admin_;
};

TEST_P(GoodSource, EverySourceItemPasses) {
  create_user(*admin_, "src_chk_good", all_needed());
  SourceSpec s = spec("src_chk_good");
  s.tls = fmt::format("{{mode: verify-identity, ca: {}}}", cert("ca.pem"));
  s.exclude = "['src_chk_db.no_pk']";
  const CheckRun r = run_check(name("good"), s);
  const std::vector<std::string> expected{"source.reachable",
                                          "source.tls",
                                          "source.auth",
                                          "source.log_bin",
                                          "source.binlog_format",
                                          "source.binlog_row_image",
                                          "source.binlog_row_metadata",
                                          "source.gtid",
                                          "source.retention",
                                          "source.binlogs",
                                          "source.server_id",
                                          "source.privileges",
                                          "source.binlog_compression",
                                          "source.row_value_options",
                                          "source.tables",
                                          "source.tables_without_pk",
                                          "source.lob_columns",
                                          "source.baseline"};
  EXPECT_EQ(r.source_ids(), expected) << r.text;
  for (const auto& id : r.source_ids()) {
    const std::string state = r.state(id);
    EXPECT_TRUE(state == "pass" || state == "info") << id << " is " << state << "\n" << r.text;
  }
  EXPECT_EQ(r.state("source.binlog_format"), "pass");
  EXPECT_NE(r.text.find(GetParam().mariadb ? "✔ source server reachable: MariaDB 10.11."
                                           : "✔ source server reachable: MySQL 9."),
            std::string::npos)
      << r.text;
  EXPECT_NE(r.text.find("certificate verified against " + cert("ca.pem") + " including the host name"),
            std::string::npos)
      << r.text;
  EXPECT_TRUE(r.item("source.tables")->at("found").get<std::string>().starts_with("1 table in 1 database, ~3 rows, ~"))
      << r.text;
}

TEST_P(GoodSource, BaselineDescribesTheSelectedTables) {
  const CheckRun r = run_check(name("baseline"), spec());
  ASSERT_EQ(r.state("source.baseline"), "pass") << r.text;
  std::ifstream in(r.state_dir + "/baseline.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["source"]["flavor"], GetParam().mariadb ? "MariaDB" : "MySQL");
  EXPECT_EQ(doc["totals"]["tables"], 2);
  ASSERT_EQ(doc["tables"].size(), 2u);
  EXPECT_EQ(doc["tables"][0]["table"], "no_pk");
  EXPECT_EQ(doc["tables"][0]["primary_key"], nlohmann::json::array());
  EXPECT_EQ(doc["tables"][1]["table"], "with_pk");
  EXPECT_EQ(doc["tables"][1]["primary_key"], nlohmann::json::array({"id"}));
  EXPECT_EQ(doc["tables"][1]["lob_columns"][0]["column"], "body");
  EXPECT_EQ(doc["tables"][1]["lob_columns"][0]["type"], "longtext");
  EXPECT_EQ(doc["tables"][1]["estimated_rows"], 3);
  EXPECT_TRUE(doc["taken_at"].get<std::string>().ends_with("Z"));
  // The table without a primary key is reported, with the fix.
  EXPECT_TRUE(
      r.has_line("! selected tables have a primary key: 1 without (copied append-only: updates and deletes "
                 "add rows): src_chk_db.no_pk"))
      << r.text;
  EXPECT_TRUE(
      r.has_line("· large object columns (BLOB/TEXT/JSON) in selected tables: 1: src_chk_db.with_pk.body "
                 "(longtext)"))
      << r.text;
}

TEST_P(GoodSource, MissingReplicationSlaveIsNamedWithItsGrant) {
  create_user(*admin_, "src_chk_norepl", {"SELECT, RELOAD, SHOW DATABASES, REPLICATION CLIENT ON *.*"});
  const CheckRun r = run_check(name("norepl"), spec("src_chk_norepl"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.has_line("✘ privileges of the source user: 'src_chk_norepl'@'127.0.0.1' lacks REPLICATION SLAVE"))
      << r.text;
  EXPECT_TRUE(r.has_line("    fix: GRANT REPLICATION SLAVE ON *.* TO 'src_chk_norepl'@'127.0.0.1';")) << r.text;
}

TEST_P(GoodSource, DatabaseLevelSelectCountsOnlyForItsDatabase) {
  run_sql(*admin_, {"CREATE DATABASE IF NOT EXISTS src_chk_other",
                    "CREATE TABLE IF NOT EXISTS src_chk_other.t (id INT PRIMARY KEY)"});
  create_user(*admin_, "src_chk_dbsel",
              {"RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.*", "SELECT ON `src_chk_db`.*",
               "INSERT ON `src_chk_other`.*"});
  SourceSpec s = spec("src_chk_dbsel");
  const CheckRun own = run_check(name("dbsel_own"), s);
  EXPECT_EQ(own.state("source.privileges"), "pass") << own.text;
  s.include = "['src_chk_db.*', 'src_chk_other.*']";
  const CheckRun other = run_check(name("dbsel_other"), s);
  EXPECT_TRUE(
      other.has_line("✘ privileges of the source user: 'src_chk_dbsel'@'127.0.0.1' lacks SELECT on 1 "
                     "selected table"))
      << other.text;
  EXPECT_TRUE(other.has_line("    fix: GRANT SELECT ON `src_chk_other`.* TO 'src_chk_dbsel'@'127.0.0.1';"))
      << other.text;
}

TEST_P(GoodSource, PrivilegesThroughARole) {
  const bool mariadb = GetParam().mariadb;
  const std::string role = mariadb ? "src_chk_role_r" : "'src_chk_role_r'@'%'";
  run_sql(*admin_, {"DROP ROLE IF EXISTS " + role, "CREATE ROLE " + role,
                    "GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO " + role});
  create_user(*admin_, "src_chk_role", {});
  run_sql(*admin_, {fmt::format("GRANT {} TO 'src_chk_role'@'127.0.0.1'", role)});
  const CheckRun inactive = run_check(name("role_inactive"), spec("src_chk_role"));
  EXPECT_EQ(inactive.state("source.privileges"), "fail") << inactive.text;
  EXPECT_TRUE(inactive.has_line(mariadb ? "    fix: SET DEFAULT ROLE `src_chk_role_r` FOR 'src_chk_role'@'127.0.0.1';"
                                        : "    fix: SET DEFAULT ROLE ALL TO 'src_chk_role'@'127.0.0.1';"))
      << inactive.text;
  run_sql(*admin_, {mariadb ? "SET DEFAULT ROLE src_chk_role_r FOR 'src_chk_role'@'127.0.0.1'"
                            : "SET DEFAULT ROLE ALL TO 'src_chk_role'@'127.0.0.1'"});
  const CheckRun active = run_check(name("role_active"), spec("src_chk_role"));
  EXPECT_EQ(active.state("source.privileges"), "pass") << active.text;
  EXPECT_NE(active.item("source.privileges")->at("found").get<std::string>().find("src_chk_role_r"), std::string::npos);
}

TEST_P(GoodSource, RequireSslAccountNeedsTls) {
  create_user(*admin_, "src_chk_ssl", all_needed(), "REQUIRE SSL");
  SourceSpec s = spec("src_chk_ssl");
  s.tls = "{mode: disabled}";
  const CheckRun plain = run_check(name("ssl_plain"), s);
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_EQ(plain.state("source.auth"), "fail") << plain.text;
  EXPECT_TRUE(
      plain.has_line("    fix: if the account requires TLS (REQUIRE SSL / X509), set source.tls.mode: required "
                     "(it is disabled)"))
      << plain.text;
  EXPECT_EQ(plain.state("source.not_checked"), "info");
  EXPECT_EQ(plain.source_ids().size(), 3u) << plain.text;  // reachable, auth, not_checked
  s.tls = "{mode: required}";
  const CheckRun tls = run_check(name("ssl_tls"), s);
  EXPECT_EQ(tls.state("source.auth"), "pass") << tls.text;
  EXPECT_EQ(tls.state("source.tls"), "warn") << tls.text;  // encrypted but not verified
}

TEST_P(GoodSource, PlainTcpIsAWarningAndNamesTheAuthPlugin) {
  SourceSpec s = spec();
  s.tls = "{mode: disabled}";
  const CheckRun r = run_check(name("plain"), s);
  EXPECT_TRUE(
      r.has_line("! source connection TLS: not used (source.tls.mode: disabled): passwords and row data "
                 "travel unencrypted"))
      << r.text;
  // repl is a caching_sha2_password account on MySQL 9, mysql_native_password on MariaDB.
  EXPECT_TRUE(r.has_line(GetParam().mariadb
                             ? "✔ source authentication: authenticated as repl@127.0.0.1 with mysql_native_password"
                             : "✔ source authentication: authenticated as repl@127.0.0.1 with caching_sha2_password "
                               "over plain TCP (full authentication uses the server's RSA public key, fetched by the "
                               "client)"))
      << r.text;
}

TEST_P(GoodSource, MutualTlsIsReported) {
  create_user(*admin_, "src_chk_x509", all_needed(), "REQUIRE X509");
  SourceSpec s = spec("src_chk_x509");
  s.tls = fmt::format("{{mode: verify-ca, ca: {}, cert: {}, key: {}}}", cert("ca.pem"), cert("client-cert.pem"),
                      cert("client-key.pem"));
  const CheckRun r = run_check(name("mtls"), s);
  EXPECT_EQ(r.state("source.auth"), "pass") << r.text;
  EXPECT_EQ(r.state("source.tls"), "pass") << r.text;
  EXPECT_NE(r.item("source.tls")
                ->at("found")
                .get<std::string>()
                .find("client certificate " + cert("client-cert.pem") + "; certificate verified against " +
                      cert("ca.pem") + " (host name not checked: verify-ca)"),
            std::string::npos)
      << r.text;
}

TEST_P(GoodSource, ServerIdOfTheSourceItself) {
  SourceSpec s = spec();
  s.server_id = GetParam().mariadb ? 1 : static_cast<uint32_t>(GetParam().port);
  const CheckRun r = run_check(name("own_id"), s);
  EXPECT_TRUE(
      r.has_line(fmt::format("✘ source.server_id is unique in the replication topology: {} is the source's "
                             "own server_id",
                             s.server_id)))
      << r.text;
  EXPECT_EQ(r.exit_code, 1);
}

TEST_P(GoodSource, IncludePatternMatchingNothing) {
  SourceSpec s = spec();
  s.include = "['src_chk_nothing_here.*', 'mysql.*']";  // system schemas are never selected
  const CheckRun r = run_check(name("nothing"), s);
  EXPECT_TRUE(
      r.has_line("✘ tables selected by tables.include/exclude: no table matches include "
                 "[src_chk_nothing_here.*, mysql.*] minus exclude []"))
      << r.text;
}

INSTANTIATE_TEST_SUITE_P(Servers, GoodSource,
                         testing::Values(Source{"MariaDB", testenv::mariadb_port(), true},
                                         Source{"MySQL", testenv::mysql_port(), false}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(SourceCheck, MisconfiguredMariaDB) {
  Connection admin = root(mariadb_misconf_port());
  create_tables(admin);
  SourceSpec s;
  s.port = mariadb_misconf_port();
  const CheckRun r = run_check("misconf_mariadb", s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.has_line("✔ binary log enabled (log_bin): ON")) << r.text;
  EXPECT_TRUE(r.has_line("✘ binlog_format is ROW: STATEMENT")) << r.text;
  EXPECT_TRUE(r.has_line("    fix: SET GLOBAL binlog_format = 'ROW';")) << r.text;
  EXPECT_TRUE(r.has_line("✘ binlog_row_image is FULL: MINIMAL")) << r.text;
  EXPECT_TRUE(r.has_line("    fix: SET GLOBAL binlog_row_image = 'FULL';")) << r.text;
  EXPECT_TRUE(r.has_line("! GTID strict mode (gtid_strict_mode, recommended): OFF")) << r.text;
  EXPECT_TRUE(r.has_line("✘ binlog retention at least 7 days: 1 hour")) << r.text;
  EXPECT_TRUE(r.has_line("    fix: SET GLOBAL binlog_expire_logs_seconds = 604800;")) << r.text;
  EXPECT_TRUE(
      r.has_line("! source connection TLS: not used: the server does not offer TLS, passwords and row data "
                 "travel unencrypted"))
      << r.text;
  EXPECT_EQ(r.state("source.binlog_row_metadata"), "warn");
  EXPECT_EQ(r.state("source.privileges"), "pass");
  EXPECT_EQ(r.state("source.tables"), "pass");
}

TEST(SourceCheck, MisconfiguredMySQL) {
  Connection admin = root(mysql_misconf_port());
  create_tables(admin);
  SourceSpec s;
  s.port = mysql_misconf_port();
  const CheckRun r = run_check("misconf_mysql", s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.has_line("✘ binary log enabled (log_bin): OFF")) << r.text;
  EXPECT_TRUE(r.has_line("✘ binlog_format is ROW: STATEMENT")) << r.text;
  EXPECT_TRUE(r.has_line("    fix: SET PERSIST binlog_format = 'ROW';")) << r.text;
  EXPECT_TRUE(r.has_line("✘ binlog_row_image is FULL: MINIMAL")) << r.text;
  EXPECT_TRUE(
      r.has_line("! binlog_row_metadata is FULL (recommended: lets the decoder cross-check column names): "
                 "MINIMAL"))
      << r.text;
  EXPECT_TRUE(
      r.has_line("✘ GTIDs on (gtid_mode, enforce_gtid_consistency): gtid_mode = OFF, "
                 "enforce_gtid_consistency = OFF"))
      << r.text;
  EXPECT_TRUE(r.has_line("    fix: SET PERSIST enforce_gtid_consistency = ON;")) << r.text;
  EXPECT_TRUE(r.has_line("    fix: SET PERSIST gtid_mode = ON;")) << r.text;
  EXPECT_TRUE(r.has_line("✘ binlog retention at least 7 days: 1 day")) << r.text;
  EXPECT_EQ(r.state("source.binlogs"), "fail");
  EXPECT_TRUE(
      r.has_line("! binlog_row_value_options (full JSON values in updates): PARTIAL_JSON: JSON updates may "
                 "arrive as diffs against the before image"))
      << r.text;
  EXPECT_TRUE(
      r.has_line("· binlog compression (binlog_transaction_compression): ON: transactions arrive as "
                 "zstd-compressed TRANSACTION_PAYLOAD events"))
      << r.text;
}

// A connection that cannot be made gives one failed item and one "not run" item, nothing else from the source.
void expect_connection_failure(const CheckRun& r, const std::string& failed_id, const std::string& line) {
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.state(failed_id), "fail") << r.text;
  EXPECT_TRUE(r.has_line(line)) << "missing: " << line << "\n" << r.text;
  EXPECT_TRUE(r.has_line("· remaining source checks: not run: there is no connection to the source")) << r.text;
  EXPECT_LE(r.source_ids().size(), 3u) << r.text;
}

TEST(SourceCheckBadInput, UnreachablePort) {
  SourceSpec s;
  s.port = 1;
  const CheckRun r = run_check("bad_unreachable", s);
  expect_connection_failure(r, "source.reachable",
                            "    fix: check source.host and source.port, that the server runs and listens on that "
                            "address (bind_address, skip_networking) and that no firewall blocks port 1");
}

TEST(SourceCheckBadInput, UnknownHost) {
  SourceSpec s;
  s.host = "src-chk-no-such-host.invalid";
  s.port = 3306;
  const CheckRun r = run_check("bad_host", s);
  expect_connection_failure(r, "source.reachable",
                            "    fix: check source.host and source.port, that the server runs and listens on that "
                            "address (bind_address, skip_networking) and that no firewall blocks port 3306");
}

TEST(SourceCheckBadInput, WrongPassword) {
  SourceSpec s;
  s.port = testenv::mysql_port();
  s.password = "definitely-wrong";
  const CheckRun r = run_check("bad_password", s);
  expect_connection_failure(r, "source.auth",
                            "✘ source authentication: connecting to 127.0.0.1:" + std::to_string(s.port) +
                                ": error 1045: Access denied for user 'repl'@'127.0.0.1' (using password: YES)");
  EXPECT_EQ(r.text.find("definitely-wrong"), std::string::npos);
}

TEST(SourceCheckBadInput, WrongCa) {
  SourceSpec s;
  s.port = testenv::mariadb_port();
  s.tls = fmt::format("{{mode: verify-ca, ca: {}}}", cert("other-ca.pem"));
  const CheckRun r = run_check("bad_ca", s);
  expect_connection_failure(r, "source.tls",
                            "    fix: set source.tls.ca to the CA file that signed the server's certificate (the "
                            "server's ssl_ca);");
}

TEST(SourceCheckBadInput, HostNameNotInCertificate) {
  SourceSpec s;
  s.host = "vm";  // /etc/hosts: 127.0.0.1, not named by the server certificate
  s.port = testenv::mysql_port();
  s.tls = fmt::format("{{mode: verify-identity, ca: {}}}", cert("ca.pem"));
  const CheckRun r = run_check("bad_identity", s);
  expect_connection_failure(r, "source.tls",
                            "    fix: the certificate does not name host 'vm': set source.host to a name in its "
                            "subjectAltName, or set source.tls.mode: verify-ca (checks the CA but not the name)");
}

TEST(SourceCheckBadInput, NotAMySqlPort) {
  SourceSpec s;
  s.port = testenv::ch_http_port();
  const CheckRun r = run_check("bad_port", s);
  expect_connection_failure(r, "source.reachable",
                            fmt::format("    fix: 127.0.0.1:{} answered but is not a MySQL/MariaDB server: set "
                                        "source.port to the server's MySQL port (3306 by default)",
                                        s.port));
}

TEST(SourceCheckBadInput, TlsRequiredButServerHasNone) {
  SourceSpec s;
  s.port = mariadb_misconf_port();
  s.tls = "{mode: required}";
  const CheckRun r = run_check("bad_notls", s);
  expect_connection_failure(r, "source.tls",
                            fmt::format("✘ source connection TLS: mode required: connecting to 127.0.0.1:{}: the "
                                        "server does not support TLS, but tls.mode is required",
                                        s.port));
}

}  // namespace
}  // namespace mysql2ch
