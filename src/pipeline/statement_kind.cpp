#include "pipeline/statement_kind.h"

#include <cctype>
#include <optional>

#include "common/strings.h"

namespace mysql2ch::pipeline {
namespace {

// Reads the words of a statement, skipping whitespace and comments.
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : s_(sql) {}

  // The next bare word, or one punctuation character; nullopt at the end.
  std::optional<std::string_view> next() {
    skip();
    if (p_ >= s_.size()) return std::nullopt;
    const size_t start = p_;
    while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) != 0 || s_[p_] == '_' || s_[p_] == '$' ||
                              static_cast<unsigned char>(s_[p_]) >= 0x80)) {
      ++p_;
    }
    if (p_ == start) ++p_;
    return s_.substr(start, p_ - start);
  }

 private:
  void skip() {
    while (p_ < s_.size()) {
      const char c = s_[p_];
      if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++p_;
      } else if (s_.substr(p_, 3) == "/*!") {
        // Versioned comment: its content is part of the statement; skip the marker and version digits.
        p_ += 3;
        while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_])) != 0) ++p_;
        in_versioned_ = true;
      } else if (in_versioned_ && s_.substr(p_, 2) == "*/") {
        p_ += 2;
        in_versioned_ = false;
      } else if (s_.substr(p_, 2) == "/*") {
        const size_t end = s_.find("*/", p_ + 2);
        p_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else if (c == '#' || (s_.substr(p_, 2) == "--" &&
                              (p_ + 2 >= s_.size() || std::isspace(static_cast<unsigned char>(s_[p_ + 2])) != 0))) {
        const size_t end = s_.find('\n', p_);
        p_ = end == std::string_view::npos ? s_.size() : end + 1;
      } else {
        return;
      }
    }
  }

  std::string_view s_;
  size_t p_ = 0;
  bool in_versioned_ = false;
};

}  // namespace

bool is_transaction_control(std::string_view sql) {
  Lexer lex(sql);
  const auto first = lex.next();
  if (!first) return false;
  const std::string w = to_lower(*first);
  if (w == "savepoint" || w == "xa" || w == "release") return true;
  if (w != "rollback") return false;
  const auto second = lex.next();
  return second && to_lower(*second) == "to";
}

}  // namespace mysql2ch::pipeline
