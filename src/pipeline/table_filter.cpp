#include "pipeline/table_filter.h"

#include "config/table_filter.h"

namespace mysql2ch::pipeline {

bool TableFilter::selected(std::string_view database, std::string_view table) {
  std::string key;
  key.reserve(database.size() + table.size() + 1);
  key.append(database).append(".").append(table);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  const bool result = table_selected(tables_, database, table);
  cache_.emplace(std::move(key), result);
  return result;
}

}  // namespace mysql2ch::pipeline
