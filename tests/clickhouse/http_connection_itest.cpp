// What only the HTTP transport does, against ClickHouse 18.16: keep-alive, authentication, TLS verification,
// query_id, and the failures of a wrong port, password or CA.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clickhouse/http_connection.h"
#include "clickhouse/request_body_encoder.h"
#include "clickhouse/server_error.h"
#include "support/clickhouse_transports.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

std::unique_ptr<HttpConnection> open(HttpOptions o) {
  auto c = HttpConnection::open(std::move(o));
  EXPECT_TRUE(c.ok());
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(HttpConnection, ReusesOneConnectionForManyRequests) {
  for (bool https : {false, true}) {
    auto c = open(test::http_options(https));
    for (int i = 0; i < 5; ++i) {
      auto r = c->query("SELECT " + std::to_string(i), "TabSeparated");
      ASSERT_TRUE(r.ok()) << r.error().message();
      EXPECT_EQ(*r, std::to_string(i) + "\n");
    }
    EXPECT_EQ(c->connections_opened(), 1u) << (https ? "https" : "http");
  }
}

TEST(HttpConnection, SendsTheQueryId) {
  auto c = open(test::http_options(false));
  RequestOptions o;
  o.query_id = "ch-itest-query-id-1";
  auto r = c->query("SELECT query_id FROM system.processes WHERE query_id = 'ch-itest-query-id-1'", "TabSeparated", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "ch-itest-query-id-1\n");
}

TEST(HttpConnection, AWrongPasswordIsAnAuthErrorWithoutThePassword) {
  auto c = open(test::http_options(false, "cdc", "not-the-password"));
  auto r = c->query("SELECT 1", "TabSeparated");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kAuth);
  EXPECT_EQ(clickhouse_exception_code(r.error()), 193);
  EXPECT_EQ(r.error().message().find("not-the-password"), std::string::npos);
  // /ping needs no authentication: the server is reachable, only the credentials are wrong.
  EXPECT_TRUE(c->ping().ok());
}

TEST(HttpConnection, AReadonlyUserMayReadButNotWrite) {
  auto c = open(test::http_options(false, "reader", "readerpass"));
  ASSERT_TRUE(c->query("SELECT 1", "TabSeparated").ok());
  auto st = c->execute("CREATE DATABASE IF NOT EXISTS ch_itest_readonly");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kAuth);
  EXPECT_EQ(clickhouse_exception_code(st.error()), 164);
}

TEST(HttpConnection, VerifiesTheServerCertificateAgainstTheConfiguredCa) {
  auto good = open(test::http_options(true));
  ASSERT_TRUE(good->ping().ok());

  HttpOptions wrong = test::http_options(true);
  wrong.tls.ca = testenv::certs_dir() + "/other-ca.pem";
  auto bad = open(std::move(wrong));
  auto st = bad->ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kTls);
  EXPECT_NE(st.error().message().find("not trusted"), std::string::npos) << st.error().message();

  HttpOptions unverified = test::http_options(true);
  unverified.tls.ca = testenv::certs_dir() + "/other-ca.pem";
  unverified.tls.verify = false;
  EXPECT_TRUE(open(std::move(unverified))->ping().ok());
}

// The test server does not ask for client certificates, so this shows the configured pair is loaded and
// offered without breaking the handshake, and that a missing one is a TLS error.
TEST(HttpConnection, LoadsTheConfiguredClientCertificate) {
  HttpOptions o = test::http_options(true);
  o.tls.cert = testenv::certs_dir() + "/client-cert.pem";
  o.tls.key = testenv::certs_dir() + "/client-key.pem";
  auto c = open(std::move(o));
  auto r = c->query("SELECT 1", "TabSeparated");
  ASSERT_TRUE(r.ok()) << r.error().message();

  HttpOptions missing = test::http_options(true);
  missing.tls.cert = testenv::certs_dir() + "/no-such-cert.pem";
  missing.tls.key = testenv::certs_dir() + "/client-key.pem";
  auto st = open(std::move(missing))->ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kTls);
}

TEST(HttpConnection, HttpsToThePlainPortAndHttpToTheTlsPortSayWhich) {
  HttpOptions https_to_http = test::http_options(true);
  https_to_http.url = *parse_destination_url("https://127.0.0.1:" + std::to_string(testenv::ch_http_port()), "/");
  // The plain-HTTP server either rejects the ClientHello at once or waits for more of what it takes for a
  // request line; both must end as a TLS error that says to use http://.
  https_to_http.connect_timeout_s = 2;
  auto a = open(std::move(https_to_http))->ping();
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), ErrorCode::kTls);
  EXPECT_NE(a.error().message().find("use http://"), std::string::npos) << a.error().message();

  HttpOptions http_to_https = test::http_options(false);
  http_to_https.url = *parse_destination_url("http://127.0.0.1:" + std::to_string(testenv::ch_https_port()), "/");
  auto b = open(std::move(http_to_https))->ping();
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.error().retryable());
  EXPECT_NE(b.error().message().find("use https://"), std::string::npos) << b.error().message();
}

TEST(HttpConnection, AClosedPortIsUnavailableAndANonHttpPortIsAProtocolError) {
  HttpOptions closed = test::http_options(false);
  closed.url = *parse_destination_url("http://127.0.0.1:1", "/");
  auto a = open(std::move(closed))->ping();
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(a.error().message().find("cannot connect"), std::string::npos) << a.error().message();

  HttpOptions mariadb = test::http_options(false);
  mariadb.url = *parse_destination_url("http://127.0.0.1:" + std::to_string(testenv::mariadb_port()), "/");
  auto b = open(std::move(mariadb))->ping();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), ErrorCode::kProtocol);
}

TEST(HttpConnection, VerifiesTheHostNameTheCertificateWasIssuedFor) {
  // The test certificate names localhost and 127.0.0.1; the name goes out as SNI and is checked.
  HttpOptions by_name = test::http_options(true);
  by_name.url = *parse_destination_url("https://localhost:" + std::to_string(testenv::ch_https_port()), "/");
  auto st = open(std::move(by_name))->ping();
  EXPECT_TRUE(st.ok()) << st.error().message();
}

// A peer that accepts TCP connections (the kernel completes the handshake into the backlog) and never says a
// word: what an overloaded proxy or a wrong port behind a firewall looks like.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(HttpConnection, APeerThatNeverAnswersEndsInATimeoutNotAHang) {
  SilentListener silent;
  HttpOptions http = test::http_options(false);
  http.url = *parse_destination_url("http://127.0.0.1:" + std::to_string(silent.port()), "/");
  http.request_timeout_s = 1;
  auto a = open(std::move(http))->ping();
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), ErrorCode::kTimeout);
  EXPECT_TRUE(a.error().retryable());

  HttpOptions https = test::http_options(true);
  https.url = *parse_destination_url("https://127.0.0.1:" + std::to_string(silent.port()), "/");
  https.connect_timeout_s = 1;
  auto b = open(std::move(https))->ping();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), ErrorCode::kTls);
  EXPECT_NE(b.error().message().find("did not finish within connect_timeout_s"), std::string::npos)
      << b.error().message();
}

TEST(HttpConnection, GzipBodiesAreDecompressedByTheServer) {
  HttpOptions o = test::http_options(false);
  o.compression = RequestCompression::kGzip;
  o.compression_level = 6;
  auto c = open(std::move(o));
  ASSERT_TRUE(c->execute("DROP DATABASE IF EXISTS ch_itest_gzip").ok());
  ASSERT_TRUE(c->execute("CREATE DATABASE ch_itest_gzip").ok());
  ASSERT_TRUE(c->execute("CREATE TABLE ch_itest_gzip.t (id UInt64, s String) ENGINE = MergeTree ORDER BY id").ok());
  test::RowBinary rows;
  for (uint64_t i = 0; i < 20000; ++i) rows.fixed<uint64_t>(i).string("the same text compresses well");
  auto st = c->insert("ch_itest_gzip.t", "RowBinary", rows.bytes());
  ASSERT_TRUE(st.ok()) << st.error().message();
  auto r = c->query("SELECT count(), uniqExact(s) FROM ch_itest_gzip.t", "TabSeparated");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "20000\t1\n");
  EXPECT_TRUE(c->execute("DROP DATABASE ch_itest_gzip").ok());
}

// 18.16 knows only gzip and deflate request bodies: zstd and lz4 must be refused before anything is sent,
// with a message naming the setting and the way out, and never retried.
TEST(HttpConnection, ZstdAndLz4BodiesAreRefusedByName_OnServersOlderThan22_10) {
  for (RequestCompression compression : {RequestCompression::kZstd, RequestCompression::kLz4}) {
    HttpOptions o = test::http_options(false);
    o.compression = compression;
    auto c = open(std::move(o));
    auto caps = c->capabilities();
    ASSERT_TRUE(caps.ok()) << caps.error().message();
    ASSERT_FALSE(caps->zstd_lz4_bodies) << "this test needs a server older than 22.10, got " << caps->version.text;
    ASSERT_TRUE(c->execute("CREATE DATABASE IF NOT EXISTS ch_itest_zstd").ok());
    ASSERT_TRUE(c->execute("CREATE TABLE IF NOT EXISTS ch_itest_zstd.t (id UInt64) ENGINE = MergeTree ORDER BY id").ok());
    test::RowBinary rows;
    rows.fixed<uint64_t>(1);
    auto st = c->insert("ch_itest_zstd.t", "RowBinary", rows.bytes());
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kConfig);
    EXPECT_FALSE(st.error().retryable());
    EXPECT_NE(st.error().message().find("destination.compression: " + std::string(content_encoding(compression))),
              std::string::npos)
        << st.error().message();
    EXPECT_NE(st.error().message().find("set compression to gzip or none"), std::string::npos);
    auto count = c->query("SELECT count() FROM ch_itest_zstd.t", "TabSeparated");
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, "0\n");
    EXPECT_TRUE(c->execute("DROP DATABASE ch_itest_zstd").ok());
  }
}

}  // namespace
}  // namespace mysql2ch
