// MySQL column → ClickHouse column: the type written in DDL and the way the RowBinary encoder writes values of
// it. One table (type_mapping.cpp) holds the mapping for modern and legacy servers; README.md shows it.
// Nothing is mapped lossily: what a server cannot hold exactly is either stored as text (legacy servers) or
// follows the configured DatePolicy (zero and out-of-range dates), counted by the writer.
//
// Pure functions; no I/O. Names in the results are unquoted (quote with clickhouse_identifier).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clickhouse/capabilities.h"
#include "common/result.h"
#include "config/config.h"
#include "schema/column.h"

namespace mysql2ch {

// How the encoder writes one column's values (RowBinary layout in parentheses).
enum class ColumnEncoding : uint8_t {
  kInt8, kInt16, kInt32, kInt64,      // signed TINYINT..BIGINT, TINYINT(1)
  kUInt8, kUInt16, kUInt32, kUInt64,  // unsigned integers, YEAR (UInt16), BIT (UInt64)
  kFloat32, kFloat64,
  kDecimal,       // Decimal(p, s): unscaled two's complement integer of decimal_bytes (4/8/16/32)
  kDecimalText,   // String: the canonical decimal text (legacy servers, precision > 38)
  kDate32,        // Int32 days since 1970-01-01
  kDateTime64,    // Int64 ticks of 10^-scale seconds since 1970-01-01 00:00:00 UTC
  kTimeMicros,    // Int64 signed microseconds of a TIME
  kDateText,      // String "YYYY-MM-DD" exactly as MySQL has it (zero dates included; legacy)
  kDateTimeText,  // String "YYYY-MM-DD hh:mm:ss[.f{fsp}]" (DATETIME wall clock, TIMESTAMP in UTC; legacy)
  kText,          // String: character data converted to UTF-8
  kBytes,         // String: bytes as stored (BINARY(n) zero-padded to n)
  kEnum8, kEnum16,  // the ENUM index (0 = MySQL's '' error value)
  kEnumText,      // String: the label (ENUMs ClickHouse's Enum cannot express, see the .cpp)
  kSetText,       // String: the labels of the set members in definition order, joined by ','
  kJsonText,      // String or JSON: canonical JSON text
  kGeometry,      // String: MySQL's internal form, 4-byte little-endian SRID then WKB
  kVector,        // Array(Float32); a NULL of a nullable VECTOR is [] (MySQL has no empty vectors)
};

struct TypeMappingOptions {
  JsonMapping json = JsonMapping::kString;
  DatePolicy zero_dates = DatePolicy::kNull;
  DatePolicy out_of_range_dates = DatePolicy::kError;

  static TypeMappingOptions from(const DestinationConfig& destination) {
    return {destination.json, destination.zero_dates, destination.out_of_range_dates};
  }
};

struct MappedColumn {
  std::string name;
  std::string type;        // the full ClickHouse type, e.g. "Nullable(DateTime64(6, 'UTC'))"
  ColumnEncoding encoding = ColumnEncoding::kBytes;
  bool nullable = false;   // written with the Nullable marker byte
  bool in_primary_key = false;
  uint8_t precision = 0;      // kDecimal, kDecimalText
  uint8_t scale = 0;          // kDecimal: scale; kDateTime64: fsp; kTimeMicros/kDateTimeText: fsp
  uint8_t decimal_bytes = 0;  // kDecimal: 4, 8, 16 or 32
  DatePolicy zero_dates = DatePolicy::kError;          // kDate32 / kDateTime64
  DatePolicy out_of_range_dates = DatePolicy::kError;  // kDate32 / kDateTime64
};

// The ClickHouse column for `column`. Fails (kUnsupported) for types no server can hold exactly (pre-5.0
// DECIMAL, unknown ENUM/SET labels, unsupported charsets), naming the column and what to do.
Result<MappedColumn> map_column(const schema::ColumnDef& column, const ServerCapabilities& caps,
                                const TypeMappingOptions& options);

// Where a MySQL table lands: naming mirror → (db, table); prefix → (<database>, mysql_<db>_<table>).
struct TargetName {
  std::string database;
  std::string table;
};
TargetName target_name(const DestinationConfig& destination, std::string_view source_database,
                       std::string_view source_table);

// A destination table: its name and the mapped columns in source column order (the added _version and
// _is_deleted columns are not listed; DDL and the writer add them).
struct TargetTable {
  TargetName name;
  std::vector<MappedColumn> columns;
  std::vector<uint32_t> primary_key;  // indexes into columns, in key order; empty: append-only MergeTree
};

// Maps every column of `source`. Fails when a column cannot be mapped or a primary-key column is unknown.
Result<TargetTable> map_table(const schema::TableSchema& source, const TargetName& name,
                              const ServerCapabilities& caps, const TypeMappingOptions& options);

inline constexpr std::string_view kVersionColumn = "_version";
inline constexpr std::string_view kIsDeletedColumn = "_is_deleted";

}  // namespace mysql2ch
