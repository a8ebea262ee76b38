#include "clickhouse/capabilities.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

ServerCapabilities caps(const char* version) {
  auto v = ServerVersion::parse(version);
  EXPECT_TRUE(v.has_value()) << version;
  return ServerCapabilities::from_version(v.value_or(ServerVersion{}));
}

TEST(ServerVersion, ParsesWhatServersPrint) {
  auto v = ServerVersion::parse("18.16.1\n");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->major, 18u);
  EXPECT_EQ(v->minor, 16u);
  EXPECT_EQ(v->patch, 1u);
  EXPECT_EQ(v->text, "18.16.1");

  auto chdb = ServerVersion::parse("26.5.1.1");
  ASSERT_TRUE(chdb.has_value());
  EXPECT_EQ(chdb->major, 26u);
  EXPECT_EQ(chdb->minor, 5u);

  auto two = ServerVersion::parse("23.3");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->patch, 0u);
}

TEST(ServerVersion, RejectsWhatIsNotAVersion) {
  EXPECT_FALSE(ServerVersion::parse("").has_value());
  EXPECT_FALSE(ServerVersion::parse("Ok.").has_value());
  EXPECT_FALSE(ServerVersion::parse("23").has_value());
  EXPECT_FALSE(ServerVersion::parse("v23.3").has_value());
}

TEST(ServerCapabilities, ClickHouse1816IsLegacyWithNoModernFeature) {
  const auto c = caps("18.16.1");
  EXPECT_EQ(c.profile, CapabilityProfile::kLegacy);
  EXPECT_FALSE(c.datetime64);
  EXPECT_FALSE(c.date32);
  EXPECT_FALSE(c.bool_type);
  EXPECT_FALSE(c.rename_column);
  EXPECT_FALSE(c.sql_access_control);
  EXPECT_FALSE(c.big_decimal);
  EXPECT_FALSE(c.insert_deduplication_token);
  EXPECT_FALSE(c.replacing_is_deleted);
  EXPECT_FALSE(c.json_type);
  EXPECT_EQ(c.summary().rfind("legacy: no DateTime64", 0), 0u) << c.summary();
}

TEST(ServerCapabilities, The233BoundaryMakesAServerModern) {
  EXPECT_EQ(caps("23.2.7.32").profile, CapabilityProfile::kLegacy);
  const auto c = caps("23.3.1.2823");
  EXPECT_EQ(c.profile, CapabilityProfile::kModern);
  EXPECT_TRUE(c.datetime64);
  EXPECT_TRUE(c.date32);
  EXPECT_TRUE(c.bool_type);
  EXPECT_TRUE(c.rename_column);
  EXPECT_TRUE(c.insert_deduplication_token);
  EXPECT_TRUE(c.replacing_is_deleted);
  EXPECT_FALSE(c.json_type);  // 24.8
}

TEST(ServerCapabilities, A22ServerIsLegacyButHasTheFeaturesOfItsRelease) {
  const auto c = caps("22.8.5.29");
  EXPECT_EQ(c.profile, CapabilityProfile::kLegacy);
  EXPECT_TRUE(c.datetime64);
  EXPECT_TRUE(c.bool_type);
  EXPECT_TRUE(c.insert_deduplication_token);
  EXPECT_FALSE(c.replacing_is_deleted);
}

TEST(ServerCapabilities, ChdbIsModernWithEverything) {
  const auto c = caps("26.5.1.1");
  EXPECT_EQ(c.profile, CapabilityProfile::kModern);
  EXPECT_TRUE(c.json_type);
  EXPECT_EQ(c.summary(), "modern: all features used by mysql2ch");
}

}  // namespace
}  // namespace mysql2ch
