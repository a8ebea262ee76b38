// What the DDL tracker needs to know about character sets and collations by name: the id of a collation, the
// charset it belongs to, a charset's default collation and its maximum bytes per character — per server
// flavor, because MySQL and MariaDB differ (utf8mb4 defaults to utf8mb4_0900_ai_ci on MySQL and to
// utf8mb4_general_ci on MariaDB; a few ids differ).
//
// Names are matched case-insensitively; "utf8" is MySQL's and MariaDB's alias of utf8mb3. Collation ids are
// known for the charsets mysql2ch converts (binary, ascii, latin1, utf8mb3, utf8mb4); for any other charset
// lookups still give the charset, its default collation name and its width, with id 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schema/column.h"

namespace mysql2ch::schema {

enum class Flavor : uint8_t { kMySQL, kMariaDB };

struct CollationInfo {
  std::string name;     // lower case, e.g. "utf8mb4_0900_ai_ci"
  std::string charset;  // lower case, e.g. "utf8mb4"
  uint32_t id = 0;      // 0 for collations of charsets mysql2ch does not convert
};

// The canonical (lower-case, alias-resolved) name of a charset, or nullopt when the server has no such charset.
std::optional<std::string> canonical_charset(Flavor flavor, std::string_view name);

// The collation `name` of `flavor`; nullopt when unknown. Collations of unsupported charsets are recognized by
// their "<charset>_" prefix and returned with id 0.
std::optional<CollationInfo> find_collation(Flavor flavor, std::string_view name);

// The default collation of charset `name` on `flavor`; nullopt when the charset is unknown.
std::optional<CollationInfo> default_collation(Flavor flavor, std::string_view charset);

// The "<charset>_bin" collation (what the BINARY column attribute selects).
std::optional<CollationInfo> binary_collation(Flavor flavor, std::string_view charset);

// Maximum bytes per character of a charset (1 for unknown names).
uint32_t max_bytes_per_char(std::string_view charset);

// The Charset enum value of a canonical charset name.
Charset charset_from_name(std::string_view charset);

}  // namespace mysql2ch::schema
