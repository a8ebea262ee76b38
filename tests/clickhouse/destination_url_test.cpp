#include <gtest/gtest.h>

#include "clickhouse/connection.h"

namespace mysql2ch {
namespace {

TEST(DestinationUrl, HttpWithAndWithoutPort) {
  auto u = parse_destination_url("http://127.0.0.1:18123", "/etc/m2c");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->kind, DestinationUrl::Kind::kHttp);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 18123);
  EXPECT_EQ(u->endpoint, "http://127.0.0.1:18123");

  auto d = parse_destination_url("https://ch.example.com/", "/etc/m2c");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, DestinationUrl::Kind::kHttps);
  EXPECT_EQ(d->port, 8443);
  EXPECT_EQ(d->path, "");
}

TEST(DestinationUrl, KeepsABasePathForProxies) {
  auto u = parse_destination_url("https://gw.example.com:443/clickhouse/", "/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path, "/clickhouse");
  EXPECT_EQ(u->endpoint, "https://gw.example.com:443/clickhouse");
}

TEST(DestinationUrl, Ipv6Host) {
  auto u = parse_destination_url("http://[::1]:8123", "/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "[::1]");
  EXPECT_EQ(u->port, 8123);
}

TEST(DestinationUrl, ChdbPathsAbsoluteAndRelativeToTheConfigDirectory) {
  auto abs = parse_destination_url("chdb:///var/lib/m2c/ch", "/etc/m2c");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->kind, DestinationUrl::Kind::kChdb);
  EXPECT_EQ(abs->path, "/var/lib/m2c/ch");
  EXPECT_EQ(abs->endpoint, "chdb:///var/lib/m2c/ch");

  auto rel = parse_destination_url("chdb://data/../ch", "/etc/m2c");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->path, "/etc/m2c/ch");
}

TEST(DestinationUrl, RejectsCredentialsBadPortsAndOtherSchemes) {
  auto creds = parse_destination_url("https://cdc:secret@ch.example.com", "/");
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().message().find("secret"), std::string::npos);
  EXPECT_FALSE(parse_destination_url("http://host:0", "/").ok());
  EXPECT_FALSE(parse_destination_url("http://host:99999", "/").ok());
  EXPECT_FALSE(parse_destination_url("http://:8123", "/").ok());
  EXPECT_FALSE(parse_destination_url("tcp://host:9000", "/").ok());
  EXPECT_FALSE(parse_destination_url("chdb://", "/").ok());
}

}  // namespace
}  // namespace mysql2ch
