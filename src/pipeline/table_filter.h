// Which source tables the stream replicates: config/table_filter.h's table_selected() (the same decision as the
// snapshot's and check's), cached per "db.table" for the per-TABLE_MAP question.
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
