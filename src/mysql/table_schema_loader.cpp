#include "mysql/table_schema_loader.h"

#include <fmt/format.h>

#include <map>

#include "common/strings.h"
#include "config/table_filter.h"

namespace mysql2ch {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;

struct TypeRule {
  const char* data_type;
  ColumnType type;
  uint8_t length_bytes;  // BLOB/TEXT/JSON/GEOMETRY/VECTOR length prefix
};

// information_schema DATA_TYPE → the row-image type code.
constexpr TypeRule kTypes[] = {
    {"tinyint", ColumnType::kTiny, 0},        {"smallint", ColumnType::kShort, 0},
    {"mediumint", ColumnType::kInt24, 0},     {"int", ColumnType::kLong, 0},
    {"integer", ColumnType::kLong, 0},        {"bigint", ColumnType::kLongLong, 0},
    {"decimal", ColumnType::kNewDecimal, 0},  {"numeric", ColumnType::kNewDecimal, 0},
    {"float", ColumnType::kFloat, 0},         {"double", ColumnType::kDouble, 0},
    {"real", ColumnType::kDouble, 0},         {"bit", ColumnType::kBit, 0},
    {"date", ColumnType::kDate, 0},           {"datetime", ColumnType::kDateTime2, 0},
    {"timestamp", ColumnType::kTimestamp2, 0}, {"time", ColumnType::kTime2, 0},
    {"year", ColumnType::kYear, 0},           {"char", ColumnType::kString, 0},
    {"binary", ColumnType::kString, 0},       {"varchar", ColumnType::kVarchar, 0},
    {"varbinary", ColumnType::kVarchar, 0},   {"tinytext", ColumnType::kBlob, 1},
    {"tinyblob", ColumnType::kBlob, 1},       {"text", ColumnType::kBlob, 2},
    {"blob", ColumnType::kBlob, 2},           {"mediumtext", ColumnType::kBlob, 3},
    {"mediumblob", ColumnType::kBlob, 3},     {"longtext", ColumnType::kBlob, 4},
    {"longblob", ColumnType::kBlob, 4},       {"enum", ColumnType::kEnum, 0},
    {"set", ColumnType::kSet, 0},             {"json", ColumnType::kJson, 4},
    {"geometry", ColumnType::kGeometry, 4},   {"point", ColumnType::kGeometry, 4},
    {"linestring", ColumnType::kGeometry, 4}, {"polygon", ColumnType::kGeometry, 4},
    {"multipoint", ColumnType::kGeometry, 4}, {"multilinestring", ColumnType::kGeometry, 4},
    {"multipolygon", ColumnType::kGeometry, 4}, {"geometrycollection", ColumnType::kGeometry, 4},
    {"geomcollection", ColumnType::kGeometry, 4}, {"vector", ColumnType::kVector, 4},
};

const TypeRule* type_rule(std::string_view data_type) {
  const std::string t = to_lower(data_type);
  for (const auto& r : kTypes) {
    if (t == r.data_type) return &r;
  }
  return nullptr;
}

uint64_t number_or_zero(const std::optional<std::string>& v) { return v ? parse_uint(*v).value_or(0) : 0; }

bool has_charset(ColumnType t) {
  switch (t) {
    case ColumnType::kString:
    case ColumnType::kVarchar:
    case ColumnType::kBlob:
    case ColumnType::kEnum:
    case ColumnType::kSet: return true;
    default: return false;
  }
}

Result<ColumnDef> column_from_row(const std::vector<std::optional<std::string>>& row, std::string_view qualified) {
  // COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,
  // DATETIME_PRECISION, CHARACTER_SET_NAME, EXTRA, collation ID
  ColumnDef c;
  c.name = row[0].value_or("");
  const std::string data_type = row[1].value_or("");
  const std::string column_type = to_lower(row[2].value_or(""));
  const TypeRule* rule = type_rule(data_type);
  if (rule == nullptr) {
    return make_error(ErrorCode::kUnsupported,
                      "{}.{}: column type {} is not supported; exclude the table in tables.exclude", qualified,
                      c.name, column_type);
  }
  c.type = rule->type;
  c.length_bytes = rule->length_bytes;
  c.is_unsigned = column_type.find("unsigned") != std::string::npos;
  c.nullable = row[3].value_or("") == "YES";
  c.visible = to_lower(row[9].value_or("")).find("invisible") == std::string::npos;
  switch (c.type) {
    case ColumnType::kNewDecimal:
      c.precision = static_cast<uint8_t>(number_or_zero(row[5]));
      c.scale = static_cast<uint8_t>(number_or_zero(row[6]));
      break;
    case ColumnType::kBit: c.max_length = static_cast<uint32_t>(number_or_zero(row[5])); break;
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp2:
    case ColumnType::kTime2: c.fsp = static_cast<uint8_t>(number_or_zero(row[7])); break;
    case ColumnType::kString:
    case ColumnType::kVarchar: c.max_length = static_cast<uint32_t>(number_or_zero(row[4])); break;
    case ColumnType::kEnum:
    case ColumnType::kSet: {
      TRY_ASSIGN(c.labels, parse_enum_labels(row[2].value_or("")));
      const size_t n = c.labels.size();
      if (c.type == ColumnType::kEnum) {
        c.length_bytes = n > 255 ? 2 : 1;
      } else {
        const size_t bytes = (n + 7) / 8;
        c.length_bytes = static_cast<uint8_t>(bytes > 4 ? 8 : bytes);
      }
      break;
    }
    default: break;
  }
  if (!has_charset(c.type)) return c;
  if (!row[8] || to_lower(*row[8]) == "binary") {
    c.charset = Charset::kBinary;
    c.collation_id = 63;
    return c;
  }
  c.collation_id = static_cast<uint32_t>(number_or_zero(row[10]));
  c.charset = schema::charset_of_collation(c.collation_id);
  if (c.charset == Charset::kUnsupported || c.charset == Charset::kUnknown) {
    return make_error(ErrorCode::kUnsupported,
                      "{}.{}: character set {} (collation id {}) cannot be converted to UTF-8 exactly; convert the "
                      "column to utf8mb4 or exclude the table",
                      qualified, c.name, *row[8], c.collation_id);
  }
  return c;
}

}  // namespace

Result<std::vector<std::string>> parse_enum_labels(std::string_view column_type) {
  const size_t open = column_type.find('(');
  if (open == std::string_view::npos || column_type.empty() || column_type.back() != ')') {
    return make_error(ErrorCode::kProtocol, "'{}' is not an ENUM/SET column type", column_type);
  }
  std::vector<std::string> labels;
  size_t at = open + 1;
  const size_t end = column_type.size() - 1;
  while (at < end) {
    if (column_type[at] != '\'') {
      return make_error(ErrorCode::kProtocol, "'{}': expected a quoted label at offset {}", column_type, at);
    }
    ++at;
    std::string label;
    while (true) {
      if (at >= end) return make_error(ErrorCode::kProtocol, "'{}': unterminated label", column_type);
      if (column_type[at] == '\'') {
        if (at + 1 < end && column_type[at + 1] == '\'') {
          label += '\'';
          at += 2;
          continue;
        }
        ++at;
        break;
      }
      label += column_type[at++];
    }
    labels.push_back(std::move(label));
    if (at < end && column_type[at] == ',') ++at;
  }
  return labels;
}

Result<std::vector<SourceTableName>> list_selected_tables(Connection& conn, const TablesConfig& tables) {
  TRY_ASSIGN(QueryResult r, conn.query("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                                       "WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  std::vector<SourceTableName> out;
  for (const auto& row : r.rows) {
    SourceTableName t{row[0].value_or(""), row[1].value_or("")};
    if (table_selected(tables, t.database, t.table)) out.push_back(std::move(t));
  }
  return out;
}

Result<schema::TableSchema> load_table_schema(Connection& conn, std::string_view database, std::string_view table) {
  const std::string qualified = fmt::format("{}.{}", database, table);
  const std::string where =
      fmt::format("TABLE_SCHEMA = {} AND TABLE_NAME = {}", conn.quote(database), conn.quote(table));
  TRY_ASSIGN(QueryResult cols,
             conn.query(fmt::format(
                 "SELECT c.COLUMN_NAME, c.DATA_TYPE, c.COLUMN_TYPE, c.IS_NULLABLE, c.CHARACTER_OCTET_LENGTH, "
                 "c.NUMERIC_PRECISION, c.NUMERIC_SCALE, c.DATETIME_PRECISION, c.CHARACTER_SET_NAME, c.EXTRA, "
                 "(SELECT MIN(l.ID) FROM information_schema.COLLATIONS l WHERE l.COLLATION_NAME = c.COLLATION_NAME) "
                 "FROM information_schema.COLUMNS c WHERE c.{} ORDER BY c.ORDINAL_POSITION",
                 where)));
  if (cols.rows.empty()) {
    return make_error(ErrorCode::kNotFound, "table {} not found on {} (or the user cannot see it)", qualified,
                      conn.endpoint());
  }
  schema::TableSchema s;
  s.database = std::string(database);
  s.table = std::string(table);
  s.column_names_known = true;
  std::map<std::string, uint32_t> by_name;
  for (const auto& row : cols.rows) {
    TRY_ASSIGN(ColumnDef c, column_from_row(row, qualified));
    by_name[to_lower(c.name)] = static_cast<uint32_t>(s.columns.size());
    s.columns.push_back(std::move(c));
  }
  TRY_ASSIGN(QueryResult pk, conn.query(fmt::format("SELECT COLUMN_NAME FROM information_schema.STATISTICS "
                                                    "WHERE {} AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
                                                    where)));
  for (const auto& row : pk.rows) {
    const auto it = by_name.find(to_lower(row[0].value_or("")));
    if (it == by_name.end()) {
      return make_error(ErrorCode::kProtocol, "{}: primary key column {} is not among the columns", qualified,
                        row[0].value_or("NULL"));
    }
    s.primary_key.push_back(it->second);
    s.columns[it->second].in_primary_key = true;
  }
  return s;
}

}  // namespace mysql2ch
