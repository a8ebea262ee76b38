// Small string utilities shared by every area.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mysql2ch {

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
std::string to_lower(std::string_view s);
// `text` without its space characters: ClickHouse spells a type with or without spaces after commas
// ("Decimal(20, 6)" in system.columns, "Decimal(20,6)" in generated DDL).
std::string without_spaces(std::string_view text);

// Decimal digits only, no sign, no overflow.
std::optional<uint64_t> parse_uint(std::string_view s);

// "64MiB", "512 KiB", "1GiB", "1048576", also KB/MB/GB (taken as binary units, as everyone means them).
std::optional<uint64_t> parse_byte_size(std::string_view s);

// The candidate with the smallest edit distance to `word`, if it is close enough to be a plausible typo.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// Shell-style glob with * and ? (no character classes), the whole string must match.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace mysql2ch
