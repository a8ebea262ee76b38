// Which source tables the pipeline replicates: tables.include / tables.exclude globs over "db.table", never the
// system schemas (mysql, information_schema, performance_schema, sys).
//
// Decisions are cached per "db.table", so asking once per TABLE_MAP costs a hash lookup. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.h"

namespace mysql2ch::pipeline {

class TableFilter {
 public:
  explicit TableFilter(TablesConfig tables) : tables_(std::move(tables)) {}

  bool selected(std::string_view database, std::string_view table);

 private:
  TablesConfig tables_;
  std::unordered_map<std::string, bool> cache_;
};

}  // namespace mysql2ch::pipeline
