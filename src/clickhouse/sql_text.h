// Quoting for SQL text sent to ClickHouse. Every identifier and string literal that comes from outside
// (MySQL names, configuration) goes through these; nothing is spliced raw.
#pragma once

#include <string>
#include <string_view>

namespace mysql2ch {

// `name` in backticks, with backticks and backslashes escaped; any bytes (unicode, reserved words) are safe.
std::string clickhouse_identifier(std::string_view name);

// 'text' with quotes and backslashes escaped, for string literals.
std::string clickhouse_string(std::string_view text);

}  // namespace mysql2ch
