#include "schema/column_resolver.h"

#include <fmt/core.h>

namespace mysql2ch::schema {
namespace {

Error column_error(const ColumnSpec& spec, std::string_view what) {
  return make_error(ErrorCode::kInvalidArgument, "column `{}` {}: {}", spec.name, spec.type, what);
}

uint32_t geometry_code(std::string_view type) {
  if (type == "point") return 1;
  if (type == "linestring") return 2;
  if (type == "polygon") return 3;
  if (type == "multipoint") return 4;
  if (type == "multilinestring") return 5;
  if (type == "multipolygon") return 6;
  if (type == "geometrycollection") return 7;
  return 0;
}

uint8_t text_length_bytes(std::string_view type) {
  if (type == "tinytext" || type == "tinyblob") return 1;
  if (type == "text" || type == "blob") return 2;
  if (type == "mediumtext" || type == "mediumblob") return 3;
  return 4;
}

}  // namespace

uint64_t blob_capacity(uint8_t length_bytes) {
  return length_bytes >= 4 ? 0xFFFFFFFFull : (1ull << (8 * length_bytes)) - 1;
}

uint8_t blob_length_bytes_for(uint64_t bytes) {
  for (uint8_t n = 1; n < 4; ++n) {
    if (bytes <= blob_capacity(n)) return n;
  }
  return 4;
}

bool has_collation(const ColumnDef& c) {
  switch (c.type) {
    case ColumnType::kString:
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kEnum:
    case ColumnType::kSet:
      return true;
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
      return c.charset != Charset::kUnknown;
    default:
      return false;
  }
}

Result<CollationInfo> resolve_collation(Flavor flavor, const CharsetSpec& spec, const CollationInfo& inherited) {
  if (spec.empty()) return inherited;
  if (!spec.collation.empty()) {
    auto coll = find_collation(flavor, spec.collation);
    if (!coll) return make_error(ErrorCode::kInvalidArgument, "unknown collation '{}'", spec.collation);
    if (!spec.charset.empty()) {
      auto cs = canonical_charset(flavor, spec.charset);
      if (!cs) return make_error(ErrorCode::kInvalidArgument, "unknown character set '{}'", spec.charset);
      if (*cs != coll->charset) {
        return make_error(ErrorCode::kInvalidArgument, "collation '{}' is not of character set '{}'", spec.collation,
                          spec.charset);
      }
    }
    return *coll;
  }
  auto coll = default_collation(flavor, spec.charset);
  if (!coll) return make_error(ErrorCode::kInvalidArgument, "unknown character set '{}'", spec.charset);
  return *coll;
}

Result<ResolvedColumn> resolve_column(Flavor flavor, const ColumnSpec& spec, const CollationInfo& table_default) {
  ResolvedColumn out;
  ColumnDef& d = out.def;
  d.name = spec.name;
  d.nullable = spec.nullable.value_or(true) && !spec.primary_key;
  d.visible = !spec.invisible;
  const std::string& t = spec.type;

  const auto integer = [&](ColumnType type) {
    d.type = type;
    d.is_unsigned = spec.is_unsigned;
  };
  const auto temporal = [&](ColumnType type) -> Status {
    d.type = type;
    const uint32_t fsp = spec.length.value_or(0);
    if (fsp > 6) return column_error(spec, fmt::format("fractional second precision {} (at most 6)", fsp));
    d.fsp = static_cast<uint8_t>(fsp);
    return {};
  };
  // Character types: the collation decides text or binary.
  const auto character = [&](bool binary_type) -> Result<CollationInfo> {
    if (binary_type) {
      auto bin = find_collation(flavor, "binary");
      return *bin;
    }
    auto resolved = resolve_collation(flavor, spec.charset, table_default);
    if (!resolved.ok()) return std::move(resolved).error().context(fmt::format("column `{}`", spec.name));
    CollationInfo coll = std::move(resolved).value();
    if (spec.binary_collation && coll.charset != "binary") {
      auto bin = binary_collation(flavor, coll.charset);
      if (!bin) return column_error(spec, fmt::format("character set {} has no _bin collation", coll.charset));
      coll = *bin;
    }
    return coll;
  };
  const auto set_charset = [&](const CollationInfo& coll) {
    d.charset = charset_from_name(coll.charset);
    d.collation_id = coll.id;
    out.collation = coll.name;
  };

  if (t == "tinyint") {
    integer(ColumnType::kTiny);
  } else if (t == "smallint") {
    integer(ColumnType::kShort);
  } else if (t == "mediumint") {
    integer(ColumnType::kInt24);
  } else if (t == "int") {
    integer(ColumnType::kLong);
  } else if (t == "bigint") {
    integer(ColumnType::kLongLong);
  } else if (t == "float") {
    integer(spec.length && !spec.scale && *spec.length > 24 ? ColumnType::kDouble : ColumnType::kFloat);
    if (spec.length && !spec.scale && *spec.length > 53) return column_error(spec, "precision above 53");
  } else if (t == "double") {
    integer(ColumnType::kDouble);
  } else if (t == "decimal") {
    integer(ColumnType::kNewDecimal);
    const uint32_t precision = spec.length.value_or(10), scale = spec.scale.value_or(0);
    if (precision > 65 || precision == 0) return column_error(spec, fmt::format("precision {} (1..65)", precision));
    if (scale > 30 || scale > precision) return column_error(spec, fmt::format("scale {}", scale));
    d.precision = static_cast<uint8_t>(precision);
    d.scale = static_cast<uint8_t>(scale);
  } else if (t == "bit") {
    d.type = ColumnType::kBit;
    d.max_length = spec.length.value_or(1);
    if (d.max_length == 0 || d.max_length > 64) return column_error(spec, "BIT length must be 1..64");
  } else if (t == "date") {
    d.type = ColumnType::kDate;
  } else if (t == "datetime") {
    TRY(temporal(ColumnType::kDateTime2));
  } else if (t == "timestamp") {
    TRY(temporal(ColumnType::kTimestamp2));
  } else if (t == "time") {
    TRY(temporal(ColumnType::kTime2));
  } else if (t == "year") {
    d.type = ColumnType::kYear;
  } else if (t == "char" || t == "binary" || t == "varchar" || t == "varbinary") {
    const bool varying = t == "varchar" || t == "varbinary";
    if (varying && !spec.length) return column_error(spec, "missing length");
    TRY_ASSIGN(CollationInfo coll, character(t == "binary" || t == "varbinary"));
    set_charset(coll);
    d.type = varying ? ColumnType::kVarchar : ColumnType::kString;
    const uint64_t bytes = uint64_t{spec.length.value_or(1)} * max_bytes_per_char(coll.charset);
    if (!varying && spec.length.value_or(1) > 255) return column_error(spec, "CHAR/BINARY length above 255");
    if (bytes > 65535) return column_error(spec, fmt::format("{} bytes exceed a row's 65535", bytes));
    d.max_length = static_cast<uint32_t>(bytes);
  } else if (t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext" || t == "tinyblob" ||
             t == "blob" || t == "mediumblob" || t == "longblob") {
    const bool blob = t.find("blob") != std::string::npos;
    TRY_ASSIGN(CollationInfo coll, character(blob));
    set_charset(coll);
    d.type = ColumnType::kBlob;
    d.length_bytes = text_length_bytes(t);
    if (spec.length && (t == "text" || t == "blob")) {
      d.length_bytes = blob_length_bytes_for(uint64_t{*spec.length} * max_bytes_per_char(coll.charset));
    }
  } else if (t == "json") {
    if (flavor == Flavor::kMySQL) {
      d.type = ColumnType::kJson;
      d.length_bytes = 4;
    } else {
      auto coll = find_collation(flavor, "utf8mb4_bin");
      set_charset(*coll);
      d.type = ColumnType::kBlob;
      d.length_bytes = 4;
    }
  } else if (t == "enum" || t == "set") {
    TRY_ASSIGN(CollationInfo coll, character(false));
    set_charset(coll);
    d.labels = spec.labels;
    const size_t n = spec.labels.size();
    if (t == "enum") {
      if (n > 65535) return column_error(spec, "more than 65535 values");
      d.type = ColumnType::kEnum;
      d.length_bytes = n < 256 ? 1 : 2;
    } else {
      if (n > 64) return column_error(spec, "more than 64 values");
      d.type = ColumnType::kSet;
      const size_t bytes = (n + 7) / 8;
      d.length_bytes = static_cast<uint8_t>(bytes > 4 ? 8 : bytes);
    }
  } else if (geometry_code(t) != 0 || t == "geometry") {
    d.type = ColumnType::kGeometry;
    d.length_bytes = 4;
    d.geometry_type = geometry_code(t);
  } else if (t == "vector") {
    d.type = ColumnType::kVector;
    d.length_bytes = 4;
    d.max_length = 4 * spec.length.value_or(2048);
  } else {
    return column_error(spec, "unknown type");
  }
  return out;
}

}  // namespace mysql2ch::schema
