#include "schema/ddl_lexer.h"

#include <cctype>

namespace mysql2ch::schema {
namespace {

bool is_ident_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || c == '$' || u >= 0x80;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) {
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return !s.empty();
}

class Lexer {
 public:
  Lexer(std::string_view sql, const LexOptions& options) : sql_(sql), options_(options) {}

  Result<std::vector<Token>> run() {
    while (true) {
      TRY(skip_space_and_comments());
      if (pos_ >= sql_.size()) break;
      TRY(next_token());
    }
    if (versioned_depth_ > 0) {
      return make_error(ErrorCode::kInvalidArgument, "versioned comment opened at offset {} is not closed",
                        versioned_start_);
    }
    tokens_.push_back(Token{TokenKind::kEnd, "", sql_.size(), sql_.size()});
    return std::move(tokens_);
  }

 private:
  char at(size_t k) const { return k < sql_.size() ? sql_[k] : '\0'; }

  Status skip_space_and_comments() {
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_];
      if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else if (c == '#' || (c == '-' && at(pos_ + 1) == '-' &&
                              (pos_ + 2 >= sql_.size() || std::isspace(static_cast<unsigned char>(at(pos_ + 2))) != 0 ||
                               std::iscntrl(static_cast<unsigned char>(at(pos_ + 2))) != 0))) {
        while (pos_ < sql_.size() && sql_[pos_] != '\n') ++pos_;
      } else if (c == '*' && at(pos_ + 1) == '/' && versioned_depth_ > 0) {
        --versioned_depth_;
        pos_ += 2;
      } else if (c == '/' && at(pos_ + 1) == '*') {
        TRY(open_comment());
      } else {
        break;
      }
    }
    return {};
  }

  // At "/*": a versioned comment whose content is part of the statement, or a comment to skip.
  Status open_comment() {
    const size_t start = pos_;
    size_t k = pos_ + 2;
    bool mariadb_only = false;
    if (at(k) == 'M' && at(k + 1) == '!') {
      mariadb_only = true;
      ++k;
    }
    if (at(k) == '!') {
      ++k;
      size_t digits = 0;
      uint32_t version = 0;
      while (digits < 6 && is_digit(at(k + digits))) {
        version = version * 10 + static_cast<uint32_t>(at(k + digits) - '0');
        ++digits;
      }
      // Five or six digits are a version; fewer belong to the content (MySQL reads exactly that many).
      if (digits < 5) {
        digits = 0;
        version = 0;
      }
      const bool flavor_ok = !mariadb_only || options_.flavor == Flavor::kMariaDB;
      if (flavor_ok && version <= options_.server_version) {
        if (versioned_depth_ > 0) {
          return make_error(ErrorCode::kInvalidArgument, "nested versioned comment at offset {}", start);
        }
        ++versioned_depth_;
        versioned_start_ = start;
        pos_ = k + digits;
        return {};
      }
    }
    const size_t close = sql_.find("*/", pos_ + 2);
    if (close == std::string_view::npos) {
      return make_error(ErrorCode::kInvalidArgument, "comment opened at offset {} is not closed", start);
    }
    pos_ = close + 2;
    return {};
  }

  Status next_token() {
    const size_t start = pos_;
    const char c = sql_[pos_];
    if (c == '`' || (c == '"' && options_.ansi_quotes)) return quoted_identifier(c);
    if (c == '\'' || c == '"') return string_literal(start, c);
    if ((c == 'x' || c == 'X' || c == 'b' || c == 'B') && at(pos_ + 1) == '\'') {
      const size_t close = sql_.find('\'', pos_ + 2);
      if (close == std::string_view::npos) return unclosed("hex/bit literal", start);
      pos_ = close + 1;
      push(TokenKind::kHexOrBit, std::string(sql_.substr(start, pos_ - start)), start);
      return {};
    }
    if ((c == 'n' || c == 'N') && at(pos_ + 1) == '\'') {
      ++pos_;
      return string_literal(start, '\'');
    }
    if (is_digit(c) || (c == '.' && is_digit(at(pos_ + 1)) && !after_name())) return number_or_word(start);
    if (is_ident_char(c)) {
      while (pos_ < sql_.size() && is_ident_char(sql_[pos_])) ++pos_;
      std::string_view word = sql_.substr(start, pos_ - start);
      // A charset introducer: _utf8mb4'text'.
      if (word.size() > 1 && word[0] == '_' && (at(pos_) == '\'' || (at(pos_) == '"' && !options_.ansi_quotes))) {
        return string_literal(start, sql_[pos_]);
      }
      push(TokenKind::kWord, std::string(word), start);
      return {};
    }
    static constexpr std::string_view kTwoCharOps[] = {"<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>"};
    for (auto op : kTwoCharOps) {
      if (sql_.substr(pos_, 2) == op) {
        pos_ += 2;
        push(TokenKind::kSymbol, std::string(op), start);
        return {};
      }
    }
    ++pos_;
    push(TokenKind::kSymbol, std::string(1, c), start);
    return {};
  }

  // A '.' right after a name is a qualifier separator (db.t), not the start of a number (.5).
  bool after_name() const {
    if (tokens_.empty()) return false;
    const auto& last = tokens_.back();
    return last.end == pos_ && (last.kind == TokenKind::kWord || last.kind == TokenKind::kQuotedIdent);
  }

  Status number_or_word(size_t start) {
    while (pos_ < sql_.size() && is_ident_char(sql_[pos_])) ++pos_;
    const std::string_view word = sql_.substr(start, pos_ - start);
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'b')) {
      bool literal = true;
      for (char ch : word.substr(2)) {
        literal = literal && (word[1] == 'x' ? std::isxdigit(static_cast<unsigned char>(ch)) != 0 : (ch == '0' || ch == '1'));
      }
      if (literal) {
        push(TokenKind::kHexOrBit, std::string(word), start);
        return {};
      }
    }
    const size_t e = word.find_first_of("eE");
    const bool mantissa_digits = all_digits(word.substr(0, e)) || word.empty();
    const bool exponent_here = e != std::string_view::npos && mantissa_digits &&
                               (all_digits(word.substr(e + 1)) ||
                                (e + 1 == word.size() && (at(pos_) == '+' || at(pos_) == '-') && is_digit(at(pos_ + 1))));
    if (!word.empty() && !all_digits(word) && !exponent_here) {
      // Identifiers may begin with digits (1col); only purely numeric words are numbers.
      push(TokenKind::kWord, std::string(word), start);
      return {};
    }
    if (e == std::string_view::npos && at(pos_) == '.') {
      ++pos_;
      while (is_digit(at(pos_))) ++pos_;
    }
    if (e == std::string_view::npos && (at(pos_) == 'e' || at(pos_) == 'E')) {
      const size_t mark = pos_++;
      if (at(pos_) == '+' || at(pos_) == '-') ++pos_;
      if (!is_digit(at(pos_))) pos_ = mark;
      while (is_digit(at(pos_))) ++pos_;
    } else if (exponent_here && e + 1 == word.size()) {
      ++pos_;
      while (is_digit(at(pos_))) ++pos_;
    }
    push(TokenKind::kNumber, std::string(sql_.substr(start, pos_ - start)), start);
    return {};
  }

  Status quoted_identifier(char quote) {
    const size_t start = pos_;
    ++pos_;
    std::string text;
    while (true) {
      if (pos_ >= sql_.size()) return unclosed("quoted identifier", start);
      const char c = sql_[pos_++];
      if (c == quote) {
        if (at(pos_) == quote) {
          text.push_back(quote);
          ++pos_;
          continue;
        }
        break;
      }
      text.push_back(c);
    }
    push(TokenKind::kQuotedIdent, std::move(text), start);
    return {};
  }

  // At the opening quote (pos_ may be past an introducer that starts at `start`).
  Status string_literal(size_t start, char quote) {
    const size_t open = pos_;
    ++pos_;
    std::string text;
    while (true) {
      if (pos_ >= sql_.size()) return unclosed("string literal", open);
      const char c = sql_[pos_++];
      if (c == quote) {
        if (at(pos_) == quote) {
          text.push_back(quote);
          ++pos_;
          continue;
        }
        break;
      }
      if (c == '\\' && !options_.no_backslash_escapes) {
        if (pos_ >= sql_.size()) return unclosed("string literal", open);
        const char e = sql_[pos_++];
        switch (e) {
          case '0': text.push_back('\0'); break;
          case 'b': text.push_back('\b'); break;
          case 'n': text.push_back('\n'); break;
          case 'r': text.push_back('\r'); break;
          case 't': text.push_back('\t'); break;
          case 'Z': text.push_back('\x1A'); break;
          case '%': case '_': text.push_back('\\'); text.push_back(e); break;  // kept for LIKE, as the server does
          default: text.push_back(e); break;
        }
        continue;
      }
      text.push_back(c);
    }
    // 'a' 'b' is one literal; an introducer only on the first part.
    if (!tokens_.empty() && tokens_.back().kind == TokenKind::kString && start == open && last_was_plain_string_) {
      tokens_.back().text += text;
      tokens_.back().end = pos_;
      return {};
    }
    push(TokenKind::kString, std::move(text), start);
    last_was_plain_string_ = true;
    return {};
  }

  Status unclosed(std::string_view what, size_t offset) {
    return make_error(ErrorCode::kInvalidArgument, "{} opened at offset {} is not closed (near \"{}\")", what, offset,
                      near_text(sql_, offset));
  }

  void push(TokenKind kind, std::string text, size_t start) {
    tokens_.push_back(Token{kind, std::move(text), start, pos_});
    last_was_plain_string_ = false;
  }

  std::string_view sql_;
  LexOptions options_;
  size_t pos_ = 0;
  int versioned_depth_ = 0;
  size_t versioned_start_ = 0;
  bool last_was_plain_string_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view sql, const LexOptions& options) {
  return Lexer(sql, options).run();
}

std::string near_text(std::string_view sql, size_t offset) {
  if (offset >= sql.size()) return "";
  size_t n = std::min<size_t>(40, sql.size() - offset);
  while (n > 0 && offset + n < sql.size() && (static_cast<unsigned char>(sql[offset + n]) & 0xC0) == 0x80) --n;
  std::string out;
  for (char c : sql.substr(offset, n)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 ? ' ' : c);
  }
  return out;
}

}  // namespace mysql2ch::schema
