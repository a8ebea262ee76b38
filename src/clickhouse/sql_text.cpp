#include "clickhouse/sql_text.h"

namespace mysql2ch {
namespace {

std::string quote_with(std::string_view s, char quote) {
  std::string out;
  out.reserve(s.size() + 2);
  out += quote;
  for (char c : s) {
    if (c == quote || c == '\\') out += '\\';
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  return quote_with(name, '`');
}
std::string quote_string(std::string_view text) {
  return quote_with(text, '\'');
}

}  // namespace mysql2ch
