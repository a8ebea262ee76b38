// ConnectionPool against ClickHouse 18.16 over HTTP: requests from several threads at once run concurrently on
// at most the pool's size of connections, each on a connection no other thread uses meanwhile; a connection whose
// request failed at the transport is not lent out again.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "clickhouse/connection_pool.h"
#include "clickhouse/http_connection.h"
#include "support/clickhouse_transports.h"

namespace mysql2ch {
namespace {

ConnectionPool::Opener http_opener(std::atomic<int>& opened, HttpOptions options) {
  return [&opened, options]() -> Result<std::unique_ptr<ClickHouseConnection>> {
    ++opened;
    TRY_ASSIGN(auto c, HttpConnection::open(options));
    return std::unique_ptr<ClickHouseConnection>(std::move(c));
  };
}

TEST(ConnectionPool, RunsRequestsOfSeveralThreadsOnAtMostItsSizeOfConnections) {
  std::atomic<int> opened{0};
  auto pool = ConnectionPool::open(http_opener(opened, test::http_options(false)), 2);
  ASSERT_TRUE(pool.ok()) << pool.error().message();
  ConnectionPool& p = **pool;
  EXPECT_EQ(p.endpoint(), test::http_options(false).url.endpoint);

  // Six threads, each a request that holds its connection for a while: the pool never opens a third.
  std::vector<std::thread> threads;
  std::vector<std::string> answers(6);
  std::atomic<int> failures{0};
  for (int k = 0; k < 6; ++k) {
    threads.emplace_back([&, k] {
      auto r = p.query("SELECT " + std::to_string(k) + " FROM system.one WHERE sleep(0.2) = 0", "TabSeparated");
      if (r.ok()) {
        answers[static_cast<size_t>(k)] = *r;
      } else {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(answers[static_cast<size_t>(k)], std::to_string(k) + "\n");
  EXPECT_LE(p.opened(), 2u);
  EXPECT_EQ(opened.load(), static_cast<int>(p.opened()));
  // An insert goes through the pool like any request.
  ASSERT_TRUE(p.execute("CREATE DATABASE IF NOT EXISTS pool_itest").ok());
  ASSERT_TRUE(p.execute("DROP TABLE IF EXISTS pool_itest.t").ok());
  ASSERT_TRUE(p.execute("CREATE TABLE pool_itest.t (x UInt8) ENGINE = Memory").ok());
  ASSERT_TRUE(p.insert("pool_itest.t", "TabSeparated", "1\n2\n").ok());
  auto sum = p.query("SELECT sum(x) FROM pool_itest.t", "TabSeparated");
  ASSERT_TRUE(sum.ok()) << sum.error().message();
  EXPECT_EQ(*sum, "3\n");
  ASSERT_TRUE(p.execute("DROP DATABASE pool_itest").ok());
}

TEST(ConnectionPool, ReplacesAConnectionWhoseRequestFailedAtTheTransport) {
  std::atomic<int> opened{0};
  HttpOptions closed = test::http_options(false);
  closed.url = *parse_destination_url("http://127.0.0.1:1", "/");
  auto pool = ConnectionPool::open(http_opener(opened, closed), 1);
  ASSERT_TRUE(pool.ok()) << pool.error().message();
  for (int k = 0; k < 3; ++k) {
    Status st = (*pool)->ping();
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), ErrorCode::kUnavailable);
  }
  // The first connection, then a new one for each later attempt: a broken one is never lent again.
  EXPECT_EQ(opened.load(), 3);
  EXPECT_EQ((*pool)->opened(), 3u);
}

}  // namespace
}  // namespace mysql2ch
