#include "clickhouse/capabilities.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "common/strings.h"

namespace mysql2ch {
namespace {

struct Feature {
  bool ServerCapabilities::*flag;
  unsigned major;
  unsigned minor;
  const char* name;
};

// The release that introduced each feature (generally available, no experimental setting needed).
constexpr Feature kFeatures[] = {
    {&ServerCapabilities::datetime64, 20, 1, "DateTime64"},
    {&ServerCapabilities::rename_column, 20, 4, "RENAME COLUMN"},
    {&ServerCapabilities::sql_access_control, 20, 4, "GRANT"},
    {&ServerCapabilities::date32, 21, 9, "Date32"},
    {&ServerCapabilities::big_decimal, 21, 9, "Decimal256"},
    {&ServerCapabilities::bool_type, 21, 12, "Bool"},
    {&ServerCapabilities::insert_deduplication_token, 22, 2, "insert_deduplication_token"},
    {&ServerCapabilities::zstd_lz4_bodies, 22, 10, "zstd/lz4 request bodies"},
    {&ServerCapabilities::replacing_is_deleted, 23, 2, "ReplacingMergeTree is_deleted"},
    {&ServerCapabilities::json_type, 24, 8, "JSON type"},
};

constexpr unsigned kModernMajor = 23;
constexpr unsigned kModernMinor = 3;

}  // namespace

std::optional<ServerVersion> ServerVersion::parse(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  ServerVersion v;
  v.text = std::string(s);
  unsigned* parts[] = {&v.major, &v.minor, &v.patch};
  size_t part = 0;
  size_t i = 0;
  while (part < 3) {
    size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j == i || j - i > 6) break;
    const auto n = parse_uint(s.substr(i, j - i));
    if (!n) break;
    *parts[part++] = static_cast<unsigned>(*n);
    if (j >= s.size() || s[j] != '.') {
      i = j;
      break;
    }
    i = j + 1;
  }
  if (part < 2) return std::nullopt;
  return v;
}

const char* capability_profile_name(CapabilityProfile profile) {
  return profile == CapabilityProfile::kModern ? "modern" : "legacy";
}

ServerCapabilities ServerCapabilities::from_version(const ServerVersion& version) {
  ServerCapabilities c;
  c.version = version;
  c.profile = version.at_least(kModernMajor, kModernMinor) ? CapabilityProfile::kModern : CapabilityProfile::kLegacy;
  for (const auto& f : kFeatures) c.*f.flag = version.at_least(f.major, f.minor);
  return c;
}

std::string ServerCapabilities::summary() const {
  std::vector<std::string> missing;
  for (const auto& f : kFeatures) {
    if (!(this->*f.flag)) missing.emplace_back(fmt::format("no {}", f.name));
  }
  if (missing.empty()) return fmt::format("{}: all features used by mysql2ch", capability_profile_name(profile));
  return fmt::format("{}: {}", capability_profile_name(profile), fmt::join(missing, ", "));
}

}  // namespace mysql2ch
