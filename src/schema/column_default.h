// The value MySQL/MariaDB give the rows a table already has when a column is added: the column's DEFAULT
// literal (as written in the ALTER TABLE the binlog carries) read the way the server reads it, or the implicit
// default of a column without one, as the canonical Value (value.h) the row path would produce for the same
// stored value. Whoever writes the value afterwards (the ClickHouse DEFAULT of the added column) therefore goes
// through the same encoder as the rows, and the pre-existing rows read back exactly what the source shows.
//
// CURRENT_TIMESTAMP[(p)] / NOW([p]) / LOCALTIME[STAMP][([p])] on a DATETIME or TIMESTAMP column: both servers
// give every existing row the statement's start time truncated to p digits (one value for all rows; checked on
// MySQL 9.7 and MariaDB 10.11), and both log it with the statement: the event header's timestamp and, when the
// statement used them, its microseconds (Q_MICROSECONDS / Q_HRNOW). TIMESTAMP takes that instant; DATETIME the
// wall clock of the session time zone, so it needs a fixed offset as below.
//
// Only what is exact is accepted; anything else is kUnsupported naming the column and why:
//   - other non-constant defaults (expressions in parentheses, other functions, introducers such as
//     _utf8mb4'x'): their value is known only to the source;
//   - CURRENT_TIMESTAMP(p > 0) of a statement logged without its microseconds;
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

// What the binlog says about the statement that added the column (binlog::QueryEvent's fields of that name).
struct StatementClock {
  std::string_view time_zone;                  // session time zone (Q_TIME_ZONE_CODE); empty when not logged
  uint32_t start_seconds = 0;                  // the statement's start, seconds since the epoch
  std::optional<uint32_t> start_microseconds;  // its microseconds, when logged
};

// `literal`: the DEFAULT clause as written (source text, converted to UTF-8), nullopt when the column has none.
// The returned Value may view `storage`, which must outlive it.
Result<Value> added_column_value(const ColumnDef& column, const std::optional<std::string>& literal,
                                 const StatementClock& statement, std::string& storage);

// Sets t.year, t.month and t.day to the proleptic Gregorian date `days` days after 1970-01-01 (before, when
// negative); the other fields are left as they are.
void civil_from_days(int64_t days, Temporal& t);

}  // namespace mysql2ch::schema
