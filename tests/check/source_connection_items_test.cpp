#include "check/source_connection_items.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

SourceConfig source(TlsMode mode) {
  SourceConfig s;
  s.host = "db.example.com";
  s.port = 3306;
  s.user = "repl";
  s.tls.mode = mode;
  s.tls.ca = mode >= TlsMode::kVerifyCa ? "/etc/ca.pem" : "";
  return s;
}

TEST(SourceConnectionItems, FailureGivesOneFailedItemAndNotChecked) {
  CheckReport report;
  report_connect_failure(source(TlsMode::kPreferred), Error(ErrorCode::kUnavailable, "refused"), report);
  ASSERT_EQ(report.items().size(), 2u);
  EXPECT_EQ(report.items()[0].id, "source.reachable");
  EXPECT_EQ(report.items()[0].state, CheckState::kFail);
  EXPECT_EQ(report.items()[1].id, "source.not_checked");
  EXPECT_EQ(report.items()[1].state, CheckState::kInfo);
}

TEST(SourceConnectionItems, TlsAndAuthFailuresSayTheServerAnswered) {
  CheckReport tls;
  report_connect_failure(source(TlsMode::kVerifyCa),
                         Error(ErrorCode::kTls, "error 2026: TLS/SSL error: certificate verify failed"), tls);
  ASSERT_EQ(tls.items().size(), 3u);
  EXPECT_EQ(tls.items()[0].state, CheckState::kPass);
  EXPECT_EQ(tls.items()[1].id, "source.tls");
  EXPECT_EQ(tls.items()[1].fix,
            "set source.tls.ca to the CA file that signed the server's certificate (the server's ssl_ca);\n"
            "check with: openssl s_client -starttls mysql -connect db.example.com:3306 -CAfile /etc/ca.pem");
  CheckReport auth;
  report_connect_failure(source(TlsMode::kPreferred), Error(ErrorCode::kAuth, "error 1045: Access denied"), auth);
  EXPECT_EQ(auth.items()[1].id, "source.auth");
  EXPECT_EQ(auth.items()[1].fix,
            "check source.user and source.password; the account must exist for the host mysql2ch connects from: "
            "CREATE USER 'repl'@'%' IDENTIFIED BY '...';");
}

TEST(SourceConnectionItems, CachingSha2WithoutRsaKeyIsExplained) {
  CheckReport report;
  report_connect_failure(source(TlsMode::kDisabled),
                         Error(ErrorCode::kAuth,
                               "error 2061: Authentication plugin 'caching_sha2_password' reported "
                               "error: Authentication requires secure connection."),
                         report);
  EXPECT_NE(report.items()[1].fix.find("set source.tls.mode: required"), std::string::npos);
  EXPECT_NE(report.items()[1].fix.find("RSA public key"), std::string::npos);
}

TEST(SourceConnectionItems, UnsupportedVersions) {
  EXPECT_EQ(reachable_item({ServerFlavor::kMySQL, "5.7.44-log", 50744, 1}, "h:1").state, CheckState::kFail);
  EXPECT_EQ(reachable_item({ServerFlavor::kMariaDB, "10.4.30-MariaDB", 100430, 1}, "h:1").state, CheckState::kFail);
  const CheckItem ok = reachable_item({ServerFlavor::kMariaDB, "10.5.0-MariaDB", 100500, 1}, "h:1");
  EXPECT_EQ(ok.state, CheckState::kPass);
  EXPECT_EQ(ok.found, "MariaDB 10.5.0 at h:1 (10.5.0-MariaDB)");
}

TEST(SourceConnectionItems, TlsStates) {
  TlsInfo none;
  EXPECT_EQ(tls_item(source(TlsMode::kDisabled).tls, none).state, CheckState::kWarn);
  TlsInfo unverified{true, "TLSv1.3", "TLS_AES_256_GCM_SHA384", false, false};
  EXPECT_EQ(tls_item(source(TlsMode::kRequired).tls, unverified).found,
            "TLSv1.3, TLS_AES_256_GCM_SHA384; server certificate not verified (mode required)");
  TlsInfo verified{true, "TLSv1.3", "TLS_AES_256_GCM_SHA384", true, true};
  const CheckItem ok = tls_item(source(TlsMode::kVerifyIdentity).tls, verified);
  EXPECT_EQ(ok.state, CheckState::kPass);
  EXPECT_EQ(ok.found,
            "TLSv1.3, TLS_AES_256_GCM_SHA384; certificate verified against /etc/ca.pem including the host name");
}

TEST(SourceConnectionItems, AuthNamesPlainTcpSha2) {
  const CheckItem item = auth_item("repl@%", "caching_sha2_password", TlsInfo{});
  EXPECT_EQ(item.found,
            "authenticated as repl@% with caching_sha2_password over plain TCP (full authentication uses the "
            "server's RSA public key, fetched by the client)");
}

}  // namespace
}  // namespace mysql2ch
