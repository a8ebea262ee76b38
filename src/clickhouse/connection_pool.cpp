#include "clickhouse/connection_pool.h"

#include <utility>

namespace mysql2ch {

namespace {

bool may_be_broken(const Status& outcome) {
  if (outcome.ok()) return false;
  const ErrorCode code = outcome.error().code();
  return code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout || code == ErrorCode::kProtocol;
}

template <typename T>
const Status& outcome_of(const Result<T>& r, Status& holder) {
  if (!r.ok()) holder = r.error();
  return holder;
}
const Status& outcome_of(const Status& s, Status&) {
  return s;
}

}  // namespace

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(Opener open_one, size_t max_open) {
  TRY_ASSIGN(std::unique_ptr<ClickHouseConnection> first, open_one());
  return std::unique_ptr<ConnectionPool>(
      new ConnectionPool(std::move(open_one), std::max<size_t>(1, max_open), std::move(first)));
}

ConnectionPool::ConnectionPool(Opener open_one, size_t max_open, std::unique_ptr<ClickHouseConnection> first)
    : open_one_(std::move(open_one)), max_open_(max_open), endpoint_(first->endpoint()) {
  idle_.push_back(std::move(first));
  in_use_or_idle_ = 1;
  opened_ = 1;
}

size_t ConnectionPool::opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

Result<std::unique_ptr<ClickHouseConnection>> ConnectionPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || in_use_or_idle_ < max_open_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++in_use_or_idle_;  // reserved before opening, outside the lock
  }
  auto opened = open_one_();
  std::lock_guard lock(mutex_);
  if (!opened.ok()) {
    --in_use_or_idle_;
    returned_.notify_one();
    return std::move(opened).error();
  }
  ++opened_;
  return std::move(opened).value();
}

void ConnectionPool::release(std::unique_ptr<ClickHouseConnection> conn, const Status& outcome) {
  std::lock_guard lock(mutex_);
  if (may_be_broken(outcome)) {
    --in_use_or_idle_;
  } else {
    idle_.push_back(std::move(conn));
  }
  returned_.notify_one();
}

template <typename Request>
auto ConnectionPool::with_connection(Request&& request) -> decltype(request(std::declval<ClickHouseConnection&>())) {
  TRY_ASSIGN(std::unique_ptr<ClickHouseConnection> conn, acquire());
  auto result = request(*conn);
  Status holder;
  release(std::move(conn), outcome_of(result, holder));
  return result;
}

Status ConnectionPool::ping() {
  return with_connection([](ClickHouseConnection& c) { return c.ping(); });
}

Status ConnectionPool::execute(std::string_view sql, const RequestOptions& options) {
  return with_connection([&](ClickHouseConnection& c) { return c.execute(sql, options); });
}

Result<std::string> ConnectionPool::query(std::string_view sql, std::string_view format,
                                          const RequestOptions& options) {
  return with_connection([&](ClickHouseConnection& c) { return c.query(sql, format, options); });
}

Status ConnectionPool::insert(std::string_view target, std::string_view format, std::string_view data,
                              const RequestOptions& options) {
  return with_connection([&](ClickHouseConnection& c) { return c.insert(target, format, data, options); });
}

}  // namespace mysql2ch
