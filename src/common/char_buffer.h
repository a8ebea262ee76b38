// A growable text buffer for output built from many small pieces (JSON lines of `mysql2ch binlog`). Unlike
// std::string, appending is fully inline and a writer may reserve room and write into it directly
// (room/commit), without the zero-fill a resize would do. Storage is kept across clear(), so a reused buffer
// stops allocating once it has grown to its working size.
//
// Caller guarantees: a pointer from room(n) is used for at most n bytes and only until the next call that
// changes the buffer; commit(end) gets an end within that room. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace mysql2ch {

class CharBuffer {
 public:
  CharBuffer() = default;
  CharBuffer(const CharBuffer&) = delete;
  CharBuffer& operator=(const CharBuffer&) = delete;

  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_.get(), size_}; }
  void clear() { size_ = 0; }
  // Drops everything after the first `n` bytes (n <= size()).
  void truncate(size_t n) { size_ = n; }

  // Room for at least `n` more bytes at the end; returns where they start.
  char* room(size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_.get() + size_;
  }
  // Marks the bytes up to `end` (inside the last room) as written.
  void commit(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }

  void append(const char* p, size_t n) {
    char* d = room(n);
    if (n != 0) std::memcpy(d, p, n);
    size_ += n;
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  void push_back(char c) {
    *room(1) = c;
    ++size_;
  }
  CharBuffer& operator+=(std::string_view s) {
    append(s);
    return *this;
  }
  CharBuffer& operator+=(char c) {
    push_back(c);
    return *this;
  }

 private:
  void grow(size_t n) {
    size_t cap = capacity_ < 256 ? 256 : capacity_ * 2;
    while (cap - size_ < n) cap *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace mysql2ch
