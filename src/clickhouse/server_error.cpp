#include "clickhouse/server_error.h"

#include <fmt/format.h>

#include <cctype>

namespace mysql2ch {
namespace {

constexpr std::string_view kCodeLabel = "Code: ";
constexpr std::string_view kErrorLabel = "ClickHouse error ";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool strip_suffix(std::string_view& s, std::string_view suffix) {
  if (s.size() < suffix.size() || s.substr(s.size() - suffix.size()) != suffix) return false;
  s.remove_suffix(suffix.size());
  return true;
}

std::optional<int> leading_number(std::string_view& s) {
  size_t n = 0;
  int value = 0;
  while (n < s.size() && n < 9 && std::isdigit(static_cast<unsigned char>(s[n])) != 0) {
    value = value * 10 + (s[n] - '0');
    ++n;
  }
  if (n == 0) return std::nullopt;
  s.remove_prefix(n);
  return value;
}

// Removes a trailing "(WORD)" made of upper-case letters, digits and underscores; returns WORD.
std::string strip_trailing_name(std::string_view& s) {
  if (s.empty() || s.back() != ')') return {};
  const size_t open = s.rfind('(');
  if (open == std::string_view::npos) return {};
  const std::string_view inner = s.substr(open + 1, s.size() - open - 2);
  if (inner.empty()) return {};
  for (char c : inner) {
    if (std::isupper(static_cast<unsigned char>(c)) == 0 && std::isdigit(static_cast<unsigned char>(c)) == 0 &&
        c != '_') {
      return {};
    }
  }
  std::string name(inner);
  s = trim(s.substr(0, open));
  return name;
}

// Removes a trailing "(version 23.8.1.1)" or "(version 23.8.1.1 (official build))".
void strip_version_trailer(std::string_view& s) {
  const size_t at = s.rfind("(version ");
  if (at != std::string_view::npos && !s.empty() && s.back() == ')') s = trim(s.substr(0, at));
}

struct CodeClass {
  int code;
  ErrorCode kind;
};

// Codes that are not kServer. Values are ClickHouse's ErrorCodes.cpp numbers, stable across versions.
constexpr CodeClass kCodeClasses[] = {
    {60, ErrorCode::kNotFound},      // UNKNOWN_TABLE
    {81, ErrorCode::kNotFound},      // UNKNOWN_DATABASE
    {159, ErrorCode::kTimeout},      // TIMEOUT_EXCEEDED
    {164, ErrorCode::kAuth},         // READONLY
    {192, ErrorCode::kAuth},         // UNKNOWN_USER
    {193, ErrorCode::kAuth},         // WRONG_PASSWORD
    {194, ErrorCode::kAuth},         // REQUIRED_PASSWORD
    {195, ErrorCode::kAuth},         // IP_ADDRESS_NOT_ALLOWED
    {202, ErrorCode::kUnavailable},  // TOO_MANY_SIMULTANEOUS_QUERIES
    {203, ErrorCode::kUnavailable},  // NO_FREE_CONNECTION
    {209, ErrorCode::kTimeout},      // SOCKET_TIMEOUT
    {210, ErrorCode::kUnavailable},  // NETWORK_ERROR
    {225, ErrorCode::kUnavailable},  // NO_ZOOKEEPER
    {241, ErrorCode::kUnavailable},  // MEMORY_LIMIT_EXCEEDED: the server is loaded; may pass later
    {242, ErrorCode::kUnavailable},  // TABLE_IS_READ_ONLY: a replica lost its coordinator for a while
    {252, ErrorCode::kUnavailable},  // TOO_MANY_PARTS: merges have to catch up
    {291, ErrorCode::kAuth},         // DATABASE_ACCESS_DENIED
    {319, ErrorCode::kUnavailable},  // UNKNOWN_STATUS_OF_INSERT
    {497, ErrorCode::kAuth},         // ACCESS_DENIED
    {516, ErrorCode::kAuth},         // AUTHENTICATION_FAILED
    {999, ErrorCode::kUnavailable},  // KEEPER_EXCEPTION
};

}  // namespace

std::optional<ServerException> parse_server_exception(std::string_view body) {
  std::string_view s = trim(body);
  if (!consume(s, kCodeLabel)) return std::nullopt;
  const auto code = leading_number(s);
  if (!code) return std::nullopt;
  ServerException e;
  e.code = *code;
  // Old layout: ", e.displayText() = DB::Exception: text, e.what() = DB::Exception"; new: ". DB::Exception: text".
  if (!consume(s, ", e.displayText() = ") && !consume(s, ". ") && !consume(s, ", ")) consume(s, ":");
  s = trim(s);
  // Only the first line: later lines of a multi-line report are stack traces.
  if (const size_t nl = s.find('\n'); nl != std::string_view::npos) s = trim(s.substr(0, nl));
  strip_suffix(s, ", e.what() = DB::Exception");
  strip_version_trailer(s);
  e.name = strip_trailing_name(s);
  strip_version_trailer(s);
  if (!consume(s, "DB::Exception: ")) consume(s, "DB::NetException: ");
  e.message = std::string(trim(s));
  return e;
}

ErrorCode classify_exception_code(int code) {
  for (const auto& c : kCodeClasses) {
    if (c.code == code) return c.kind;
  }
  return ErrorCode::kServer;
}

Error server_exception_error(const ServerException& e) {
  if (e.name.empty()) return make_error(classify_exception_code(e.code), "{}{}: {}", kErrorLabel, e.code, e.message);
  return make_error(classify_exception_code(e.code), "{}{} ({}): {}", kErrorLabel, e.code, e.name, e.message);
}

std::optional<int> clickhouse_exception_code(const Error& error) {
  const std::string& m = error.message();
  const size_t at = m.find(kErrorLabel);
  if (at == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(m).substr(at + kErrorLabel.size());
  return leading_number(rest);
}

}  // namespace mysql2ch
