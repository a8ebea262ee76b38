#include "binlog/value_decoder.h"

#include <array>
#include <cstring>

#include "schema/mysql_binary.h"

namespace mysql2ch::binlog {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;
using schema::Temporal;
using schema::Value;
using schema::ValueKind;

using Decoder = Status (*)(const ColumnDef&, ByteReader&, Value&);

uint64_t be(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

template <size_t N>
Status integer(const ColumnDef& c, ByteReader& in, Value& out) {
  uint64_t raw;
  TRY(in.uint_le(N, raw, "integer"));
  if (c.is_unsigned) {
    out.set_uint(ValueKind::kUint, raw);
  } else {
    const uint64_t sign = uint64_t{1} << (N * 8 - 1);
    out.set_int64(static_cast<int64_t>((raw ^ sign) - sign));
  }
  return {};
}

Status float32(const ColumnDef&, ByteReader& in, Value& out) {
  uint32_t bits;
  TRY(in.le(bits, "FLOAT"));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  out.set_float32(f);
  return {};
}

Status float64(const ColumnDef&, ByteReader& in, Value& out) {
  uint64_t bits;
  TRY(in.le(bits, "DOUBLE"));
  double d;
  std::memcpy(&d, &bits, sizeof d);
  out.set_float64(d);
  return {};
}

Status decimal(const ColumnDef& c, ByteReader& in, Value& out) {
  const size_t size = schema::decimal_binary_size(c.precision, c.scale);
  std::span<const uint8_t> b;
  TRY(in.bytes(size, b, "DECIMAL"));
  return schema::decode_decimal_binary(b, c.precision, c.scale, out);
}

Status year(const ColumnDef&, ByteReader& in, Value& out) {
  uint8_t y;
  TRY(in.le(y, "YEAR"));
  out.set_int64(y == 0 ? 0 : 1900 + y);
  return {};
}

Status bit(const ColumnDef& c, ByteReader& in, Value& out) {
  std::span<const uint8_t> b;
  TRY(in.bytes((c.max_length + 7) / 8, b, "BIT"));
  out.set_uint(ValueKind::kBit, be(b));
  return {};
}

Status date(const ColumnDef&, ByteReader& in, Value& out) {
  uint32_t v;
  uint64_t raw;
  TRY(in.uint_le(3, raw, "DATE"));
  v = static_cast<uint32_t>(raw);
  Temporal t;
  t.day = static_cast<uint8_t>(v & 31);
  t.month = static_cast<uint8_t>(v >> 5 & 15);
  t.year = static_cast<uint16_t>(v >> 9);
  out.set_temporal(ValueKind::kDate, t);
  return {};
}

Status old_time(const ColumnDef&, ByteReader& in, Value& out) {
  uint64_t raw;
  TRY(in.uint_le(3, raw, "TIME"));
  int32_t v = static_cast<int32_t>(raw << 8) >> 8;  // sign-extend 24 bits
  Temporal t;
  if (v < 0) {
    t.negative = true;
    v = -v;
  }
  t.hour = static_cast<uint16_t>(v / 10000);
  t.minute = static_cast<uint8_t>(v / 100 % 100);
  t.second = static_cast<uint8_t>(v % 100);
  out.set_temporal(ValueKind::kTime, t);
  return {};
}

Status old_datetime(const ColumnDef&, ByteReader& in, Value& out) {
  uint64_t v;
  TRY(in.le(v, "DATETIME"));
  Temporal t;
  const uint64_t d = v / 1000000, hms = v % 1000000;
  t.year = static_cast<uint16_t>(d / 10000 % 10000);
  t.month = static_cast<uint8_t>(d / 100 % 100);
  t.day = static_cast<uint8_t>(d % 100);
  t.hour = static_cast<uint16_t>(hms / 10000);
  t.minute = static_cast<uint8_t>(hms / 100 % 100);
  t.second = static_cast<uint8_t>(hms % 100);
  out.set_temporal(ValueKind::kDateTime, t);
  return {};
}

// Days since 1970-01-01 → civil date (proleptic Gregorian).
void civil_from_days(int64_t z, Temporal& t) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  t.year = static_cast<uint16_t>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
}

void timestamp_fields(uint64_t seconds, uint32_t micro, Temporal& t) {
  if (seconds == 0 && micro == 0) return;  // the zero timestamp stays 0000-00-00 00:00:00
  civil_from_days(static_cast<int64_t>(seconds / 86400), t);
  const uint64_t s = seconds % 86400;
  t.hour = static_cast<uint16_t>(s / 3600);
  t.minute = static_cast<uint8_t>(s / 60 % 60);
  t.second = static_cast<uint8_t>(s % 60);
  t.microsecond = micro;
}

Status old_timestamp(const ColumnDef&, ByteReader& in, Value& out) {
  uint32_t s;
  TRY(in.le(s, "TIMESTAMP"));
  Temporal t;
  timestamp_fields(s, 0, t);
  out.set_temporal(ValueKind::kTimestamp, t);
  return {};
}

// Fraction bytes of the "2" temporals: (fsp + 1) / 2, big-endian, scaled to microseconds.
Status fraction(const ColumnDef& c, ByteReader& in, bool is_signed, int64_t& micro) {
  const size_t n = (c.fsp + 1u) / 2;
  micro = 0;
  if (n == 0) return {};
  std::span<const uint8_t> b;
  TRY(in.bytes(n, b, "fractional seconds"));
  int64_t v = static_cast<int64_t>(be(b));
  if (is_signed) {
    const int64_t sign = int64_t{1} << (n * 8 - 1);
    v = (v ^ sign) - sign;
  }
  static constexpr int64_t kScale[4] = {1, 10000, 100, 1};
  micro = v * kScale[n];
  return {};
}

Status timestamp2(const ColumnDef& c, ByteReader& in, Value& out) {
  std::span<const uint8_t> b;
  TRY(in.bytes(4, b, "TIMESTAMP"));
  int64_t micro;
  TRY(fraction(c, in, false, micro));
  if (micro >= 1000000) return make_error(ErrorCode::kCorrupt, "TIMESTAMP fraction {} at offset {}", micro, in.offset());
  Temporal t;
  timestamp_fields(be(b), static_cast<uint32_t>(micro), t);
  t.fsp = c.fsp;
  out.set_temporal(ValueKind::kTimestamp, t);
  return {};
}

Status datetime2(const ColumnDef& c, ByteReader& in, Value& out) {
  std::span<const uint8_t> b;
  TRY(in.bytes(5, b, "DATETIME"));
  const int64_t intpart = static_cast<int64_t>(be(b)) - 0x8000000000LL;
  int64_t micro;
  TRY(fraction(c, in, true, micro));
  if (intpart < 0 || micro < 0 || micro >= 1000000) {
    return make_error(ErrorCode::kCorrupt, "negative or out-of-range DATETIME at offset {}", in.offset());
  }
  Temporal t = schema::temporal_from_packed_datetime((intpart << 24) + micro);
  t.fsp = c.fsp;
  out.set_temporal(ValueKind::kDateTime, t);
  return {};
}

Status time2(const ColumnDef& c, ByteReader& in, Value& out) {
  int64_t packed;
  if (c.fsp >= 5) {
    std::span<const uint8_t> b;
    TRY(in.bytes(6, b, "TIME"));
    packed = static_cast<int64_t>(be(b)) - 0x800000000000LL;
  } else {
    std::span<const uint8_t> b;
    TRY(in.bytes(3, b, "TIME"));
    int64_t intpart = static_cast<int64_t>(be(b)) - 0x800000;
    int64_t frac = 0;
    if (c.fsp > 0) {
      const size_t n = (c.fsp + 1u) / 2;
      std::span<const uint8_t> fb;
      TRY(in.bytes(n, fb, "fractional seconds"));
      frac = static_cast<int64_t>(be(fb));
      // A negative time with a fraction stores the fraction as its complement and the integer part one lower.
      if (intpart < 0 && frac != 0) {
        intpart += 1;
        frac -= n == 1 ? 0x100 : 0x10000;
      }
      frac *= n == 1 ? 10000 : 100;
    }
    packed = intpart * (int64_t{1} << 24) + frac;
  }
  Temporal t = schema::temporal_from_packed_time(packed);
  if (t.minute > 59 || t.second > 59 || t.microsecond > 999999) {
    return make_error(ErrorCode::kCorrupt, "TIME out of range at offset {}", in.offset());
  }
  t.fsp = c.fsp;
  out.set_temporal(ValueKind::kTime, t);
  return {};
}

Status length_prefixed(ByteReader& in, size_t prefix, std::string_view& s, std::string_view what) {
  uint64_t len;
  TRY(in.uint_le(prefix, len, what));
  return in.text(static_cast<size_t>(len), s, what);
}

void text_or_bytes(const ColumnDef& c, std::string_view s, Value& out) {
  if (c.charset == Charset::kBinary) {
    out.set_bytes(ValueKind::kBytes, s);
  } else {
    out.set_string(s, c.charset);
  }
}

Status varchar(const ColumnDef& c, ByteReader& in, Value& out) {
  std::string_view s;
  TRY(length_prefixed(in, c.max_length < 256 ? 1 : 2, s, "VARCHAR"));
  text_or_bytes(c, s, out);
  return {};
}

Status fixed_string(const ColumnDef& c, ByteReader& in, Value& out) {
  std::string_view s;
  TRY(length_prefixed(in, c.max_length < 256 ? 1 : 2, s, "CHAR"));
  text_or_bytes(c, s, out);
  return {};
}

Status enum_value(const ColumnDef& c, ByteReader& in, Value& out) {
  uint64_t v;
  TRY(in.uint_le(c.length_bytes, v, "ENUM"));
  out.set_uint(ValueKind::kEnum, v);
  return {};
}

Status set_value(const ColumnDef& c, ByteReader& in, Value& out) {
  uint64_t v;
  TRY(in.uint_le(c.length_bytes, v, "SET"));
  out.set_uint(ValueKind::kSet, v);
  return {};
}

Status blob(const ColumnDef& c, ByteReader& in, Value& out) {
  std::string_view s;
  TRY(length_prefixed(in, c.length_bytes, s, "BLOB"));
  text_or_bytes(c, s, out);
  return {};
}

template <ValueKind K>
Status blob_of(const ColumnDef& c, ByteReader& in, Value& out) {
  std::string_view s;
  TRY(length_prefixed(in, c.length_bytes, s, schema::value_kind_name(K)));
  out.set_bytes(K, s);
  return {};
}

Status null_type(const ColumnDef&, ByteReader&, Value& out) {
  out.set_null();
  return {};
}

constexpr std::array<Decoder, 256> make_table() {
  std::array<Decoder, 256> t{};
  auto at = [&t](ColumnType type, Decoder d) { t[static_cast<uint8_t>(type)] = d; };
  at(ColumnType::kTiny, integer<1>);
  at(ColumnType::kShort, integer<2>);
  at(ColumnType::kInt24, integer<3>);
  at(ColumnType::kLong, integer<4>);
  at(ColumnType::kLongLong, integer<8>);
  at(ColumnType::kFloat, float32);
  at(ColumnType::kDouble, float64);
  at(ColumnType::kNewDecimal, decimal);
  at(ColumnType::kYear, year);
  at(ColumnType::kBit, bit);
  at(ColumnType::kDate, date);
  at(ColumnType::kNewDate, date);
  at(ColumnType::kTime, old_time);
  at(ColumnType::kDateTime, old_datetime);
  at(ColumnType::kTimestamp, old_timestamp);
  at(ColumnType::kTimestamp2, timestamp2);
  at(ColumnType::kDateTime2, datetime2);
  at(ColumnType::kTime2, time2);
  at(ColumnType::kVarchar, varchar);
  at(ColumnType::kVarString, varchar);
  at(ColumnType::kString, fixed_string);
  at(ColumnType::kEnum, enum_value);
  at(ColumnType::kSet, set_value);
  at(ColumnType::kBlob, blob);
  at(ColumnType::kTinyBlob, blob);
  at(ColumnType::kMediumBlob, blob);
  at(ColumnType::kLongBlob, blob);
  at(ColumnType::kJson, blob_of<ValueKind::kJsonBinary>);
  at(ColumnType::kGeometry, blob_of<ValueKind::kGeometry>);
  at(ColumnType::kVector, blob_of<ValueKind::kVector>);
  at(ColumnType::kNull, null_type);
  return t;
}
constexpr std::array<Decoder, 256> kDecoders = make_table();

}  // namespace

Status decode_column_value(const ColumnDef& column, ByteReader& in, Value& out) {
  const Decoder d = kDecoders[static_cast<uint8_t>(column.type)];
  if (d == nullptr) {
    return make_error(ErrorCode::kUnsupported, "column {} has type {} ({}), which has no row-image decoder",
                      column.name, schema::column_type_name(column.type), static_cast<int>(column.type));
  }
  Status st = d(column, in, out);
  if (!st.ok()) return std::move(st).error().context(fmt::format("column {}", column.name));
  return {};
}

}  // namespace mysql2ch::binlog
