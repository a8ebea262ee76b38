#include "schema/mysql_binary.h"

#include <array>
#include <cstring>

namespace mysql2ch::schema {
namespace {
constexpr int kDigitsPerGroup = 9;
constexpr std::array<int, 10> kBytesForDigits = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr std::array<uint32_t, 10> kPow10 = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
                                             1000000000};

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
  std::array<uint8_t, 32> buf{};
  std::memcpy(buf.data(), in.data(), size);
  const bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  const uint8_t mask = negative ? 0xFF : 0x00;

  const int intg = precision - scale;
  const int lead = intg % kDigitsPerGroup, full_int = intg / kDigitsPerGroup;
  const int full_frac = scale / kDigitsPerGroup, trail = scale % kDigitsPerGroup;
  const uint8_t* p = buf.data();

  char text[kMaxDecimalText + 16];
  size_t n = 0;
  text[n++] = '-';
  const size_t digits_start = n;
  auto put_group = [&](uint32_t v, int digits) -> bool {
    if (v >= kPow10[static_cast<size_t>(digits)]) return false;
    for (int k = digits - 1; k >= 0; --k, v /= 10) text[n + static_cast<size_t>(k)] = static_cast<char>('0' + v % 10);
    n += static_cast<size_t>(digits);
    return true;
  };
  if (lead > 0) {
    const int b = kBytesForDigits[static_cast<size_t>(lead)];
    if (!put_group(read_be(p, b, mask), lead)) goto bad;
    p += b;
  }
  for (int g = 0; g < full_int; ++g, p += 4) {
    if (!put_group(read_be(p, 4, mask), kDigitsPerGroup)) goto bad;
  }
  {
    // Strip leading zeros of the integer part, keeping one.
    size_t first = digits_start;
    while (first + 1 < n && text[first] == '0') ++first;
    if (n == digits_start) text[n++] = '0', first = digits_start;
    std::memmove(text + digits_start, text + first, n - first);
    n -= first - digits_start;
  }
  if (scale > 0) {
    text[n++] = '.';
    for (int g = 0; g < full_frac; ++g, p += 4) {
      if (!put_group(read_be(p, 4, mask), kDigitsPerGroup)) goto bad;
    }
    if (trail > 0) {
      const int b = kBytesForDigits[static_cast<size_t>(trail)];
      if (!put_group(read_be(p, b, mask), trail)) goto bad;
    }
  }
  {
    bool all_zero = true;
    for (size_t k = digits_start; k < n; ++k) all_zero = all_zero && (text[k] == '0' || text[k] == '.');
    const bool show_sign = negative && !all_zero;
    out.set_decimal(std::string_view(text + (show_sign ? 0 : 1), n - (show_sign ? 0 : 1)));
  }
  return {};
bad:
  return make_error(ErrorCode::kCorrupt, "DECIMAL({},{}) has a digit group out of range", precision, scale);
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
