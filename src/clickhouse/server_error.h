// ClickHouse's own error reports, as both transports deliver them: the text body of a failed HTTP request or
// the error string of a chDB result. Turns them into an Error whose ErrorCode says what a caller may do
// (retry, fix its input, stop) and whose message keeps the server's exception code and text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mysql2ch {

// A parsed "Code: N ..." report. Both layouts are understood:
//   18.x–21.x: "Code: 193, e.displayText() = DB::Exception: Wrong password for user cdc, e.what() = DB::Exception"
//   22.x+:     "Code: 60. DB::Exception: Table a.b does not exist. (UNKNOWN_TABLE) (version 23.8.1.1)"
struct ServerException {
  int code = 0;
  std::string name;     // "UNKNOWN_TABLE" when the server says it (22.x+), else empty
  std::string message;  // the exception text without the "DB::Exception: " and trailer decorations
};

// nullopt when `body` does not start (after whitespace) with "Code: <digits>".
std::optional<ServerException> parse_server_exception(std::string_view body);

// The ErrorCode for a ClickHouse exception code: authentication/authorization codes are kAuth, unknown
// table/database kNotFound, transient overload and network codes kUnavailable/kTimeout (retryable), the rest
// kServer (not retryable: repeating a malformed statement cannot help).
ErrorCode classify_exception_code(int code);

// The Error for a server exception. Message: "ClickHouse error <code> [(<NAME>)]: <message>".
Error server_exception_error(const ServerException& e);

// The ClickHouse exception code carried by an Error made by server_exception_error() (also after context()
// prefixes), nullopt for other errors. Lets callers react to "already exists" and the like without parsing
// server prose.
std::optional<int> clickhouse_exception_code(const Error& error);

}  // namespace mysql2ch
