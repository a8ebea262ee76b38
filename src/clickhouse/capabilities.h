// What a ClickHouse server can do, derived from its version() once per connection. SQL generation (DDL, type
// mapping, insert settings) asks these flags rather than comparing versions itself, so the knowledge of which
// release introduced what lives in one table (capabilities.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mysql2ch {

struct ServerVersion {
  unsigned major = 0;
  unsigned minor = 0;
  unsigned patch = 0;
  std::string text;  // as the server printed it, e.g. "18.16.1" or "26.5.1.1"

  // Accepts "Y.M[.P[.B]]" with optional trailing text ("23.8.1.1 (official build)"); nullopt otherwise.
  static std::optional<ServerVersion> parse(std::string_view text);
  bool at_least(unsigned maj, unsigned min) const { return major > maj || (major == maj && minor >= min); }
};

// modern: ≥ 23.3, where every flag below is available; legacy: 18.x–23.2 (flags may still be partly on).
enum class CapabilityProfile { kLegacy, kModern };
const char* capability_profile_name(CapabilityProfile profile);

struct ServerCapabilities {
  ServerVersion version;
  CapabilityProfile profile = CapabilityProfile::kLegacy;
  bool datetime64 = false;                  // DateTime64(p[, tz])
  bool date32 = false;                      // Date32 (1900..2299)
  bool bool_type = false;                   // Bool
  bool rename_column = false;               // ALTER TABLE .. RENAME COLUMN
  bool sql_access_control = false;          // CREATE USER / GRANT (else users.xml only)
  bool big_decimal = false;                 // Decimal256 without experimental settings
  bool insert_deduplication_token = false;  // the insert_deduplication_token setting
  bool replacing_is_deleted = false;        // ReplacingMergeTree(version, is_deleted)
  bool json_type = false;                   // the JSON column type (opt-in by configuration)
  bool zstd_lz4_bodies = false;             // request bodies with Content-Encoding zstd or lz4 (gzip: always)

  static ServerCapabilities from_version(const ServerVersion& version);

  // "legacy: no DateTime64, no Date32, ..." or "modern: all features" — for check output and logs.
  std::string summary() const;
};

}  // namespace mysql2ch
