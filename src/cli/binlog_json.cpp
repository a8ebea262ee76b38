#include "cli/binlog_json.h"

#include <fmt/core.h>

#include <charconv>
#include <map>
#include <memory>

#include "binlog/binlog_file_reader.h"
#include "mysql/connection.h"
#include "mysql/table_schema_loader.h"
#include "cli/app.h"
#include "common/strings.h"
#include "schema/value_json.h"

namespace mysql2ch {

Status BinlogJsonPrinter::on_gtid(const binlog::EventInfo&, const binlog::GtidEvent& g) {
  gtid_ = g.text();
  head_file_.clear();  // the head is rebuilt for the new GTID
  return {};
}

namespace {
constexpr size_t kFlushBytes = size_t{1} << 20;

void append_number(uint64_t v, CharBuffer& out) {
  char* p = out.room(24);
  out.commit(std::to_chars(p, p + 24, v).ptr);
}
}  // namespace

void BinlogJsonPrinter::prefix(const binlog::EventInfo& info) {
  // Every line of a transaction starts with the same GTID and file: their escaped text is made once.
  if (head_file_.empty() || head_file_ != info.file) {
    head_file_ = info.file;
    head_ = "{\"gtid\":";
    schema::append_json_string(gtid_, head_);
    head_ += ",\"file\":";
    schema::append_json_string(info.file, head_);
    head_ += ",\"pos\":";
  }
  line_start_ = lines_.size();
  lines_ += head_;
  append_number(info.pos, lines_);
  lines_ += ",\"ts\":";
  append_number(info.header->timestamp, lines_);
}

void BinlogJsonPrinter::emit() {
  lines_.push_back('\n');
  ++printed_;
  if (lines_.size() >= kFlushBytes) flush();
}

void BinlogJsonPrinter::flush() {
  if (!lines_.empty()) std::fwrite(lines_.data(), 1, lines_.size(), out_);
  lines_.clear();
  line_start_ = 0;
}

Status BinlogJsonPrinter::on_query(const binlog::EventInfo& info, const binlog::QueryEvent& q) {
  if (done() || q.is_begin() || q.is_commit() || q.is_rollback() || starts_with(q.query, "XA ")) return {};
  if (!pattern_.empty()) {
    const std::string db_pattern = pattern_.substr(0, pattern_.find('.'));
    if (!glob_match(db_pattern, q.database)) return {};
  }
  prefix(info);
  lines_ += ",\"db\":";
  schema::append_json_string(q.database, lines_);
  lines_ += ",\"op\":\"ddl\",\"sql\":";
  Status st = schema::append_text_json(q.query, schema::Charset::kUnknown, lines_);
  if (!st.ok()) {
    drop_line();
    return st;
  }
  lines_.push_back('}');
  emit();
  return {};
}

Status BinlogJsonPrinter::on_table_map(const binlog::EventInfo&, const binlog::TableMap& table) {
  const auto& s = table.schema;
  TableText& t = tables_[table.table_id];
  t.selected = pattern_.empty() || glob_match(pattern_, s.database + "." + s.table);
  t.db_and_table = ",\"db\":";
  schema::append_json_string(s.database, t.db_and_table);
  t.db_and_table += ",\"table\":";
  schema::append_json_string(s.table, t.db_and_table);
  t.keys.clear();
  t.names = nullptr;
  if (!s.column_names_known && lookup_ && t.selected) {
    const schema::TableSchema* current = lookup_(s.database, s.table);
    if (current != nullptr && current->columns.size() == s.columns.size()) t.names = current;
  }
  for (const auto& c : (t.names != nullptr ? t.names->columns : s.columns)) {
    // `,"name":` — the first column of an image leaves out the comma.
    std::string& key = t.keys.emplace_back(",");
    schema::append_json_string(c.name, key);
    key.push_back(':');
  }
  return {};
}

Status BinlogJsonPrinter::image(const binlog::RowChange& row, const TableText& text,
                                std::span<const schema::Value> values) {
  if (values.empty()) {
    lines_ += "null";
    return {};
  }
  lines_.push_back('{');
  size_t skip = 1;  // the comma before the first column
  const auto& cols = text.names != nullptr ? text.names->columns : row.table->schema.columns;
  for (size_t k = 0; k < values.size(); ++k) {
    if (values[k].kind == schema::ValueKind::kAbsent) continue;
    const std::string& key = text.keys[k];
    lines_.append(key.data() + skip, key.size() - skip);
    skip = 0;
    Status st = schema::append_value_json(values[k], &cols[k], lines_);
    if (!st.ok()) return std::move(st).error().context(fmt::format("column {}", cols[k].name));
  }
  lines_.push_back('}');
  return {};
}

Status BinlogJsonPrinter::on_row(const binlog::EventInfo& info, const binlog::RowChange& row) {
  if (done()) return {};
  const auto it = tables_.find(row.table->table_id);
  if (it == tables_.end() || it->second.keys.size() != row.table->schema.columns.size()) {
    return make_error(ErrorCode::kInternal, "rows of table id {} before its TABLE_MAP", row.table->table_id);
  }
  const TableText& text = it->second;
  if (!text.selected) return {};
  prefix(info);
  lines_ += text.db_and_table;
  lines_ += ",\"op\":\"";
  lines_ += binlog::row_op_name(row.op);
  lines_ += "\",\"before\":";
  Status st = image(row, text, row.before);
  if (st.ok()) {
    lines_ += ",\"after\":";
    st = image(row, text, row.after);
  }
  if (!st.ok()) {
    drop_line();
    return st;
  }
  lines_.push_back('}');
  emit();
  return {};
}

void BinlogJsonPrinter::transaction_restarted() {
  lines_ += "{\"op\":\"transaction_restarted\",\"gtid\":";
  schema::append_json_string(gtid_, lines_);
  lines_ += "}\n";
  flush();
}

int run_binlog_file(const std::string& path, const std::string& tables, std::optional<uint64_t> limit) {
  auto reader = binlog::BinlogFileReader::open(path);
  if (!reader.ok()) {
    fmt::print(stderr, "mysql2ch: {}\n", reader.error().message());
    return kExitRuntime;
  }
  binlog::EventParser parser;
  parser.set_file((*reader)->name());
  BinlogJsonPrinter printer(stdout, tables, limit);
  std::span<const uint8_t> event;
  uint64_t pos = 0;
  while (!printer.done()) {
    auto more = (*reader)->next(event, pos);
    Status st = more.ok() ? Status() : Status(more.error());
    if (st.ok() && !*more) break;
    if (st.ok()) st = parser.parse(event, pos, printer);
    if (!st.ok()) {
      printer.flush();
      std::fflush(stdout);
      fmt::print(stderr, "mysql2ch: {}\n", st.error().message());
      return kExitRuntime;
    }
  }
  printer.flush();
  std::fflush(stdout);
  return kExitOk;
}

namespace {

// information_schema definitions by db.table, loaded once each on a connection of its own (the replication
// connection is busy streaming).
class CurrentSchemas {
 public:
  explicit CurrentSchemas(const SourceConfig& source) : source_(source) {}

  const schema::TableSchema* find(const std::string& db, const std::string& table) {
    const std::string key = db + "." + table;
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second.get();
    std::unique_ptr<schema::TableSchema>& slot = cache_[key];
    if (!conn_) {
      auto c = Connection::open(ConnectOptions::from_source(source_));
      if (!c.ok()) {
        fmt::print(stderr, "mysql2ch: column names unavailable: {}\n", c.error().message());
        return nullptr;
      }
      conn_ = std::make_unique<Connection>(std::move(c).value());
    }
    auto loaded = load_table_schema(*conn_, db, table);
    if (loaded.ok()) slot = std::make_unique<schema::TableSchema>(std::move(loaded).value());
    return slot.get();
  }

 private:
  const SourceConfig& source_;
  std::unique_ptr<Connection> conn_;
  std::map<std::string, std::unique_ptr<schema::TableSchema>> cache_;
};

int report_failure(const Error& e) {
  std::fflush(stdout);
  fmt::print(stderr, "mysql2ch: {}\n", e.message());
  return e.code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
}

}  // namespace

int run_binlog_network(const Config& config, const binlog::NetworkSourceRequest& request, const std::string& tables,
                       std::optional<uint64_t> limit) {
  auto client = binlog::open_network_source(config.source, request);
  if (!client.ok()) return report_failure(client.error());
  CurrentSchemas schemas(config.source);
  binlog::EventParser parser;
  BinlogJsonPrinter printer(stdout, tables, limit);
  printer.set_schema_lookup(
      [&schemas](const std::string& db, const std::string& table) { return schemas.find(db, table); });
  bool first_event = true;
  while (!printer.done()) {
    // Lines go to stdout event by event: a live stream is read as it comes.
    printer.flush();
    auto item = client->next();
    if (!item.ok()) return report_failure(item.error());
    switch (item->kind) {
      case binlog::StreamItem::Kind::kEndOfStream:
        std::fflush(stdout);
        return kExitOk;
      case binlog::StreamItem::Kind::kHeartbeat:
        std::fflush(stdout);
        continue;
      case binlog::StreamItem::Kind::kTransactionDiscarded:
        printer.transaction_restarted();
        continue;
      case binlog::StreamItem::Kind::kEvent:
        break;
    }
    if (first_event) {
      // The stream opens with an artificial ROTATE that precedes the FORMAT_DESCRIPTION telling the checksum.
      parser.set_checksum_before_format_description(item->checksum_size != 0 ? binlog::ChecksumAlg::kCrc32
                                                                              : binlog::ChecksumAlg::kOff);
      first_event = false;
    }
    // log_pos is where the next event starts; artificial events (log_pos 0) have no position of their own.
    const uint64_t pos = item->header.log_pos >= item->header.event_size
                             ? item->header.log_pos - item->header.event_size : 0;
    Status st = parser.parse(item->event, pos, printer);
    if (!st.ok()) {
      printer.flush();
      return report_failure(st.error());
    }
  }
  printer.flush();
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace mysql2ch
