#include "binlog/table_map.h"

#include <fmt/core.h>

#include "binlog/byte_reader.h"
#include "schema/value_json.h"

namespace mysql2ch::binlog {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;

enum MetadataField : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
};

// Bytes of per-column metadata in the TABLE_MAP metadata block, by type code.
size_t metadata_size(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kGeometry:
    case ColumnType::kJson:
    case ColumnType::kVector:
    case ColumnType::kTimestamp2:
    case ColumnType::kDateTime2:
    case ColumnType::kTime2:
      return 1;
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kBit:
    case ColumnType::kNewDecimal:
    case ColumnType::kString:
    case ColumnType::kEnum:
    case ColumnType::kSet:
      return 2;
    default:
      return 0;
  }
}

bool is_character(const ColumnDef& c) {
  switch (c.type) {
    case ColumnType::kString:
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
      return true;
    default:
      return false;
  }
}
bool is_enum_or_set(const ColumnDef& c) { return c.type == ColumnType::kEnum || c.type == ColumnType::kSet; }

Status describe_column(uint8_t type, uint16_t meta, ColumnDef& c, size_t index) {
  c.type = static_cast<ColumnType>(type);
  switch (c.type) {
    case ColumnType::kString: {
      // byte 0: real type (with 2 high bits of the length folded in for long CHARs), byte 1: length low byte.
      const auto b0 = static_cast<uint8_t>(meta >> 8), b1 = static_cast<uint8_t>(meta & 0xFF);
      if ((b0 & 0x30) != 0x30) {
        c.max_length = b1 | (((b0 & 0x30) ^ 0x30) << 4);
        c.type = static_cast<ColumnType>(b0 | 0x30);
      } else {
        c.max_length = b1;
        c.type = static_cast<ColumnType>(b0);
      }
      if (c.type == ColumnType::kEnum || c.type == ColumnType::kSet) {
        c.length_bytes = b1;
        c.max_length = 0;
        if ((c.type == ColumnType::kEnum && (b1 < 1 || b1 > 2)) || (c.type == ColumnType::kSet && (b1 < 1 || b1 > 8))) {
          return make_error(ErrorCode::kCorrupt, "column {}: {} with pack length {}", index + 1,
                            schema::column_type_name(c.type), b1);
        }
      } else if (c.type != ColumnType::kString) {
        return make_error(ErrorCode::kCorrupt, "column {}: CHAR metadata names real type {}", index + 1, b0);
      }
      return {};
    }
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      c.max_length = meta;
      return {};
    case ColumnType::kBit:
      c.max_length = (meta >> 8) * 8u + (meta & 0xFF);  // bytes, bits
      if ((meta & 0xFF) > 7 || c.max_length > 64 || c.max_length == 0) {
        return make_error(ErrorCode::kCorrupt, "column {}: BIT metadata {:#x}", index + 1, meta);
      }
      return {};
    case ColumnType::kNewDecimal:
      c.precision = static_cast<uint8_t>(meta & 0xFF);
      c.scale = static_cast<uint8_t>(meta >> 8);
      return {};
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kGeometry:
    case ColumnType::kJson:
    case ColumnType::kVector:
      c.length_bytes = static_cast<uint8_t>(meta);
      if (c.length_bytes < 1 || c.length_bytes > 4) {
        return make_error(ErrorCode::kCorrupt, "column {}: {} with length prefix of {} bytes", index + 1,
                          schema::column_type_name(c.type), meta);
      }
      return {};
    case ColumnType::kTimestamp2:
    case ColumnType::kDateTime2:
    case ColumnType::kTime2:
      c.fsp = static_cast<uint8_t>(meta);
      if (c.fsp > 6) return make_error(ErrorCode::kCorrupt, "column {}: fractional precision {}", index + 1, meta);
      return {};
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return {};
    default:
      return {};
  }
}

// Bitmaps of optional metadata are most significant bit first.
bool msb_bit(std::span<const uint8_t> bits, size_t k) { return (bits[k / 8] >> (7 - k % 8) & 1) != 0; }

Status read_charset(ByteReader& r, ColumnDef& c) {
  uint64_t id;
  TRY(r.packed(id, "column charset"));
  c.collation_id = static_cast<uint32_t>(id);
  c.charset = schema::charset_of_collation(c.collation_id);
  if (c.charset == Charset::kUnsupported) {
    return make_error(ErrorCode::kUnsupported,
                      "column {} uses collation id {}, whose character set mysql2ch cannot convert to UTF-8 exactly "
                      "(supported: utf8mb4, utf8mb3, latin1, ascii, binary); convert the column or exclude the table",
                      c.name, id);
  }
  return {};
}

// DEFAULT_CHARSET style: a default, then (column ordinal among the selected columns, charset) overrides.
Status read_default_charsets(ByteReader field, std::vector<ColumnDef*>& cols) {
  uint64_t dflt;
  TRY(field.packed(dflt, "default charset"));
  for (auto* c : cols) {
    c->collation_id = static_cast<uint32_t>(dflt);
    c->charset = schema::charset_of_collation(c->collation_id);
  }
  while (!field.empty()) {
    uint64_t ordinal;
    TRY(field.packed(ordinal, "charset column index"));
    if (ordinal >= cols.size()) {
      return make_error(ErrorCode::kCorrupt, "charset override for column #{} of {}", ordinal, cols.size());
    }
    TRY(read_charset(field, *cols[ordinal]));
  }
  for (auto* c : cols) {
    if (c->charset == Charset::kUnsupported) {
      return make_error(ErrorCode::kUnsupported,
                        "column {} uses collation id {}, whose character set mysql2ch cannot convert to UTF-8 "
                        "exactly (supported: utf8mb4, utf8mb3, latin1, ascii, binary)",
                        c->name, c->collation_id);
    }
  }
  return {};
}

Status read_labels(ByteReader field, std::vector<ColumnDef*>& cols) {
  for (auto* c : cols) {
    if (field.empty()) return {};
    size_t n = 0;
    TRY(field.packed_count(n, 1, "label count"));
    c->labels.clear();
    c->labels.reserve(n);
    for (size_t k = 0; k < n; ++k) {
      size_t len = 0;
      TRY(field.packed_count(len, 0, "label length"));
      std::string_view s;
      TRY(field.text(len, s, "label"));
      c->labels.emplace_back(s);
    }
  }
  return {};
}

}  // namespace

bool is_numeric_column_type(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kNewDecimal:
    case ColumnType::kDecimal:
      return true;
    default:
      return false;
  }
}

Result<TableMap> parse_table_map(std::span<const uint8_t> data, uint8_t post_header_length) {
  ByteReader r(data, kEventHeaderSize);
  TableMap tm;
  TRY(r.uint_le(post_header_length == 6 ? 4 : 6, tm.table_id, "table id"));
  TRY(r.le(tm.flags, "table map flags"));
  if (post_header_length > 8) TRY(r.skip(post_header_length - 8u, "post-header"));
  uint8_t len;
  std::string_view s;
  TRY(r.le(len, "database name length"));
  TRY(r.text(len, s, "database name"));
  tm.schema.database = std::string(s);
  TRY(r.skip(1, "database name terminator"));
  TRY(r.le(len, "table name length"));
  TRY(r.text(len, s, "table name"));
  tm.schema.table = std::string(s);
  TRY(r.skip(1, "table name terminator"));

  size_t n;
  TRY(r.packed_count(n, 1, "column count"));
  std::span<const uint8_t> types;
  TRY(r.bytes(n, types, "column types"));
  tm.column_types.assign(types.begin(), types.end());
  size_t meta_len;
  TRY(r.packed_count(meta_len, 1, "metadata length"));
  std::span<const uint8_t> meta_block;
  TRY(r.bytes(meta_len, meta_block, "column metadata"));
  std::span<const uint8_t> nulls;
  TRY(r.bytes((n + 7) / 8, nulls, "null bitmap"));

  tm.column_meta.resize(n);
  tm.schema.columns.resize(n);
  ByteReader meta(meta_block);
  for (size_t k = 0; k < n; ++k) {
    const size_t size = metadata_size(types[k]);
    uint64_t m = 0;
    if (size == 2 && (types[k] == static_cast<uint8_t>(ColumnType::kString) ||
                      types[k] == static_cast<uint8_t>(ColumnType::kEnum) ||
                      types[k] == static_cast<uint8_t>(ColumnType::kSet))) {
      // CHAR's two metadata bytes are (real type, length), stored in that order.
      uint8_t b0, b1;
      TRY(meta.le(b0, "CHAR metadata"));
      TRY(meta.le(b1, "CHAR metadata"));
      m = static_cast<uint64_t>(b0) << 8 | b1;
    } else if (size == 2 && types[k] == static_cast<uint8_t>(ColumnType::kNewDecimal)) {
      uint8_t precision, scale;
      TRY(meta.le(precision, "DECIMAL precision"));
      TRY(meta.le(scale, "DECIMAL scale"));
      m = static_cast<uint64_t>(scale) << 8 | precision;
    } else if (size == 2 && types[k] == static_cast<uint8_t>(ColumnType::kBit)) {
      uint8_t bits, bytes;
      TRY(meta.le(bits, "BIT metadata"));
      TRY(meta.le(bytes, "BIT metadata"));
      m = static_cast<uint64_t>(bytes) << 8 | bits;
    } else if (size > 0) {
      TRY(meta.uint_le(size, m, "column metadata"));
    }
    tm.column_meta[k] = static_cast<uint16_t>(m);
    ColumnDef& c = tm.schema.columns[k];
    c.name = fmt::format("@{}", k + 1);
    c.nullable = (nulls[k / 8] >> (k % 8) & 1) != 0;
    TRY(describe_column(types[k], tm.column_meta[k], c, k));
    if (c.type == ColumnType::kDecimal || c.type == ColumnType::kTypedArray) {
      return make_error(ErrorCode::kUnsupported, "column {} of {}.{} has type {}, which row events do not carry",
                        k + 1, tm.schema.database, tm.schema.table, schema::column_type_name(c.type));
    }
  }

  std::vector<ColumnDef*> numeric, character, enum_set, geometry;
  for (size_t k = 0; k < n; ++k) {
    ColumnDef& c = tm.schema.columns[k];
    if (is_numeric_column_type(types[k])) numeric.push_back(&c);
    if (is_character(c)) character.push_back(&c);
    if (is_enum_or_set(c)) enum_set.push_back(&c);
    if (c.type == ColumnType::kGeometry) geometry.push_back(&c);
  }

  while (!r.empty()) {
    uint8_t field_type;
    TRY(r.le(field_type, "optional metadata type"));
    size_t field_len;
    TRY(r.packed_count(field_len, 1, "optional metadata length"));
    std::span<const uint8_t> field_bytes;
    TRY(r.bytes(field_len, field_bytes, "optional metadata"));
    ByteReader field(field_bytes, r.offset() - field_len);
    switch (field_type) {
      case kSignedness:
        if (field_bytes.size() * 8 < numeric.size()) return make_error(ErrorCode::kCorrupt, "short SIGNEDNESS metadata");
        for (size_t k = 0; k < numeric.size(); ++k) numeric[k]->is_unsigned = msb_bit(field_bytes, k);
        tm.has_signedness = true;
        break;
      case kDefaultCharset:
        TRY(read_default_charsets(field, character));
        tm.has_charsets = true;
        break;
      case kColumnCharset:
        for (auto* c : character) TRY(read_charset(field, *c));
        tm.has_charsets = true;
        break;
      case kEnumAndSetDefaultCharset: TRY(read_default_charsets(field, enum_set)); break;
      case kEnumAndSetColumnCharset:
        for (auto* c : enum_set) TRY(read_charset(field, *c));
        break;
      case kColumnName:
        for (auto& c : tm.schema.columns) {
          size_t l = 0;
          TRY(field.packed_count(l, 0, "column name length"));
          std::string_view name;
          TRY(field.text(l, name, "column name"));
          c.name = std::string(name);
        }
        tm.schema.column_names_known = true;
        break;
      case kSetStrValue: {
        std::vector<ColumnDef*> sets;
        for (auto* c : enum_set) if (c->type == ColumnType::kSet) sets.push_back(c);
        TRY(read_labels(field, sets));
        break;
      }
      case kEnumStrValue: {
        std::vector<ColumnDef*> enums;
        for (auto* c : enum_set) if (c->type == ColumnType::kEnum) enums.push_back(c);
        TRY(read_labels(field, enums));
        break;
      }
      case kGeometryType:
        for (auto* c : geometry) {
          uint64_t g;
          TRY(field.packed(g, "geometry type"));
          c->geometry_type = static_cast<uint32_t>(g);
        }
        break;
      case kSimplePrimaryKey:
        while (!field.empty()) {
          uint64_t idx;
          TRY(field.packed(idx, "primary key column"));
          if (idx >= n) return make_error(ErrorCode::kCorrupt, "primary key column {} of {}", idx, n);
          tm.schema.primary_key.push_back(static_cast<uint32_t>(idx));
          tm.schema.columns[idx].in_primary_key = true;
        }
        break;
      case kPrimaryKeyWithPrefix:
        while (!field.empty()) {
          uint64_t idx, prefix;
          TRY(field.packed(idx, "primary key column"));
          TRY(field.packed(prefix, "primary key prefix"));
          if (idx >= n) return make_error(ErrorCode::kCorrupt, "primary key column {} of {}", idx, n);
          tm.schema.primary_key.push_back(static_cast<uint32_t>(idx));
          tm.schema.columns[idx].in_primary_key = true;
        }
        break;
      case kColumnVisibility:
        if (field_bytes.size() * 8 < n) return make_error(ErrorCode::kCorrupt, "short COLUMN_VISIBILITY metadata");
        for (size_t k = 0; k < n; ++k) tm.schema.columns[k].visible = msb_bit(field_bytes, k);
        break;
      default:
        // Later servers add fields here (type-length-value, so they can be passed over); none of them changes how
        // a row image is decoded, which depends on the column types and metadata above only.
        break;
    }
  }
  // Without charset metadata a BLOB-typed column may be TEXT or BLOB; leave kUnknown (see value_json.h).
  // ENUM/SET labels arrive in the column's charset; the model keeps them in UTF-8.
  for (auto* c : enum_set) {
    if (c->charset == Charset::kUnknown) c->charset = Charset::kUtf8mb4;
    for (auto& label : c->labels) {
      std::string utf8;
      Status st = schema::append_utf8(label, c->charset, utf8);
      if (!st.ok()) return std::move(st).error().context(fmt::format("label of column {}", c->name));
      label = std::move(utf8);
    }
  }
  return tm;
}

}  // namespace mysql2ch::binlog
