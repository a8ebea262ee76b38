#include "pipeline/xa_statement.h"

#include <fmt/core.h>

#include <cctype>

namespace mysql2ch::pipeline {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// A cursor over the statement text: words are compared case-insensitively, whitespace between tokens skipped.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  void skip_space() {
    while (k_ < s_.size() && is_space(s_[k_])) ++k_;
  }
  bool done() {
    skip_space();
    return k_ == s_.size();
  }
  bool word(std::string_view w) {
    skip_space();
    if (s_.size() - k_ < w.size()) return false;
    for (size_t j = 0; j < w.size(); ++j) {
      if (std::toupper(static_cast<unsigned char>(s_[k_ + j])) != w[j]) return false;
    }
    const size_t end = k_ + w.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) != 0 || s_[end] == '_')) return false;
    k_ = end;
    return true;
  }
  bool punct(char c) {
    skip_space();
    if (k_ < s_.size() && s_[k_] == c) {
      ++k_;
      return true;
    }
    return false;
  }
  // X'hex' (what the servers log) or a plain 'string' with '' and backslash escapes.
  bool string_literal(std::string& out) {
    skip_space();
    out.clear();
    if (k_ + 1 < s_.size() && (s_[k_] == 'X' || s_[k_] == 'x') && s_[k_ + 1] == '\'') {
      size_t j = k_ + 2;
      while (j < s_.size() && s_[j] != '\'') ++j;
      if (j == s_.size()) return false;
      const std::string_view hex = s_.substr(k_ + 2, j - k_ - 2);
      if (hex.size() % 2 != 0) return false;
      for (size_t h = 0; h < hex.size(); h += 2) {
        const int hi = nibble(hex[h]), lo = nibble(hex[h + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<char>(hi << 4 | lo));
      }
      k_ = j + 1;
      return true;
    }
    if (k_ >= s_.size() || s_[k_] != '\'') return false;
    size_t j = k_ + 1;
    while (j < s_.size()) {
      const char c = s_[j];
      if (c == '\\' && j + 1 < s_.size()) {
        out.push_back(s_[j + 1]);
        j += 2;
      } else if (c == '\'' && j + 1 < s_.size() && s_[j + 1] == '\'') {
        out.push_back('\'');
        j += 2;
      } else if (c == '\'') {
        k_ = j + 1;
        return true;
      } else {
        out.push_back(c);
        ++j;
      }
    }
    return false;
  }
  bool integer(int32_t& out) {
    skip_space();
    size_t j = k_;
    bool negative = false;
    if (j < s_.size() && s_[j] == '-') {
      negative = true;
      ++j;
    }
    int64_t v = 0;
    const size_t digits = j;
    while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j])) != 0) {
      v = v * 10 + (s_[j] - '0');
      if (v > int64_t{1} << 32) return false;
      ++j;
    }
    if (j == digits) return false;
    out = static_cast<int32_t>(negative ? -v : v);
    k_ = j;
    return true;
  }

 private:
  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  std::string_view s_;
  size_t k_ = 0;
};

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace

std::string Xid::key() const { return fmt::format("{}/{}/{}{}", format_id, gtrid.size(), gtrid, bqual); }

std::string Xid::text() const { return fmt::format("X'{}',X'{}',{}", hex(gtrid), hex(bqual), format_id); }

Result<std::optional<XaStatement>> parse_xa_statement(std::string_view sql) {
  Cursor c(sql);
  if (!c.word("XA")) return std::optional<XaStatement>();
  XaStatement st;
  using Verb = XaStatement::Verb;
  if (c.word("START") || c.word("BEGIN")) {
    st.verb = Verb::kStart;
  } else if (c.word("END")) {
    st.verb = Verb::kEnd;
  } else if (c.word("PREPARE")) {
    st.verb = Verb::kPrepare;
  } else if (c.word("COMMIT")) {
    st.verb = Verb::kCommit;
  } else if (c.word("ROLLBACK")) {
    st.verb = Verb::kRollback;
  } else if (c.word("RECOVER")) {
    st.verb = Verb::kRecover;
    return std::optional<XaStatement>(std::move(st));
  } else {
    return make_error(ErrorCode::kUnsupported, "unknown XA statement: {}", sql.substr(0, 200));
  }
  const auto bad_xid = [&] {
    return make_error(ErrorCode::kUnsupported, "cannot read the XID of the XA statement: {}", sql.substr(0, 200));
  };
  if (!c.string_literal(st.xid.gtrid)) return bad_xid();
  if (c.punct(',')) {
    if (!c.string_literal(st.xid.bqual)) return bad_xid();
    if (c.punct(',') && !c.integer(st.xid.format_id)) return bad_xid();
  }
  if (st.verb == Verb::kCommit && c.word("ONE")) {
    if (!c.word("PHASE")) return bad_xid();
    st.one_phase = true;
  }
  // XA START ... JOIN/RESUME, XA END ... SUSPEND [FOR MIGRATE] and a trailing ';' carry no XID information.
  return std::optional<XaStatement>(std::move(st));
}

}  // namespace mysql2ch::pipeline
