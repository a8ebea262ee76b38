#include "clickhouse/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace mysql2ch {

RetryPolicy::RetryPolicy(RetryLimits limits, uint64_t seed) : limits_(limits), rng_(seed) {}

bool RetryPolicy::should_retry(const Error& error, unsigned attempts_made) const {
  return error.retryable() && attempts_made < limits_.max_attempts;
}

std::chrono::milliseconds RetryPolicy::backoff(unsigned attempts_made) {
  const double exponent = attempts_made == 0 ? 0.0 : static_cast<double>(attempts_made - 1);
  const double grown = static_cast<double>(limits_.initial.count()) * std::pow(limits_.multiplier, exponent);
  const auto base = static_cast<int64_t>(std::min(grown, static_cast<double>(limits_.max.count())));
  const int64_t half = base / 2;
  std::uniform_int_distribution<int64_t> jitter(0, base - half);
  return std::chrono::milliseconds(half + jitter(rng_));
}

}  // namespace mysql2ch
