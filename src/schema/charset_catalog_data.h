// Tables behind charset_catalog.h; only charset_catalog.cpp reads them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mysql2ch::schema::detail {

enum CollationServers : uint8_t { kBoth, kMySQLOnly, kMariaDBOnly };

struct CollationRow {
  const char* name;
  uint32_t id;
  const char* charset;
  CollationServers servers;
};

struct CharsetRow {
  const char* name;
  uint8_t max_bytes_per_char;
  const char* mariadb_default_collation;  // "" when MariaDB 10.11 does not have the charset
  const char* mysql_default_collation;
};

extern const CollationRow kCollationRows[];
extern const size_t kCollationRowCount;
extern const CharsetRow kCharsetRows[];
extern const size_t kCharsetRowCount;

}  // namespace mysql2ch::schema::detail
