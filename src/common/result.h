// Errors as values. Every fallible function in the core returns Status or Result<T>; exceptions are caught
// at the edges (third-party libraries, the CLI) and turned into these.
#pragma once

#include <cassert>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <fmt/core.h>

namespace mysql2ch {

// What kind of failure it is decides what a caller may do about it: retry (kUnavailable, kTimeout),
// report bad input (kInvalidArgument, kConfig), or stop (the rest).
enum class ErrorCode {
  kInvalidArgument,  // the caller's input is wrong
  kConfig,           // the configuration file is wrong (message names the key and line)
  kNotFound,
  kIo,               // local file or OS failure
  kUnavailable,      // a server could not be reached or dropped the connection; may succeed later
  kTimeout,
  kAuth,             // authentication or authorization refused
  kTls,              // TLS negotiation or certificate verification failed
  kProtocol,         // the peer sent something we cannot interpret
  kCorrupt,          // data failed an integrity check (checksum, bounds)
  kUnsupported,      // valid input that this program cannot handle exactly
  kServer,           // the server answered with an error
  kInternal,
};

const char* error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with what was being done: "reading config.yaml: line 3: ...".
  Error context(std::string_view what) const& { return Error(code_, fmt::format("{}: {}", what, message_)); }
  Error context(std::string_view what) && {
    message_ = fmt::format("{}: {}", what, message_);
    return std::move(*this);
  }

  bool retryable() const { return code_ == ErrorCode::kUnavailable || code_ == ErrorCode::kTimeout; }

 private:
  ErrorCode code_;
  std::string message_;
};

template <typename... Args>
Error make_error(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {
  return Error(code, fmt::format(f, std::forward<Args>(args)...));
}

// Result<T> holds a T or an Error. Accessing the wrong alternative is a programming error (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Status is the Result of an operation that yields nothing. Success holds no Error at all: a successful
// Status is one null pointer, so the hot decoding paths that return Status for every field pay nothing for
// the error they did not have.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::make_unique<Error>(std::move(error))) {}  // NOLINT(google-explicit-constructor)
  Status(const Status& other) : error_(other.error_ ? std::make_unique<Error>(*other.error_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) error_ = other.error_ ? std::make_unique<Error>(*other.error_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  static Status ok_status() { return {}; }

  bool ok() const { return error_ == nullptr; }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { assert(error_); return *error_; }
  Error&& error() && { assert(error_); return std::move(*error_); }

 private:
  std::unique_ptr<Error> error_;
};

}  // namespace mysql2ch

// Propagation helpers. TRY(expr) returns the error of a failed Status/Result; TRY_ASSIGN(var, expr) binds the
// value of a successful Result.
#define M2C_CONCAT_INNER(a, b) a##b
#define M2C_CONCAT(a, b) M2C_CONCAT_INNER(a, b)
#define TRY(expr)                                      \
  do {                                                 \
    auto&& m2c_try_ = (expr);                          \
    if (!m2c_try_.ok()) return std::move(m2c_try_).error(); \
  } while (0)
#define TRY_ASSIGN_IMPL(tmp, decl, expr)               \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).error();        \
  decl = std::move(tmp).value()
#define TRY_ASSIGN(decl, expr) TRY_ASSIGN_IMPL(M2C_CONCAT(m2c_res_, __LINE__), decl, expr)
