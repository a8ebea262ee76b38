#include "clickhouse/chdb_connection.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <system_error>
#include <vector>

#include "clickhouse/pipe_feeder.h"
#include "clickhouse/server_error.h"

namespace mysql2ch {

namespace fs = std::filesystem;

class ChdbStorage {
 public:
  ChdbStorage(const ChdbApi* api, ChdbApi::Connection* conn, std::string dir)
      : api_(api), conn_(conn), dir_(std::move(dir)) {}
  ~ChdbStorage() { api_->close_conn(conn_); }
  ChdbStorage(const ChdbStorage&) = delete;
  ChdbStorage& operator=(const ChdbStorage&) = delete;

  const std::string& dir() const { return dir_; }

  // Runs `sql` with `settings` in effect for it only; returns the result bytes in `format`.
  Result<std::string> run(std::string_view sql, std::string_view format, const RequestOptions& options) {
    for (const auto& setting : options.settings) {
      const std::string& name = setting.first;
      if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                              std::string::npos) {
        return make_error(ErrorCode::kInvalidArgument, "'{}' is not a ClickHouse setting name", name);
      }
    }
    std::lock_guard lock(mutex_);
    for (const auto& [name, value] : options.settings) {
      TRY(run_locked(fmt::format("SET {} = {}", name, quote_setting(value)), "TSV"));
    }
    auto result = run_locked(sql, format);
    for (const auto& [name, value] : options.settings) {
      if (auto reset = run_locked(fmt::format("SET {} = DEFAULT", name), "TSV"); !reset.ok() && result.ok()) {
        return std::move(reset).error().context("resetting a per-request setting");
      }
    }
    return result;
  }

 private:
  // Numbers go as they are, anything else as a quoted string; both are what SET accepts.
  static std::string quote_setting(const std::string& value) {
    const bool numeric = !value.empty() && value.find_first_not_of("0123456789.-") == std::string::npos;
    if (numeric) return value;
    std::string out = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    return out + "'";
  }

  Result<std::string> run_locked(std::string_view sql, std::string_view format) {
    ChdbApi::QueryResult* r = api_->query_n(*conn_, sql.data(), sql.size(), format.data(), format.size());
    if (r == nullptr) return make_error(ErrorCode::kInternal, "chdb_query_n returned no result");
    struct Release {
      const ChdbApi* api;
      ChdbApi::QueryResult* r;
      ~Release() { api->destroy_query_result(r); }
    } release{api_, r};
    if (const char* err = api_->result_error(r); err != nullptr && *err != '\0') {
      if (auto e = parse_server_exception(err)) return server_exception_error(*e);
      return make_error(ErrorCode::kServer, "chDB: {}", err);
    }
    const char* buf = api_->result_buffer(r);
    return buf == nullptr ? std::string() : std::string(buf, api_->result_length(r));
  }

  const ChdbApi* api_;
  ChdbApi::Connection* conn_;
  std::string dir_;
  std::mutex mutex_;
};

namespace {

// The process-wide registry: chDB allows one open storage at a time.
struct Registry {
  std::mutex mutex;
  std::weak_ptr<ChdbStorage> open;
};
Registry& registry() {
  static Registry r;
  return r;
}

Status ensure_writable_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorCode::kIo,
                      "chDB storage directory {} cannot be created: {} (choose a writable path in "
                      "destination.url, chdb:///absolute/path or chdb://path/relative/to/the/config)",
                      dir, ec.message());
  }
  if (!fs::is_directory(dir, ec)) {
    return make_error(ErrorCode::kIo, "chDB storage path {} exists but is not a directory", dir);
  }
  const fs::path probe = fs::path(dir) / ".mysql2ch-write-probe";
  {
    std::ofstream out(probe, std::ios::trunc);
    out << "probe\n";
    if (!out) {
      return make_error(ErrorCode::kIo,
                        "chDB storage directory {} is not writable by this user (fix its "
                        "permissions or choose another path in destination.url)",
                        dir);
    }
  }
  fs::remove(probe, ec);
  return {};
}

Result<std::shared_ptr<ChdbStorage>> open_storage(const std::string& dir, const EnvLookup& env) {
  std::lock_guard lock(registry().mutex);
  if (auto existing = registry().open.lock()) {
    if (existing->dir() == dir) return existing;
    return make_error(ErrorCode::kUnsupported,
                      "chDB keeps one storage path per process: {} is open, so {} cannot be opened as well",
                      existing->dir(), dir);
  }
  TRY_ASSIGN(const ChdbApi* api, load_chdb(env));
  TRY(ensure_writable_dir(dir));
  std::string arg0 = "mysql2ch";
  std::string path_arg = "--path=" + dir;
  std::vector<char*> argv{arg0.data(), path_arg.data()};
  ChdbApi::Connection* conn = api->connect(static_cast<int>(argv.size()), argv.data());
  if (conn == nullptr) {
    return make_error(ErrorCode::kIo,
                      "chDB could not open its storage at {} (is another process using it, or is "
                      "it from a newer chDB?)",
                      dir);
  }
  auto storage = std::make_shared<ChdbStorage>(api, conn, dir);
  registry().open = storage;
  return storage;
}

}  // namespace

Result<std::unique_ptr<ChdbConnection>> ChdbConnection::open(const std::string& storage_dir, const EnvLookup& env) {
  const std::string dir = fs::path(storage_dir).lexically_normal().string();
  TRY_ASSIGN(auto storage, open_storage(dir, env));
  return std::unique_ptr<ChdbConnection>(new ChdbConnection(std::move(storage), "chdb://" + dir));
}

ChdbConnection::ChdbConnection(std::shared_ptr<ChdbStorage> storage, std::string endpoint)
    : storage_(std::move(storage)), endpoint_(std::move(endpoint)) {}

ChdbConnection::~ChdbConnection() {
  // Destroying the last reference closes the storage; the registry lock keeps a concurrent open() from
  // seeing a half-closed one.
  std::lock_guard lock(registry().mutex);
  storage_.reset();
}

Status ChdbConnection::ping() {
  TRY(storage_->run("SELECT 1", "TSV", {}));
  return {};
}

Status ChdbConnection::execute(std::string_view sql, const RequestOptions& options) {
  TRY(storage_->run(sql, "TSV", options));
  return {};
}

Result<std::string> ChdbConnection::query(std::string_view sql, std::string_view format,
                                          const RequestOptions& options) {
  return storage_->run(sql, format, options);
}

Status ChdbConnection::insert(std::string_view target, std::string_view format, std::string_view data,
                              const RequestOptions& options) {
  TRY_ASSIGN(auto feeder, PipeFeeder::start(data));
  const std::string statement =
      fmt::format("INSERT INTO {} FROM INFILE '{}' FORMAT {}", target, feeder->path(), format);
  auto inserted = storage_->run(statement, "TSV", options);
  Status fed = feeder->finish();
  if (!inserted.ok()) return std::move(inserted).error();
  return fed;
}

}  // namespace mysql2ch
