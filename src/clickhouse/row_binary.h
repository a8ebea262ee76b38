// Canonical values (schema/value.h) → ClickHouse RowBinary, appended to a caller's byte buffer. The encoder
// writes what type_mapping.h decided for the column; it allocates nothing per value (the buffer grows
// amortised; one scratch string is reused for values whose length is known only after rendering: binary
// JSON, SET text).
//
// Threading: one thread per encoder. The values' byte views must be valid during append() only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "clickhouse/type_mapping.h"
#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch {

// Dates the destination type could not hold, handled by the column's DatePolicy (null or clamp; error
// stops before counting).
struct DateCounters {
  uint64_t zero_dates = 0;
  uint64_t out_of_range_dates = 0;
};

class RowBinaryEncoder {
 public:
  // Appends `value` of `column` (the source column: labels, BINARY width, charset) as `mapped` says.
  // Fails, appending nothing, when the value cannot be what the column holds (wrong kind, out of range,
  // invalid text), when it is kAbsent, or when a date policy says error — the message names the column.
  Status append(const MappedColumn& mapped, const schema::ColumnDef& column, const schema::Value& value,
                std::string& out);

  const DateCounters& counters() const { return counters_; }

 private:
  Status append_present(const MappedColumn& mapped, const schema::ColumnDef& column, const schema::Value& value,
                        std::string& out);
  std::string scratch_;
  DateCounters counters_;
};

// RowBinary primitives, little endian.
void append_varuint(uint64_t v, std::string& out);
void append_rowbinary_string(std::string_view bytes, std::string& out);
template <typename T>
void append_fixed(T v, std::string& out) {
  char b[sizeof(T)];
  __builtin_memcpy(b, &v, sizeof(T));  // x86-64 and aarch64 are little endian, as RowBinary is
  out.append(b, sizeof(T));
}

// Days from 1970-01-01 to the proleptic Gregorian date (negative before).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// Writes the unscaled integer of canonical decimal text as a `bytes`-wide (4/8/16/32) two's complement
// little-endian integer. Fails when the text is not canonical or has more than `precision` digits or a
// scale other than `scale`.
Status append_decimal(std::string_view text, unsigned precision, unsigned scale, unsigned bytes, std::string& out);

}  // namespace mysql2ch
