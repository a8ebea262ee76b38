// `mysql2ch binlog` output: one JSON line per row change
//   {"gtid","file","pos","ts","db","table","op":"insert|update|delete","before","after"}
// ("before" null for inserts, "after" null for deletes; columns missing from a MINIMAL/NOBLOB image are left
// out of the object) and one per DDL {"op":"ddl","gtid","file","pos","ts","db","sql"}. Values are rendered by
// the canonical renderer (schema/value_json.h). Column names come from TABLE_MAP metadata
// (binlog_row_metadata=FULL); with minimal metadata they are "@1", "@2", ...
//
// --tables PATTERN is a glob over "db.table"; DDL lines are kept when their default database matches the
// pattern's part before the first '.'.
//
// From a server (run_binlog_network), names of tables whose TABLE_MAP has no column names come from
// information_schema as it is when the TABLE_MAP arrives (a later schema may differ: when the column count
// differs, "@1".. stay). After a dropped connection the replication client delivers the interrupted
// transaction again; the printer marks that with a line {"op":"transaction_restarted",...}: the lines of that
// transaction printed before it are void.
//
// Lines are collected in the printer and handed to the FILE in blocks of about a megabyte: by flush(), when
// the block is full, and by the destructor. A caller that needs the lines on the FILE now (before fflush,
// a heartbeat, an error message) calls flush() first.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "binlog/event_parser.h"
#include "binlog/network_source.h"
#include "common/char_buffer.h"
#include "config/config.h"

namespace mysql2ch {

class BinlogJsonPrinter : public binlog::EventHandler {
 public:
  // Gives the current definition of db.table, or nullptr when unknown. Used only for TABLE_MAPs without
  // column names. The returned schema must live as long as the printer.
  using SchemaLookup = std::function<const schema::TableSchema*(const std::string& db, const std::string& table)>;

  BinlogJsonPrinter(std::FILE* out, std::string table_pattern, std::optional<uint64_t> limit)
      : out_(out), pattern_(std::move(table_pattern)), limit_(limit) {}
  ~BinlogJsonPrinter() override { flush(); }
  BinlogJsonPrinter(const BinlogJsonPrinter&) = delete;
  BinlogJsonPrinter& operator=(const BinlogJsonPrinter&) = delete;

  // Hands the collected lines to the FILE (fwrite; the FILE's own buffering still applies).
  void flush();

  void set_schema_lookup(SchemaLookup lookup) { lookup_ = std::move(lookup); }
  // Marks that the lines of the current transaction printed so far are void (see above).
  void transaction_restarted();

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
    const schema::TableSchema* names = nullptr;  // the schema to render with when the TABLE_MAP lacks names
    std::string db_and_table;
    std::vector<std::string> keys;
  };
  // Starts a line in lines_ (the transaction's head, pos and ts); emit() ends it, drop_line() takes it back.
  void prefix(const binlog::EventInfo& info);
  Status image(const binlog::RowChange& row, const TableText& text, std::span<const schema::Value> values);
  void emit();
  void drop_line() { lines_.truncate(line_start_); }

  std::FILE* out_;
  std::string pattern_;
  std::optional<uint64_t> limit_;
  SchemaLookup lookup_;
  uint64_t printed_ = 0;
  std::unordered_map<uint64_t, TableText> tables_;
  std::string gtid_;
  std::string head_file_;  // the file head_ was made for; empty = head_ must be rebuilt
  std::string head_;       // `{"gtid":..,"file":..,"pos":` of the current transaction
  CharBuffer lines_;       // finished lines not yet handed to out_, then the line being built
  size_t line_start_ = 0;  // where the line being built starts in lines_
};

// Decodes the local binlog file at `path` to `out`. Returns the process exit code; errors go to stderr.
int run_binlog_file(const std::string& path, const std::string& tables, std::optional<uint64_t> limit);

// Streams from config.source starting where `request` says (its current position by default), until the
// source's end with request.until_end, else until interrupted. Returns the process exit code.
int run_binlog_network(const Config& config, const binlog::NetworkSourceRequest& request, const std::string& tables,
                       std::optional<uint64_t> limit);

}  // namespace mysql2ch
