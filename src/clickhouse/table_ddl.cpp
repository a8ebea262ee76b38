#include "clickhouse/table_ddl.h"

#include <algorithm>

#include "clickhouse/row_binary.h"
#include "clickhouse/sql_text.h"
#include "schema/column_default.h"

namespace mysql2ch {
namespace {

std::string column_definitions(const TargetTable& t) {
  std::string s;
  for (const auto& c : t.columns) s += fmt::format("{} {}, ", clickhouse_identifier(c.name), c.type);
  s += fmt::format("{} UInt64, {} UInt8", clickhouse_identifier(kVersionColumn),
                   clickhouse_identifier(kIsDeletedColumn));
  return s;
}

std::string column_list(const TargetTable& t) {
  std::string s;
  for (const auto& c : t.columns) s += clickhouse_identifier(c.name) + ", ";
  s += fmt::format("{}, {}", clickhouse_identifier(kVersionColumn), clickhouse_identifier(kIsDeletedColumn));
  return s;
}

std::string create_view_sql(const TargetTable& t) {
  return fmt::format("CREATE VIEW IF NOT EXISTS {} AS SELECT {} FROM {} FINAL WHERE {} = 0",
                     qualified_name(current_view_name(t.name)), column_list(t), qualified_name(t.name),
                     clickhouse_identifier(kIsDeletedColumn));
}

// Views are dropped with DROP TABLE: 18.x has no DROP VIEW.
std::string drop_view_sql(const TargetName& table) {
  return "DROP TABLE IF EXISTS " + qualified_name(current_view_name(table));
}

// Appends the view re-creation a column change needs on servers with a current-state view.
void refresh_view(const TargetTable& after, const ServerCapabilities& caps, Statements& out) {
  if (!has_current_view(after, caps)) return;
  out.push_back(drop_view_sql(after.name));
  out.push_back(create_view_sql(after));
}

const MappedColumn* find_column(const TargetTable& t, std::string_view name) {
  auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const MappedColumn& c) { return c.name == name; });
  return it == t.columns.end() ? nullptr : &*it;
}

Error change_error(const TargetTable& t, std::string_view change, std::string_view why) {
  return make_error(ErrorCode::kUnsupported, "table {}: cannot {}: {}", qualified_name(t.name), change, why);
}

std::string base_type(const MappedColumn& c) {
  if (c.type == "LowCardinality(Nullable(String))") return "LowCardinality(String)";
  if (c.type.starts_with("Nullable(")) return c.type.substr(9, c.type.size() - 10);
  return c.type;
}

int integer_rank(ColumnEncoding e, bool& is_unsigned) {
  switch (e) {
    case ColumnEncoding::kInt8: is_unsigned = false; return 1;
    case ColumnEncoding::kInt16: is_unsigned = false; return 2;
    case ColumnEncoding::kInt32: is_unsigned = false; return 4;
    case ColumnEncoding::kInt64: is_unsigned = false; return 8;
    case ColumnEncoding::kUInt8: is_unsigned = true; return 1;
    case ColumnEncoding::kUInt16: is_unsigned = true; return 2;
    case ColumnEncoding::kUInt32: is_unsigned = true; return 4;
    case ColumnEncoding::kUInt64: is_unsigned = true; return 8;
    default: return 0;
  }
}

// Whether every value stored as `from` reads back unchanged (as MySQL shows it after the change) once the
// column is `to`; `why` says what would change otherwise.
bool widens(const MappedColumn& from, const MappedColumn& to, std::string& why) {
  if (from.nullable && !to.nullable) {
    why = "existing NULLs cannot become NOT NULL";
    return false;
  }
  bool from_unsigned = false, to_unsigned = false;
  const int from_rank = integer_rank(from.encoding, from_unsigned);
  const int to_rank = integer_rank(to.encoding, to_unsigned);
  if (from_rank != 0 && to_rank != 0) {
    if (from_unsigned == to_unsigned ? to_rank >= from_rank : (from_unsigned && to_rank > from_rank)) return true;
    why = "the new integer type does not hold every old value";
    return false;
  }
  const auto fe = from.encoding, te = to.encoding;
  if (fe == ColumnEncoding::kFloat32 && te == ColumnEncoding::kFloat64) return true;
  if (fe == ColumnEncoding::kDecimal && te == ColumnEncoding::kDecimal) {
    if (to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale) return true;
    why = "the new decimal has fewer integer or fraction digits";
    return false;
  }
  if (fe == ColumnEncoding::kDateTime64 && te == ColumnEncoding::kDateTime64) {
    if (to.scale >= from.scale && base_type(from).ends_with("'UTC')") == base_type(to).ends_with("'UTC')")) return true;
    why = "fewer fractional second digits";
    return false;
  }
  if ((fe == ColumnEncoding::kEnum8 || fe == ColumnEncoding::kEnum16) &&
      (te == ColumnEncoding::kEnum8 || te == ColumnEncoding::kEnum16)) {
    // Labels keep their indexes only when the old list is a prefix of the new one.
    const std::string old_labels = base_type(from).substr(base_type(from).find('('));
    const std::string new_labels = base_type(to).substr(base_type(to).find('('));
    if (new_labels.starts_with(old_labels.substr(0, old_labels.size() - 1))) return true;
    why = "ENUM labels were removed or reordered (only appending keeps stored values)";
    return false;
  }
  if ((fe == ColumnEncoding::kEnum8 || fe == ColumnEncoding::kEnum16) && te == ColumnEncoding::kEnumText) return true;
  if (fe == te && fe != ColumnEncoding::kDateTimeText && fe != ColumnEncoding::kDecimalText) {
    return true;  // strings, temporals of equal shape, SET text, JSON, GEOMETRY, VECTOR, TIME microseconds
  }
  if ((fe == ColumnEncoding::kDateTimeText || fe == ColumnEncoding::kDecimalText) && fe == te &&
      from.scale == to.scale) {
    return true;
  }
  why = "the stored values would change (stored as text with a different number of digits, or a different type)";
  return false;
}

// A ClickHouse string literal of any bytes: printable ASCII as is, every other byte as \xHH (ClickHouse reads
// the escape as that byte; a raw NUL or control byte in the query text would not survive every transport).
std::string byte_literal(std::string_view bytes) {
  std::string out = "'";
  for (char ch : bytes) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '\'' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20 || u >= 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += ch;
    }
  }
  out += '\'';
  return out;
}

// Reads RowBinary written by RowBinaryEncoder back into the literal text ClickHouse parses into the same value.
class RowBinaryLiteral {
 public:
  explicit RowBinaryLiteral(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  T fixed() {
    T v{};
    if (bytes_.size() >= sizeof(T)) {
      __builtin_memcpy(&v, bytes_.data(), sizeof(T));
      bytes_.remove_prefix(sizeof(T));
    }
    return v;
  }

  std::string_view string() {
    uint64_t size = 0;
    for (int shift = 0; !bytes_.empty(); shift += 7) {
      const auto b = static_cast<uint8_t>(bytes_.front());
      bytes_.remove_prefix(1);
      size |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    const std::string_view out = bytes_.substr(0, size);
    bytes_.remove_prefix(out.size());
    return out;
  }

 private:
  std::string_view bytes_;
};

std::string date_text(int64_t days) {
  schema::Temporal t;
  schema::civil_from_days(days, t);
  return fmt::format("{:04}-{:02}-{:02}", t.year, t.month, t.day);
}

}  // namespace

std::string qualified_name(const TargetName& name) {
  return clickhouse_identifier(name.database) + "." + clickhouse_identifier(name.table);
}

TargetName current_view_name(const TargetName& table) {
  return {table.database, table.table + "_current"};
}

bool has_current_view(const TargetTable& table, const ServerCapabilities& caps) {
  return !caps.replacing_is_deleted && !table.primary_key.empty();
}

Statements refresh_view_statements(const TargetTable& table, const ServerCapabilities& caps) {
  Statements out;
  refresh_view(table, caps, out);
  return out;
}

Statements create_table_statements(const TargetTable& t, const ServerCapabilities& caps) {
  Statements out;
  out.push_back("CREATE DATABASE IF NOT EXISTS " + clickhouse_identifier(t.name.database));
  std::string engine;
  if (t.primary_key.empty()) {
    engine = "MergeTree ORDER BY tuple()";
  } else {
    std::string key;
    for (uint32_t k : t.primary_key) key += (key.empty() ? "" : ", ") + clickhouse_identifier(t.columns[k].name);
    engine = caps.replacing_is_deleted
                 ? fmt::format("ReplacingMergeTree({}, {})", clickhouse_identifier(kVersionColumn),
                               clickhouse_identifier(kIsDeletedColumn))
                 : fmt::format("ReplacingMergeTree({})", clickhouse_identifier(kVersionColumn));
    engine += fmt::format(" ORDER BY ({})", key);
  }
  // Lets a retried insert with the same insert_deduplication_token be dropped by the server.
  if (caps.insert_deduplication_token) engine += " SETTINGS non_replicated_deduplication_window = 1000";
  out.push_back(fmt::format("CREATE TABLE IF NOT EXISTS {} ({}) ENGINE = {}", qualified_name(t.name),
                            column_definitions(t), engine));
  if (has_current_view(t, caps)) out.push_back(create_view_sql(t));
  return out;
}

Result<Statements> add_column_statements(const TargetTable& after, size_t index, const ServerCapabilities& caps,
                                         std::string_view default_expression) {
  if (index >= after.columns.size())
    return make_error(ErrorCode::kInvalidArgument, "column index {} out of range", index);
  const MappedColumn& c = after.columns[index];
  const std::string change = fmt::format("ADD COLUMN {}", clickhouse_identifier(c.name));
  if (c.in_primary_key)
    return change_error(after, change, "a new primary-key column changes the sort key; resync the table");
  std::string position;
  if (index > 0) {
    position = " AFTER " + clickhouse_identifier(after.columns[index - 1].name);
  } else if (caps.profile == CapabilityProfile::kModern) {
    position = " FIRST";
  }
  // 18.x has no IF [NOT] EXISTS on column changes; modern servers get it so a repeated change is harmless.
  const bool modern = caps.profile == CapabilityProfile::kModern;
  const std::string default_clause = default_expression.empty() ? "" : fmt::format(" DEFAULT {}", default_expression);
  Statements out{fmt::format("ALTER TABLE {} ADD COLUMN {}{} {}{}{}", qualified_name(after.name),
                             modern ? "IF NOT EXISTS " : "", clickhouse_identifier(c.name), c.type, default_clause,
                             position)};
  refresh_view(after, caps, out);
  return out;
}

Result<Statements> drop_column_statements(const TargetTable& before, const TargetTable& after, std::string_view name,
                                          const ServerCapabilities& caps) {
  const MappedColumn* c = find_column(before, name);
  const std::string change = fmt::format("DROP COLUMN {}", clickhouse_identifier(name));
  if (c == nullptr) return change_error(before, change, "the table has no such column");
  if (c->in_primary_key) return change_error(before, change, "it is part of the sort key; resync the table");
  Statements out;
  // The view selects the column: it goes first.
  if (has_current_view(before, caps)) out.push_back(drop_view_sql(before.name));
  out.push_back(fmt::format("ALTER TABLE {} DROP COLUMN {}{}", qualified_name(before.name),
                            caps.profile == CapabilityProfile::kModern ? "IF EXISTS " : "",
                            clickhouse_identifier(name)));
  if (has_current_view(after, caps)) out.push_back(create_view_sql(after));
  return out;
}

Result<Statements> modify_column_statements(const TargetTable& before, const TargetTable& after, size_t index,
                                            const ServerCapabilities& caps) {
  if (index >= after.columns.size())
    return make_error(ErrorCode::kInvalidArgument, "column index {} out of range", index);
  const MappedColumn& to = after.columns[index];
  const MappedColumn* from = find_column(before, to.name);
  const std::string change = fmt::format("MODIFY COLUMN {}", clickhouse_identifier(to.name));
  if (from == nullptr) return change_error(before, change, "the table has no such column");
  const std::string types = fmt::format(" ({} → {})", from->type, to.type);
  const bool text_shape_changes =
      (to.encoding == ColumnEncoding::kDateTimeText || to.encoding == ColumnEncoding::kDecimalText) &&
      from->encoding == to.encoding && from->scale != to.scale;
  if (text_shape_changes) {
    // Values stored as text keep their old number of digits, while MySQL shows the new number.
    return change_error(before, change + fmt::format(" (fraction digits {} → {})", from->scale, to.scale),
                        "values stored as text would keep the old number of fraction digits; resync the table");
  }
  if (from->type == to.type) return Statements{};
  if (from->in_primary_key || to.in_primary_key) {
    return change_error(before, change + types, "primary-key columns cannot change type in place; resync the table");
  }
  std::string why;
  if (!widens(*from, to, why)) return change_error(before, change + types, why + "; resync the table");
  Statements out{fmt::format("ALTER TABLE {} MODIFY COLUMN {} {}", qualified_name(after.name),
                             clickhouse_identifier(to.name), to.type)};
  refresh_view(after, caps, out);
  return out;
}

Result<Statements> rename_column_statements(const TargetTable& after, std::string_view from, size_t index,
                                            const ServerCapabilities& caps) {
  if (index >= after.columns.size())
    return make_error(ErrorCode::kInvalidArgument, "column index {} out of range", index);
  const MappedColumn& c = after.columns[index];
  const std::string change =
      fmt::format("RENAME COLUMN {} TO {}", clickhouse_identifier(from), clickhouse_identifier(c.name));
  if (!caps.rename_column) {
    return change_error(after, change,
                        fmt::format("ClickHouse {} has no RENAME COLUMN (added in 20.4) and a rename cannot be "
                                    "emulated without rewriting the table; upgrade ClickHouse or resync the table",
                                    caps.version.text));
  }
  if (c.in_primary_key) return change_error(after, change, "it is part of the sort key; resync the table");
  Statements out{fmt::format("ALTER TABLE {} RENAME COLUMN IF EXISTS {} TO {}", qualified_name(after.name),
                             clickhouse_identifier(from), clickhouse_identifier(c.name))};
  refresh_view(after, caps, out);
  return out;
}

Result<ColumnCopyRename> rename_column_by_copy(const TargetTable& before, std::string_view from,
                                               const TargetTable& after, size_t index, const ServerCapabilities& caps) {
  if (index >= after.columns.size())
    return make_error(ErrorCode::kInvalidArgument, "column index {} out of range", index);
  const MappedColumn& c = after.columns[index];
  const std::string change =
      fmt::format("RENAME COLUMN {} TO {}", clickhouse_identifier(from), clickhouse_identifier(c.name));
  const MappedColumn* old = find_column(before, from);
  if (old == nullptr) return change_error(before, change, "the table has no such column");
  if (c.in_primary_key || old->in_primary_key) {
    return change_error(after, change,
                        fmt::format("it is part of the sort key (ORDER BY), which ClickHouse {} cannot rename or "
                                    "rewrite; re-snapshot the table",
                                    caps.version.text));
  }
  ColumnCopyRename out;
  out.add.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {} AFTER {}", qualified_name(after.name),
                                clickhouse_identifier(c.name), c.type, clickhouse_identifier(from)));
  out.copy.push_back(fmt::format("ALTER TABLE {} UPDATE {} = {} WHERE 1", qualified_name(after.name),
                                 clickhouse_identifier(c.name), clickhouse_identifier(from)));
  if (has_current_view(before, caps)) out.drop.push_back(drop_view_sql(before.name));
  out.drop.push_back(
      fmt::format("ALTER TABLE {} DROP COLUMN {}", qualified_name(after.name), clickhouse_identifier(from)));
  if (has_current_view(after, caps)) out.drop.push_back(create_view_sql(after));
  return out;
}

Statements rename_table_statements(const TargetTable& from, const TargetTable& to, const ServerCapabilities& caps) {
  Statements out;
  if (has_current_view(from, caps)) out.push_back(drop_view_sql(from.name));
  if (from.name.database != to.name.database) {
    out.push_back("CREATE DATABASE IF NOT EXISTS " + clickhouse_identifier(to.name.database));
  }
  out.push_back(fmt::format("RENAME TABLE {} TO {}", qualified_name(from.name), qualified_name(to.name)));
  if (has_current_view(to, caps)) out.push_back(create_view_sql(to));
  return out;
}

Result<std::string> column_default_expression(const MappedColumn& c, const schema::ColumnDef& column,
                                              const std::optional<std::string>& mysql_default,
                                              const schema::StatementClock& statement) {
  std::string storage;
  TRY_ASSIGN(const schema::Value value, schema::added_column_value(column, mysql_default, statement, storage));
  if (value.kind == schema::ValueKind::kNull && c.nullable) return std::string();  // ClickHouse's own default
  // The rows' own encoder decides what is stored (date policies, BINARY padding, SET order, ENUM index), so the
  // existing rows hold exactly what a row event with this value would have written.
  RowBinaryEncoder encoder;
  std::string bytes;
  const Status encoded = encoder.append(c, column, value, bytes);
  if (!encoded.ok()) {
    return make_error(ErrorCode::kUnsupported, "column {} ({}) added with {}: the value cannot be stored: {}",
                      clickhouse_identifier(c.name), c.type,
                      mysql_default ? "DEFAULT " + *mysql_default : std::string("no DEFAULT"),
                      encoded.error().message());
  }
  RowBinaryLiteral in(bytes);
  if (c.nullable && in.fixed<uint8_t>() != 0) return std::string();  // a date policy made it NULL
  const auto cast = [&](const std::string& literal) { return fmt::format("CAST({} AS {})", literal, c.type); };
  const auto number = [&](auto v) { return cast(fmt::format("'{}'", v)); };
  switch (c.encoding) {
    case ColumnEncoding::kInt8: return number(static_cast<int>(in.fixed<int8_t>()));
    case ColumnEncoding::kInt16: return number(in.fixed<int16_t>());
    case ColumnEncoding::kInt32: return number(in.fixed<int32_t>());
    case ColumnEncoding::kInt64:
    case ColumnEncoding::kTimeMicros: return number(in.fixed<int64_t>());
    case ColumnEncoding::kUInt8: return number(static_cast<unsigned>(in.fixed<uint8_t>()));
    case ColumnEncoding::kUInt16: return number(in.fixed<uint16_t>());
    case ColumnEncoding::kUInt32: return number(in.fixed<uint32_t>());
    case ColumnEncoding::kUInt64: return number(in.fixed<uint64_t>());
    case ColumnEncoding::kFloat32: return number(in.fixed<float>());  // shortest text that reads back the same
    case ColumnEncoding::kFloat64: return number(in.fixed<double>());
    case ColumnEncoding::kDecimal: return cast(fmt::format("'{}'", value.decimal()));  // exact digits at scale
    case ColumnEncoding::kDate32: return cast(fmt::format("'{}'", date_text(in.fixed<int32_t>())));
    case ColumnEncoding::kDateTime64: {
      const int64_t ticks = in.fixed<int64_t>();
      int64_t per_second = 1;
      for (unsigned k = 0; k < c.scale; ++k) per_second *= 10;
      const int64_t seconds = ticks >= 0 ? ticks / per_second : -((-ticks + per_second - 1) / per_second);
      const int64_t fraction = ticks - seconds * per_second;
      const int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
      const int64_t in_day = seconds - days * 86400;
      std::string text =
          fmt::format("{} {:02}:{:02}:{:02}", date_text(days), in_day / 3600, in_day / 60 % 60, in_day % 60);
      if (c.scale > 0) text += fmt::format(".{:0{}}", fraction, c.scale);
      return cast(fmt::format("'{}'", text));
    }
    case ColumnEncoding::kEnum8:
    case ColumnEncoding::kEnum16: {
      const int64_t index = c.encoding == ColumnEncoding::kEnum8 ? in.fixed<int8_t>() : in.fixed<int16_t>();
      const std::string_view label = index == 0 ? std::string_view() : std::string_view(column.labels[index - 1]);
      return cast(byte_literal(label));
    }
    case ColumnEncoding::kDecimalText:
    case ColumnEncoding::kDateText:
    case ColumnEncoding::kDateTimeText:
    case ColumnEncoding::kText:
    case ColumnEncoding::kBytes:
    case ColumnEncoding::kEnumText:
    case ColumnEncoding::kSetText:
    case ColumnEncoding::kJsonText:
    case ColumnEncoding::kGeometry: return cast(byte_literal(in.string()));
    case ColumnEncoding::kVector: break;
  }
  return make_error(ErrorCode::kUnsupported,
                    "column {} ({}) added with {}: a default of this type cannot be "
                    "reproduced exactly; re-snapshot the table",
                    clickhouse_identifier(c.name), c.type,
                    mysql_default ? "DEFAULT " + *mysql_default : std::string("no DEFAULT"));
}

Statements truncate_table_statements(const TargetTable& table) {
  return {"TRUNCATE TABLE IF EXISTS " + qualified_name(table.name)};
}

Statements drop_table_statements(const TargetTable& table, const ServerCapabilities& caps) {
  Statements out;
  if (has_current_view(table, caps)) out.push_back(drop_view_sql(table.name));
  out.push_back("DROP TABLE IF EXISTS " + qualified_name(table.name));
  return out;
}

}  // namespace mysql2ch
