#include "clickhouse/type_mapping.h"

#include <set>

#include "clickhouse/sql_text.h"

namespace mysql2ch {
namespace {

using schema::ColumnDef;
using schema::ColumnType;

struct IntegerRow {
  ColumnType type;
  const char* signed_type;
  ColumnEncoding signed_encoding;
  const char* unsigned_type;
  ColumnEncoding unsigned_encoding;
};

// MEDIUMINT has no 24-bit ClickHouse type: it takes the next wider one.
constexpr IntegerRow kIntegers[] = {
    {ColumnType::kTiny, "Int8", ColumnEncoding::kInt8, "UInt8", ColumnEncoding::kUInt8},
    {ColumnType::kShort, "Int16", ColumnEncoding::kInt16, "UInt16", ColumnEncoding::kUInt16},
    {ColumnType::kInt24, "Int32", ColumnEncoding::kInt32, "UInt32", ColumnEncoding::kUInt32},
    {ColumnType::kLong, "Int32", ColumnEncoding::kInt32, "UInt32", ColumnEncoding::kUInt32},
    {ColumnType::kLongLong, "Int64", ColumnEncoding::kInt64, "UInt64", ColumnEncoding::kUInt64},
    {ColumnType::kBool, "Int8", ColumnEncoding::kInt8, "UInt8", ColumnEncoding::kUInt8},
};

Error unmappable(const ColumnDef& c, std::string_view why) {
  return make_error(ErrorCode::kUnsupported, "column `{}` ({}) cannot be mapped to ClickHouse exactly: {}", c.name,
                    schema::column_type_name(c.type), why);
}

bool is_temporal(ColumnEncoding e) { return e == ColumnEncoding::kDate32 || e == ColumnEncoding::kDateTime64; }

// ClickHouse's Enum needs distinct names and Int8/Int16 values; MySQL's index 0 is the '' error value. An ENUM
// with a '' label of its own (two different values both shown as '') or more than 32767 labels cannot be
// expressed, and is stored as its label text instead.
bool enum_fits(const ColumnDef& c) {
  if (c.labels.size() > 32767) return false;
  std::set<std::string_view> seen{""};
  for (const auto& l : c.labels) {
    if (!seen.insert(l).second) return false;
  }
  return true;
}

std::string enum_type(const ColumnDef& c, bool wide) {
  std::string t = wide ? "Enum16(" : "Enum8(";
  t += "'' = 0";
  for (size_t k = 0; k < c.labels.size(); ++k) t += fmt::format(", {} = {}", clickhouse_string(c.labels[k]), k + 1);
  t += ')';
  return t;
}

// The column's type and encoding, before nullability is applied.
Status map_base(const ColumnDef& c, const ServerCapabilities& caps, const TypeMappingOptions& options,
                MappedColumn& m) {
  for (const auto& row : kIntegers) {
    if (row.type == c.type) {
      m.type = c.is_unsigned ? row.unsigned_type : row.signed_type;
      m.encoding = c.is_unsigned ? row.unsigned_encoding : row.signed_encoding;
      return {};
    }
  }
  const bool legacy_time = !caps.datetime64;
  switch (c.type) {
    case ColumnType::kYear: m.type = "UInt16"; m.encoding = ColumnEncoding::kUInt16; return {};
    case ColumnType::kBit: m.type = "UInt64"; m.encoding = ColumnEncoding::kUInt64; return {};
    case ColumnType::kFloat: m.type = "Float32"; m.encoding = ColumnEncoding::kFloat32; return {};
    case ColumnType::kDouble: m.type = "Float64"; m.encoding = ColumnEncoding::kFloat64; return {};
    case ColumnType::kNewDecimal: {
      if (c.precision < 1 || c.precision > 65 || c.scale > c.precision || c.scale > 30) {
        return unmappable(c, fmt::format("DECIMAL({}, {}) is not a valid MySQL decimal", c.precision, c.scale));
      }
      m.precision = c.precision;
      m.scale = c.scale;
      if (c.precision > 38 && !caps.big_decimal) {
        m.type = "String";
        m.encoding = ColumnEncoding::kDecimalText;
        return {};
      }
      m.type = fmt::format("Decimal({}, {})", c.precision, c.scale);
      m.encoding = ColumnEncoding::kDecimal;
      m.scale = c.scale;
      m.decimal_bytes = c.precision <= 9 ? 4 : c.precision <= 18 ? 8 : c.precision <= 38 ? 16 : 32;
      return {};
    }
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      if (!caps.date32) {
        m.type = "String";
        m.encoding = ColumnEncoding::kDateText;
        return {};
      }
      m.type = "Date32";
      m.encoding = ColumnEncoding::kDate32;
      break;
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2: {
      const uint8_t fsp = (c.type == ColumnType::kDateTime || c.type == ColumnType::kTimestamp) ? 0 : c.fsp;
      if (fsp > 6) return unmappable(c, fmt::format("fractional second precision {} is above 6", fsp));
      m.scale = fsp;
      if (legacy_time) {
        m.type = "String";
        m.encoding = ColumnEncoding::kDateTimeText;
        return {};
      }
      // DATETIME is a wall clock: stored as if in UTC so every server and client time zone shows the same
      // digits MySQL shows. TIMESTAMP values are UTC instants.
      m.type = fmt::format("DateTime64({}, 'UTC')", fsp);
      m.encoding = ColumnEncoding::kDateTime64;
      break;
    }
    case ColumnType::kTime:
    case ColumnType::kTime2:
      m.scale = c.type == ColumnType::kTime ? 0 : c.fsp;
      m.type = "Int64";
      m.encoding = ColumnEncoding::kTimeMicros;
      return {};
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kString:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      if (c.charset == schema::Charset::kUnsupported) {
        return unmappable(c, fmt::format("collation {} belongs to a character set mysql2ch does not convert; "
                                         "convert the column to utf8mb4 or exclude the table",
                                         c.collation_id));
      }
      m.type = "String";
      m.encoding = c.charset == schema::Charset::kBinary ? ColumnEncoding::kBytes : ColumnEncoding::kText;
      return {};
    case ColumnType::kEnum:
      if (c.labels.empty()) {
        return unmappable(c, "its labels are unknown (needs binlog_row_metadata=FULL or information_schema)");
      }
      if (!enum_fits(c)) {
        m.type = caps.profile == CapabilityProfile::kModern ? "LowCardinality(String)" : "String";
        m.encoding = ColumnEncoding::kEnumText;
        return {};
      }
      m.encoding = c.labels.size() <= 127 ? ColumnEncoding::kEnum8 : ColumnEncoding::kEnum16;
      m.type = enum_type(c, m.encoding == ColumnEncoding::kEnum16);
      return {};
    case ColumnType::kSet:
      if (c.labels.empty()) {
        return unmappable(c, "its labels are unknown (needs binlog_row_metadata=FULL or information_schema)");
      }
      for (const auto& l : c.labels) {
        // MySQL's own text form joins members with ','; an empty label would make {''} and {} the same text.
        if (l.empty()) return unmappable(c, "a SET with an empty member name has no unambiguous text form");
      }
      m.type = "String";
      m.encoding = ColumnEncoding::kSetText;
      return {};
    case ColumnType::kJson:
      m.type = options.json == JsonMapping::kNative && caps.json_type && !c.nullable ? "JSON" : "String";
      m.encoding = ColumnEncoding::kJsonText;
      return {};
    case ColumnType::kGeometry: m.type = "String"; m.encoding = ColumnEncoding::kGeometry; return {};
    case ColumnType::kVector: m.type = "Array(Float32)"; m.encoding = ColumnEncoding::kVector; return {};
    default:
      return unmappable(c, "the type does not occur in tables of supported MySQL/MariaDB versions");
  }
  // Date32 / DateTime64: the date policies apply.
  m.zero_dates = options.zero_dates;
  m.out_of_range_dates = options.out_of_range_dates;
  return {};
}

}  // namespace

Result<MappedColumn> map_column(const ColumnDef& column, const ServerCapabilities& caps,
                                const TypeMappingOptions& options) {
  if (column.name.empty()) return unmappable(column, "the column has no name (minimal TABLE_MAP metadata)");
  MappedColumn m;
  m.name = column.name;
  m.in_primary_key = column.in_primary_key;
  TRY(map_base(column, caps, options, m));
  bool nullable = column.nullable;
  if (is_temporal(m.encoding) &&
      (m.zero_dates == DatePolicy::kNull || m.out_of_range_dates == DatePolicy::kNull)) {
    nullable = true;  // zero / out-of-range dates may arrive in NOT NULL columns too
  }
  if (m.encoding == ColumnEncoding::kVector || m.type == "JSON") nullable = false;  // see ColumnEncoding
  if (column.in_primary_key) nullable = false;  // ORDER BY columns are never Nullable
  m.nullable = nullable;
  if (nullable) {
    if (m.type.starts_with("LowCardinality(")) {
      m.type = "LowCardinality(Nullable(String))";
    } else {
      m.type = "Nullable(" + m.type + ")";
    }
  }
  return m;
}

TargetName target_name(const DestinationConfig& destination, std::string_view source_database,
                       std::string_view source_table) {
  if (destination.naming == Naming::kPrefix) {
    return {destination.database, fmt::format("mysql_{}_{}", source_database, source_table)};
  }
  return {std::string(source_database), std::string(source_table)};
}

Result<TargetTable> map_table(const schema::TableSchema& source, const TargetName& name,
                              const ServerCapabilities& caps, const TypeMappingOptions& options) {
  TargetTable t;
  t.name = name;
  for (const auto& c : source.columns) {
    auto m = map_column(c, caps, options);
    if (!m.ok()) return std::move(m).error().context(fmt::format("table `{}`.`{}`", source.database, source.table));
    if (c.in_primary_key && m->nullable) m->nullable = false;
    t.columns.push_back(std::move(*m));
  }
  for (uint32_t k : source.primary_key) {
    if (k >= t.columns.size()) {
      return make_error(ErrorCode::kInvalidArgument, "table `{}`.`{}`: primary key column #{} does not exist",
                        source.database, source.table, k);
    }
    if (!t.columns[k].in_primary_key) {
      // The key list is authoritative; a column it names is a key column even if its flag was not set.
      auto m = map_column([&] { auto c = source.columns[k]; c.in_primary_key = true; return c; }(), caps, options);
      if (!m.ok()) return std::move(m).error();
      t.columns[k] = std::move(*m);
    }
    t.primary_key.push_back(k);
  }
  return t;
}

}  // namespace mysql2ch
