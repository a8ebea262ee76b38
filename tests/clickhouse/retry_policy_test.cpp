#include "clickhouse/retry_policy.h"

#include <gtest/gtest.h>

#include <vector>

namespace mysql2ch {
namespace {

using std::chrono::milliseconds;

RetryLimits limits(unsigned attempts) {
  RetryLimits l;
  l.max_attempts = attempts;
  l.initial = milliseconds(100);
  l.max = milliseconds(1000);
  l.multiplier = 2.0;
  return l;
}

TEST(RetryPolicy, BackoffGrowsExponentiallyWithinItsJitterBand) {
  RetryPolicy policy(limits(10), 42);
  const int64_t bases[] = {100, 200, 400, 800, 1000, 1000};  // capped at max
  for (unsigned n = 1; n <= 6; ++n) {
    for (int sample = 0; sample < 50; ++sample) {
      const int64_t d = policy.backoff(n).count();
      EXPECT_GE(d, bases[n - 1] / 2) << "attempt " << n;
      EXPECT_LE(d, bases[n - 1]) << "attempt " << n;
    }
  }
}

TEST(RetryPolicy, JitterSpreadsDelaysAndIsReproducibleFromTheSeed) {
  RetryPolicy a(limits(10), 7);
  RetryPolicy b(limits(10), 7);
  std::vector<int64_t> da;
  std::vector<int64_t> db;
  for (int i = 0; i < 20; ++i) {
    da.push_back(a.backoff(4).count());
    db.push_back(b.backoff(4).count());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(*std::min_element(da.begin(), da.end()), *std::max_element(da.begin(), da.end()));
}

TEST(RetryPolicy, ANonRetryableErrorIsReturnedAfterOneAttempt) {
  RetryPolicy policy(limits(5), 1);
  int attempts = 0;
  std::vector<milliseconds> sleeps;
  Status st = policy.run(
      [&]() -> Status {
        ++attempts;
        return Error(ErrorCode::kServer, "ClickHouse error 62 (SYNTAX_ERROR): Syntax error");
      },
      [&](milliseconds d) { sleeps.push_back(d); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(sleeps.empty());
  EXPECT_EQ(st.error().message(), "ClickHouse error 62 (SYNTAX_ERROR): Syntax error");
}

TEST(RetryPolicy, RetryableErrorsAreRetriedUntilTheAttemptsRunOut) {
  RetryPolicy policy(limits(4), 1);
  int attempts = 0;
  std::vector<milliseconds> sleeps;
  Status st = policy.run(
      [&]() -> Status {
        ++attempts;
        return Error(ErrorCode::kUnavailable, "cannot connect");
      },
      [&](milliseconds d) { sleeps.push_back(d); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(attempts, 4);
  EXPECT_EQ(sleeps.size(), 3u);
  EXPECT_EQ(st.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(st.error().message(), "gave up after 4 attempts: cannot connect");
}

TEST(RetryPolicy, SucceedsWhenATransientFailurePasses) {
  RetryPolicy policy(limits(5), 1);
  int attempts = 0;
  int sleeps = 0;
  Result<int> r = policy.run(
      [&]() -> Result<int> {
        if (++attempts < 3) return Error(ErrorCode::kTimeout, "timed out");
        return 42;
      },
      [&](milliseconds) { ++sleeps; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(sleeps, 2);
}

TEST(RetryPolicy, OneAttemptMeansNoRetry) {
  RetryPolicy policy(limits(1), 1);
  EXPECT_FALSE(policy.should_retry(Error(ErrorCode::kUnavailable, "x"), 1));
  RetryPolicy more(limits(3), 1);
  EXPECT_TRUE(more.should_retry(Error(ErrorCode::kUnavailable, "x"), 2));
  EXPECT_FALSE(more.should_retry(Error(ErrorCode::kAuth, "x"), 1));
}

}  // namespace
}  // namespace mysql2ch
