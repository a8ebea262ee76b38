#include "config/table_filter.h"

#include <fmt/format.h>

#include "common/strings.h"

namespace mysql2ch {
namespace {

bool matches_any(const std::vector<std::string>& patterns, const std::string& name) {
  for (const auto& p : patterns) {
    if (glob_match(p, name)) return true;
  }
  return false;
}

}  // namespace

bool is_system_schema(std::string_view schema) {
  const std::string s = to_lower(schema);
  return s == "mysql" || s == "information_schema" || s == "performance_schema" || s == "sys";
}

bool table_selected(const TablesConfig& tables, std::string_view schema, std::string_view table) {
  if (is_system_schema(schema)) return false;
  const std::string name = fmt::format("{}.{}", schema, table);
  return matches_any(tables.include, name) && !matches_any(tables.exclude, name);
}

}  // namespace mysql2ch
