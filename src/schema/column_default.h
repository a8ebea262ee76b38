// The value MySQL/MariaDB give the rows a table already has when a column is added: the column's DEFAULT
// literal (as written in the ALTER TABLE the binlog carries) read the way the server reads it, or the implicit
// default of a column without one, as the canonical Value (value.h) the row path would produce for the same
// stored value. Whoever writes the value afterwards (the ClickHouse DEFAULT of the added column) therefore goes
// through the same encoder as the rows, and the pre-existing rows read back exactly what the source shows.
//
// Only what is exact is accepted; anything else is kUnsupported naming the column and why:
//   - non-constant defaults (CURRENT_TIMESTAMP, NOW(), expressions in parentheses, introducers such as
//     _utf8mb4'x'): their value is known only to the source;
//   - temporal literals in forms other than the delimited ones ('YYYY-MM-DD', 'YYYY-MM-DD hh:mm:ss[.f]',
//     '[-]h:mm[:ss[.f]]', or 8-digit YYYYMMDD for DATE), and fractions with more non-zero digits than the
//     column's fsp (the server rounds them, or truncates under TIME_TRUNCATE_FRACTIONAL, which the binlog does
//     not say);
//   - a non-zero TIMESTAMP default written in a session time zone that is not a fixed offset ('+hh:mm', 'UTC');
//     'SYSTEM' means the source host's zone, which the binlog does not name;
//   - the implicit default of a NOT NULL TIMESTAMP (explicit_defaults_for_timestamp decides it, and the binlog
//     does not carry that setting), of JSON, GEOMETRY and VECTOR columns.
//
// Pure function; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::schema {

// `literal`: the DEFAULT clause as written (source text, converted to UTF-8), nullopt when the column has none.
// `time_zone`: the statement's session time zone as the QUERY event logs it (Q_TIME_ZONE_CODE), empty when not
// logged. The returned Value may view `storage`, which must outlive it.
Result<Value> added_column_value(const ColumnDef& column, const std::optional<std::string>& literal,
                                 std::string_view time_zone, std::string& storage);

// Sets t.year, t.month and t.day to the proleptic Gregorian date `days` days after 1970-01-01 (before, when
// negative); the other fields are left as they are.
void civil_from_days(int64_t days, Temporal& t);

}  // namespace mysql2ch::schema
