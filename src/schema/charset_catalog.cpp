#include "schema/charset_catalog.h"

#include "common/strings.h"
#include "schema/charset_catalog_data.h"

namespace mysql2ch::schema {
namespace {

bool available(detail::CollationServers servers, Flavor flavor) {
  if (servers == detail::kBoth) return true;
  return (servers == detail::kMySQLOnly) == (flavor == Flavor::kMySQL);
}

const detail::CharsetRow* charset_row(Flavor flavor, std::string_view canonical) {
  for (size_t k = 0; k < detail::kCharsetRowCount; ++k) {
    const auto& row = detail::kCharsetRows[k];
    if (row.name != canonical) continue;
    const std::string_view dflt = flavor == Flavor::kMySQL ? row.mysql_default_collation : row.mariadb_default_collation;
    return dflt.empty() ? nullptr : &row;
  }
  return nullptr;
}

std::string resolve_alias(std::string_view lowered) {
  if (lowered == "utf8") return "utf8mb3";
  return std::string(lowered);
}

}  // namespace

std::optional<std::string> canonical_charset(Flavor flavor, std::string_view name) {
  std::string canonical = resolve_alias(to_lower(name));
  if (charset_row(flavor, canonical) == nullptr) return std::nullopt;
  return canonical;
}

std::optional<CollationInfo> find_collation(Flavor flavor, std::string_view name) {
  std::string lowered = to_lower(name);
  if (starts_with(lowered, "utf8_")) lowered = "utf8mb3_" + lowered.substr(5);
  for (size_t k = 0; k < detail::kCollationRowCount; ++k) {
    const auto& row = detail::kCollationRows[k];
    if (row.name == lowered && available(row.servers, flavor)) return CollationInfo{lowered, row.charset, row.id};
  }
  // A collation of a charset whose ids are not tabled: its name starts with the charset's name.
  for (size_t k = 0; k < detail::kCharsetRowCount; ++k) {
    const std::string_view cs = detail::kCharsetRows[k].name;
    if (cs == "binary" || cs == "ascii" || cs == "latin1" || cs == "utf8mb3" || cs == "utf8mb4") continue;
    if (lowered.size() > cs.size() && starts_with(lowered, cs) && lowered[cs.size()] == '_' &&
        charset_row(flavor, cs) != nullptr) {
      return CollationInfo{lowered, std::string(cs), 0};
    }
  }
  return std::nullopt;
}

std::optional<CollationInfo> default_collation(Flavor flavor, std::string_view charset) {
  const std::string canonical = resolve_alias(to_lower(charset));
  const auto* row = charset_row(flavor, canonical);
  if (row == nullptr) return std::nullopt;
  return find_collation(flavor, flavor == Flavor::kMySQL ? row->mysql_default_collation : row->mariadb_default_collation);
}

std::optional<CollationInfo> binary_collation(Flavor flavor, std::string_view charset) {
  const std::string canonical = resolve_alias(to_lower(charset));
  if (canonical == "binary") return find_collation(flavor, "binary");
  return find_collation(flavor, canonical + "_bin");
}

uint32_t max_bytes_per_char(std::string_view charset) {
  const std::string canonical = resolve_alias(to_lower(charset));
  for (size_t k = 0; k < detail::kCharsetRowCount; ++k) {
    if (detail::kCharsetRows[k].name == canonical) return detail::kCharsetRows[k].max_bytes_per_char;
  }
  return 1;
}

Charset charset_from_name(std::string_view charset) {
  if (charset == "binary") return Charset::kBinary;
  if (charset == "utf8mb4") return Charset::kUtf8mb4;
  if (charset == "utf8mb3" || charset == "utf8") return Charset::kUtf8mb3;
  if (charset == "ascii") return Charset::kAscii;
  if (charset == "latin1") return Charset::kLatin1;
  if (charset.empty()) return Charset::kUnknown;
  return Charset::kUnsupported;
}

}  // namespace mysql2ch::schema
