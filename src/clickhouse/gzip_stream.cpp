#include "clickhouse/gzip_stream.h"

#include <algorithm>
#include <limits>

namespace mysql2ch {
namespace {
constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer instead of zlib's
constexpr int kMemLevel = 8;
}  // namespace

GzipStream::GzipStream(std::string_view input, int level) {
  initialised_ = deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) == Z_OK;
  // zlib's API is not const-correct; it never writes through next_in.
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z_.avail_in = 0;
  remaining_ = input.size();
}

GzipStream::~GzipStream() {
  if (initialised_) deflateEnd(&z_);
}

Result<size_t> GzipStream::read(char* out, size_t capacity) {
  if (!initialised_) return make_error(ErrorCode::kInternal, "gzip: deflateInit2 failed");
  if (finished_) return size_t{0};
  z_.next_out = reinterpret_cast<Bytef*>(out);
  z_.avail_out = static_cast<uInt>(std::min<size_t>(capacity, std::numeric_limits<uInt>::max()));
  while (z_.avail_out > 0) {
    // avail_in is 32-bit: feed inputs larger than 4 GiB in slices.
    if (z_.avail_in == 0 && remaining_ > 0) {
      const size_t slice = std::min<size_t>(remaining_, std::numeric_limits<uInt>::max());
      z_.avail_in = static_cast<uInt>(slice);
      remaining_ -= slice;
    }
    const int flush = remaining_ == 0 ? Z_FINISH : Z_NO_FLUSH;
    const int rc = deflate(&z_, flush);
    if (rc == Z_STREAM_END) {
      finished_ = true;
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) return make_error(ErrorCode::kInternal, "gzip: deflate failed ({})", rc);
  }
  return static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - out);
}

}  // namespace mysql2ch
