#include "validate/side_readers.h"

#include <fmt/core.h>

#include <span>

#include "clickhouse/row_binary.h"
#include "clickhouse/sql_text.h"
#include "clickhouse/table_ddl.h"
#include "snapshot/chunk_reader.h"
#include "snapshot/snapshot_sink.h"
#include "validate/row_binary_rows.h"

namespace mysql2ch::validate {
namespace {

bool integer_encoding(ColumnEncoding e) {
  switch (e) {
    case ColumnEncoding::kInt8:
    case ColumnEncoding::kInt16:
    case ColumnEncoding::kInt32:
    case ColumnEncoding::kInt64:
    case ColumnEncoding::kUInt8:
    case ColumnEncoding::kUInt16:
    case ColumnEncoding::kUInt32:
    case ColumnEncoding::kUInt64: return true;
    default: return false;
  }
}

bool all_of(std::string_view text, bool (*pred)(char)) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!pred(c)) return false;
  }
  return true;
}

// The ClickHouse literal of one key column's snapshot text (key_range.h: integers in decimal, binary as hex).
Result<std::string> key_literal(const MappedColumn& column, const std::string& text) {
  if (integer_encoding(column.encoding)) {
    const std::string_view digits = !text.empty() && text[0] == '-' ? std::string_view(text).substr(1) : text;
    if (!all_of(digits, [](char c) { return c >= '0' && c <= '9'; })) {
      return make_error(ErrorCode::kInvalidArgument, "key bound '{}' of column {} is not an integer", text,
                        column.name);
    }
    return text;
  }
  if (!all_of(text, [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }) &&
      !text.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "key bound '{}' of column {} is not hex", text, column.name);
  }
  return fmt::format("unhex('{}')", text);
}

// key > bound, lexicographically over the key columns: (k1 > b1) OR (k1 = b1 AND k2 > b2) OR ... — spelled
// out because ClickHouse 18.16 has no tuple comparison.
Result<std::string> key_greater(const TargetTable& target, const snapshot::KeyTuple& bound) {
  if (bound.size() != target.primary_key.size()) {
    return make_error(ErrorCode::kInvalidArgument, "key bound has {} values for a key of {} columns", bound.size(),
                      target.primary_key.size());
  }
  std::string out;
  std::string equal_prefix;
  for (size_t i = 0; i < bound.size(); ++i) {
    const MappedColumn& c = target.columns[target.primary_key[i]];
    TRY_ASSIGN(const std::string literal, key_literal(c, bound[i]));
    const std::string id = clickhouse_identifier(c.name);
    out += fmt::format("{}({}{} > {})", out.empty() ? "" : " OR ", equal_prefix, id, literal);
    equal_prefix += fmt::format("{} = {} AND ", id, literal);
  }
  return "(" + out + ")";
}

// Encodes the snapshot reader's rows for the mapped columns and hands each to the visitor at once; it buffers
// nothing, so the reader never needs to flush it.
class EncodingSink final : public snapshot::SnapshotSink {
 public:
  EncodingSink(const schema::TableSchema& table, const TargetTable& target, const RowVisitor& visit)
      : table_(table), target_(target), visit_(visit) {}

  Status append(std::span<const schema::Value> row, uint64_t, bool) override {
    row_.bytes.clear();
    row_.column_end.clear();
    for (size_t i = 0; i < row.size(); ++i) {
      TRY(encoder_.append(target_.columns[i], table_.columns[i], row[i], row_.bytes));
      row_.column_end.push_back(static_cast<uint32_t>(row_.bytes.size()));
    }
    row_.set_key(target_.primary_key);
    return visit_(row_);
  }
  size_t buffered_rows() const override { return 0; }
  size_t buffered_bytes() const override { return 0; }
  Status flush() override { return {}; }

 private:
  const schema::TableSchema& table_;
  const TargetTable& target_;
  const RowVisitor& visit_;
  RowBinaryEncoder encoder_;
  EncodedRow row_;
};

}  // namespace

bool mirror_ranges_supported(const TargetTable& target) {
  if (target.primary_key.empty()) return false;
  for (uint32_t k : target.primary_key) {
    const ColumnEncoding e = target.columns[k].encoding;
    if (!integer_encoding(e) && e != ColumnEncoding::kBytes) return false;
  }
  return true;
}

Result<std::string> mirror_key_predicate(const TargetTable& target, const std::optional<snapshot::KeyTuple>& lower,
                                         const std::optional<snapshot::KeyTuple>& upper) {
  std::string out;
  if (lower) {
    TRY_ASSIGN(out, key_greater(target, *lower));
  }
  if (upper) {
    TRY_ASSIGN(const std::string above, key_greater(target, *upper));
    out += fmt::format("{}NOT {}", out.empty() ? "" : " AND ", above);
  }
  return out.empty() ? std::string("1") : out;
}

Status SourceRangeReader::read(const state::SnapshotChunk& range, const RowVisitor& visit) {
  if (target_->columns.size() != table_->columns.size()) {
    return make_error(ErrorCode::kInternal, "{}.{}: {} mapped columns for {} source columns", table_->database,
                      table_->table, target_->columns.size(), table_->columns.size());
  }
  EncodingSink sink(*table_, *target_, visit);
  snapshot::ChunkReader reader(*conn_, *table_, snapshot::ChunkReadLimits{});
  TRY_ASSIGN(const snapshot::ChunkReadResult result, reader.read(range, 0, sink));
  if (!result.completed) {
    return make_error(ErrorCode::kInternal, "{}.{}: range {} read incompletely", table_->database, table_->table,
                      range.index);
  }
  return {};
}

std::string MirrorRangeReader::from_where() const {
  const std::string table = qualified_name(target_->name);
  // Append-only tables (no key) are plain MergeTree: FINAL does not apply there.
  return target_->primary_key.empty() ? fmt::format("FROM {} WHERE _is_deleted = 0", table)
                                      : fmt::format("FROM {} FINAL WHERE _is_deleted = 0", table);
}

Status MirrorRangeReader::read(const std::optional<snapshot::KeyTuple>& lower,
                               const std::optional<snapshot::KeyTuple>& upper, const RowVisitor& visit) {
  std::string list;
  for (const MappedColumn& c : target_->columns) {
    list += (list.empty() ? "" : ", ") + clickhouse_identifier(c.name);
  }
  std::string sql = fmt::format("SELECT {} {}", list, from_where());
  if (lower || upper) {
    TRY_ASSIGN(const std::string predicate, mirror_key_predicate(*target_, lower, upper));
    sql += " AND " + predicate;
  }
  auto data = conn_->query(sql, "RowBinary");
  if (!data.ok()) return std::move(data).error().context(fmt::format("reading {}", qualified_name(target_->name)));
  RowBinaryRows rows(target_->columns, *data);
  EncodedRow row;
  while (true) {
    auto more = rows.next(row);
    if (!more.ok()) return std::move(more).error().context(fmt::format("reading {}", qualified_name(target_->name)));
    if (!*more) break;
    row.set_key(target_->primary_key);
    TRY(visit(row));
  }
  return {};
}

Result<uint64_t> MirrorRangeReader::count() {
  auto text = conn_->query(fmt::format("SELECT count() {}", from_where()), "TSV");
  if (!text.ok()) return std::move(text).error().context(fmt::format("counting {}", qualified_name(target_->name)));
  std::string_view t = *text;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
  uint64_t n = 0;
  if (t.empty()) return make_error(ErrorCode::kProtocol, "count of {}: empty answer", qualified_name(target_->name));
  for (char c : t) {
    if (c < '0' || c > '9') {
      return make_error(ErrorCode::kProtocol, "count of {}: '{}' is not a number", qualified_name(target_->name), t);
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

}  // namespace mysql2ch::validate
