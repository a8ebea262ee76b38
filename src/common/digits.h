// Fixed-width decimal digits, two at a time: the formatting of DECIMAL groups and temporal fields on the
// binlog decoding path, where std::to_chars' variable width is not what is wanted and a division per digit
// is measurable.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace mysql2ch {

// "00" .. "99".
inline constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> d{};
  for (size_t k = 0; k < 100; ++k) {
    d[2 * k] = static_cast<char>('0' + k / 10);
    d[2 * k + 1] = static_cast<char>('0' + k % 10);
  }
  return d;
}();

// Writes the two digits of `v` (< 100) at `p`; returns the end.
inline char* put_two_digits(uint32_t v, char* p) {
  std::memcpy(p, &kDigitPairs[static_cast<size_t>(v) * 2], 2);
  return p + 2;
}

// Writes `v` as exactly `width` digits, zero-padded, at `p`; returns the end. Precondition: v < 10^width
// (a larger v loses its leading digits).
inline char* put_fixed_digits(uint32_t v, int width, char* p) {
  char* const end = p + width;
  char* q = end;
  while (q - p >= 2) {
    q -= 2;
    put_two_digits(v % 100, q);
    v /= 100;
  }
  if (q > p) *--q = static_cast<char>('0' + v % 10);
  return end;
}

}  // namespace mysql2ch
