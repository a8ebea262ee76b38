// Row-image value decoding: one function per column type, chosen through a 256-entry table indexed by the
// type code, each reading from a bounds-checked ByteReader and producing a canonical schema::Value that views
// the event buffer (no allocation).
//
// Covered: every integer width signed/unsigned, DECIMAL (to 65 digits), FLOAT, DOUBLE, BIT, YEAR, DATE,
// TIME/DATETIME/TIMESTAMP in both the old and the fsp ("2") formats, zero dates, CHAR/VARCHAR/TEXT (charset from
// the column), BINARY (see value.h on its trailing zeros)/VARBINARY/BLOB, ENUM, SET, JSON
// (binary), GEOMETRY, VECTOR.
#pragma once

#include "binlog/byte_reader.h"
#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::binlog {

// Decodes the value of `column` at the reader's position and advances past it. Fails (kCorrupt) naming the
// column and offset when the image is truncated or the value is invalid, (kUnsupported) for a type without a
// row-image form.
Status decode_column_value(const schema::ColumnDef& column, ByteReader& in, schema::Value& out);

}  // namespace mysql2ch::binlog
