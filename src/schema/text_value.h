// SELECT text → canonical Value, so the snapshot path produces exactly what the binlog decoder produces for
// the same row. The text of each column must be what the server prints for it with a utf8mb4 connection and
// time_zone '+00:00', except where a plain SELECT loses information, for which the reader selects an
// expression instead:
//   FLOAT   CAST(col AS DOUBLE)   (a plain SELECT rounds FLOAT to 6 significant digits)
//   BIT     col + 0               (the number, in decimal)
// Text columns are taken as utf8mb4 (the connection charset); binary strings, GEOMETRY and VECTOR as raw bytes.
//
// The returned Value views `text` (strings, bytes, JSON): keep `text` alive while the Value is used.
#pragma once

#include <string_view>

#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::schema {

// Fails (kInvalidArgument) when `text` is not a valid rendering of a value of `column`, naming the column.
Result<Value> value_from_select_text(const ColumnDef& column, std::string_view text);

// The same conversion written into `out`, for the snapshot's per-value loop (no Result, no Value copy: they
// showed in profiles). Writes out.kind and the fields of that kind only; the other fields keep what they
// held, which no reader of a Value looks at. Returns false when `text` is not a valid rendering, or `column`'s
// type has none; `out` is then unspecified and select_text_error() says why.
bool parse_select_text(const ColumnDef& column, std::string_view text, Value& out);
// The error value_from_select_text returns for a `text` that parse_select_text refused.
Error select_text_error(const ColumnDef& column, std::string_view text);

}  // namespace mysql2ch::schema
