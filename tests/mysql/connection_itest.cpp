// Connection against the real MariaDB 10.11 and MySQL 9 of scripts/testenv.sh (and their misconfigured twins):
// TLS modes, authentication, server facts, queries, and every way a connection can fail.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "common/strings.h"
#include "mysql/connection.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

struct Server {
  const char* name;
  int port;
  ServerFlavor flavor;
  uint32_t server_id;
};

Server mariadb() {
  return {"MariaDB", testenv::mariadb_port(), ServerFlavor::kMariaDB, 1};
}
Server mysql() {
  return {"MySQL", testenv::mysql_port(), ServerFlavor::kMySQL, static_cast<uint32_t>(testenv::mysql_port())};
}
int mariadb_misconf_port() {
  return std::stoi(testenv::env_or("MARIADB_MISCONF_PORT", "13307"));
}

ConnectOptions options(int port, const std::string& user, const std::string& password, TlsMode mode,
                       const std::string& ca = {}) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = user;
  o.password = Secret(password);
  o.tls.mode = mode;
  o.tls.ca = ca;
  o.connect_timeout_s = 2;
  return o;
}

std::string cert(const std::string& name) {
  return testenv::certs_dir() + "/" + name;
}

Connection root(int port) {
  auto c = Connection::open(options(port, "root", "rootpass", TlsMode::kPreferred));
  if (!c.ok()) throw std::runtime_error(c.error().message());
  return std::move(c).value();
}

void run(Connection& c, const std::string& sql) {
  auto st = c.execute(sql);
  ASSERT_TRUE(st.ok()) << sql << ": " << st.error().message();
}

class EachServer : public testing::TestWithParam<Server> {};

TEST_P(EachServer, VerifyIdentityGivesServerAndTlsFacts) {
  const Server s = GetParam();
  auto c = Connection::open(options(s.port, "repl", "replpass", TlsMode::kVerifyIdentity, cert("ca.pem")));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->server().flavor, s.flavor);
  EXPECT_EQ(c->server().server_id, s.server_id);
  EXPECT_GE(c->server().version_id, s.flavor == ServerFlavor::kMariaDB ? 101100u : 90000u);
  EXPECT_EQ(c->endpoint(), fmt::format("127.0.0.1:{}", s.port));
  EXPECT_TRUE(c->tls().used);
  EXPECT_TRUE(c->tls().verified);
  EXPECT_TRUE(c->tls().host_verified);
  EXPECT_TRUE(starts_with(c->tls().version, "TLSv1.")) << c->tls().version;
  auto row = c->query("SHOW STATUS LIKE 'Ssl_version'");
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->rows.size(), 1u);
  EXPECT_EQ(row->rows[0][1].value_or(""), c->tls().version);
  EXPECT_FALSE(c->tls().cipher.empty());
}

TEST_P(EachServer, DisabledMeansPlainTcp) {
  auto c = Connection::open(options(GetParam().port, "repl", "replpass", TlsMode::kDisabled));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_FALSE(c->tls().used);
  EXPECT_FALSE(c->tls().verified);
}

TEST_P(EachServer, RequiredWithoutCaIsEncryptedButUnverified) {
  auto c = Connection::open(options(GetParam().port, "repl", "replpass", TlsMode::kRequired));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->tls().used);
  EXPECT_FALSE(c->tls().verified);
}

TEST_P(EachServer, QueryResultsKeepNullsAndBytes) {
  Connection c = root(GetParam().port);
  auto r = c.query("SELECT 1 AS one, NULL AS nothing, CAST(X'00FF41' AS BINARY) AS bytes, 'x' AS `Mixed`");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->columns.size(), 4u);
  EXPECT_EQ(r->column("MIXED"), 3);
  EXPECT_EQ(r->column("absent"), -1);
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][0], std::optional<std::string>("1"));
  EXPECT_EQ(r->rows[0][1], std::nullopt);
  EXPECT_EQ(r->rows[0][2], std::optional<std::string>(std::string("\0\xff"
                                                                  "A",
                                                                  3)));
  auto none = c.query_value("SELECT 1 FROM DUAL WHERE 1 = 0");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(EachServer, QuoteRoundTrips) {
  Connection c = root(GetParam().port);
  const std::string nasty = std::string("it's a \\ \"test\"\n", 17) + std::string(1, '\0') + "end";
  auto back = c.query_value("SELECT " + c.quote(nasty));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->value_or("?"), nasty);
  EXPECT_EQ(mysql_identifier("we`ird"), "`we``ird`");
}

TEST_P(EachServer, SqlErrorIsServerError) {
  Connection c = root(GetParam().port);
  auto r = c.query("SELECT * FROM src_conn_no_such_db.no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kServer);
  EXPECT_NE(r.error().message().find("127.0.0.1:"), std::string::npos);
  // The connection stays usable after an error.
  EXPECT_TRUE(c.query_value("SELECT 1").ok());
}

TEST_P(EachServer, WrongPasswordIsAuthErrorWithoutThePassword) {
  auto c = Connection::open(options(GetParam().port, "repl", "n0t-the-Passw0rd", TlsMode::kPreferred));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kAuth);
  EXPECT_EQ(c.error().message().find("n0t-the-Passw0rd"), std::string::npos);
}

TEST_P(EachServer, WrongCaIsTlsError) {
  auto c = Connection::open(options(GetParam().port, "repl", "replpass", TlsMode::kVerifyCa, cert("other-ca.pem")));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kTls) << c.error().message();
}

TEST_P(EachServer, HostNameMismatchFailsOnlyVerifyIdentity) {
  // /etc/hosts maps "vm" to 127.0.0.1, which the certificate does not name (it names 127.0.0.1 and localhost).
  auto o = options(GetParam().port, "repl", "replpass", TlsMode::kVerifyIdentity, cert("ca.pem"));
  o.host = "vm";
  auto c = Connection::open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kTls) << c.error().message();
  o.tls.mode = TlsMode::kVerifyCa;
  auto ca_only = Connection::open(o);
  ASSERT_TRUE(ca_only.ok()) << ca_only.error().message();
  EXPECT_TRUE(ca_only->tls().verified);
  EXPECT_FALSE(ca_only->tls().host_verified);
}

TEST_P(EachServer, ClientCertificateForRequireX509) {
  const Server s = GetParam();
  Connection admin = root(s.port);
  run(admin, "DROP USER IF EXISTS 'src_conn_x509'@'127.0.0.1'");
  run(admin, "CREATE USER 'src_conn_x509'@'127.0.0.1' IDENTIFIED BY 'x509pass' REQUIRE X509");
  auto o = options(s.port, "src_conn_x509", "x509pass", TlsMode::kVerifyCa, cert("ca.pem"));
  auto without = Connection::open(o);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().code(), ErrorCode::kAuth) << without.error().message();
  o.tls.cert = cert("client-cert.pem");
  o.tls.key = cert("client-key.pem");
  auto with = Connection::open(o);
  ASSERT_TRUE(with.ok()) << with.error().message();
  EXPECT_TRUE(with->tls().used);
  run(admin, "DROP USER 'src_conn_x509'@'127.0.0.1'");
}

TEST_P(EachServer, MovedConnectionOwnsTheHandle) {
  Connection a = root(GetParam().port);
  st_mysql* handle = a.handle();
  Connection b = std::move(a);
  EXPECT_EQ(b.handle(), handle);
  EXPECT_EQ(a.handle(), nullptr);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_TRUE(b.query_value("SELECT 1").ok());
}

INSTANTIATE_TEST_SUITE_P(Servers, EachServer, testing::Values(mariadb(), mysql()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Connection, CachingSha2OverPlainTcpForAFreshAccount) {
  // A new account has no entry in the server's auth cache, so this takes the full RSA exchange.
  Connection admin = root(testenv::mysql_port());
  run(admin, "DROP USER IF EXISTS 'src_conn_sha2'@'127.0.0.1'");
  run(admin, "CREATE USER 'src_conn_sha2'@'127.0.0.1' IDENTIFIED WITH caching_sha2_password BY 'sha2pass'");
  auto c = Connection::open(options(testenv::mysql_port(), "src_conn_sha2", "sha2pass", TlsMode::kDisabled));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_FALSE(c->tls().used);
  run(admin, "DROP USER 'src_conn_sha2'@'127.0.0.1'");
}

TEST(Connection, UnreachablePortIsUnavailable) {
  auto c = Connection::open(options(1, "repl", "replpass", TlsMode::kPreferred));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kUnavailable) << c.error().message();
  EXPECT_TRUE(c.error().retryable());
}

TEST(Connection, HttpPortIsProtocolError) {
  // ClickHouse's HTTP port accepts the TCP connection and waits for a request: no MySQL greeting comes.
  auto o = options(testenv::ch_http_port(), "repl", "replpass", TlsMode::kPreferred);
  o.connect_timeout_s = 1;
  auto c = Connection::open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kProtocol) << c.error().message();
  EXPECT_NE(c.error().message().find("no MySQL greeting"), std::string::npos);
}

TEST(Connection, RequiredTlsAgainstServerWithoutTlsIsRefused) {
  auto c = Connection::open(options(mariadb_misconf_port(), "repl", "replpass", TlsMode::kRequired));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kTls);
  EXPECT_NE(c.error().message().find("does not support TLS"), std::string::npos) << c.error().message();
}

TEST(Connection, PreferredFallsBackToPlainTcp) {
  auto c = Connection::open(options(mariadb_misconf_port(), "repl", "replpass", TlsMode::kPreferred));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_FALSE(c->tls().used);
  EXPECT_EQ(c->server().server_id, 2u);
}

}  // namespace
}  // namespace mysql2ch
