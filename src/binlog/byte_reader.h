// A bounds-checked little-endian cursor over a byte span, for every binlog decoder. Every read either
// succeeds or returns kCorrupt naming what was being read and the byte offset within the span, so a
// malformed event can never cause a read outside its buffer.
//
// The reader views the caller's span: the span must outlive the reader and every view it returns.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/result.h"

namespace mysql2ch::binlog {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  size_t offset() const { return base_ + at_; }  // position for messages (base_offset + bytes consumed)
  size_t consumed() const { return at_; }
  size_t remaining() const { return data_.size() - at_; }
  bool empty() const { return at_ == data_.size(); }
  std::span<const uint8_t> rest() const { return data_.subspan(at_); }

  Status need(size_t n, std::string_view what) const {
    if (n > remaining()) {
      return make_error(ErrorCode::kCorrupt, "{} needs {} bytes at offset {}, only {} left", what, n, offset(),
                        remaining());
    }
    return {};
  }
  Status skip(size_t n, std::string_view what) {
    TRY(need(n, what));
    at_ += n;
    return {};
  }
  // Little-endian unsigned integer of 1..8 bytes.
  Status uint_le(size_t n, uint64_t& v, std::string_view what) {
    TRY(need(n, what));
    v = 0;
    for (size_t k = n; k > 0; --k) v = v << 8 | data_[at_ + k - 1];
    at_ += n;
    return {};
  }
  template <typename T>
  Status le(T& v, std::string_view what) {
    uint64_t x;
    TRY(uint_le(sizeof(T), x, what));
    v = static_cast<T>(x);
    return {};
  }
  Status bytes(size_t n, std::span<const uint8_t>& v, std::string_view what) {
    TRY(need(n, what));
    v = data_.subspan(at_, n);
    at_ += n;
    return {};
  }
  Status text(size_t n, std::string_view& v, std::string_view what) {
    std::span<const uint8_t> b;
    TRY(bytes(n, b, what));
    v = std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
    return {};
  }
  // MySQL's length-encoded integer (net_field_length): < 251 in one byte, 0xFC + 2, 0xFD + 3, 0xFE + 8 bytes.
  Status packed(uint64_t& v, std::string_view what) {
    uint8_t first;
    TRY(le(first, what));
    if (first < 251) {
      v = first;
      return {};
    }
    if (first == 252) return uint_le(2, v, what);
    if (first == 253) return uint_le(3, v, what);
    if (first == 254) return uint_le(8, v, what);
    return make_error(ErrorCode::kCorrupt, "{} has an invalid length-encoded integer prefix {:#x} at offset {}", what,
                      first, offset() - 1);
  }
  // A length-encoded count or length that must fit in the rest of the span (each element at least
  // `min_element_size` bytes), so a corrupt length can never drive a huge allocation or loop.
  Status packed_count(size_t& v, size_t min_element_size, std::string_view what) {
    uint64_t x;
    TRY(packed(x, what));
    if (min_element_size > 0 && x > remaining() / min_element_size) {
      return make_error(ErrorCode::kCorrupt, "{} of {} at offset {} exceeds the {} bytes left", what, x, offset(),
                        remaining());
    }
    v = static_cast<size_t>(x);
    return {};
  }
  // MySQL serialization library variable-length unsigned integer (GTID_TAGGED events): the number of trailing
  // one bits of the first byte plus one is the byte count; the value is the little-endian number shifted right
  // by that count; a first byte of 0xFF is followed by the 8-byte value.
  Status serialized_uint(uint64_t& v, std::string_view what) {
    TRY(need(1, what));
    const uint8_t first = data_[at_];
    size_t n = 1;
    while (n <= 8 && (first >> (n - 1) & 1) != 0) ++n;
    if (n == 9) {
      TRY(skip(1, what));
      return uint_le(8, v, what);
    }
    uint64_t raw;
    TRY(uint_le(n, raw, what));
    v = raw >> n;
    return {};
  }

 private:
  std::span<const uint8_t> data_;
  size_t base_;
  size_t at_ = 0;
};

}  // namespace mysql2ch::binlog
