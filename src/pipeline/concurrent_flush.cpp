#include "pipeline/concurrent_flush.h"

#include <algorithm>

#include "common/log.h"

namespace mysql2ch::pipeline {

ConcurrentFlush::~ConcurrentFlush() {
  if (running()) (void)wait();
}

void ConcurrentFlush::start(std::vector<Job> jobs, unsigned concurrency, FlushOne flush_one) {
  jobs_ = std::move(jobs);
  results_.assign(jobs_.size(), Status{});
  flush_one_ = std::move(flush_one);
  next_.store(0);
  finished_.store(0);
  const size_t threads = std::min<size_t>(std::max(1u, concurrency), jobs_.size());
  threads_.reserve(threads);
  for (size_t k = 0; k < threads; ++k) threads_.emplace_back([this] { work(); });
}

void ConcurrentFlush::work() {
  for (size_t k = next_.fetch_add(1); k < jobs_.size(); k = next_.fetch_add(1)) {
    results_[k] = flush_one_(jobs_[k]);
    finished_.fetch_add(1, std::memory_order_release);
  }
}

Status ConcurrentFlush::wait() {
  for (auto& t : threads_) t.join();
  threads_.clear();
  Status first;
  for (size_t k = 0; k < results_.size(); ++k) {
    if (results_[k].ok()) continue;
    if (first.ok()) {
      first = std::move(results_[k]);
    } else {
      spdlog::error("{}", results_[k].error().message());
    }
  }
  jobs_.clear();
  results_.clear();
  return first;
}

}  // namespace mysql2ch::pipeline
