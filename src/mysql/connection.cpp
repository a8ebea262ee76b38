#include "mysql/connection.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <cstring>
#include <mutex>
#include <utility>

#include "common/strings.h"

namespace mysql2ch {
namespace {

// Connector/C keeps option values by copy, so pointers to locals are fine here.
template <typename T>
bool set_option(st_mysql* mysql, mysql_option option, const T* value) {
  return mysql_optionsv(mysql, option, value) == 0;
}

bool tls_mandatory(TlsMode mode) {
  return mode != TlsMode::kDisabled && mode != TlsMode::kPreferred;
}

// Authentication plugins that never put the password on the wire in clear text.
constexpr const char* kNoCleartextAuth = "mysql_native_password,caching_sha2_password,sha256_password,client_ed25519";

// TLS as libmariadb 3.3.20 does it (checked against the test servers): a CA file makes it verify the server's
// chain; MYSQL_OPT_SSL_VERIFY_SERVER_CERT adds the host name check; any TLS option (an empty cipher list
// included) asks for TLS. MYSQL_OPT_SSL_ENFORCE does NOT refuse a server that offers no TLS: open() checks
// that after the handshake, and until then only plugins that keep the password secret are allowed.
bool apply_tls(st_mysql* mysql, const SourceTls& tls) {
  const my_bool enforce = tls_mandatory(tls.mode);
  const my_bool verify_identity = tls.mode == TlsMode::kVerifyIdentity;
  bool ok = set_option(mysql, MYSQL_OPT_SSL_ENFORCE, &enforce) &&
            set_option(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify_identity);
  if (tls.mode == TlsMode::kDisabled) return ok;
  if (enforce) ok = ok && set_option(mysql, MARIADB_OPT_RESTRICTED_AUTH, kNoCleartextAuth);
  ok = ok && set_option(mysql, MYSQL_OPT_SSL_CIPHER, "");
  if (!tls.ca.empty()) ok = ok && set_option(mysql, MYSQL_OPT_SSL_CA, tls.ca.c_str());
  if (!tls.cert.empty()) ok = ok && set_option(mysql, MYSQL_OPT_SSL_CERT, tls.cert.c_str());
  if (!tls.key.empty()) ok = ok && set_option(mysql, MYSQL_OPT_SSL_KEY, tls.key.c_str());
  return ok;
}

bool apply_options(st_mysql* mysql, const ConnectOptions& o) {
  const unsigned connect_timeout = o.connect_timeout_s;
  const unsigned read_timeout = o.read_timeout_s;
  const unsigned write_timeout = o.write_timeout_s;
  const my_bool no = 0;
  const unsigned protocol = MYSQL_PROTOCOL_TCP;
  return set_option(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout) &&
         set_option(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout) &&
         set_option(mysql, MYSQL_OPT_WRITE_TIMEOUT, &write_timeout) &&
         set_option(mysql, MYSQL_OPT_PROTOCOL, &protocol) && set_option(mysql, MYSQL_OPT_LOCAL_INFILE, &no) &&
         set_option(mysql, MYSQL_OPT_RECONNECT, &no) && set_option(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4") &&
         apply_tls(mysql, o.tls);
}

ErrorCode classify(unsigned code, std::string_view message) {
  switch (code) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_NOT_SUPPORTED_AUTH_MODE:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_ACCOUNT_HAS_BEEN_LOCKED:
    case CR_AUTH_PLUGIN_CANNOT_LOAD:
    case CR_AUTH_PLUGIN_ERR: return ErrorCode::kAuth;
    case CR_SSL_CONNECTION_ERROR: return ErrorCode::kTls;
    case CR_VERSION_ERROR:
    case CR_MALFORMED_PACKET:
    case CR_SERVER_HANDSHAKE_ERR: return ErrorCode::kProtocol;
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
      // Connected, but no greeting: something listens there that is not a MySQL server (or it hung).
      return message.find("handshake") != std::string_view::npos ? ErrorCode::kProtocol : ErrorCode::kUnavailable;
    case ER_CON_COUNT_ERROR:
    case ER_HOST_IS_BLOCKED:
    case ER_SERVER_SHUTDOWN: return ErrorCode::kUnavailable;
    default: break;
  }
  if (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR) return ErrorCode::kUnavailable;
  if (code >= CR_EVENT_CREATE_FAILED && code <= CR_MARIADB_LAST_ERROR) return ErrorCode::kUnavailable;
  return ErrorCode::kServer;
}

Error error_of(st_mysql* mysql, const std::string& endpoint, std::string_view doing) {
  const unsigned code = mysql_errno(mysql);
  const std::string message = mysql_error(mysql);
  return make_error(classify(code, message), "{} {}: error {}: {}", doing, endpoint, code, message);
}

uint32_t parse_version_id(std::string_view version) {
  uint32_t parts[3] = {0, 0, 0};
  size_t part = 0;
  for (char c : version) {
    if (c >= '0' && c <= '9') {
      parts[part] = parts[part] * 10 + static_cast<uint32_t>(c - '0');
    } else if (c == '.' && part < 2) {
      ++part;
    } else {
      break;
    }
  }
  return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

bool mentions_mariadb(std::string_view text) {
  return to_lower(text).find("mariadb") != std::string::npos;
}

}  // namespace

ConnectOptions ConnectOptions::from_source(const SourceConfig& source) {
  ConnectOptions o;
  o.host = source.host;
  o.port = source.port;
  o.user = source.user;
  o.password = source.password;
  o.tls = source.tls;
  o.connect_timeout_s = source.connect_timeout_s;
  o.read_timeout_s = source.read_timeout_s;
  o.write_timeout_s = source.read_timeout_s;
  return o;
}

int QueryResult::column(std::string_view name) const {
  const std::string wanted = to_lower(name);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (to_lower(columns[i]) == wanted) return static_cast<int>(i);
  }
  return -1;
}

Connection::Connection(st_mysql* mysql, std::string endpoint) : mysql_(mysql), endpoint_(std::move(endpoint)) {}

Connection::Connection(Connection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)),
      endpoint_(std::move(other.endpoint_)),
      server_(std::move(other.server_)),
      tls_(std::move(other.tls_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (mysql_ != nullptr) mysql_close(mysql_);
    mysql_ = std::exchange(other.mysql_, nullptr);
    endpoint_ = std::move(other.endpoint_);
    server_ = std::move(other.server_);
    tls_ = std::move(other.tls_);
  }
  return *this;
}

Connection::~Connection() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

Result<Connection> Connection::open(const ConnectOptions& options) {
  const std::string endpoint = fmt::format("{}:{}", options.host, options.port);
  // mysql_init() initialises the library on first use, which is not thread-safe; do it once, up front.
  static std::once_flag library_once;
  std::call_once(library_once, [] { mysql_library_init(0, nullptr, nullptr); });
  st_mysql* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return make_error(ErrorCode::kInternal, "connecting to {}: mysql_init failed", endpoint);
  Connection conn(mysql, endpoint);  // closes the handle on every path below
  if (!apply_options(mysql, options)) {
    return make_error(ErrorCode::kInvalidArgument, "connecting to {}: Connector/C rejected an option", endpoint);
  }
  const char* database = options.database.empty() ? nullptr : options.database.c_str();
  if (mysql_real_connect(mysql, options.host.c_str(), options.user.c_str(), options.password.reveal().c_str(), database,
                         options.port, nullptr, 0) == nullptr) {
    Error e = error_of(mysql, endpoint, "connecting to");
    if (e.code() != ErrorCode::kProtocol) return e;
    return std::move(e).context(
        fmt::format("no MySQL greeting within {} s (is it a MySQL port?)", options.connect_timeout_s));
  }
  if (tls_mandatory(options.tls.mode) && mysql_get_ssl_cipher(mysql) == nullptr) {
    return make_error(ErrorCode::kTls, "connecting to {}: the server does not support TLS, but tls.mode is {}",
                      endpoint, tls_mode_name(options.tls.mode));
  }
  TRY(conn.load_server_info());
  conn.load_tls_info(options.tls);
  return conn;
}

Status Connection::load_server_info() {
  TRY_ASSIGN(QueryResult r, query("SELECT @@server_id, @@version, @@version_comment"));
  if (r.rows.size() != 1 || r.rows[0].size() != 3) {
    return make_error(ErrorCode::kProtocol, "{}: SELECT @@server_id returned an unexpected shape", endpoint_);
  }
  const auto& row = r.rows[0];
  server_.version = row[1].value_or(mysql_get_server_info(mysql_));
  server_.version_id = parse_version_id(server_.version);
  const auto id = parse_uint(row[0].value_or(""));
  server_.server_id = static_cast<uint32_t>(id.value_or(0));
  server_.flavor = mentions_mariadb(server_.version) || mentions_mariadb(row[2].value_or("")) ? ServerFlavor::kMariaDB
                                                                                              : ServerFlavor::kMySQL;
  return {};
}

void Connection::load_tls_info(const SourceTls& tls) {
  const char* cipher = mysql_get_ssl_cipher(mysql_);
  tls_.used = cipher != nullptr;
  if (!tls_.used) return;
  tls_.cipher = cipher;
  const char* version = nullptr;
  if (mariadb_get_infov(mysql_, MARIADB_CONNECTION_TLS_VERSION, &version) == 0 && version != nullptr) {
    tls_.version = version;
  }
  // Connector/C verifies the chain whenever a CA is configured, and a failed verification fails the connect.
  tls_.verified = !tls.ca.empty();
  tls_.host_verified = tls.mode == TlsMode::kVerifyIdentity;
}

Status Connection::execute(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return error_of(mysql_, endpoint_, "query on");
  // A statement may still return rows (e.g. SHOW); drain them so the connection stays usable.
  do {
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (res != nullptr) mysql_free_result(res);
  } while (mysql_next_result(mysql_) == 0);
  if (mysql_errno(mysql_) != 0) return error_of(mysql_, endpoint_, "query on");
  return {};
}

Result<QueryResult> Connection::query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return error_of(mysql_, endpoint_, "query on");
  MYSQL_RES* res = mysql_store_result(mysql_);
  QueryResult out;
  if (res == nullptr) {
    if (mysql_errno(mysql_) != 0) return error_of(mysql_, endpoint_, "reading result from");
    return out;  // a statement without a result set
  }
  const unsigned n = mysql_num_fields(res);
  const MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) out.columns.emplace_back(fields[i].name, fields[i].name_length);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    auto& values = out.rows.emplace_back();
    values.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      if (row[i] == nullptr) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(row[i], lengths[i]));
      }
    }
  }
  mysql_free_result(res);
  return out;
}

Result<std::optional<std::string>> Connection::query_value(std::string_view sql) {
  TRY_ASSIGN(QueryResult r, query(sql));
  if (r.rows.empty() || r.rows[0].empty()) return std::optional<std::string>();
  return r.rows[0][0];
}

Result<RowStream> Connection::stream(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return error_of(mysql_, endpoint_, "query on");
  MYSQL_RES* res = mysql_use_result(mysql_);
  if (res == nullptr) {
    if (mysql_errno(mysql_) != 0) return error_of(mysql_, endpoint_, "reading result from");
    return make_error(ErrorCode::kInvalidArgument, "query on {}: the statement returned no rows to stream: {}",
                      endpoint_, sql.substr(0, 80));
  }
  return RowStream(mysql_, res, endpoint_);
}

RowStream::RowStream(st_mysql* mysql, st_mysql_res* result, std::string endpoint)
    : mysql_(mysql), result_(result), endpoint_(std::move(endpoint)), field_count_(mysql_num_fields(result)) {
  const MYSQL_FIELD* fields = mysql_fetch_fields(result);
  column_names_.reserve(field_count_);
  for (unsigned i = 0; i < field_count_; ++i) column_names_.emplace_back(fields[i].name, fields[i].name_length);
}

RowStream::RowStream(RowStream&& other) noexcept
    : mysql_(other.mysql_),
      result_(std::exchange(other.result_, nullptr)),
      endpoint_(std::move(other.endpoint_)),
      field_count_(other.field_count_),
      column_names_(std::move(other.column_names_)),
      row_(std::exchange(other.row_, nullptr)),
      lengths_(std::exchange(other.lengths_, nullptr)) {}

RowStream::~RowStream() {
  if (result_ != nullptr) mysql_free_result(result_);
}

Result<bool> RowStream::next() {
  if (result_ == nullptr) return false;
  row_ = mysql_fetch_row(result_);
  if (row_ == nullptr) {
    lengths_ = nullptr;
    if (mysql_errno(mysql_) != 0) return error_of(mysql_, endpoint_, "reading streamed rows from");
    mysql_free_result(std::exchange(result_, nullptr));
    return false;
  }
  lengths_ = mysql_fetch_lengths(result_);
  return true;
}

bool RowStream::is_null(unsigned i) const { return row_[i] == nullptr; }

std::string_view RowStream::field(unsigned i) const {
  if (row_[i] == nullptr) return {};
  return {row_[i], lengths_[i]};
}

uint64_t RowStream::row_bytes() const {
  uint64_t n = 0;
  for (unsigned i = 0; i < field_count_; ++i) n += lengths_[i];
  return n;
}

std::string Connection::quote(std::string_view value) const {
  std::string out(value.size() * 2 + 3, '\0');
  out[0] = '\'';
  const unsigned long n = mysql_real_escape_string(mysql_, out.data() + 1, value.data(), value.size());
  out.resize(n + 1);
  out += '\'';
  return out;
}

std::string mysql_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

}  // namespace mysql2ch
