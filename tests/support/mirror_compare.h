// Compares a mirror in ClickHouse with its MySQL/MariaDB source: each table's current rows (FINAL,
// _is_deleted = 0) against the source's rows, in one canonical text per value so both servers' renderings
// compare equal exactly when the values are equal:
//   integers, enums, DATETIME: the text both servers print;
//   DECIMAL: without trailing fractional zeros (ClickHouse versions differ in printing them);
//   character and binary strings: upper-case hex of the bytes (no escaping, no charset questions);
//   JSON: upper-case hex of the text, byte for byte (the mirror must keep the source's own spelling: MySQL's
//   printed form whether a row came from the snapshot or the stream, MariaDB's stored text);
//   NULL: \N.
// Rows are compared as sorted lists, so neither server's collation matters.
//
// The destination is read through `mysql2ch query -c <config>` (the built binary), so the same code reads a
// ClickHouse server and a chDB directory; with chDB, no other process may have the directory open.
// Test-only: source errors throw; destination errors become differences.
#pragma once

#include <string>
#include <vector>

#include "mysql/connection.h"

namespace mysql2ch::test {

// The source's canonical rows of `database`.`table`, sorted.
std::vector<std::string> canonical_source_rows(Connection& source, const std::string& database,
                                               const std::string& table);

// Empty when the destination table `database`.`table` (mirror naming) has exactly the source table's columns
// (by name, besides _version and _is_deleted) and current rows; otherwise what differs: row counts, the first
// differing rows of each side, or the query's error.
std::string compare_table(Connection& source, const std::string& config, const std::string& database,
                          const std::string& table);

// The tables of `database` in the destination, sorted, without the mirror's own (names starting with '_') and
// the `<table>_current` views made on servers without ReplacingMergeTree's is_deleted.
std::vector<std::string> destination_tables(const std::string& config, const std::string& database);

// `text` quoted for /bin/sh.
std::string shell_quote(const std::string& text);

}  // namespace mysql2ch::test
