// The configuration contract of DESIGN.md as typed values. load_config() is the only way to make one from a
// file: it applies defaults, expands ${VAR} from the environment, reads password_file, and rejects unknown
// keys, wrong types and missing required keys with an error that names the key and the line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/secret.h"

namespace mysql2ch {

enum class TlsMode { kDisabled, kPreferred, kRequired, kVerifyCa, kVerifyIdentity };
const char* tls_mode_name(TlsMode mode);

struct SourceTls {
  TlsMode mode = TlsMode::kPreferred;
  std::string ca;    // PEM file; required by verify-ca and verify-identity
  std::string cert;  // client certificate (mTLS), with key
  std::string key;
};

// What sync does when the checkpoint's position is gone from the source (binlogs purged, GTIDs gone): `fail`
// (stop with the numbers) or `resnapshot` (log it, stream from the source's current position and re-read every
// selected table, removing rows the source no longer has).
enum class LostPositionPolicy { kFail, kResnapshot };

struct SourceConfig {
  std::string host;  // required
  uint16_t port = 3306;
  std::string user;  // required
  Secret password;
  SourceTls tls;
  uint32_t server_id = 0;        // required: the replica id used on the binlog connection
  unsigned max_connections = 4;  // upper bound on connections to the source (snapshot readers included)
  unsigned connect_timeout_s = 10;
  unsigned read_timeout_s = 60;
  LostPositionPolicy on_lost_position = LostPositionPolicy::kFail;
};

struct DestinationTls {
  std::string ca;
  std::string cert;
  std::string key;
  bool verify = true;  // false only for testing; check reports it as a warning
};

enum class Naming { kMirror, kPrefix };

// JSON columns: `string` (String holding canonical JSON text, every server) or `native` (the JSON type, on
// servers that have it; nullable JSON columns stay Nullable(String) because ClickHouse's JSON cannot be
// Nullable).
enum class JsonMapping { kString, kNative };

// Content-Encoding of insert bodies sent over HTTP(S), compressed on the fly: `none`, `gzip` (every server),
// `zstd` or `lz4` (ClickHouse 22.10 and newer; an older server is refused with a clear error at the first
// insert). Ignored for chdb://, which has no network in between.
enum class RequestCompression { kNone, kGzip, kZstd, kLz4 };

// What to store for a DATE/DATETIME/TIMESTAMP value the ClickHouse type cannot hold: `null` (the column is
// made Nullable; never for primary-key columns, where such a value is an error), `clamp` (the type's nearest
// bound; a zero date becomes the minimum, 1900-01-01), `error` (stop, naming the table and column).
// Each occurrence is counted. Legacy servers store dates as text and never need the policy.
enum class DatePolicy { kNull, kClamp, kError };

struct DestinationConfig {
  std::string url;  // required: http(s)://host[:port] or chdb://PATH
  std::string user = "default";
  Secret password;
  DestinationTls tls;
  std::string database;  // required with naming: prefix
  Naming naming = Naming::kMirror;
  unsigned connect_timeout_s = 10;
  unsigned request_timeout_s = 300;
  JsonMapping json = JsonMapping::kString;
  RequestCompression compression = RequestCompression::kNone;
  DatePolicy zero_dates = DatePolicy::kNull;           // 0000-00-00 and dates with a zero month or day
  DatePolicy out_of_range_dates = DatePolicy::kError;  // outside Date32/DateTime64 (1900..2299)
};

struct TablesConfig {
  std::vector<std::string> include{"*.*"};
  std::vector<std::string> exclude;
};

struct SnapshotConfig {
  unsigned concurrency = 4;
  uint64_t chunk_rows = 10000;
};

// What the stream does with a DDL statement on a selected table that it cannot parse or apply exactly.
enum class UnparseableDdl { kStop, kSkip };

struct PipelineConfig {
  uint64_t max_batch_rows = 100000;
  uint64_t max_batch_bytes = 64ull << 20;
  unsigned max_delay_ms = 500;
  unsigned insert_concurrency = 4;  // tables of one flush inserted at the same time, one connection each
  unsigned checkpoint_interval_s = 10;
  UnparseableDdl on_unparseable_ddl = UnparseableDdl::kStop;
};

struct StateConfig {
  std::string path = "./mysql2ch-state";  // resolved against the config file's directory
};

struct Config {
  std::string file;  // the file it was read from, for messages
  SourceConfig source;
  DestinationConfig destination;
  TablesConfig tables;
  SnapshotConfig snapshot;
  PipelineConfig pipeline;
  StateConfig state;
};

// Reads ${NAME} values; the default reads the process environment. Tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// Parses YAML text. `origin` names it in messages; relative paths (password_file, tls files, state.path)
// are resolved against `base_dir`.
Result<Config> parse_config(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                            const EnvLookup& env);

// Reads and parses a file.
Result<Config> load_config(const std::string& path, const EnvLookup& env = process_env());

}  // namespace mysql2ch
