#include "validate/table_comparison.h"

#include <fmt/core.h>

#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "clickhouse/row_binary.h"
#include "clickhouse/sql_text.h"
#include "clickhouse/table_ddl.h"
#include "snapshot/chunk_planner.h"
#include "snapshot/key_range.h"
#include "validate/side_readers.h"

namespace mysql2ch::validate {
namespace {

template <typename T>
T load_le(std::string_view bytes) {
  T v{};
  __builtin_memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

std::string hex_text(std::string_view bytes) {
  std::string out = "0x";
  for (unsigned char b : bytes) out += fmt::format("{:02X}", b);
  return out;
}

// The unscaled integer with `scale` fraction digits, as text.
std::string decimal_text(int64_t unscaled, unsigned scale) {
  const bool negative = unscaled < 0;
  uint64_t magnitude = negative ? static_cast<uint64_t>(-(unscaled + 1)) + 1 : static_cast<uint64_t>(unscaled);
  // Built least significant digit first, then reversed (GCC 12 misreports insert() at the front as overlapping).
  std::string reversed;
  for (unsigned n = 0; magnitude != 0 || n <= scale; ++n) {
    if (scale > 0 && n == scale) reversed.push_back('.');
    reversed.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  if (negative) reversed.push_back('-');
  return std::string(reversed.rbegin(), reversed.rend());
}

// One key column's RowBinary bytes as text for reports: numbers in decimal, strings as they are, binary
// strings and anything else (wide decimals, temporals) in hex: exact, if not pretty.
std::string key_column_text(const MappedColumn& c, std::string_view b) {
  switch (c.encoding) {
    case ColumnEncoding::kInt8: return std::to_string(load_le<int8_t>(b));
    case ColumnEncoding::kInt16: return std::to_string(load_le<int16_t>(b));
    case ColumnEncoding::kInt32: return std::to_string(load_le<int32_t>(b));
    case ColumnEncoding::kInt64: return std::to_string(load_le<int64_t>(b));
    case ColumnEncoding::kUInt8:
    case ColumnEncoding::kEnum8: return std::to_string(load_le<uint8_t>(b));
    case ColumnEncoding::kUInt16:
    case ColumnEncoding::kEnum16: return std::to_string(load_le<uint16_t>(b));
    case ColumnEncoding::kUInt32: return std::to_string(load_le<uint32_t>(b));
    case ColumnEncoding::kUInt64: return std::to_string(load_le<uint64_t>(b));
    case ColumnEncoding::kDecimal:
      if (c.decimal_bytes == 4) return decimal_text(load_le<int32_t>(b), c.scale);
      if (c.decimal_bytes == 8) return decimal_text(load_le<int64_t>(b), c.scale);
      return hex_text(b);
    case ColumnEncoding::kDecimalText:
    case ColumnEncoding::kDateText:
    case ColumnEncoding::kDateTimeText:
    case ColumnEncoding::kText:
    case ColumnEncoding::kEnumText:
    case ColumnEncoding::kSetText: {
      // A RowBinary string: varuint length, then the bytes.
      size_t at = 0;
      while (at < b.size() && (static_cast<unsigned char>(b[at]) & 0x80) != 0) ++at;
      return std::string(b.substr(std::min(at + 1, b.size())));
    }
    default: return hex_text(b);
  }
}

std::vector<std::string> key_text(const TargetTable& target, const EncodedRow& row) {
  std::vector<std::string> out;
  for (uint32_t k : target.primary_key) out.push_back(key_column_text(target.columns[k], row.column(k)));
  return out;
}

}  // namespace

const char* key_difference_name(KeyDifferenceKind kind) {
  switch (kind) {
    case KeyDifferenceKind::kMissing: return "missing";
    case KeyDifferenceKind::kExtra: return "extra";
    case KeyDifferenceKind::kDifferent: return "different";
  }
  return "?";
}

uint64_t TableComparison::source_rows() const {
  uint64_t n = 0;
  for (const auto& r : ranges) n += r.source.rows;
  return n;
}
uint64_t TableComparison::mirror_rows() const {
  uint64_t n = 0;
  for (const auto& r : ranges) n += r.mirror.rows;
  return n;
}
uint64_t TableComparison::differing_ranges() const {
  uint64_t n = 0;
  for (const auto& r : ranges) n += r.differs() ? 1 : 0;
  return n;
}

Result<std::string> TableComparer::schema_problem() {
  const TargetName& name = target_->name;
  auto rows = mirror_->query(fmt::format("SELECT name, type FROM system.columns WHERE database = {} AND table = {}",
                                         clickhouse_string(name.database), clickhouse_string(name.table)),
                             "JSONEachRow");
  if (!rows.ok()) return std::move(rows).error().context("reading the mirror's columns");
  std::map<std::string, std::string> actual;
  size_t start = 0;
  while (start < rows->size()) {
    size_t end = rows->find('\n', start);
    if (end == std::string::npos) end = rows->size();
    const auto j = nlohmann::json::parse(std::string_view(*rows).substr(start, end - start), nullptr, false);
    if (!j.is_discarded() && j.is_object()) actual.emplace(j.value("name", ""), j.value("type", ""));
    start = end + 1;
  }
  if (actual.empty()) return fmt::format("ClickHouse has no table {}", qualified_name(name));
  std::vector<std::string> problems;
  for (const MappedColumn& c : target_->columns) {
    const auto it = actual.find(c.name);
    if (it == actual.end()) {
      problems.push_back(fmt::format("column {} is missing in ClickHouse", c.name));
    } else if (it->second != c.type) {
      problems.push_back(fmt::format("column {} is {} in ClickHouse, the source maps to {}", c.name, it->second, c.type));
    }
    if (c.type == "JSON") {
      return make_error(ErrorCode::kUnsupported,
                        "{}: column {} has ClickHouse's JSON type, whose stored form is not the JSON text the "
                        "source has; validate compares JSON columns mapped as String (destination.json: string)",
                        qualified_name(name), c.name);
    }
  }
  for (const auto& [n, t] : actual) {
    if (n == kVersionColumn || n == kIsDeletedColumn) continue;
    bool mapped = false;
    for (const MappedColumn& c : target_->columns) mapped = mapped || c.name == n;
    if (!mapped) problems.push_back(fmt::format("column {} ({}) is in ClickHouse but not in the source", n, t));
  }
  return fmt::format("{}", fmt::join(problems, "; "));
}

Status TableComparer::digest(RangeState& range) {
  range.source = {};
  range.mirror = {};
  SourceRangeReader source(*source_, *table_, *target_);
  TRY(source.read(range.bounds, [&](const EncodedRow& row) {
    range.source.add(row.bytes);
    return Status{};
  }));
  const size_t width = table_->primary_key.size();
  std::optional<snapshot::KeyTuple> lower, upper;
  if (range.bounds.lower_key) {
    TRY_ASSIGN(lower, snapshot::decode_key(*range.bounds.lower_key, width));
  }
  if (range.bounds.upper_key) {
    TRY_ASSIGN(upper, snapshot::decode_key(*range.bounds.upper_key, width));
  }
  MirrorRangeReader mirror(*mirror_, *target_);
  return mirror.read(lower, upper, [&](const EncodedRow& row) {
    range.mirror.add(row.bytes);
    return Status{};
  });
}

Status TableComparer::drill_down(TableComparison& comparison) {
  comparison.keys.clear();
  comparison.differing_keys = 0;
  if (!comparison.has_key) return {};
  const size_t width = table_->primary_key.size();
  auto note = [&](KeyDifferenceKind kind, const EncodedRow& row, std::string column) {
    ++comparison.differing_keys;
    if (comparison.keys.size() < options_.max_keys) {
      comparison.keys.push_back({kind, key_text(*target_, row), std::move(column)});
    }
  };
  for (const RangeState& range : comparison.ranges) {
    if (!range.differs()) continue;
    // The source rows in source key order, found by key bytes.
    std::vector<EncodedRow> source_rows;
    std::unordered_map<std::string, size_t> by_key;
    SourceRangeReader source(*source_, *table_, *target_);
    TRY(source.read(range.bounds, [&](const EncodedRow& row) {
      by_key.emplace(row.key, source_rows.size());
      source_rows.push_back(row);
      return Status{};
    }));
    std::optional<snapshot::KeyTuple> lower, upper;
    if (range.bounds.lower_key) {
      TRY_ASSIGN(lower, snapshot::decode_key(*range.bounds.lower_key, width));
    }
    if (range.bounds.upper_key) {
      TRY_ASSIGN(upper, snapshot::decode_key(*range.bounds.upper_key, width));
    }
    // What the mirror has for each source row: nothing (missing), the same bytes, or the first differing column.
    std::vector<std::optional<std::string>> verdict(source_rows.size());
    std::vector<bool> seen(source_rows.size(), false);
    std::vector<EncodedRow> extra;
    MirrorRangeReader mirror(*mirror_, *target_);
    TRY(mirror.read(lower, upper, [&](const EncodedRow& row) {
      const auto it = by_key.find(row.key);
      if (it == by_key.end()) {
        extra.push_back(row);
        return Status{};
      }
      seen[it->second] = true;
      const EncodedRow& s = source_rows[it->second];
      if (s.bytes != row.bytes) {
        size_t c = 0;
        while (c + 1 < s.column_end.size() && s.column(c) == row.column(c)) ++c;
        verdict[it->second] = target_->columns[c].name;
      }
      return Status{};
    }));
    for (size_t i = 0; i < source_rows.size(); ++i) {
      if (!seen[i]) {
        note(KeyDifferenceKind::kMissing, source_rows[i], "");
      } else if (verdict[i]) {
        note(KeyDifferenceKind::kDifferent, source_rows[i], *verdict[i]);
      }
    }
    for (const EncodedRow& row : extra) note(KeyDifferenceKind::kExtra, row, "");
  }
  return {};
}

Result<TableComparison> TableComparer::compare() {
  TableComparison out;
  out.source_name = table_->database + "." + table_->table;
  out.mirror_name = target_->name.database + "." + target_->name.table;
  out.has_key = !target_->primary_key.empty();
  out.key_ranges = mirror_ranges_supported(*target_);
  for (uint32_t k : target_->primary_key) out.key_columns.push_back(target_->columns[k].name);
  TRY_ASSIGN(out.problem, schema_problem());
  if (!out.problem.empty()) return out;
  if (!out.key_ranges) {
    out.ranges.push_back(RangeState{});
    TRY(digest(out.ranges.back()));
  } else {
    TRY_ASSIGN(snapshot::ChunkPlanner planner, snapshot::ChunkPlanner::from_plan(*table_, options_.range_rows, {}));
    while (!planner.complete()) {
      TRY_ASSIGN(state::SnapshotChunk bounds, planner.next(*source_));
      out.ranges.push_back(RangeState{std::move(bounds), {}, {}});
      TRY(digest(out.ranges.back()));
    }
  }
  TRY(drill_down(out));
  return out;
}

Status TableComparer::recheck(TableComparison& comparison) {
  if (!comparison.problem.empty()) {
    TRY_ASSIGN(comparison.problem, schema_problem());
    if (!comparison.problem.empty()) return {};
    // The columns converged since the first pass (sync applied a column change): compare the rows now.
    TRY_ASSIGN(comparison, compare());
    return {};
  }
  for (RangeState& range : comparison.ranges) {
    if (range.differs()) TRY(digest(range));
  }
  return drill_down(comparison);
}

}  // namespace mysql2ch::validate
