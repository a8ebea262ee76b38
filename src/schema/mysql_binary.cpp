#include "schema/mysql_binary.h"

#include <array>
#include <charconv>
#include <cstring>

namespace mysql2ch::schema {
namespace {
constexpr int kDigitsPerGroup = 9;
constexpr std::array<int, 10> kBytesForDigits = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<uint32_t, 10> kPow10 = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
                                             1000000000};

// "00".."99": decimal digits two at a time.
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> d{};
  for (size_t k = 0; k < 100; ++k) {
    d[2 * k] = static_cast<char>('0' + k / 10);
    d[2 * k + 1] = static_cast<char>('0' + k % 10);
  }
  return d;
}();

// Writes `v` as exactly `digits` digits, zero-padded (the caller guarantees v < 10^digits), at `p`.
char* put_fixed(uint32_t v, int digits, char* p) {
  char* const end = p + digits;
  char* q = end;
  while (q - p >= 2) {
    q -= 2;
    std::memcpy(q, &kDigitPairs[(v % 100) * 2], 2);
    v /= 100;
  }
  if (q > p) *--q = static_cast<char>('0' + v % 10);
  return end;
}

uint32_t read_be(const uint8_t* p, int n, uint8_t mask) {
  uint32_t v = 0;
  for (int k = 0; k < n; ++k) v = v << 8 | static_cast<uint8_t>(p[k] ^ mask);
  return v;
}
}  // namespace

size_t decimal_binary_size(int precision, int scale) {
  if (precision < 1 || precision > 65 || scale < 0 || scale > 30 || scale > precision) return 0;
  const int intg = precision - scale;
  return static_cast<size_t>(intg / kDigitsPerGroup * 4 + kBytesForDigits[intg % kDigitsPerGroup] +
                             scale / kDigitsPerGroup * 4 + kBytesForDigits[scale % kDigitsPerGroup]);
}

Status decode_decimal_binary(std::span<const uint8_t> in, int precision, int scale, Value& out) {
  const size_t size = decimal_binary_size(precision, scale);
  if (size == 0) return make_error(ErrorCode::kCorrupt, "invalid DECIMAL({},{})", precision, scale);
  if (in.size() < size) {
    return make_error(ErrorCode::kCorrupt, "DECIMAL({},{}) needs {} bytes, {} left", precision, scale, size,
                      in.size());
  }
  // The sign bit is stored inverted in the first byte; negative numbers have every bit inverted.
  std::array<uint8_t, 32> buf;
  std::memcpy(buf.data(), in.data(), size);
  const bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  const uint8_t mask = negative ? 0xFF : 0x00;

  const int intg = precision - scale;
  const int lead = intg % kDigitsPerGroup, full_int = intg / kDigitsPerGroup;
  const int full_frac = scale / kDigitsPerGroup, trail = scale % kDigitsPerGroup;
  const uint8_t* p = buf.data();

  char text[kMaxDecimalText + 32];  // room for an out-of-range group's extra digits before it is reported
  char* t = text;
  *t++ = '-';
  bool nonzero = false;  // a digit other than 0 was seen (leading zeros of the integer part are not written)
  bool in_range = true;
  // One group of `digits` digits stored in `bytes` bytes.
  auto group = [&](int digits, int bytes) {
    const uint32_t v = read_be(p, bytes, mask);
    p += bytes;
    in_range = in_range && v < kPow10[static_cast<size_t>(digits)];
    return v;
  };
  auto int_group = [&](int digits, int bytes) {
    const uint32_t v = group(digits, bytes);
    if (nonzero) {
      t = put_fixed(v, digits, t);
    } else if (v != 0) {
      t = std::to_chars(t, t + 10, v).ptr;
      nonzero = true;
    }
  };
  if (lead > 0) int_group(lead, kBytesForDigits[static_cast<size_t>(lead)]);
  for (int g = 0; g < full_int; ++g) int_group(kDigitsPerGroup, 4);
  if (!nonzero) *t++ = '0';
  if (scale > 0) {
    *t++ = '.';
    for (int g = 0; g < full_frac; ++g) {
      const uint32_t v = group(kDigitsPerGroup, 4);
      nonzero = nonzero || v != 0;
      t = put_fixed(v, kDigitsPerGroup, t);
    }
    if (trail > 0) {
      const uint32_t v = group(trail, kBytesForDigits[static_cast<size_t>(trail)]);
      nonzero = nonzero || v != 0;
      t = put_fixed(v, trail, t);
    }
  }
  if (!in_range) {
    return make_error(ErrorCode::kCorrupt, "DECIMAL({},{}) has a digit group out of range", precision, scale);
  }
  const bool show_sign = negative && nonzero;
  const char* begin = show_sign ? text : text + 1;
  out.set_decimal(std::string_view(begin, static_cast<size_t>(t - begin)));
  return {};
}

Temporal temporal_from_packed_datetime(int64_t packed) {
  Temporal t;
  if (packed < 0) {
    t.negative = true;
    packed = -packed;
  }
  t.microsecond = static_cast<uint32_t>(packed % (1LL << 24));
  const int64_t ymdhms = packed >> 24;
  const int64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms % (1 << 17);
  t.day = static_cast<uint8_t>(ymd % (1 << 5));
  t.month = static_cast<uint8_t>(ym % 13);
  t.year = static_cast<uint16_t>(ym / 13);
  t.second = static_cast<uint8_t>(hms % (1 << 6));
  t.minute = static_cast<uint8_t>((hms >> 6) % (1 << 6));
  t.hour = static_cast<uint16_t>(hms >> 12);
  return t;
}

Temporal temporal_from_packed_time(int64_t packed) {
  Temporal t;
  if (packed < 0) {
    t.negative = true;
    packed = -packed;
  }
  t.microsecond = static_cast<uint32_t>(packed % (1LL << 24));
  const int64_t hms = packed >> 24;
  t.hour = static_cast<uint16_t>((hms >> 12) % (1 << 10));
  t.minute = static_cast<uint8_t>((hms >> 6) % (1 << 6));
  t.second = static_cast<uint8_t>(hms % (1 << 6));
  return t;
}

}  // namespace mysql2ch::schema
