// libFuzzer target: arbitrary bytes as a DDL statement, parsed for both server flavors with and without
// ANSI_QUOTES / NO_BACKSLASH_ESCAPES, and every successful parse applied to a catalog. Any result is fine;
// crashes, hangs, leaks and out-of-bounds reads (ASan/UBSan) are the bugs.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "schema/ddl_parser.h"
#include "schema/table_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mysql2ch::schema;
  if (size == 0) return 0;
  // The first byte picks the options, the rest is the statement.
  const uint8_t mode = data[0];
  const std::string_view sql(reinterpret_cast<const char*>(data + 1), size - 1);
  ParseOptions o;
  o.flavor = (mode & 1) != 0 ? Flavor::kMariaDB : Flavor::kMySQL;
  o.server_version = o.flavor == Flavor::kMariaDB ? 101119 : 90704;
  o.ansi_quotes = (mode & 2) != 0;
  o.no_backslash_escapes = (mode & 4) != 0;
  if ((mode & 8) == 0) o.default_database = "db";
  auto parsed = parse_ddl(sql, o);
  if (!parsed.ok()) return 0;
  auto catalog = TableCatalog::create(o.flavor, "utf8mb4_general_ci");
  if (!catalog.ok()) return 0;
  (void)catalog->add_database("db", "latin1_swedish_ci");
  ParseOptions seed = o;
  seed.default_database = "db";
  auto table = parse_ddl("CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(3), c TEXT, d ENUM('x'))", seed);
  if (table.ok()) (void)catalog->apply(*table);
  (void)catalog->apply(*parsed);
  (void)catalog->to_json().dump();
  return 0;
}
