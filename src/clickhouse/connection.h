// One interface over the two ways of talking to ClickHouse: a server over HTTP(S) (HttpConnection) and the
// embedded engine chDB (ChdbConnection). Code above src/clickhouse/ uses only this header and never learns
// which transport it has.
//
// Lifetime and threading: a connection is used by one thread at a time (it owns a keep-alive socket or a
// session); open one per worker. Views passed in must stay valid for the duration of the call only.
// Every call is a single attempt: wrap it in a RetryPolicy where repeating is safe (inserts are, because
// rows carry versions; see DESIGN.md).
//
// What is guaranteed back: failures are Errors with ErrorCode kUnavailable/kTimeout (retryable), kAuth
// (credentials or permissions), kTls, kNotFound (unknown table or database; also a missing libchdb.so),
// kServer (the server rejected the statement; clickhouse_exception_code() gives its code), kProtocol (the
// peer is not ClickHouse's HTTP interface), kIo (chDB storage directory), kUnsupported (a second chDB
// storage path) or kConfig (destination.url). Messages never contain passwords.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clickhouse/capabilities.h"
#include "common/result.h"
#include "config/config.h"

namespace mysql2ch {

// Per-request options. Settings are ClickHouse settings for this request only (e.g.
// {"insert_deduplication_token", "..."}, {"max_execution_time", "30"}).
struct RequestOptions {
  std::string query_id;  // empty: the server assigns one; chDB ignores it
  std::vector<std::pair<std::string, std::string>> settings;
};

class ClickHouseConnection {
 public:
  virtual ~ClickHouseConnection() = default;
  ClickHouseConnection(const ClickHouseConnection&) = delete;
  ClickHouseConnection& operator=(const ClickHouseConnection&) = delete;

  // Whether the server answers at all, before any authentication: GET /ping over HTTP; for chDB, that the
  // library is loaded and the storage opened.
  virtual Status ping() = 0;

  // Runs one statement whose result is not needed (DDL, INSERT .. SELECT, OPTIMIZE).
  virtual Status execute(std::string_view sql, const RequestOptions& options = {}) = 0;

  // Runs one query and returns its whole result, encoded in `format` ("TSV", "JSONEachRow", "RowBinary",
  // ...). The sql must not carry its own FORMAT clause. Binary-safe.
  virtual Result<std::string> query(std::string_view sql, std::string_view format,
                                    const RequestOptions& options = {}) = 0;

  // Runs `INSERT INTO <target> FORMAT <format>` with `data` as the rows, already encoded in `format`.
  // target is a quoted table name with an optional column list: "`db`.`t` (`a`, `b`)". Both transports
  // send the bytes from `data` itself, without copying the batch (HTTP: gzip-compressed on the fly when
  // enabled). Returns when the server has acknowledged every row; a failure means none or only some rows
  // may have been stored (ClickHouse inserts in blocks), so a retry must be idempotent.
  virtual Status insert(std::string_view target, std::string_view format, std::string_view data,
                        const RequestOptions& options = {}) = 0;

  // "http://host:port", "https://host:port" or "chdb:///abs/path" — for messages; never holds credentials.
  virtual const std::string& endpoint() const = 0;

  // The server's version and what it supports, probed with SELECT version() on first use and then cached.
  Result<ServerCapabilities> capabilities();

 protected:
  ClickHouseConnection() = default;

 private:
  std::optional<ServerCapabilities> capabilities_;
};

// Where destination.url points, parsed. For chdb://, a relative path is relative to `base_dir` (the
// configuration file's directory, like every other relative path of the configuration):
// chdb:///var/lib/m2c is absolute, chdb://data/ch is <base_dir>/data/ch.
struct DestinationUrl {
  enum class Kind { kHttp, kHttps, kChdb };
  Kind kind = Kind::kHttp;
  std::string host;      // http(s)
  uint16_t port = 0;     // http(s): as given, else 8123 / 8443
  std::string path;      // http(s): base path ("" or "/prefix"); chdb: absolute storage directory
  std::string endpoint;  // normalised, for messages
};
Result<DestinationUrl> parse_destination_url(std::string_view url, const std::string& base_dir);

// The directory relative destination paths are resolved against: that of config.file ("." when none).
std::string config_base_dir(const Config& config);

// Opens the transport destination.url names. Does not send anything yet (the first request connects), except
// that chDB loads libchdb.so and opens its storage here. `env` is consulted for MYSQL2CH_LIBCHDB and the
// cache directory (see chdb_library.h).
Result<std::unique_ptr<ClickHouseConnection>> open_clickhouse(const DestinationConfig& destination,
                                                              const std::string& base_dir,
                                                              const EnvLookup& env = process_env());

}  // namespace mysql2ch
