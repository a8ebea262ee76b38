#include "pipeline/statement_kind.h"

#include <cctype>
#include <optional>

#include "common/strings.h"

namespace mysql2ch::pipeline {
namespace {

// Reads words and identifiers from the statement, skipping whitespace and comments.
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : s_(sql) {}

  // The next token: a bare word, a `quoted` identifier (unquoted, `` doubled), or one punctuation char.
  // nullopt at the end.
  std::optional<std::string> next() {
    skip();
    if (p_ >= s_.size()) return std::nullopt;
    const char c = s_[p_];
    if (c == '`') {
      std::string out;
      ++p_;
      while (p_ < s_.size()) {
        if (s_[p_] == '`') {
          if (p_ + 1 < s_.size() && s_[p_ + 1] == '`') {
            out += '`';
            p_ += 2;
            continue;
          }
          ++p_;
          break;
        }
        out += s_[p_++];
      }
      return out;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
        static_cast<unsigned char>(c) >= 0x80) {
      const size_t start = p_;
      while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) != 0 || s_[p_] == '_' ||
                                s_[p_] == '$' || static_cast<unsigned char>(s_[p_]) >= 0x80)) {
        ++p_;
      }
      return std::string(s_.substr(start, p_ - start));
    }
    ++p_;
    return std::string(1, c);
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
      } else if (c == '#' || (s_.substr(p_, 2) == "--" && (p_ + 2 >= s_.size() ||
                                                            std::isspace(static_cast<unsigned char>(s_[p_ + 2])) != 0))) {
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

StatementKind classify_statement(std::string_view sql) {
  StatementKind out;
  Lexer lex(sql);
  auto first = lex.next();
  if (!first) return out;
  const std::string w = to_lower(*first);
  if (w == "savepoint" || w == "xa" || w == "release") {
    out.kind = StatementKind::Kind::kTransactionControl;
    return out;
  }
  if (w == "rollback") {
    auto second = lex.next();
    if (second && to_lower(*second) == "to") out.kind = StatementKind::Kind::kTransactionControl;
    return out;
  }
  if (w != "truncate") return out;
  auto name = lex.next();
  if (name && to_lower(*name) == "table") name = lex.next();
  if (!name) return out;
  auto dot = lex.next();
  if (dot && *dot == ".") {
    auto table = lex.next();
    if (!table) return out;
    out.database = *name;
    out.table = *table;
  } else {
    out.table = *name;
  }
  out.kind = StatementKind::Kind::kTruncate;
  return out;
}

}  // namespace mysql2ch::pipeline
