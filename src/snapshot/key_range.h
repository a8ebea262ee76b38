// Primary key tuples and ranges as the snapshot plans, persists and queries them.
//
// A key tuple is the texts of the key columns of one row, JSON-encoded as an array of strings (the form the
// state store keeps): integers/DECIMAL/YEAR as their decimal text, BIT/ENUM/SET as their number (col + 0,
// the order the index sorts them in), binary strings as hex digits, text and temporals as the utf8mb4 text
// the server prints. key_select_list() selects exactly those texts; key_predicate() turns tuples back into
// SQL literals of the same column types, so a bound compares as the index orders (collations included).
//
// Tables whose key cannot be bounded exactly (a FLOAT/DOUBLE column: its text is rounded) or that have no
// primary key are not chunked: chunkable() says so, and the planner gives them one whole-table chunk.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "mysql/connection.h"
#include "schema/column.h"

namespace mysql2ch::snapshot {

using KeyTuple = std::vector<std::string>;

bool chunkable(const schema::TableSchema& table);

std::string encode_key(const KeyTuple& key);
// kCorrupt when `json` is not an array of strings of the key's width.
Result<KeyTuple> decode_key(const std::string& json, size_t width);

// "`a`, HEX(`b`)" — the key columns' texts, for SELECT.
std::string key_select_list(const schema::TableSchema& table);
// "`a`, `b`" — ORDER BY in index order.
std::string key_order_list(const schema::TableSchema& table);

// The SQL condition of the range (lower, upper] ("1" when both are open), with literals escaped by `conn`.
// kInvalidArgument when a tuple's text is not a valid literal of its column (e.g. a non-numeric integer).
Result<std::string> key_predicate(const Connection& conn, const schema::TableSchema& table,
                                  const std::optional<KeyTuple>& lower, const std::optional<KeyTuple>& upper);

}  // namespace mysql2ch::snapshot
