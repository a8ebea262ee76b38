// Tokenizer for MySQL/MariaDB statements as they appear in QUERY events.
//
// Handles comments (-- , #, /* */), versioned comments (/*!NNNNN … */ kept when NNNNN ≤ the server's version,
// /*M!NNNNN … */ on MariaDB only), quoted identifiers (`a``b`, and "a" under ANSI_QUOTES), string literals with
// backslash escapes (unless NO_BACKSLASH_ESCAPES), '' and "" doubling, charset introducers (_utf8mb4'x', N'x'),
// hex and bit literals, and adjacent string concatenation ('a' 'b' is one string).
//
// Guarantees: tokenize() never reads outside `sql`, terminates in time linear in its size, and returns either
// all tokens (ending with a kEnd token) or an error naming the offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "schema/charset_catalog.h"

namespace mysql2ch::schema {

enum class TokenKind : uint8_t {
  kWord,         // unquoted identifier or keyword, as written
  kQuotedIdent,  // `x` (or "x" under ANSI_QUOTES), unescaped
  kString,       // '…' (or "…" without ANSI_QUOTES), unescaped; adjacent strings concatenated
  kNumber,       // 12, 1.5, .5, 1e10
  kHexOrBit,     // X'0F', 0x0F, B'101', 0b101 (text as written)
  kSymbol,       // one punctuation character, or a two-character operator (<=, >=, <>, !=, :=, ||, &&, <<, >>)
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  size_t offset = 0;  // first byte in the statement
  size_t end = 0;     // one past the last byte
};

struct LexOptions {
  Flavor flavor = Flavor::kMySQL;
  uint32_t server_version = 0;  // major*10000 + minor*100 + patch, for versioned comments
  bool ansi_quotes = false;
  bool no_backslash_escapes = false;
};

Result<std::vector<Token>> tokenize(std::string_view sql, const LexOptions& options);

// `near "…"` text for an error at `offset`, like the server's messages (at most 40 bytes, cut at a UTF-8 boundary).
std::string near_text(std::string_view sql, size_t offset);

}  // namespace mysql2ch::schema
