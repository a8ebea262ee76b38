#include "schema/column_default.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace mysql2ch::schema {
namespace {

// A DEFAULT literal as the server's lexer sees it.
struct Literal {
  enum class Kind { kNull, kString, kNumber, kHex, kBits };
  Kind kind = Kind::kNull;
  std::string text;  // kString: unescaped text; kNumber: as written; kHex: the bytes; kBits: the '0'/'1' digits
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

bool equals_word(std::string_view s, std::string_view word) {
  if (s.size() != word.size()) return false;
  for (size_t k = 0; k < s.size(); ++k) {
    const char c = s[k] >= 'a' && s[k] <= 'z' ? static_cast<char>(s[k] - 'a' + 'A') : s[k];
    if (c != word[k]) return false;
  }
  return true;
}

std::optional<std::string> unquote(std::string_view lit) {
  const char q = lit.front();
  std::string out;
  for (size_t k = 1; k + 1 < lit.size(); ++k) {
    const char ch = lit[k];
    if (ch == q) {
      if (k + 2 < lit.size() && lit[k + 1] == q) {
        out.push_back(q);
        ++k;
        continue;
      }
      return std::nullopt;  // adjacent literals ('a' 'b')
    }
    if (ch == '\\' && k + 2 < lit.size()) {
      const char e = lit[++k];
      switch (e) {
        case '0': out.push_back('\0'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'b': out.push_back('\b'); break;
        case 'Z': out.push_back('\x1a'); break;
        default: out.push_back(e); break;  // \\ \' \" and any other character stand for themselves
      }
      continue;
    }
    out.push_back(ch);
  }
  return out;
}

std::optional<std::string> hex_bytes(std::string_view digits) {
  if (digits.size() % 2 != 0) return std::nullopt;  // X'..' needs an even count (0x.. is padded by the caller)
  std::string out;
  for (size_t k = 0; k < digits.size(); k += 2) {
    int v = 0;
    for (char c : digits.substr(k, 2)) {
      v *= 16;
      if (is_digit(c))
        v += c - '0';
      else if (c >= 'a' && c <= 'f')
        v += c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v += c - 'A' + 10;
      else
        return std::nullopt;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

bool is_number_text(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  bool digits = false, dot = false, exponent = false;
  for (size_t k = 0; k < s.size(); ++k) {
    const char c = s[k];
    if (is_digit(c)) {
      digits = true;
    } else if (c == '.' && !dot && !exponent) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits && !exponent) {
      exponent = true;
      digits = false;
      if (k + 1 < s.size() && (s[k + 1] == '-' || s[k + 1] == '+')) ++k;
    } else {
      return false;
    }
  }
  return digits;
}

// nullopt: not a constant literal (function, expression, introducer, ...).
std::optional<Literal> lex(std::string_view lit) {
  Literal out;
  if (equals_word(lit, "NULL")) return out;
  if (equals_word(lit, "TRUE") || equals_word(lit, "FALSE")) {
    out.kind = Literal::Kind::kNumber;
    out.text.assign(1, equals_word(lit, "TRUE") ? '1' : '0');
    return out;
  }
  if (lit.size() >= 2 && (lit.front() == '\'' || lit.front() == '"') && lit.back() == lit.front()) {
    auto text = unquote(lit);
    if (!text) return std::nullopt;
    out.kind = Literal::Kind::kString;
    out.text = std::move(*text);
    return out;
  }
  if (lit.size() >= 3 && (lit[0] == 'x' || lit[0] == 'X') && lit[1] == '\'' && lit.back() == '\'') {
    auto bytes = hex_bytes(lit.substr(2, lit.size() - 3));
    if (!bytes) return std::nullopt;
    out.kind = Literal::Kind::kHex;
    out.text = std::move(*bytes);
    return out;
  }
  if (lit.size() >= 3 && lit[0] == '0' && lit[1] == 'x') {
    std::string digits(lit.substr(2));
    if (digits.size() % 2 != 0) digits.insert(digits.begin(), '0');
    auto bytes = hex_bytes(digits);
    if (!bytes) return std::nullopt;
    out.kind = Literal::Kind::kHex;
    out.text = std::move(*bytes);
    return out;
  }
  const auto bit_digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c == '0' || c == '1'; });
  };
  if (lit.size() >= 3 && (lit[0] == 'b' || lit[0] == 'B') && lit[1] == '\'' && lit.back() == '\'' &&
      bit_digits(lit.substr(2, lit.size() - 3))) {
    out.kind = Literal::Kind::kBits;
    out.text = std::string(lit.substr(2, lit.size() - 3));
    return out;
  }
  if (lit.size() >= 3 && lit[0] == '0' && lit[1] == 'b' && bit_digits(lit.substr(2))) {
    out.kind = Literal::Kind::kBits;
    out.text = std::string(lit.substr(2));
    return out;
  }
  if (is_number_text(lit)) {
    out.kind = Literal::Kind::kNumber;
    out.text = std::string(lit);
    return out;
  }
  return std::nullopt;
}

// Bytes as a big-endian unsigned number, as MySQL reads hex and bit literals in numeric context.
std::optional<uint64_t> literal_bits(const Literal& lit) {
  uint64_t v = 0;
  if (lit.kind == Literal::Kind::kBits) {
    std::string_view d = lit.text;
    while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
    if (d.size() > 64) return std::nullopt;
    for (char c : d) v = v << 1 | static_cast<uint64_t>(c - '0');
    return v;
  }
  std::string_view b = lit.text;
  while (!b.empty() && b.front() == '\0') b.remove_prefix(1);
  if (b.size() > 8) return std::nullopt;
  for (char c : b) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

struct SignedNumber {
  bool negative = false;
  uint64_t magnitude = 0;
};

// A plain integer ([+-]digits) that fits 64 bits of magnitude.
std::optional<SignedNumber> plain_integer(std::string_view s) {
  SignedNumber n;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    n.negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (!all_digits(s)) return std::nullopt;
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  n.magnitude = v;
  if (n.magnitude == 0) n.negative = false;
  return n;
}

// MySQL's DECIMAL text for `text` at `scale` digits: extra fraction digits rounded half away from zero, as the
// server stores a DEFAULT with more digits; nullopt when it is not a plain decimal or needs more than
// precision - scale integer digits.
std::optional<std::string> decimal_text(std::string_view text, unsigned precision, unsigned scale) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  if ((!int_part.empty() && !all_digits(int_part)) || (!frac_part.empty() && !all_digits(frac_part))) {
    return std::nullopt;
  }
  std::string digits(int_part);
  std::string frac(frac_part.substr(0, std::min<size_t>(frac_part.size(), scale)));
  frac.append(scale - frac.size(), '0');
  digits += frac;
  if (frac_part.size() > scale && frac_part[scale] >= '5') {
    size_t k = digits.size();
    while (k > 0 && digits[k - 1] == '9') digits[--k] = '0';
    if (k == 0)
      digits.insert(digits.begin(), '1');
    else
      ++digits[k - 1];
  }
  std::string integer = digits.substr(0, digits.size() - scale);
  while (integer.size() > 1 && integer.front() == '0') integer.erase(integer.begin());
  if (integer.empty()) integer.assign(1, '0');
  if (integer != "0" && integer.size() > precision - scale) return std::nullopt;
  const std::string fraction = digits.substr(digits.size() - scale);
  const bool zero = integer == "0" && fraction.find_first_not_of('0') == std::string::npos;
  std::string out = negative && !zero ? "-" : "";
  out += integer;
  if (scale > 0) out += "." + fraction;
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date, and back. Years are counted from March so that the
// leap day ends the counted year; 400 years are 146097 days.
int64_t day_number(int64_t year, unsigned month, unsigned day) {
  const int64_t y = month <= 2 ? year - 1 : year;
  const int64_t cycle = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_cycle = y - cycle * 400;
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
  const int64_t day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
  return cycle * 146097 + day_of_cycle - 719468;
}

}  // namespace

void civil_from_days(int64_t days, Temporal& t) {
  const int64_t z = days + 719468;
  const int64_t cycle = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t day_of_cycle = z - cycle * 146097;
  const int64_t year_of_cycle =
      (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36524 - day_of_cycle / 146096) / 365;
  const int64_t day_of_year = day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  t.day = static_cast<uint8_t>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  t.month = static_cast<uint8_t>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  t.year = static_cast<uint16_t>(year_of_cycle + cycle * 400 + (t.month <= 2 ? 1 : 0));
}

namespace {

unsigned days_in_month(unsigned year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool is_delimiter(char c) {
  return c != ' ' && ((c >= '!' && c <= '/') || (c >= ':' && c <= '@'));
}

// Reads 1..max digits at `s`; advances it.
std::optional<unsigned> read_number(std::string_view& s, size_t max) {
  size_t n = 0;
  unsigned v = 0;
  while (n < s.size() && n < max && is_digit(s[n])) v = v * 10 + static_cast<unsigned>(s[n++] - '0');
  if (n == 0) return std::nullopt;
  s.remove_prefix(n);
  return v;
}

// ".digits" at `s` into t.microsecond; false when more digits than `fsp` carry a value (the server would round
// or truncate them, depending on an sql_mode the binlog does not carry for DDL).
bool read_fraction(std::string_view& s, uint8_t fsp, Temporal& t) {
  if (s.empty() || s.front() != '.') return true;
  s.remove_prefix(1);
  size_t n = 0;
  uint32_t micro = 0;
  while (n < s.size() && is_digit(s[n])) {
    if (n >= fsp && s[n] != '0') return false;
    if (n < 6) micro = micro * 10 + static_cast<uint32_t>(s[n] - '0');
    ++n;
  }
  for (size_t k = n; k < 6; ++k) micro *= 10;
  t.microsecond = micro;
  s.remove_prefix(n);
  return true;
}

bool valid_date(const Temporal& t) {
  if (t.month > 12) return false;
  if (t.month == 0 || t.day == 0) return true;  // zero parts: allowed by the sql_mode the DDL ran with
  return t.day <= days_in_month(t.year, t.month);
}

// 'YYYY-MM-DD' with any punctuation as delimiters, or YYYYMMDD.
bool read_date(std::string_view& s, Temporal& t) {
  if (s.size() >= 8 && all_digits(s.substr(0, 8)) && (s.size() == 8 || !is_digit(s[8]))) {
    t.year = static_cast<uint16_t>(std::stoi(std::string(s.substr(0, 4))));
    t.month = static_cast<uint8_t>(std::stoi(std::string(s.substr(4, 2))));
    t.day = static_cast<uint8_t>(std::stoi(std::string(s.substr(6, 2))));
    s.remove_prefix(8);
    return valid_date(t);
  }
  if (s.size() < 4 || !all_digits(s.substr(0, 4)) || (s.size() > 4 && is_digit(s[4]))) return false;
  auto y = read_number(s, 4);
  if (!y || s.empty() || !is_delimiter(s.front())) return false;
  s.remove_prefix(1);
  auto m = read_number(s, 2);
  if (!m || s.empty() || !is_delimiter(s.front())) return false;
  s.remove_prefix(1);
  auto d = read_number(s, 2);
  if (!d) return false;
  t.year = static_cast<uint16_t>(*y);
  t.month = static_cast<uint8_t>(*m);
  t.day = static_cast<uint8_t>(*d);
  return valid_date(t);
}

// DATE / DATETIME / TIMESTAMP text; `with_time` false for DATE.
bool parse_datetime(std::string_view s, bool with_time, uint8_t fsp, Temporal& t) {
  t = Temporal{};
  t.fsp = with_time ? fsp : 0;
  if (!read_date(s, t)) return false;
  if (s.empty()) return true;
  if (!with_time) return false;
  if (s.front() != ' ' && s.front() != 'T') return false;
  s.remove_prefix(1);
  auto h = read_number(s, 2);
  if (!h || s.empty() || s.front() != ':') return false;
  s.remove_prefix(1);
  auto mi = read_number(s, 2);
  if (!mi) return false;
  unsigned sec = 0;
  if (!s.empty() && s.front() == ':') {
    s.remove_prefix(1);
    auto se = read_number(s, 2);
    if (!se) return false;
    sec = *se;
  }
  if (*h > 23 || *mi > 59 || sec > 59) return false;
  t.hour = static_cast<uint16_t>(*h);
  t.minute = static_cast<uint8_t>(*mi);
  t.second = static_cast<uint8_t>(sec);
  if (!read_fraction(s, fsp, t)) return false;
  return s.empty();
}

// '[-][D ]h:mm[:ss[.f]]' or a number [-]hhmmss.
bool parse_time(const Literal& lit, uint8_t fsp, Temporal& t) {
  t = Temporal{};
  t.fsp = fsp;
  std::string_view s = lit.text;
  if (!s.empty() && s.front() == '-') {
    t.negative = true;
    s.remove_prefix(1);
  }
  unsigned hour = 0, minute = 0, second = 0;
  if (lit.kind == Literal::Kind::kNumber || s.find(':') == std::string_view::npos) {
    if (lit.kind == Literal::Kind::kNumber && !s.empty() && s.front() == '+') s.remove_prefix(1);
    const size_t dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    if (!all_digits(whole) || whole.size() > 7) return false;
    const unsigned n = static_cast<unsigned>(std::stoul(std::string(whole)));
    hour = n / 10000;
    minute = n / 100 % 100;
    second = n % 100;
    s.remove_prefix(whole.size());
  } else {
    unsigned days = 0;
    const size_t space = s.find(' ');
    if (space != std::string_view::npos) {
      std::string_view d = s.substr(0, space);
      if (!all_digits(d) || d.size() > 2) return false;
      days = static_cast<unsigned>(std::stoul(std::string(d)));
      s.remove_prefix(space + 1);
    }
    auto h = read_number(s, 3);
    if (!h || s.empty() || s.front() != ':') return false;
    s.remove_prefix(1);
    auto m = read_number(s, 2);
    if (!m) return false;
    if (!s.empty() && s.front() == ':') {
      s.remove_prefix(1);
      auto se = read_number(s, 2);
      if (!se) return false;
      second = *se;
    }
    hour = days * 24 + *h;
    minute = *m;
  }
  if (minute > 59 || second > 59) return false;
  if (!read_fraction(s, fsp, t) || !s.empty()) return false;
  if (hour > 838 || (hour == 838 && (minute > 59 || second > 59 || t.microsecond > 0))) return false;
  t.hour = static_cast<uint16_t>(hour);
  t.minute = static_cast<uint8_t>(minute);
  t.second = static_cast<uint8_t>(second);
  if (hour == 0 && minute == 0 && second == 0 && t.microsecond == 0) t.negative = false;
  return true;
}

// The session time zone's offset from UTC in seconds, when it is a fixed one.
std::optional<int64_t> fixed_offset(std::string_view zone) {
  if (equals_word(zone, "UTC") || zone == "+00:00" || zone == "-00:00") return 0;
  if (zone.size() < 5 || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  std::string_view s = zone.substr(1);
  auto h = read_number(s, 2);
  if (!h || s.empty() || s.front() != ':') return std::nullopt;
  s.remove_prefix(1);
  if (s.size() != 2) return std::nullopt;
  auto m = read_number(s, 2);
  if (!m || !s.empty() || *m > 59) return std::nullopt;
  const int64_t seconds = static_cast<int64_t>(*h) * 3600 + static_cast<int64_t>(*m) * 60;
  return zone[0] == '-' ? -seconds : seconds;
}

bool is_zero(const Temporal& t) {
  return t.year == 0 && t.month == 0 && t.day == 0 && t.hour == 0 && t.minute == 0 && t.second == 0 &&
         t.microsecond == 0;
}

// YEAR: 4 digits as they are; 1- or 2-digit values 1..69 → 20xx, 70..99 → 19xx; the number 0 is year 0000
// while the strings '0' and '00' are 2000 (MySQL's documented YEAR rules).
std::optional<int64_t> year_value(const Literal& lit) {
  std::string_view s = lit.text;
  if (lit.kind == Literal::Kind::kNumber && !s.empty() && s.front() == '+') s.remove_prefix(1);
  if (!all_digits(s) || s.size() > 4) return std::nullopt;
  const int64_t n = std::stoi(std::string(s));
  if (s.size() == 4) {
    if (n == 0) return 0;
    if (n >= 1901 && n <= 2155) return n;
    return std::nullopt;
  }
  if (n == 0) return lit.kind == Literal::Kind::kString ? 2000 : 0;
  if (n <= 69) return 2000 + n;
  if (n <= 99) return 1900 + n;
  return std::nullopt;
}

// The 1-based label `text` names (ENUM/SET): exact first, then ASCII case-insensitively (the server matched
// it under the column's collation when the DDL ran; trailing spaces are not significant).
std::optional<uint64_t> label_index(const ColumnDef& c, std::string_view text) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  for (size_t k = 0; k < c.labels.size(); ++k) {
    if (c.labels[k] == text) return k + 1;
  }
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return out;
  };
  std::optional<uint64_t> found;
  for (size_t k = 0; k < c.labels.size(); ++k) {
    if (lower(c.labels[k]) != lower(text)) continue;
    if (found) return std::nullopt;  // ambiguous without knowing the collation
    found = k + 1;
  }
  return found;
}

bool is_integer_type(ColumnType t) {
  return t == ColumnType::kTiny || t == ColumnType::kShort || t == ColumnType::kInt24 || t == ColumnType::kLong ||
         t == ColumnType::kLongLong || t == ColumnType::kBool;
}

bool is_string_type(ColumnType t) {
  return t == ColumnType::kVarchar || t == ColumnType::kVarString || t == ColumnType::kString ||
         t == ColumnType::kTinyBlob || t == ColumnType::kMediumBlob || t == ColumnType::kLongBlob ||
         t == ColumnType::kBlob;
}

// The precision p of CURRENT_TIMESTAMP, CURRENT_TIMESTAMP([p]), NOW([p]), LOCALTIME[([p])],
// LOCALTIMESTAMP[([p])] (any case, spaces ignored); nullopt for anything else.
std::optional<unsigned> current_timestamp_precision(std::string_view text) {
  std::string s;
  for (char ch : text) {
    if (ch == ' ' || ch == '\t' || ch == '\n') continue;
    s.push_back(ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch);
  }
  const size_t paren = s.find('(');
  const std::string name = s.substr(0, paren);
  const bool bare_allowed = name == "CURRENT_TIMESTAMP" || name == "LOCALTIME" || name == "LOCALTIMESTAMP";
  if (!bare_allowed && name != "NOW") return std::nullopt;
  if (paren == std::string::npos) return bare_allowed ? std::optional<unsigned>(0) : std::nullopt;
  if (s.back() != ')') return std::nullopt;
  const std::string inside = s.substr(paren + 1, s.size() - paren - 2);
  if (inside.empty()) return 0;
  if (inside.size() != 1 || inside[0] < '0' || inside[0] > '6') return std::nullopt;
  return static_cast<unsigned>(inside[0] - '0');
}

class DefaultReader {
 public:
  DefaultReader(const ColumnDef& c, const std::optional<std::string>& literal, const StatementClock& statement,
                std::string& storage)
      : c_(c), literal_(literal), statement_(statement), zone_(statement.time_zone), storage_(storage) {}

  Result<Value> read() {
    if (!literal_) return implicit();
    if (const auto precision = current_timestamp_precision(*literal_)) return statement_start(*precision);
    auto lit = lex(*literal_);
    if (!lit) {
      return refuse(
          "the default is not a constant, so the rows the table had got a value only the source knows "
          "(re-snapshot the table)");
    }
    if (lit->kind == Literal::Kind::kNull) {
      if (c_.nullable) return Value::null();
      return refuse("DEFAULT NULL on a column that is not nullable");
    }
    return constant(*lit);
  }

 private:
  Error refuse(std::string_view why) const {
    return make_error(ErrorCode::kUnsupported, "column `{}` ({}) added with {}: {}", c_.name, column_type_name(c_.type),
                      literal_ ? "DEFAULT " + *literal_ : std::string("no DEFAULT"), why);
  }

  Result<Value> implicit() {
    if (c_.nullable) return Value::null();
    Temporal zero;
    zero.fsp = c_.fsp;
    if (is_integer_type(c_.type)) return c_.is_unsigned ? Value::uint64(0) : Value::int64(0);
    switch (c_.type) {
      case ColumnType::kYear: return Value::int64(0);
      case ColumnType::kBit: return Value::with_uint(ValueKind::kBit, 0);
      case ColumnType::kFloat: return Value::float32(0);
      case ColumnType::kDouble: return Value::float64(0);
      case ColumnType::kNewDecimal: {
        auto text = decimal_text("0", c_.precision, c_.scale);
        Value v;
        v.set_decimal(*text);
        return v;
      }
      case ColumnType::kDate:
      case ColumnType::kNewDate: zero.fsp = 0; return Value::temporal(ValueKind::kDate, zero);
      case ColumnType::kDateTime:
      case ColumnType::kDateTime2: return Value::temporal(ValueKind::kDateTime, zero);
      case ColumnType::kTime:
      case ColumnType::kTime2: return Value::temporal(ValueKind::kTime, zero);
      case ColumnType::kEnum:
        if (c_.labels.empty()) return refuse("the ENUM's labels are unknown");
        return Value::with_uint(ValueKind::kEnum, 1);  // the first label
      case ColumnType::kSet: return Value::with_uint(ValueKind::kSet, 0);
      case ColumnType::kTimestamp:
      case ColumnType::kTimestamp2:
        return refuse(
            "a NOT NULL TIMESTAMP without DEFAULT gets the zero timestamp or CURRENT_TIMESTAMP depending "
            "on explicit_defaults_for_timestamp, which the binlog does not carry (re-snapshot the table, "
            "or give the column an explicit DEFAULT)");
      default: break;
    }
    if (is_string_type(c_.type)) return string_value("");
    return refuse("MySQL's implicit default for this type cannot be reproduced exactly (re-snapshot the table)");
  }

  Result<Value> string_value(std::string_view text) {
    storage_.assign(text);
    if (c_.charset == Charset::kBinary) return Value::with_bytes(ValueKind::kBytes, storage_);
    // CHAR values read back without trailing spaces (row images and SELECT alike).
    if (c_.type == ColumnType::kString) {
      while (!storage_.empty() && storage_.back() == ' ') storage_.pop_back();
    }
    return Value::string(storage_, Charset::kUtf8mb4);  // the statement was converted to UTF-8
  }

  Result<Value> temporal(const Literal& lit, ValueKind kind) {
    Temporal t;
    const bool date = kind == ValueKind::kDate;
    const uint8_t fsp = date ? 0 : c_.fsp;
    bool ok = false;
    if (lit.kind == Literal::Kind::kString) {
      ok = parse_datetime(lit.text, !date, fsp, t);
    } else if (lit.kind == Literal::Kind::kNumber && all_digits(lit.text)) {
      // Numbers: 0 is the zero value; YYYYMMDD, and YYYYMMDDhhmmss for DATETIME/TIMESTAMP.
      if (std::all_of(lit.text.begin(), lit.text.end(), [](char ch) { return ch == '0'; })) {
        t = Temporal{};
        t.fsp = fsp;
        ok = true;
      } else if (lit.text.size() == 8) {
        ok = parse_datetime(lit.text, !date, fsp, t);
      } else if (lit.text.size() == 14 && !date) {
        const std::string& d = lit.text;
        ok = parse_datetime(
            fmt::format("{} {}:{}:{}", d.substr(0, 8), d.substr(8, 2), d.substr(10, 2), d.substr(12, 2)), true, fsp, t);
      }
    }
    if (!ok) {
      return refuse(
          fmt::format("the {} literal is not in a form read exactly here ('YYYY-MM-DD[ hh:mm:ss[.f]]' "
                      "with at most {} significant fraction digits)",
                      date ? "DATE" : "DATETIME", fsp));
    }
    if (kind == ValueKind::kTimestamp && !is_zero(t)) {
      if (t.month == 0 || t.day == 0) return refuse("a TIMESTAMP default with a zero month or day");
      if (zone_.empty()) return refuse("the statement's session time zone is not in the binlog");
      const auto offset = fixed_offset(zone_);
      if (!offset) {
        return refuse(
            fmt::format("the TIMESTAMP default was written in session time zone '{}', whose offset the "
                        "binlog does not give ('SYSTEM' is the source host's zone); re-snapshot the "
                        "table, or run such DDL with a numeric time_zone such as '+00:00'",
                        zone_));
      }
      // The instant in UTC calendar fields, as row images carry TIMESTAMP values.
      const int64_t local = day_number(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
      const int64_t utc = local - *offset;
      const int64_t days = utc >= 0 ? utc / 86400 : (utc - 86399) / 86400;
      const int64_t seconds = utc - days * 86400;
      civil_from_days(days, t);
      t.hour = static_cast<uint16_t>(seconds / 3600);
      t.minute = static_cast<uint8_t>(seconds / 60 % 60);
      t.second = static_cast<uint8_t>(seconds % 60);
    }
    return Value::temporal(kind, t);
  }

  Result<Value> constant(const Literal& lit) {
    using K = Literal::Kind;
    if (is_integer_type(c_.type)) {
      if (lit.kind == K::kHex || lit.kind == K::kBits) {
        auto v = literal_bits(lit);
        if (!v) return refuse("the literal does not fit 64 bits");
        return c_.is_unsigned ? Value::uint64(*v) : Value::int64(static_cast<int64_t>(*v));
      }
      auto n = plain_integer(lit.text);
      if (!n) return refuse("the default is not a plain integer");
      if (c_.is_unsigned) {
        if (n->negative) return refuse("a negative default on an unsigned column");
        return Value::uint64(n->magnitude);
      }
      if (n->magnitude > (n->negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1)) return refuse("out of range");
      return Value::int64(n->negative ? static_cast<int64_t>(0 - n->magnitude) : static_cast<int64_t>(n->magnitude));
    }
    switch (c_.type) {
      case ColumnType::kYear: {
        if (lit.kind != K::kNumber && lit.kind != K::kString) return refuse("a YEAR default that is not a number");
        auto y = year_value(lit);
        if (!y) return refuse("not a YEAR value read exactly here (0, 1..99, 1901..2155)");
        return Value::int64(*y);
      }
      case ColumnType::kBit: {
        std::optional<uint64_t> v;
        if (lit.kind == K::kHex || lit.kind == K::kBits || lit.kind == K::kString) {
          v = literal_bits(lit);  // a string is its bytes, big-endian
        } else if (auto n = plain_integer(lit.text); n && !n->negative) {
          v = n->magnitude;
        }
        if (!v) return refuse("not a BIT value read exactly here (b'..', 0x.., a non-negative integer)");
        if (c_.max_length < 64 && (*v >> c_.max_length) != 0) return refuse("the value has more bits than the column");
        return Value::with_uint(ValueKind::kBit, *v);
      }
      case ColumnType::kFloat:
      case ColumnType::kDouble: {
        if ((lit.kind != K::kNumber && lit.kind != K::kString) || !is_number_text(lit.text)) {
          return refuse("the default is not a plain number");
        }
        double d = 0;
        std::string_view text = lit.text;
        if (!text.empty() && text.front() == '+') text.remove_prefix(1);
        const auto parsed = std::from_chars(text.data(), text.data() + text.size(), d);
        if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) return refuse("out of range");
        return c_.type == ColumnType::kFloat ? Value::float32(static_cast<float>(d)) : Value::float64(d);
      }
      case ColumnType::kNewDecimal: {
        if (lit.kind != K::kNumber && lit.kind != K::kString) return refuse("the default is not a plain number");
        auto text = decimal_text(lit.text, c_.precision, c_.scale);
        if (!text) return refuse("the default is not a plain decimal that fits the column");
        Value v;
        v.set_decimal(*text);
        return v;
      }
      case ColumnType::kDate:
      case ColumnType::kNewDate: return temporal(lit, ValueKind::kDate);
      case ColumnType::kDateTime:
      case ColumnType::kDateTime2: return temporal(lit, ValueKind::kDateTime);
      case ColumnType::kTimestamp:
      case ColumnType::kTimestamp2: return temporal(lit, ValueKind::kTimestamp);
      case ColumnType::kTime:
      case ColumnType::kTime2: {
        Temporal t;
        if ((lit.kind != K::kString && lit.kind != K::kNumber) ||
            !parse_time(lit, c_.type == ColumnType::kTime ? 0 : c_.fsp, t)) {
          return refuse(
              fmt::format("the TIME literal is not in a form read exactly here ('[-][D ]h:mm[:ss[.f]]' "
                          "or [-]hhmmss, at most {} significant fraction digits)",
                          c_.fsp));
        }
        return Value::temporal(ValueKind::kTime, t);
      }
      case ColumnType::kEnum: {
        if (c_.labels.empty()) return refuse("the ENUM's labels are unknown");
        std::optional<uint64_t> index;
        if (lit.kind == K::kString) {
          index = label_index(c_, lit.text);
        } else if (auto n = plain_integer(lit.text); lit.kind == K::kNumber && n && !n->negative && n->magnitude >= 1 &&
                                                     n->magnitude <= c_.labels.size()) {
          index = n->magnitude;
        }
        if (!index) return refuse("the default names no label of the ENUM");
        return Value::with_uint(ValueKind::kEnum, *index);
      }
      case ColumnType::kSet: {
        if (c_.labels.empty()) return refuse("the SET's labels are unknown");
        uint64_t bits = 0;
        if (lit.kind == K::kString) {
          std::string_view rest = lit.text;
          while (!rest.empty()) {
            const size_t comma = rest.find(',');
            auto index = label_index(c_, rest.substr(0, comma));
            if (!index || *index > 64) return refuse("the default names no member of the SET");
            bits |= uint64_t{1} << (*index - 1);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
          }
        } else if (auto n = plain_integer(lit.text); lit.kind == K::kNumber && n && !n->negative) {
          if (c_.labels.size() < 64 && (n->magnitude >> c_.labels.size()) != 0) return refuse("bits beyond the SET");
          bits = n->magnitude;
        } else {
          return refuse("not a SET value read exactly here");
        }
        return Value::with_uint(ValueKind::kSet, bits);
      }
      default: break;
    }
    if (is_string_type(c_.type)) {
      if (lit.kind == K::kString) return string_value(lit.text);
      if (lit.kind == K::kHex && c_.charset == Charset::kBinary) return string_value(lit.text);
      if (lit.kind == K::kNumber && plain_integer(lit.text)) return string_value(lit.text);
      return refuse("not a string value read exactly here");
    }
    return refuse("a default of this type cannot be reproduced exactly (re-snapshot the table)");
  }

  // The statement's start truncated to `precision` digits, as the column stores it for existing rows.
  Result<Value> statement_start(unsigned precision) {
    const bool timestamp = c_.type == ColumnType::kTimestamp || c_.type == ColumnType::kTimestamp2;
    const bool datetime = c_.type == ColumnType::kDateTime || c_.type == ColumnType::kDateTime2;
    if (!timestamp && !datetime) return refuse("CURRENT_TIMESTAMP on a column that is not DATETIME or TIMESTAMP");
    if (precision > c_.fsp) return refuse("CURRENT_TIMESTAMP with more fraction digits than the column");
    uint32_t micro = 0;
    if (precision > 0) {
      if (!statement_.start_microseconds) {
        return refuse("the binlog does not carry the statement's microseconds (re-snapshot the table)");
      }
      uint32_t unit = 1;
      for (unsigned k = precision; k < 6; ++k) unit *= 10;
      micro = *statement_.start_microseconds / unit * unit;
    }
    int64_t seconds = statement_.start_seconds;
    if (datetime) {
      if (zone_.empty()) return refuse("the statement's session time zone is not in the binlog");
      const auto offset = fixed_offset(zone_);
      if (!offset) {
        return refuse(
            fmt::format("DATETIME DEFAULT CURRENT_TIMESTAMP is the wall clock of session time zone '{}', "
                        "whose offset the binlog does not give ('SYSTEM' is the source host's zone); "
                        "re-snapshot the table, or run such DDL with a numeric time_zone such as "
                        "'+00:00'",
                        zone_));
      }
      seconds += *offset;
    }
    Temporal t;
    t.fsp = c_.fsp;
    const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    const int64_t in_day = seconds - days * 86400;
    civil_from_days(days, t);
    t.hour = static_cast<uint16_t>(in_day / 3600);
    t.minute = static_cast<uint8_t>(in_day / 60 % 60);
    t.second = static_cast<uint8_t>(in_day % 60);
    t.microsecond = micro;
    return Value::temporal(timestamp ? ValueKind::kTimestamp : ValueKind::kDateTime, t);
  }

  const ColumnDef& c_;
  const std::optional<std::string>& literal_;
  const StatementClock& statement_;
  std::string_view zone_;
  std::string& storage_;
};

}  // namespace

Result<Value> added_column_value(const ColumnDef& column, const std::optional<std::string>& literal,
                                 const StatementClock& statement, std::string& storage) {
  return DefaultReader(column, literal, statement, storage).read();
}

}  // namespace mysql2ch::schema
