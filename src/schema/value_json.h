// The one canonical rendering of values as JSON (the `mysql2ch binlog` output format, and the form the
// differential tests compare): integers as numbers, DECIMAL as a string with exact digits, DATE "YYYY-MM-DD",
// DATETIME/TIMESTAMP "YYYY-MM-DD hh:mm:ss[.ffffff]" (TIMESTAMP in UTC; exactly fsp fraction digits), TIME
// "[-]hh:mm:ss[.ffffff]", text as a JSON string (converted to UTF-8), binary strings and GEOMETRY as
// {"base64":"..."}, JSON embedded as JSON, ENUM a string, SET an array of strings, BIT a number, VECTOR an
// array of numbers, NULL null.
//
// When the column's labels are unknown (TABLE_MAP without FULL metadata), ENUM renders its index and SET
// its bitmask as numbers. Text whose charset is unknown renders as a string when it is valid UTF-8 and as
// {"base64":...} otherwise. kAbsent renders nothing: callers skip absent columns.
//
// Rendering fails (kCorrupt) only on input that cannot be what the server sent: invalid UTF-8 in a utf8
// column, an ENUM index beyond the labels, malformed binary JSON, a NaN.
#pragma once

#include <string>
#include <string_view>

#include "common/char_buffer.h"
#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::schema {

// Appends `value` rendered as JSON to `out`. `column` may be null (then labels and BIT width are unknown).
// The CharBuffer forms render the same bytes, for output built in bulk. On failure `out` may hold part of
// the value: the caller drops what it appended.
Status append_value_json(const Value& value, const ColumnDef* column, std::string& out);
Status append_value_json(const Value& value, const ColumnDef* column, CharBuffer& out);

// Appends `utf8` as a JSON string literal (quotes, escapes for ", \ and control characters).
void append_json_string(std::string_view utf8, std::string& out);
void append_json_string(std::string_view utf8, CharBuffer& out);

// Appends the UTF-8 form of `text` in `charset` (utf8mb4/utf8mb3/ascii validated, latin1 converted as cp1252).
// Fails (kCorrupt) on bytes invalid in the charset, (kUnsupported) for kBinary/kUnknown/kUnsupported.
Status append_utf8(std::string_view text, Charset charset, std::string& out);

// Appends the UTF-8 form of `text` in `charset` as a JSON string. Fails on bytes invalid in the charset.
Status append_text_json(std::string_view text, Charset charset, std::string& out);
Status append_text_json(std::string_view text, Charset charset, CharBuffer& out);

// Appends the UTF-8 form of MySQL latin1 (Windows-1252) text, and the length that form has, so encoders can
// write a length prefix before the bytes without a temporary copy.
void append_latin1_as_utf8(std::string_view latin1, std::string& out);
size_t latin1_utf8_length(std::string_view latin1);

void append_base64(std::string_view bytes, std::string& out);

// Shortest round-trip texts; the JSON-number forms MySQL would accept back.
void append_double(double v, std::string& out);
void append_float(float v, std::string& out);

bool is_valid_utf8(std::string_view s);

}  // namespace mysql2ch::schema
