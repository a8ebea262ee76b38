// TABLE_MAP_EVENT decoding: the column types and metadata that row images need, plus every optional metadata
// field (binlog_row_metadata MINIMAL or FULL): signedness, charsets (default and per column, also for ENUM/SET),
// column names, ENUM/SET labels, geometry types, primary key (simple and with prefixes), visibility.
//
// Without names (MINIMAL metadata or old servers) columns are named "@1", "@2", ... and
// schema.column_names_known is false; callers that have information_schema replace them.
#pragma once

#include <span>

#include "binlog/events.h"
#include "common/result.h"

namespace mysql2ch::binlog {

// Parses the post-header and body of a TABLE_MAP event (without the common header and checksum).
// `post_header_length` is 6 (4-byte table id, old servers) or 8.
Result<TableMap> parse_table_map(std::span<const uint8_t> data, uint8_t post_header_length);

// True for the types whose signedness the SIGNEDNESS metadata covers.
bool is_numeric_column_type(uint8_t type);

}  // namespace mysql2ch::binlog
