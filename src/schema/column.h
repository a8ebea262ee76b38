// The canonical table model shared by the binlog decoder, the snapshot reader and the ClickHouse writer:
// what a column is (MySQL type code and its parameters) and what a table is (ordered columns, primary key).
//
// A ColumnDef is filled from whatever source knows the column: TABLE_MAP metadata (binlog), information_schema
// (snapshot, network binlog with minimal metadata), or parsed DDL. Fields a source does not know keep the
// defaults documented below, and the renderer falls back as documented in value.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mysql2ch::schema {

// MySQL's enum_field_types codes, as they appear in TABLE_MAP events and in the protocol.
enum class ColumnType : uint8_t {
  kDecimal = 0,  // pre-5.0 DECIMAL; never in row events of supported servers
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,  // pre-5.6 TIMESTAMP (seconds, no fsp)
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,      // pre-5.6 TIME (HHMMSS integer)
  kDateTime = 12,  // pre-5.6 DATETIME (YYYYMMDDhhmmss integer)
  kYear = 13,
  kNewDate = 14,
  kVarchar = 15,
  kBit = 16,
  kTimestamp2 = 17,
  kDateTime2 = 18,
  kTime2 = 19,
  kTypedArray = 20,
  kVector = 242,
  kInvalid = 243,
  kBool = 244,
  kJson = 245,
  kNewDecimal = 246,
  kEnum = 247,
  kSet = 248,
  kTinyBlob = 249,
  kMediumBlob = 250,
  kLongBlob = 251,
  kBlob = 252,
  kVarString = 253,
  kString = 254,
  kGeometry = 255,
};

std::string_view column_type_name(ColumnType type);

// Character sets the values can be converted from. Anything else is rejected when the column is described,
// naming the collation, so a value is never rendered in the wrong charset.
enum class Charset : uint8_t {
  kUnknown,  // the source did not say (TABLE_MAP without charset metadata): see value.h for rendering
  kBinary,
  kUtf8mb4,
  kUtf8mb3,
  kAscii,
  kLatin1,   // MySQL's latin1 is Windows-1252 (with 0x81, 0x8D, 0x8F, 0x90, 0x9D passed through)
  kUnsupported,
};

// The charset of a collation id of MySQL 8/9 or MariaDB 10.5+ (including MariaDB's uca1400 ids above 2047);
// kUnsupported for any collation of another charset.
Charset charset_of_collation(uint32_t collation_id);
std::string_view charset_name(Charset charset);

struct ColumnDef {
  std::string name;          // empty when the source does not know it (TABLE_MAP minimal metadata)
  ColumnType type = ColumnType::kNull;  // the type code as stored in row images (ENUM/SET resolved, see below)
  bool is_unsigned = false;  // numeric types only; false when unknown
  bool nullable = true;
  bool in_primary_key = false;
  bool visible = true;
  Charset charset = Charset::kUnknown;  // character and ENUM/SET columns
  uint32_t collation_id = 0;            // 0 when unknown
  uint8_t fsp = 0;           // fractional second digits of TIME/DATETIME/TIMESTAMP (0..6)
  uint8_t precision = 0;     // DECIMAL
  uint8_t scale = 0;         // DECIMAL
  uint32_t max_length = 0;   // bytes: CHAR/BINARY/VARCHAR/VARBINARY maximum; BIT: bits
  uint8_t length_bytes = 0;  // BLOB/TEXT/JSON/GEOMETRY/VECTOR length prefix (1..4); ENUM/SET pack length
  uint32_t geometry_type = 0;          // from metadata (0 = GEOMETRY)
  std::vector<std::string> labels;     // ENUM/SET values in definition order, in UTF-8; empty when unknown

  // Row images carry text as CHAR/VARCHAR/BLOB with a charset; these say which columns are which.
  bool is_text() const { return charset != Charset::kBinary; }
};

struct TableSchema {
  std::string database;
  std::string table;
  std::vector<ColumnDef> columns;
  std::vector<uint32_t> primary_key;  // column indexes in key order; empty when unknown or no PK
  bool column_names_known = false;    // false: names are "@1", "@2", ... (minimal TABLE_MAP metadata)
};

}  // namespace mysql2ch::schema
