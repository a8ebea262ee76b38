// A ClickHouseConnection that several threads may use at once: each request borrows one of at most `max_open`
// underlying connections for its duration, opening one when none is idle and the limit allows, else waiting for
// one to come back. The stream's table sinks all write through one pool, so their inserts run concurrently while
// the sockets held stay bounded by the pool's size rather than growing with the number of tables.
//
// Caller guarantees: `open_one` is safe to call from any thread and outlives the pool; every request has
// returned before the pool is destroyed. capabilities() (the base class's cache) is filled by the first call and
// only read afterwards: make that first call from one thread before requests run concurrently (TableWriter::create
// does, on the stream thread).
//
// What it guarantees back: each request runs on exactly one underlying connection, used by no other thread at
// the time; errors are the underlying connection's, unchanged. A connection whose request failed in a way that
// may leave it broken (kUnavailable, kTimeout, kProtocol) is closed rather than reused.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "clickhouse/connection.h"

namespace mysql2ch {

class ConnectionPool final : public ClickHouseConnection {
 public:
  using Opener = std::function<Result<std::unique_ptr<ClickHouseConnection>>()>;
  // Opens the first connection (which gives the endpoint); max_open >= 1.
  static Result<std::unique_ptr<ConnectionPool>> open(Opener open_one, size_t max_open);

  Status ping() override;
  Status execute(std::string_view sql, const RequestOptions& options = {}) override;
  Result<std::string> query(std::string_view sql, std::string_view format, const RequestOptions& options = {}) override;
  Status insert(std::string_view target, std::string_view format, std::string_view data,
                const RequestOptions& options = {}) override;
  const std::string& endpoint() const override { return endpoint_; }

  // Underlying connections opened so far (for tests and metrics).
  size_t opened() const;

 private:
  ConnectionPool(Opener open_one, size_t max_open, std::unique_ptr<ClickHouseConnection> first);

  Result<std::unique_ptr<ClickHouseConnection>> acquire();
  void release(std::unique_ptr<ClickHouseConnection> conn, const Status& outcome);
  template <typename Request>
  auto with_connection(Request&& request) -> decltype(request(std::declval<ClickHouseConnection&>()));

  Opener open_one_;
  size_t max_open_;
  std::string endpoint_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<ClickHouseConnection>> idle_;
  size_t in_use_or_idle_ = 0;  // connections that exist: idle ones plus those lent out
  size_t opened_ = 0;
};

}  // namespace mysql2ch
