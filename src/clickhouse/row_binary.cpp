#include "clickhouse/row_binary.h"

#include <array>
#include <limits>

#include "schema/json_binary.h"
#include "schema/value_json.h"

namespace mysql2ch {
namespace {

using schema::ColumnDef;
using schema::Temporal;
using schema::Value;
using schema::ValueKind;

// Date32 and DateTime64 hold 1900-01-01 .. 2299-12-31.
constexpr int64_t kMinDay = -25567;  // 1900-01-01
constexpr int64_t kMaxDay = 120529;  // 2299-12-31
constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

Error value_error(const MappedColumn& m, std::string_view what) {
  return make_error(ErrorCode::kInvalidArgument, "column `{}` ({}): {}", m.name, m.type, what);
}

Error kind_error(const MappedColumn& m, const Value& v) {
  return value_error(m, fmt::format("a {} value cannot be written to this column", schema::value_kind_name(v.kind)));
}

template <typename T>
Status append_integer(const MappedColumn& m, const Value& v, std::string& out) {
  if (v.kind == ValueKind::kInt) {
    if (v.i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (std::numeric_limits<T>::max() <= std::numeric_limits<int64_t>::max() &&
         v.i > static_cast<int64_t>(std::numeric_limits<T>::max()))) {
      return value_error(m, fmt::format("{} is out of range", v.i));
    }
    append_fixed(static_cast<T>(v.i), out);
    return {};
  }
  if (v.kind == ValueKind::kUint || v.kind == ValueKind::kBit) {
    if (v.u > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return value_error(m, fmt::format("{} is out of range", v.u));
    }
    append_fixed(static_cast<T>(v.u), out);
    return {};
  }
  return kind_error(m, v);
}

bool is_zero_date(const Temporal& t) { return t.year == 0 || t.month == 0 || t.day == 0; }

// Writes the digits of `v` zero-padded to `width` at `p`; returns the end. At most 10 digits.
char* put_padded(char* p, uint32_t v, int width) {
  int n = 1;
  for (uint32_t rest = v / 10; rest != 0; rest /= 10) ++n;
  if (n < width) n = width;
  for (int k = n - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + n;
}

// Date and datetime text are rendered into a stack buffer and appended once: this runs for every temporal
// value of a legacy server's String columns, where byte-wise appends showed in profiles.
constexpr size_t kTemporalTextMax = 48;  // uint16 fields take at most 5 digits, uint8 ones 3, the fraction 6

char* put_date_text(const Temporal& t, char* p) {
  p = put_padded(p, t.year, 4);
  *p++ = '-';
  p = put_padded(p, t.month, 2);
  *p++ = '-';
  return put_padded(p, t.day, 2);
}

char* put_datetime_text(const Temporal& t, char* p) {
  p = put_date_text(t, p);
  *p++ = ' ';
  p = put_padded(p, t.hour, 2);
  *p++ = ':';
  p = put_padded(p, t.minute, 2);
  *p++ = ':';
  p = put_padded(p, t.second, 2);
  if (t.fsp > 0) {
    *p++ = '.';
    const unsigned fsp = t.fsp > 6 ? 6 : t.fsp;
    p = put_padded(p, static_cast<uint32_t>(t.microsecond / static_cast<uint32_t>(kPow10[6 - fsp])),
                   static_cast<int>(fsp));
  }
  return p;
}

std::string_view temporal_text(const Temporal& t, bool date, std::array<char, kTemporalTextMax>& buf) {
  char* end = date ? put_date_text(t, buf.data()) : put_datetime_text(t, buf.data());
  return {buf.data(), static_cast<size_t>(end - buf.data())};
}

// What to store for a Date32/DateTime64 value: its number, or null.
struct TemporalOutcome {
  bool is_null = false;
  int64_t number = 0;
};

}  // namespace

void append_varuint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void append_rowbinary_string(std::string_view bytes, std::string& out) {
  append_varuint(bytes.size(), out);
  out.append(bytes);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // Shift the year to start in March so the leap day is the last day of the year.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Status append_decimal(std::string_view text, unsigned precision, unsigned scale, unsigned bytes, std::string& out) {
  bool negative = false;
  size_t k = 0;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    k = 1;
  }
  std::array<uint32_t, 8> limbs{};  // little-endian 32-bit limbs of the magnitude (256 bits)
  // Up to 19 digits fit in 64 bits: most columns' values take this path, which skips the 256-bit
  // multiply per digit (it showed in snapshot profiles).
  const bool narrow = text.size() - k <= 19;
  uint64_t narrow_magnitude = 0;
  unsigned digits = 0, fraction = 0;
  bool point = false;
  for (; k < text.size(); ++k) {
    const char c = text[k];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return make_error(ErrorCode::kInvalidArgument, "'{}' is not a decimal number", text);
    if (point) ++fraction;
    if (digits > 0 || c != '0' || point) ++digits;
    if (narrow) {
      narrow_magnitude = narrow_magnitude * 10 + static_cast<unsigned>(c - '0');
      continue;
    }
    uint64_t carry = static_cast<unsigned>(c - '0');
    for (auto& limb : limbs) {
      const uint64_t product = uint64_t{limb} * 10 + carry;
      limb = static_cast<uint32_t>(product);
      carry = product >> 32;
    }
  }
  if (narrow) {
    limbs[0] = static_cast<uint32_t>(narrow_magnitude);
    limbs[1] = static_cast<uint32_t>(narrow_magnitude >> 32);
  }
  if (fraction != scale) {
    return make_error(ErrorCode::kInvalidArgument, "'{}' does not have exactly {} fraction digits", text, scale);
  }
  // digits counts from the first significant digit; the integer part may be a lone "0".
  if (digits > precision) {
    return make_error(ErrorCode::kInvalidArgument, "'{}' has more than {} digits", text, precision);
  }
  if (negative) {
    uint32_t add = 1;
    for (auto& limb : limbs) {
      limb = ~limb + add;
      add = (add != 0 && limb == 0) ? 1 : 0;
    }
  }
  for (unsigned b = 0; b < bytes; ++b) out.push_back(static_cast<char>(limbs[b / 4] >> (8 * (b % 4))));
  return {};
}

Status RowBinaryEncoder::append(const MappedColumn& m, const ColumnDef& column, const Value& v, std::string& out) {
  const size_t mark = out.size();
  auto st = append_present(m, column, v, out);
  if (!st.ok()) out.resize(mark);
  return st;
}

Status RowBinaryEncoder::append_present(const MappedColumn& m, const ColumnDef& column, const Value& v,
                                        std::string& out) {
  if (v.kind == ValueKind::kAbsent) {
    return value_error(m, "the row image does not contain this column (binlog_row_image must be FULL)");
  }
  // Date32 / DateTime64 values are resolved first: a policy may turn them into NULL.
  TemporalOutcome temporal;
  if ((m.encoding == ColumnEncoding::kDate32 || m.encoding == ColumnEncoding::kDateTime64) &&
      v.kind != ValueKind::kNull) {
    const bool date = m.encoding == ColumnEncoding::kDate32;
    if (date ? v.kind != ValueKind::kDate : (v.kind != ValueKind::kDateTime && v.kind != ValueKind::kTimestamp)) {
      return kind_error(m, v);
    }
    const Temporal& t = v.t;
    const int64_t scale = kPow10[m.scale > 6 ? 6 : m.scale];
    auto to_number = [&](int64_t day, int64_t seconds, uint32_t micro) {
      return date ? day : (day * 86400 + seconds) * scale + micro / (1000000 / scale);
    };
    const int64_t min = to_number(kMinDay, 0, 0);
    const int64_t max = to_number(kMaxDay, 86399, 999999);
    DatePolicy policy = DatePolicy::kError;
    bool bad = false;
    int64_t clamped = min;
    if (is_zero_date(t)) {
      bad = true;
      policy = m.zero_dates;
      if (policy == DatePolicy::kError) {
        return value_error(m, "zero date (destination.zero_dates: error; choose null or clamp to store it)");
      }
      ++counters_.zero_dates;
    } else {
      const int64_t day = days_from_civil(t.year, t.month, t.day);
      if (day < kMinDay || day > kMaxDay) {
        bad = true;
        policy = m.out_of_range_dates;
        std::array<char, kTemporalTextMax> buf;
        const std::string_view text = temporal_text(t, date, buf);
        if (policy == DatePolicy::kError) {
          return value_error(m, fmt::format("{} is outside 1900-01-01..2299-12-31 (destination.out_of_range_dates: "
                                            "error; choose null or clamp to store it)", text));
        }
        ++counters_.out_of_range_dates;
        clamped = day < kMinDay ? min : max;
      } else {
        temporal.number = to_number(day, t.hour * 3600 + t.minute * 60 + t.second, t.microsecond);
      }
    }
    if (bad) {
      if (policy == DatePolicy::kNull) {
        if (!m.nullable) {
          return value_error(m, "a zero or out-of-range date in a primary-key column cannot be stored as NULL "
                                "(use clamp for destination.zero_dates / out_of_range_dates)");
        }
        temporal.is_null = true;
      } else {
        temporal.number = clamped;
      }
    }
  }

  const bool is_null = v.kind == ValueKind::kNull || temporal.is_null;
  if (m.nullable) {
    out.push_back(is_null ? 1 : 0);
    if (is_null) return {};
  } else if (is_null) {
    if (m.encoding == ColumnEncoding::kVector) {
      append_varuint(0, out);  // MySQL has no empty vector: [] stands for NULL
      return {};
    }
    return value_error(m, "NULL in a column that is not nullable");
  }

  switch (m.encoding) {
    case ColumnEncoding::kInt8: return append_integer<int8_t>(m, v, out);
    case ColumnEncoding::kInt16: return append_integer<int16_t>(m, v, out);
    case ColumnEncoding::kInt32: return append_integer<int32_t>(m, v, out);
    case ColumnEncoding::kInt64: return append_integer<int64_t>(m, v, out);
    case ColumnEncoding::kUInt8: return append_integer<uint8_t>(m, v, out);
    case ColumnEncoding::kUInt16: return append_integer<uint16_t>(m, v, out);
    case ColumnEncoding::kUInt32: return append_integer<uint32_t>(m, v, out);
    case ColumnEncoding::kUInt64:
      if (v.kind == ValueKind::kInt && v.i < 0) return value_error(m, fmt::format("{} is out of range", v.i));
      if (v.kind == ValueKind::kInt) {
        append_fixed(static_cast<uint64_t>(v.i), out);
        return {};
      }
      return append_integer<uint64_t>(m, v, out);
    case ColumnEncoding::kFloat32:
      if (v.kind != ValueKind::kFloat) return kind_error(m, v);
      append_fixed(v.f, out);
      return {};
    case ColumnEncoding::kFloat64:
      if (v.kind == ValueKind::kFloat) {
        append_fixed(static_cast<double>(v.f), out);
        return {};
      }
      if (v.kind != ValueKind::kDouble) return kind_error(m, v);
      append_fixed(v.d, out);
      return {};
    case ColumnEncoding::kDecimal: {
      if (v.kind != ValueKind::kDecimal) return kind_error(m, v);
      auto st = append_decimal(v.decimal(), m.precision, m.scale, m.decimal_bytes, out);
      if (!st.ok()) return value_error(m, st.error().message());
      return {};
    }
    case ColumnEncoding::kDecimalText:
      if (v.kind != ValueKind::kDecimal) return kind_error(m, v);
      append_rowbinary_string(v.decimal(), out);
      return {};
    case ColumnEncoding::kDate32: append_fixed(static_cast<int32_t>(temporal.number), out); return {};
    case ColumnEncoding::kDateTime64: append_fixed(temporal.number, out); return {};
    case ColumnEncoding::kTimeMicros: {
      if (v.kind != ValueKind::kTime) return kind_error(m, v);
      const int64_t micros =
          (static_cast<int64_t>(v.t.hour) * 3600 + v.t.minute * 60 + v.t.second) * 1000000 + v.t.microsecond;
      append_fixed(v.t.negative ? -micros : micros, out);
      return {};
    }
    case ColumnEncoding::kDateText:
    case ColumnEncoding::kDateTimeText: {
      const bool date = m.encoding == ColumnEncoding::kDateText;
      if (date ? v.kind != ValueKind::kDate : (v.kind != ValueKind::kDateTime && v.kind != ValueKind::kTimestamp)) {
        return kind_error(m, v);
      }
      std::array<char, kTemporalTextMax> buf;
      append_rowbinary_string(temporal_text(v.t, date, buf), out);
      return {};
    }
    case ColumnEncoding::kText: {
      if (v.kind == ValueKind::kBytes) {
        append_rowbinary_string(v.bytes, out);
        return {};
      }
      if (v.kind != ValueKind::kString) return kind_error(m, v);
      const schema::Charset cs = v.charset != schema::Charset::kUnknown ? v.charset : column.charset;
      switch (cs) {
        case schema::Charset::kLatin1:
          append_varuint(schema::latin1_utf8_length(v.bytes), out);
          schema::append_latin1_as_utf8(v.bytes, out);
          return {};
        case schema::Charset::kUtf8mb4:
        case schema::Charset::kUtf8mb3:
        case schema::Charset::kAscii:
          if (!schema::is_valid_utf8(v.bytes)) {
            return make_error(ErrorCode::kCorrupt, "column `{}`: text is not valid {}", m.name, schema::charset_name(cs));
          }
          append_rowbinary_string(v.bytes, out);
          return {};
        case schema::Charset::kUnknown:  // the source did not say: the bytes as they are
        case schema::Charset::kBinary:
          append_rowbinary_string(v.bytes, out);
          return {};
        case schema::Charset::kUnsupported: break;
      }
      return value_error(m, "text in a character set mysql2ch does not convert");
    }
    case ColumnEncoding::kBytes: {
      if (v.kind != ValueKind::kBytes && v.kind != ValueKind::kString) return kind_error(m, v);
      // BINARY(n) is n bytes; row images drop its trailing zero bytes.
      if (column.type == schema::ColumnType::kString && v.bytes.size() < column.max_length) {
        append_varuint(column.max_length, out);
        out.append(v.bytes);
        out.append(column.max_length - v.bytes.size(), '\0');
        return {};
      }
      append_rowbinary_string(v.bytes, out);
      return {};
    }
    case ColumnEncoding::kEnum8:
    case ColumnEncoding::kEnum16:
    case ColumnEncoding::kEnumText:
      if (v.kind != ValueKind::kEnum) return kind_error(m, v);
      if (v.u > column.labels.size()) {
        return value_error(m, fmt::format("ENUM index {} beyond its {} labels", v.u, column.labels.size()));
      }
      if (m.encoding == ColumnEncoding::kEnum8) append_fixed(static_cast<int8_t>(v.u), out);
      else if (m.encoding == ColumnEncoding::kEnum16) append_fixed(static_cast<int16_t>(v.u), out);
      else append_rowbinary_string(v.u == 0 ? std::string_view() : std::string_view(column.labels[v.u - 1]), out);
      return {};
    case ColumnEncoding::kSetText: {
      if (v.kind != ValueKind::kSet) return kind_error(m, v);
      const size_t n = column.labels.size();
      if (n < 64 && (v.u >> n) != 0) {
        return value_error(m, fmt::format("SET bits {:#x} beyond its {} labels", v.u, n));
      }
      scratch_.clear();
      bool first = true;
      for (size_t k = 0; k < n && k < 64; ++k) {
        if ((v.u >> k & 1) == 0) continue;
        if (!first) scratch_.push_back(',');
        first = false;
        scratch_ += column.labels[k];
      }
      append_rowbinary_string(scratch_, out);
      return {};
    }
    case ColumnEncoding::kJsonText:
      if (v.kind == ValueKind::kJsonText) {
        append_rowbinary_string(v.bytes, out);
        return {};
      }
      if (v.kind == ValueKind::kJsonBinary) {
        scratch_.clear();
        auto st = schema::append_json_binary(
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.bytes.data()), v.bytes.size()), scratch_);
        if (!st.ok()) return std::move(st).error().context(fmt::format("column `{}`", m.name));
        append_rowbinary_string(scratch_, out);
        return {};
      }
      return kind_error(m, v);
    case ColumnEncoding::kGeometry:
      if (v.kind != ValueKind::kGeometry && v.kind != ValueKind::kBytes) return kind_error(m, v);
      append_rowbinary_string(v.bytes, out);
      return {};
    case ColumnEncoding::kVector:
      if (v.kind != ValueKind::kVector) return kind_error(m, v);
      if (v.bytes.empty() || v.bytes.size() % 4 != 0) {
        return value_error(m, fmt::format("VECTOR value of {} bytes is not a non-empty float32 array", v.bytes.size()));
      }
      append_varuint(v.bytes.size() / 4, out);
      out.append(v.bytes);  // little-endian float32, as RowBinary's Array(Float32) elements
      return {};
  }
  return value_error(m, "unknown encoding");
}

}  // namespace mysql2ch
