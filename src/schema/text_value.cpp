#include "schema/text_value.h"

#include <charconv>
#include <string>

#include "schema/value_json.h"

namespace mysql2ch::schema {
namespace {

Error bad(const ColumnDef& c, std::string_view text, std::string_view what) {
  return make_error(ErrorCode::kInvalidArgument, "column {} ({}): '{}' is not a valid {}", c.name,
                    column_type_name(c.type), text.substr(0, 80), what);
}

bool parse_fixed(std::string_view s, size_t& at, size_t digits, uint32_t& out) {
  if (at + digits > s.size()) return false;
  uint32_t v = 0;
  for (size_t k = 0; k < digits; ++k) {
    const char c = s[at + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  at += digits;
  out = v;
  return true;
}

bool parse_fraction(std::string_view s, size_t& at, Temporal& t) {
  if (at == s.size()) return true;
  if (s[at] != '.') return false;
  ++at;
  uint32_t us = 0;
  size_t digits = 0;
  while (at < s.size() && digits < 6 && s[at] >= '0' && s[at] <= '9') {
    us = us * 10 + static_cast<uint32_t>(s[at++] - '0');
    ++digits;
  }
  if (digits == 0 || at != s.size()) return false;
  for (size_t k = digits; k < 6; ++k) us *= 10;
  t.microsecond = us;
  return true;
}

bool parse_date(std::string_view s, size_t& at, Temporal& t) {
  uint32_t y, m, d;
  if (!parse_fixed(s, at, 4, y) || at >= s.size() || s[at++] != '-' || !parse_fixed(s, at, 2, m) ||
      at >= s.size() || s[at++] != '-' || !parse_fixed(s, at, 2, d)) {
    return false;
  }
  t.year = static_cast<uint16_t>(y);
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
  return m <= 12 && d <= 31;
}

bool parse_clock(std::string_view s, size_t& at, Temporal& t, bool long_hours) {
  size_t hour_digits = 0;
  while (at + hour_digits < s.size() && s[at + hour_digits] >= '0' && s[at + hour_digits] <= '9') ++hour_digits;
  if (hour_digits < 2 || hour_digits > (long_hours ? 3 : 2)) return false;
  uint32_t h, mi, se;
  if (!parse_fixed(s, at, hour_digits, h) || at >= s.size() || s[at++] != ':' || !parse_fixed(s, at, 2, mi) ||
      at >= s.size() || s[at++] != ':' || !parse_fixed(s, at, 2, se)) {
    return false;
  }
  t.hour = static_cast<uint16_t>(h);
  t.minute = static_cast<uint8_t>(mi);
  t.second = static_cast<uint8_t>(se);
  return mi < 60 && se < 60 && parse_fraction(s, at, t);
}

bool canonical_decimal(std::string_view s, int scale) {
  size_t at = 0;
  if (at < s.size() && s[at] == '-') ++at;
  const size_t int_start = at;
  while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
  const size_t int_digits = at - int_start;
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) return false;
  if (scale == 0) return at == s.size() && s != "-0";
  if (at == s.size() || s[at] != '.') return false;
  ++at;
  const size_t frac_start = at;
  while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
  return at == s.size() && at - frac_start == static_cast<size_t>(scale) && s.size() <= kMaxDecimalText;
}

bool set_bytes(Value& out, ValueKind kind, std::string_view text) {
  out.kind = kind;
  out.bytes = text;
  return true;
}

}  // namespace

bool parse_select_text(const ColumnDef& c, std::string_view text, Value& out) {
  const char* b = text.data();
  const char* e = text.data() + text.size();
  switch (c.type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kYear: {
      if (c.is_unsigned) {
        out.kind = ValueKind::kUint;
        auto r = std::from_chars(b, e, out.u);
        return r.ec == std::errc() && r.ptr == e;
      }
      out.kind = ValueKind::kInt;
      auto r = std::from_chars(b, e, out.i);
      return r.ec == std::errc() && r.ptr == e;
    }
    case ColumnType::kBit: {
      out.kind = ValueKind::kBit;
      auto r = std::from_chars(b, e, out.u);
      return r.ec == std::errc() && r.ptr == e;
    }
    case ColumnType::kFloat:
    case ColumnType::kDouble: {
      double d;
      auto r = std::from_chars(b, e, d);
      if (r.ec != std::errc() || r.ptr != e) return false;
      if (c.type == ColumnType::kFloat) {
        out.kind = ValueKind::kFloat;
        out.f = static_cast<float>(d);
      } else {
        out.kind = ValueKind::kDouble;
        out.d = d;
      }
      return true;
    }
    case ColumnType::kNewDecimal:
    case ColumnType::kDecimal: {
      if (!canonical_decimal(text, c.scale)) return false;
      out.set_decimal(text);
      return true;
    }
    case ColumnType::kDate:
    case ColumnType::kNewDate: {
      Temporal t;
      size_t at = 0;
      if (!parse_date(text, at, t) || at != text.size()) return false;
      out.kind = ValueKind::kDate;
      out.t = t;
      return true;
    }
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2: {
      Temporal t;
      size_t at = 0;
      if (!parse_date(text, at, t) || at >= text.size() || text[at++] != ' ' || !parse_clock(text, at, t, false)) {
        return false;
      }
      t.fsp = c.fsp;
      const bool ts = c.type == ColumnType::kTimestamp || c.type == ColumnType::kTimestamp2;
      out.kind = ts ? ValueKind::kTimestamp : ValueKind::kDateTime;
      out.t = t;
      return true;
    }
    case ColumnType::kTime:
    case ColumnType::kTime2: {
      Temporal t;
      size_t at = 0;
      if (!text.empty() && text[0] == '-') {
        t.negative = true;
        ++at;
      }
      if (!parse_clock(text, at, t, true)) return false;
      t.fsp = c.fsp;
      if (t.hour == 0 && t.minute == 0 && t.second == 0 && t.microsecond == 0) t.negative = false;
      out.kind = ValueKind::kTime;
      out.t = t;
      return true;
    }
    case ColumnType::kEnum: {
      out.kind = ValueKind::kEnum;
      out.u = 0;
      if (text.empty()) return true;
      for (size_t k = 0; k < c.labels.size(); ++k) {
        if (c.labels[k] == text) {
          out.u = k + 1;
          return true;
        }
      }
      return false;
    }
    case ColumnType::kSet: {
      uint64_t mask = 0;
      size_t at = 0;
      while (at < text.size()) {
        size_t comma = text.find(',', at);
        if (comma == std::string_view::npos) comma = text.size();
        const std::string_view label = text.substr(at, comma - at);
        size_t k = 0;
        while (k < c.labels.size() && c.labels[k] != label) ++k;
        if (k == c.labels.size() || k >= 64) return false;
        mask |= uint64_t{1} << k;
        at = comma + 1;
      }
      out.kind = ValueKind::kSet;
      out.u = mask;
      return true;
    }
    case ColumnType::kJson: return set_bytes(out, ValueKind::kJsonText, text);
    case ColumnType::kGeometry: return set_bytes(out, ValueKind::kGeometry, text);
    case ColumnType::kVector: return set_bytes(out, ValueKind::kVector, text);
    case ColumnType::kString:
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
      if (c.charset == Charset::kBinary) return set_bytes(out, ValueKind::kBytes, text);
      out.charset = Charset::kUtf8mb4;
      return set_bytes(out, ValueKind::kString, text) && is_valid_utf8(text);
    default: break;
  }
  return false;
}

Error select_text_error(const ColumnDef& c, std::string_view text) {
  switch (c.type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kYear: return bad(c, text, c.is_unsigned ? "unsigned integer" : "integer");
    case ColumnType::kBit: return bad(c, text, "BIT number");
    case ColumnType::kFloat:
    case ColumnType::kDouble: return bad(c, text, "floating-point number");
    case ColumnType::kNewDecimal:
    case ColumnType::kDecimal: return bad(c, text, "DECIMAL text");
    case ColumnType::kDate:
    case ColumnType::kNewDate: return bad(c, text, "DATE");
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2: return bad(c, text, "DATETIME");
    case ColumnType::kTime:
    case ColumnType::kTime2: return bad(c, text, "TIME");
    case ColumnType::kEnum: return bad(c, text, "ENUM label");
    case ColumnType::kSet: return bad(c, text, "SET value");
    case ColumnType::kString:
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob: return bad(c, text, "utf8mb4 text");
    default: break;
  }
  return make_error(ErrorCode::kUnsupported, "column {}: type {} has no SELECT text form", c.name,
                    column_type_name(c.type));
}

Result<Value> value_from_select_text(const ColumnDef& c, std::string_view text) {
  Value v;
  if (parse_select_text(c, text, v)) return v;
  return select_text_error(c, text);
}

}  // namespace mysql2ch::schema
