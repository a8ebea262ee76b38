// MySQL's binary encodings of DECIMAL and of packed temporals, used by row images and by opaque values
// inside binary JSON. Pure functions over caller buffers; all reads bounds-checked.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "schema/value.h"

namespace mysql2ch::schema {

// Bytes of a binary DECIMAL(precision, scale); 0 when the parameters are invalid (precision 1..65, scale <=
// min(precision, 30)).
size_t decimal_binary_size(int precision, int scale);

// Decodes the binary DECIMAL(precision, scale) at the start of `in` into `out` (kind kDecimal, canonical text).
// Fails (kCorrupt) when `in` is too short, the parameters are invalid or a digit group is out of range.
Status decode_decimal_binary(std::span<const uint8_t> in, int precision, int scale, Value& out);

// MySQL's in-memory "packed" temporals (longlong: integer part << 24 | microseconds), as stored in binary
// JSON opaque values and as DATETIME2 / TIME2 are built.
Temporal temporal_from_packed_datetime(int64_t packed);
Temporal temporal_from_packed_time(int64_t packed);

}  // namespace mysql2ch::schema
