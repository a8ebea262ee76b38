#include "schema/column.h"

namespace mysql2ch::schema {

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kDecimal: return "DECIMAL(old)";
    case ColumnType::kTiny: return "TINYINT";
    case ColumnType::kShort: return "SMALLINT";
    case ColumnType::kLong: return "INT";
    case ColumnType::kFloat: return "FLOAT";
    case ColumnType::kDouble: return "DOUBLE";
    case ColumnType::kNull: return "NULL";
    case ColumnType::kTimestamp: return "TIMESTAMP(old)";
    case ColumnType::kLongLong: return "BIGINT";
    case ColumnType::kInt24: return "MEDIUMINT";
    case ColumnType::kDate: return "DATE";
    case ColumnType::kTime: return "TIME(old)";
    case ColumnType::kDateTime: return "DATETIME(old)";
    case ColumnType::kYear: return "YEAR";
    case ColumnType::kNewDate: return "NEWDATE";
    case ColumnType::kVarchar: return "VARCHAR";
    case ColumnType::kBit: return "BIT";
    case ColumnType::kTimestamp2: return "TIMESTAMP";
    case ColumnType::kDateTime2: return "DATETIME";
    case ColumnType::kTime2: return "TIME";
    case ColumnType::kTypedArray: return "TYPED_ARRAY";
    case ColumnType::kVector: return "VECTOR";
    case ColumnType::kInvalid: return "INVALID";
    case ColumnType::kBool: return "BOOL";
    case ColumnType::kJson: return "JSON";
    case ColumnType::kNewDecimal: return "DECIMAL";
    case ColumnType::kEnum: return "ENUM";
    case ColumnType::kSet: return "SET";
    case ColumnType::kTinyBlob: return "TINYBLOB";
    case ColumnType::kMediumBlob: return "MEDIUMBLOB";
    case ColumnType::kLongBlob: return "LONGBLOB";
    case ColumnType::kBlob: return "BLOB";
    case ColumnType::kVarString: return "VAR_STRING";
    case ColumnType::kString: return "CHAR";
    case ColumnType::kGeometry: return "GEOMETRY";
  }
  return "UNKNOWN_TYPE";
}

Charset charset_of_collation(uint32_t id) {
  // Ids from information_schema.COLLATIONS of MySQL 9.x and MariaDB 10.11/11.x.
  switch (id) {
    case 63: return Charset::kBinary;
    case 11: case 65: case 1035: case 1089: return Charset::kAscii;
    case 5: case 8: case 15: case 31: case 47: case 48: case 49: case 94: case 1032: case 1071:
      return Charset::kLatin1;
    case 33: case 76: case 83: case 223: case 576: case 577: case 578: case 1057: case 1107: case 1216: case 1238:
      return Charset::kUtf8mb3;
    case 45: case 46: case 608: case 609: case 610: case 1069: case 1070: case 1248: case 1270:
      return Charset::kUtf8mb4;
    default: break;
  }
  if (id >= 192 && id <= 215) return Charset::kUtf8mb3;
  if (id >= 224 && id <= 247) return Charset::kUtf8mb4;
  if (id >= 255 && id <= 323) return Charset::kUtf8mb4;
  if (id >= 2048 && id <= 2303) return Charset::kUtf8mb3;  // MariaDB utf8mb3_uca1400_*
  if (id >= 2304 && id <= 2559) return Charset::kUtf8mb4;  // MariaDB utf8mb4_uca1400_*
  return Charset::kUnsupported;
}

std::string_view charset_name(Charset charset) {
  switch (charset) {
    case Charset::kUnknown: return "unknown";
    case Charset::kBinary: return "binary";
    case Charset::kUtf8mb4: return "utf8mb4";
    case Charset::kUtf8mb3: return "utf8mb3";
    case Charset::kAscii: return "ascii";
    case Charset::kLatin1: return "latin1";
    case Charset::kUnsupported: return "unsupported";
  }
  return "unknown";
}

}  // namespace mysql2ch::schema
