// MySQL's binary JSON (the storage format of JSON columns in row images) rendered as JSON text exactly as MySQL
// itself prints it (SELECT of a JSON column), so that rows from the binlog and rows from a snapshot SELECT are
// byte-identical: ", " between members and elements, ": " after keys, keys in stored order (MySQL's canonical
// order: shorter keys first, then bytewise). Strings: '"', '\\', \b \f \n \r \t escaped, other control
// characters as \u00xx, everything else (DEL, '/', non-ASCII) verbatim. Numbers: integers exactly; doubles as
// append_mysql_json_double; opaque DECIMAL with its exact digits and scale (1.50); opaque DATE "YYYY-MM-DD",
// DATETIME/TIMESTAMP "YYYY-MM-DD hh:mm:ss.ffffff", TIME "[-]hh:mm:ss.ffffff" (strings); other opaque values
// "base64:typeNN:..." as MySQL does. An empty input is JSON null (MySQL stores '' that way).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/result.h"

namespace mysql2ch::schema {

// Appends the JSON text of the binary JSON document `doc` to `out`. Every offset and length is checked against
// `doc`; malformed input fails with kCorrupt naming the byte offset within the document. Nesting deeper than
// 150 levels is rejected (MySQL allows 100), which bounds recursion.
Status append_json_binary(std::span<const uint8_t> doc, std::string& out);

// Appends the JSON text of one binary JSON value of `type` whose data starts at `data` (no type byte), as in the
// values of a partial-update diff.
Status append_json_binary_value(uint8_t type, std::span<const uint8_t> data, std::string& out);

// Appends `d` (finite) as MySQL prints a JSON double: the shortest round-trip digits, in fixed notation when the
// decimal point falls inside them, for integral values below 1e15 (with ".0": 1.0, 100.0, -0.0) and for
// magnitudes from 1e-15 (0.0000003); otherwise "d.dddeX" with no '+' and no leading exponent zeros (1e15,
// 1.5e-16, 5e-324).
void append_mysql_json_double(double d, std::string& out);

}  // namespace mysql2ch::schema
