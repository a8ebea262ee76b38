// A password or key held in memory. It cannot be formatted or streamed: the only way to the bytes is
// reveal(), which is greppable and used only where the secret is handed to a library. This is how
// "secrets never appear in logs, errors or status output" is kept structurally rather than by care.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>

namespace mysql2ch {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

}  // namespace mysql2ch

template <>
struct fmt::formatter<mysql2ch::Secret> : fmt::formatter<std::string_view> {
  auto format(const mysql2ch::Secret& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.empty() ? "(none)" : "****", ctx);
  }
};
