// When and how long to wait before repeating a request that failed in a way that may pass later
// (Error::retryable(): kUnavailable, kTimeout). Anything else is returned at once: a malformed statement or a
// refused password does not get better by repeating it.
//
// Delays grow exponentially from `initial` by `multiplier` up to `max`, with "equal jitter": the delay before
// retry n is base/2 + uniform[0, base/2], so clients that failed together do not come back together.
// An instance is not thread-safe (it owns its random generator); give each worker its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <utility>

#include "common/result.h"

namespace mysql2ch {

struct RetryLimits {
  unsigned max_attempts = 6;  // attempts in total, the first one included; 1 means no retry
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{10'000};
  double multiplier = 2.0;
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryLimits limits = {}, uint64_t seed = std::random_device{}());

  const RetryLimits& limits() const { return limits_; }

  // Whether to try again after `attempts_made` attempts (≥ 1), the last of which failed with `error`.
  bool should_retry(const Error& error, unsigned attempts_made) const;

  // The wait after the `attempts_made`-th failed attempt, in [base/2, base] where
  // base = min(max, initial * multiplier^(attempts_made-1)).
  std::chrono::milliseconds backoff(unsigned attempts_made);

  // Calls `attempt()` (returning Status or Result<T>) until it succeeds, fails in a non-retryable way, or the
  // attempts are used up; between attempts calls `sleep(delay)`. Returns the last outcome; when attempts ran
  // out, its message says how many were made.
  template <typename Attempt, typename Sleep>
  auto run(Attempt&& attempt, Sleep&& sleep) -> decltype(attempt()) {
    unsigned made = 0;
    while (true) {
      auto outcome = attempt();
      ++made;
      if (outcome.ok()) return outcome;
      if (!should_retry(outcome.error(), made)) {
        if (made > 1 && outcome.error().retryable()) {
          return std::move(outcome).error().context(fmt::format("gave up after {} attempts", made));
        }
        return outcome;
      }
      sleep(backoff(made));
    }
  }

 private:
  RetryLimits limits_;
  std::mt19937_64 rng_;
};

}  // namespace mysql2ch
