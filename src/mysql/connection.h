// One client connection to a MySQL or MariaDB server, over Connector/C (libmariadb): authentication
// (mysql_native_password, caching_sha2_password incl. its RSA exchange over plain TCP), TLS per the
// configured mode, bounded connect/read/write timeouts, and text-protocol queries.
//
// Threading: a Connection is used by one thread at a time; open() may be called from any thread. Movable, not copyable;
// the destructor closes it. Errors: every failure is an Error whose code says what kind (kUnavailable for
// unreachable/dropped, kAuth for refused credentials or missing privileges, kTls for TLS failures, kServer for SQL
// errors, kProtocol for a peer that is not a MySQL server) and whose message names host:port. Never contains the
// password.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/secret.h"
#include "config/config.h"

struct st_mysql;  // MYSQL of libmariadb
struct st_mysql_res;  // MYSQL_RES

namespace mysql2ch {

struct ConnectOptions {
  std::string host;
  uint16_t port = 3306;
  std::string user;
  Secret password;
  SourceTls tls;
  std::string database;  // empty: none
  unsigned connect_timeout_s = 10;
  unsigned read_timeout_s = 60;
  unsigned write_timeout_s = 60;

  static ConnectOptions from_source(const SourceConfig& source);
};

enum class ServerFlavor { kMySQL, kMariaDB };

struct ServerInfo {
  ServerFlavor flavor = ServerFlavor::kMySQL;
  std::string version;      // as the server reports it, e.g. "9.7.4-2" or "10.11.19-MariaDB-0+deb12u1-log"
  uint32_t version_id = 0;  // major*10000 + minor*100 + patch, e.g. 90704, 101119
  uint32_t server_id = 0;   // @@server_id
};

struct TlsInfo {
  bool used = false;
  std::string version;  // e.g. "TLSv1.3"
  std::string cipher;
  bool verified = false;       // the server certificate chain was verified against the configured CA
  bool host_verified = false;  // and the host name was checked against it (verify-identity)
};

// A fully buffered text-protocol result. NULL is std::nullopt.
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  // Index of a column by name (case-insensitive), or -1.
  int column(std::string_view name) const;
};

// A text-protocol result read from the socket one row at a time (mysql_use_result): memory stays at one row
// whatever the result's size, and the first row is available before the server has produced the last.
//
// The Connection it came from must outlive it and must not run anything else until the stream is destroyed
// (the protocol has one result in flight). field() views point into the current row's buffer and are valid
// until the next call to next() or the stream's destruction. Destroying a stream before its end reads and
// discards the remaining rows; to abandon a huge result quickly, close the Connection as well (destroy it
// after the stream). Errors (a dropped connection, a server error mid-result such as a timeout or a KILL)
// come from next(), classified like Connection errors.
class RowStream {
 public:
  RowStream(RowStream&& other) noexcept;
  RowStream& operator=(RowStream&&) = delete;
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;
  ~RowStream();

  // Advances to the next row: true when there is one, false at the end of the result.
  Result<bool> next();

  unsigned field_count() const { return field_count_; }
  const std::vector<std::string>& column_names() const { return column_names_; }
  // Of the current row; precondition: next() returned true and i < field_count().
  bool is_null(unsigned i) const;
  std::string_view field(unsigned i) const;  // empty for NULL
  // Bytes of the current row's values (the sum of the field lengths), for throughput figures.
  uint64_t row_bytes() const;

 private:
  friend class Connection;
  RowStream(st_mysql* mysql, st_mysql_res* result, std::string endpoint);
  st_mysql* mysql_;
  st_mysql_res* result_;
  std::string endpoint_;
  unsigned field_count_ = 0;
  std::vector<std::string> column_names_;
  char** row_ = nullptr;
  const unsigned long* lengths_ = nullptr;
};

class Connection {
 public:
  // Connects, authenticates and reads ServerInfo/TlsInfo. Bounded by the options' timeouts: an unreachable
  // host, or a port where something other than MySQL listens, fails within connect_timeout_s.
  // TLS modes: disabled (never), preferred (if the server offers it), required (or fail), verify-ca (chain
  // checked against tls.ca), verify-identity (chain and host name). With preferred/required a configured CA
  // is also enforced, as Connector/C does.
  static Result<Connection> open(const ConnectOptions& options);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Status execute(std::string_view sql);
  Result<QueryResult> query(std::string_view sql);
  // The first column of the first row; nullopt when there is no row or the value is NULL.
  Result<std::optional<std::string>> query_value(std::string_view sql);
  // Runs a statement that returns rows and streams them (see RowStream). A statement without a result set
  // is kInvalidArgument.
  Result<RowStream> stream(std::string_view sql);

  const ServerInfo& server() const { return server_; }
  const TlsInfo& tls() const { return tls_; }
  const std::string& endpoint() const { return endpoint_; }  // "host:port" for messages

  // The quoted form of a string literal ('...') with the connection's escaping rules.
  std::string quote(std::string_view value) const;

  // The underlying handle, for the replication protocol in src/binlog/. Valid while this Connection lives;
  // the caller must not close it.
  st_mysql* handle() const { return mysql_; }

 private:
  Connection(st_mysql* mysql, std::string endpoint);
  Status load_server_info();
  void load_tls_info(const SourceTls& tls);

  st_mysql* mysql_ = nullptr;
  std::string endpoint_;
  ServerInfo server_;
  TlsInfo tls_;
};

// Backticked identifier with ` doubled.
std::string mysql_identifier(std::string_view name);

}  // namespace mysql2ch
