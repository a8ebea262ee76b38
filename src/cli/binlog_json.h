// `mysql2ch binlog` output: one JSON line per row change
//   {"gtid","file","pos","ts","db","table","op":"insert|update|delete","before","after"}
// ("before" null for inserts, "after" null for deletes; columns missing from a MINIMAL/NOBLOB image are left
// out of the object) and one per DDL {"op":"ddl","gtid","file","pos","ts","db","sql"}. Values are rendered by
// the canonical renderer (schema/value_json.h). Column names come from TABLE_MAP metadata
// (binlog_row_metadata=FULL); with minimal metadata they are "@1", "@2", ...
//
// --tables PATTERN is a glob over "db.table"; DDL lines are kept when their default database matches the
// pattern's part before the first '.'.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "binlog/event_parser.h"

namespace mysql2ch {

class BinlogJsonPrinter : public binlog::EventHandler {
 public:
  BinlogJsonPrinter(std::FILE* out, std::string table_pattern, std::optional<uint64_t> limit)
      : out_(out), pattern_(std::move(table_pattern)), limit_(limit) {}

  bool done() const { return limit_.has_value() && printed_ >= *limit_; }
  uint64_t printed() const { return printed_; }

  Status on_gtid(const binlog::EventInfo&, const binlog::GtidEvent& g) override;
  Status on_query(const binlog::EventInfo& info, const binlog::QueryEvent& q) override;
  Status on_table_map(const binlog::EventInfo& info, const binlog::TableMap& table) override;
  Status on_row(const binlog::EventInfo& info, const binlog::RowChange& row) override;

 private:
  // Per table id of the current transaction: the rendered `,"db":..,"table":..` and `"column":` texts, made
  // once per TABLE_MAP instead of once per row.
  struct TableText {
    bool selected = true;
    std::string db_and_table;
    std::vector<std::string> keys;
  };
  void prefix(const binlog::EventInfo& info);
  Status image(const binlog::RowChange& row, const TableText& text, std::span<const schema::Value> values);
  void emit();

  std::FILE* out_;
  std::string pattern_;
  std::optional<uint64_t> limit_;
  uint64_t printed_ = 0;
  std::unordered_map<uint64_t, TableText> tables_;
  std::string gtid_;
  std::string line_;
};

// Decodes the local binlog file at `path` to `out`. Returns the process exit code; errors go to stderr.
int run_binlog_file(const std::string& path, const std::string& tables, std::optional<uint64_t> limit);

}  // namespace mysql2ch
