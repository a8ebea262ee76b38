#include "pipeline/table_filter.h"

#include <array>

#include "common/strings.h"

namespace mysql2ch::pipeline {
namespace {

bool is_system_schema(std::string_view database) {
  static constexpr std::array<std::string_view, 4> kSystem = {"mysql", "information_schema",
                                                              "performance_schema", "sys"};
  const std::string lower = to_lower(database);
  for (std::string_view s : kSystem) {
    if (lower == s) return true;
  }
  return false;
}

}  // namespace

bool TableFilter::selected(std::string_view database, std::string_view table) {
  std::string key;
  key.reserve(database.size() + table.size() + 1);
  key.append(database).append(".").append(table);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  bool result = false;
  if (!is_system_schema(database)) {
    for (const auto& pattern : tables_.include) {
      if (glob_match(pattern, key)) {
        result = true;
        break;
      }
    }
    for (const auto& pattern : tables_.exclude) {
      if (result && glob_match(pattern, key)) result = false;
    }
  }
  cache_.emplace(std::move(key), result);
  return result;
}

}  // namespace mysql2ch::pipeline
