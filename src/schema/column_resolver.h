// Turns a column as written in DDL (ColumnSpec) into the ColumnDef the row decoder and the destination use, the
// way the server describes it in TABLE_MAP metadata and information_schema:
//   integer types → kTiny/kShort/kInt24/kLong/kLongLong; FLOAT(p>24) → kDouble; DECIMAL → kNewDecimal (default
//   10,0); BIT(n) → kBit, max_length n bits; DATE → kDate; DATETIME/TIMESTAMP/TIME(fsp) → kDateTime2/kTimestamp2/
//   kTime2; YEAR → kYear; CHAR/BINARY → kString and VARCHAR/VARBINARY → kVarchar with max_length in bytes
//   (characters × the charset's maximum bytes per character); TEXT/BLOB of every size → kBlob with length_bytes
//   1..4 (TEXT(M)/BLOB(M) pick the smallest that holds M characters); ENUM → kEnum (length_bytes 1 or 2), SET →
//   kSet (length_bytes 1, 2, 3, 4 or 8), labels in definition order; JSON → kJson (MySQL) or utf8mb4_bin
//   LONGTEXT (MariaDB); spatial types → kGeometry with geometry_type; VECTOR(n) → kVector, max_length 4n.
// Character columns get charset and collation id from the column, else from `table_default`; CHARACTER SET
// binary turns CHAR/VARCHAR/TEXT into BINARY/VARBINARY/BLOB. Types whose charset TABLE_MAP does not carry
// (numbers, temporal, JSON on MySQL, geometry) keep Charset::kUnknown.
#pragma once

#include "common/result.h"
#include "schema/charset_catalog.h"
#include "schema/column.h"
#include "schema/ddl_statements.h"

namespace mysql2ch::schema {

// The collation CHARACTER SET / COLLATE select, or `inherited` when neither is given. Errors (kInvalidArgument) for
// unknown names and for a collation of another charset.
Result<CollationInfo> resolve_collation(Flavor flavor, const CharsetSpec& spec, const CollationInfo& inherited);

struct ResolvedColumn {
  ColumnDef def;
  std::string collation;  // the collation name of character/ENUM/SET columns; empty for the others
};

// Errors (kInvalidArgument) name the column: a missing VARCHAR length, DECIMAL(70), BIT(65), fsp 7, …
Result<ResolvedColumn> resolve_column(Flavor flavor, const ColumnSpec& spec, const CollationInfo& table_default);

// Bytes a BLOB/TEXT length prefix of `length_bytes` can count (255, 65535, 16777215, 4294967295).
uint64_t blob_capacity(uint8_t length_bytes);
// The smallest BLOB/TEXT length prefix that holds `bytes`.
uint8_t blob_length_bytes_for(uint64_t bytes);

// True for the types whose values carry a charset (CHAR, VARCHAR, TEXT, ENUM, SET and their binary forms).
bool has_collation(const ColumnDef& column);

}  // namespace mysql2ch::schema
