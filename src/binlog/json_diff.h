// Partial JSON updates (PARTIAL_UPDATE_ROWS_EVENT, binlog_row_value_options=PARTIAL_JSON): applies the diff
// vector of one JSON column to the column's before-image document and produces the full after-image as
// JSON text in the binary JSON renderer's form (MySQL's own text: ", " and ": " separators; json_binary.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mysql2ch::binlog {

// `before_text` is the JSON text of the before image; `diffs` the diff vector as stored in the after image
// (a sequence of: operation byte (0 replace, 1 insert, 2 remove), length-encoded path length, path, and unless
// removing, length-encoded value length and a binary JSON value). Appends the resulting document to `out`.
// Fails (kCorrupt) on malformed diffs or a path the document does not have where the operation needs one.
Status apply_json_diffs(std::string_view before_text, std::span<const uint8_t> diffs, std::string& out);

}  // namespace mysql2ch::binlog
