// ClickHouse embedded in this process (chDB, libchdb.so) at chdb://PATH. chDB keeps one open storage path
// per process; ChdbConnections for the same path share it (a process-wide registry), and asking for a
// second path while the first is in use is an error. The storage is closed when the last connection to it
// is destroyed.
//
// Threading: each ChdbConnection is used by one thread at a time; requests of different connections to the
// same storage are serialised. Per-request settings are applied with SET before the request and reset to
// DEFAULT after it, inside the same serialised section, so they never leak into another request.
// query_id is not supported by chDB's C API and is ignored.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "clickhouse/chdb_library.h"
#include "clickhouse/connection.h"

namespace mysql2ch {

class ChdbStorage;  // one open chDB connection to a storage path, shared

class ChdbConnection final : public ClickHouseConnection {
 public:
  // Loads libchdb.so (see chdb_library.h), creates `storage_dir` if needed, checks it is writable and opens it.
  static Result<std::unique_ptr<ChdbConnection>> open(const std::string& storage_dir, const EnvLookup& env);
  ~ChdbConnection() override;

  Status ping() override;
  Status execute(std::string_view sql, const RequestOptions& options = {}) override;
  Result<std::string> query(std::string_view sql, std::string_view format, const RequestOptions& options = {}) override;
  // The rows reach chDB through a pipe (INSERT ... FROM INFILE, see pipe_feeder.h), written from `data`
  // itself: no copy of the batch, and binary-safe.
  Status insert(std::string_view target, std::string_view format, std::string_view data,
                const RequestOptions& options = {}) override;
  const std::string& endpoint() const override { return endpoint_; }

 private:
  ChdbConnection(std::shared_ptr<ChdbStorage> storage, std::string endpoint);

  std::shared_ptr<ChdbStorage> storage_;
  std::string endpoint_;
};

}  // namespace mysql2ch
