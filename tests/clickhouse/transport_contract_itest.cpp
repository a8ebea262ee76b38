// The behaviour every transport must share, run against ClickHouse 18.16 over HTTP, HTTPS (verified with
// the test CA), HTTPS with gzip-compressed inserts, and chDB 26.x.
#include <gtest/gtest.h>

#include "clickhouse/retry_policy.h"
#include "clickhouse/server_error.h"
#include "support/clickhouse_transports.h"

namespace mysql2ch {
namespace {

using test::RowBinary;
using test::Transport;

class TransportContract : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    if (GetParam() == Transport::kChdb) M2C_SKIP_WITHOUT_CHDB();
    conn_ = test::open_transport(GetParam());
    ASSERT_NE(conn_, nullptr);
    db_ = std::string("ch_itest_") + test::transport_name(GetParam());
    ASSERT_TRUE(conn_->execute("DROP DATABASE IF EXISTS " + db_).ok());
    ASSERT_TRUE(conn_->execute("CREATE DATABASE " + db_).ok());
  }
  void TearDown() override {
    if (conn_) {
      EXPECT_TRUE(conn_->execute("DROP DATABASE IF EXISTS " + db_).ok());
    }
  }

  std::string query(const std::string& sql, const std::string& format = "TabSeparated") {
    auto r = conn_->query(sql, format);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : std::string();
  }

  std::unique_ptr<ClickHouseConnection> conn_;
  std::string db_;
};

TEST_P(TransportContract, PingsAndReportsItsVersion) {
  ASSERT_TRUE(conn_->ping().ok());
  auto caps = conn_->capabilities();
  ASSERT_TRUE(caps.ok()) << caps.error().message();
  if (GetParam() == Transport::kChdb) {
    EXPECT_EQ(caps->profile, CapabilityProfile::kModern);
    EXPECT_GE(caps->version.major, 23u);
  } else {
    EXPECT_EQ(caps->version.text, "18.16.1");
    EXPECT_EQ(caps->profile, CapabilityProfile::kLegacy);
  }
}

TEST_P(TransportContract, QueriesReturnTheBodyInTheAskedFormat) {
  EXPECT_EQ(query("SELECT 1 AS x, 'a' AS y"), "1\ta\n");
  EXPECT_EQ(query("SELECT 1 AS x, 'a' AS y", "JSONEachRow"), "{\"x\":1,\"y\":\"a\"}\n");
  // RowBinary: UInt32 258 little endian, then String "ab".
  EXPECT_EQ(query("SELECT toUInt32(258), 'ab'", "RowBinary"), std::string("\x02\x01\x00\x00\x02"
                                                                          "ab",
                                                                          7));
}

TEST_P(TransportContract, RowBinaryInsertRoundTripsSimpleTypes) {
  ASSERT_TRUE(conn_
                  ->execute("CREATE TABLE " + db_ +
                            ".t (id UInt64, u8 UInt8, i32 Int32, f64 Float64, s String, n Nullable(Int32)) "
                            "ENGINE = MergeTree ORDER BY id")
                  .ok());
  RowBinary rows;
  rows.fixed<uint64_t>(1)
      .fixed<uint8_t>(255)
      .fixed<int32_t>(-2147483647 - 1)
      .fixed<double>(1.5)
      .string(std::string("a\0b\tc", 5))
      .not_null()
      .fixed<int32_t>(42);
  rows.fixed<uint64_t>(2)
      .fixed<uint8_t>(0)
      .fixed<int32_t>(2147483647)
      .fixed<double>(-0.25)
      .string("zażółć 漢字")
      .null();
  rows.fixed<uint64_t>(18446744073709551615ull)
      .fixed<uint8_t>(7)
      .fixed<int32_t>(0)
      .fixed<double>(1e300)
      .string("")
      .not_null()
      .fixed<int32_t>(-1);
  auto st = conn_->insert(db_ + ".t (id, u8, i32, f64, s, n)", "RowBinary", rows.bytes());
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(query("SELECT id, u8, i32, f64, hex(s), n FROM " + db_ + ".t ORDER BY id"),
            "1\t255\t-2147483648\t1.5\t6100620963\t42\n"
            "2\t0\t2147483647\t-0.25\t7A61C5BCC3B3C582C48720E6BCA2E5AD97\t\\N\n"
            "18446744073709551615\t7\t0\t1e300\t\t-1\n");
}

TEST_P(TransportContract, ALargerInsertArrivesWhole) {
  ASSERT_TRUE(conn_->execute("CREATE TABLE " + db_ + ".big (id UInt64, s String) ENGINE = MergeTree ORDER BY id").ok());
  RowBinary rows;
  constexpr uint64_t kRows = 100000;
  for (uint64_t i = 0; i < kRows; ++i) rows.fixed<uint64_t>(i).string("row " + std::to_string(i * 31));
  auto st = conn_->insert(db_ + ".big", "RowBinary", rows.bytes());
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(query("SELECT count(), sum(id), sum(length(s)) FROM " + db_ + ".big"),
            "100000\t4999950000\t" + std::to_string([&] {
              uint64_t total = 0;
              for (uint64_t i = 0; i < kRows; ++i) total += 4 + std::to_string(i * 31).size();
              return total;
            }()) +
                "\n");
}

TEST_P(TransportContract, SettingsApplyToTheirRequestOnly) {
  RequestOptions with;
  with.settings = {{"max_threads", "3"}};
  auto r = conn_->query("SELECT value FROM system.settings WHERE name = 'max_threads'", "TabSeparated", with);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "3\n");
  EXPECT_NE(query("SELECT value FROM system.settings WHERE name = 'max_threads'"), "3\n");
}

TEST_P(TransportContract, AMalformedStatementIsAClearNonRetryableError) {
  RetryPolicy policy({}, 1);
  int attempts = 0;
  Status st = policy.run(
      [&] {
        ++attempts;
        return conn_->execute("SELEC 1");
      },
      [](std::chrono::milliseconds) {});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(st.error().code(), ErrorCode::kServer);
  EXPECT_FALSE(st.error().retryable());
  EXPECT_EQ(clickhouse_exception_code(st.error()), 62);
  EXPECT_NE(st.error().message().find("Syntax error"), std::string::npos) << st.error().message();
}

TEST_P(TransportContract, AnUnknownTableIsNotFound) {
  auto r = conn_->query("SELECT * FROM " + db_ + ".nosuch", "TabSeparated");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(clickhouse_exception_code(r.error()), 60);
  auto ins = conn_->insert(db_ + ".nosuch", "RowBinary", RowBinary().fixed<uint64_t>(1).bytes());
  ASSERT_FALSE(ins.ok());
  EXPECT_EQ(ins.error().code(), ErrorCode::kNotFound);
}

TEST_P(TransportContract, ARowBinaryBodyThatDoesNotMatchTheTableIsRejected) {
  ASSERT_TRUE(conn_->execute("CREATE TABLE " + db_ + ".t (id UInt64, s String) ENGINE = MergeTree ORDER BY id").ok());
  // Five bytes cannot be an UInt64.
  auto st = conn_->insert(db_ + ".t", "RowBinary", std::string("\x01\x02\x03\x04\x05", 5));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kServer);
  EXPECT_EQ(query("SELECT count() FROM " + db_ + ".t"), "0\n");
}

INSTANTIATE_TEST_SUITE_P(AllTransports, TransportContract,
                         ::testing::Values(Transport::kHttp, Transport::kHttps, Transport::kHttpsGzip,
                                           Transport::kChdb),
                         [](const auto& p) { return std::string(test::transport_name(p.param)); });

}  // namespace
}  // namespace mysql2ch
