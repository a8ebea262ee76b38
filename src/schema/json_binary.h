// MySQL's binary JSON (the storage format of JSON columns in row images) rendered as compact JSON text.
// Keys come out in stored order, which is MySQL's canonical order (shorter keys first, then bytewise).
// Numbers: integers exactly; doubles with the shortest round-trip text (".0" added to integral ones, as MySQL
// prints them); opaque DECIMAL as a number with its exact digits; opaque DATE "YYYY-MM-DD", DATETIME/TIMESTAMP
// "YYYY-MM-DD hh:mm:ss.ffffff", TIME "[-]hh:mm:ss.ffffff" (strings, as MySQL prints them); other opaque
// values "base64:typeNN:..." as MySQL does. An empty input is JSON null (MySQL stores '' that way).
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

}  // namespace mysql2ch::schema
