// The canonical in-memory value of one column in one row, produced identically by the binlog decoder (row
// images) and by the snapshot reader (SELECT text, see text_value.h), and rendered by ONE renderer
// (value_json.h). Values are small tagged structs: numbers and temporals inline, everything variable-length
// as a view into the buffer the value was decoded from — no heap allocation per value.
//
// Lifetime: a Value's `bytes` view points into the caller's buffer (binlog event, decompressed payload,
// SELECT row). It is valid exactly as long as that buffer; copy the bytes to keep them longer.
//
// Kinds and what they hold:
//   kAbsent     column not in this row image (MINIMAL / NOBLOB images, the before image of MINIMAL updates)
//   kNull       SQL NULL
//   kInt        int64 `i`: signed TINYINT..BIGINT, YEAR (0 for YEAR 0000)
//   kUint       uint64 `u`: unsigned TINYINT..BIGINT
//   kFloat      float `f` (FLOAT is single precision; rendered with the shortest text that round-trips a float)
//   kDouble     double `d`
//   kDecimal    exact decimal text in `decimal()`: optional '-', integer digits without leading zeros (at
//               least "0"), and when scale > 0 a '.' and exactly `scale` digits; never "-0"
//   kDate       `t` (year, month, day), zero date 0000-00-00 allowed
//   kDateTime   `t` with fsp (0..6 fraction digits rendered)
//   kTimestamp  `t` already converted to UTC calendar fields, with fsp; zero timestamp = all zero
//   kTime       `t` with hour up to 838, `t.negative`, fsp
//   kString     text `bytes` in `charset` (converted to UTF-8 when rendered)
//   kBytes      binary string `bytes` (BINARY, VARBINARY, BLOB, and text with charset binary). Row images
//               drop the trailing zero bytes of BINARY(n): its canonical value is `bytes` zero-padded to the
//               column's max_length, which the renderer does (ColumnType::kString with charset binary)
//   kEnum       `u` = 1-based index into the column's labels (0 = the empty error value)
//   kSet        `u` = bitmask over the column's labels (bit 0 = first label)
//   kBit        `u` = the bits as an unsigned number
//   kJsonBinary `bytes` = MySQL's binary JSON (json_binary.h)
//   kJsonText   `bytes` = JSON text (MariaDB keeps JSON as text; SELECT text; partial-update results)
//   kGeometry   `bytes` = 4-byte little-endian SRID followed by WKB, as MySQL stores it
//   kVector     `bytes` = little-endian float32 elements
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "schema/column.h"

namespace mysql2ch::schema {

enum class ValueKind : uint8_t {
  kAbsent,
  kNull,
  kInt,
  kUint,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kDateTime,
  kTimestamp,
  kTime,
  kString,
  kBytes,
  kEnum,
  kSet,
  kBit,
  kJsonBinary,
  kJsonText,
  kGeometry,
  kVector,
};

std::string_view value_kind_name(ValueKind kind);

struct Temporal {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint16_t hour = 0;  // TIME: 0..838
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microsecond = 0;
  bool negative = false;  // TIME only
  uint8_t fsp = 0;        // fraction digits to render (0..6)
};

// 65 digits, a sign and a point fit.
inline constexpr size_t kMaxDecimalText = 68;

struct Value {
  ValueKind kind = ValueKind::kNull;
  Charset charset = Charset::kUnknown;  // kString only
  int64_t i = 0;
  uint64_t u = 0;
  float f = 0;
  double d = 0;
  Temporal t;
  std::string_view bytes;

  std::string_view decimal() const { return {decimal_.data(), decimal_size_}; }
  // Precondition: text.size() <= kMaxDecimalText and it is in the canonical form described above.
  void set_decimal(std::string_view text) {
    kind = ValueKind::kDecimal;
    decimal_size_ = static_cast<uint8_t>(text.size());
    std::memcpy(decimal_.data(), text.data(), text.size());
  }

  // In-place forms of the factories below, for decoders that refill the Values of a reused row: each writes
  // the kind and the fields that kind holds (as listed above) and leaves the other fields as they were, which
  // no reader of that kind looks at. Cheaper than assigning a whole new Value per column.
  void set_absent() { kind = ValueKind::kAbsent; }
  void set_null() { kind = ValueKind::kNull; }
  void set_int64(int64_t v) { kind = ValueKind::kInt; i = v; }
  void set_uint(ValueKind k, uint64_t v) { kind = k; u = v; }
  void set_float32(float v) { kind = ValueKind::kFloat; f = v; }
  void set_float64(double v) { kind = ValueKind::kDouble; d = v; }
  void set_temporal(ValueKind k, const Temporal& v) { kind = k; t = v; }
  void set_string(std::string_view v, Charset cs) { kind = ValueKind::kString; bytes = v; charset = cs; }
  void set_bytes(ValueKind k, std::string_view v) { kind = k; bytes = v; }

  static Value absent() { return with_kind(ValueKind::kAbsent); }
  static Value null() { return with_kind(ValueKind::kNull); }
  static Value int64(int64_t v) { Value x = with_kind(ValueKind::kInt); x.i = v; return x; }
  static Value uint64(uint64_t v) { Value x = with_kind(ValueKind::kUint); x.u = v; return x; }
  static Value float32(float v) { Value x = with_kind(ValueKind::kFloat); x.f = v; return x; }
  static Value float64(double v) { Value x = with_kind(ValueKind::kDouble); x.d = v; return x; }
  static Value temporal(ValueKind k, const Temporal& v) { Value x = with_kind(k); x.t = v; return x; }
  static Value string(std::string_view v, Charset cs) {
    Value x = with_kind(ValueKind::kString); x.bytes = v; x.charset = cs; return x;
  }
  static Value with_bytes(ValueKind k, std::string_view v) { Value x = with_kind(k); x.bytes = v; return x; }
  static Value with_uint(ValueKind k, uint64_t v) { Value x = with_kind(k); x.u = v; return x; }

 private:
  static Value with_kind(ValueKind k) { Value x; x.kind = k; return x; }
  std::array<char, kMaxDecimalText> decimal_;  // only the first decimal_size_ bytes are meaningful
  uint8_t decimal_size_ = 0;
};

}  // namespace mysql2ch::schema
