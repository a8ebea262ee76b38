#include "clickhouse/request_body_encoder.h"

#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace mysql2ch {
namespace {

class GzipEncoder final : public RequestBodyEncoder {
 public:
  GzipEncoder(std::string_view input, int level) : remaining_(input.size()) {
    constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer instead of zlib's
    constexpr int kMemLevel = 8;
    initialised_ = deflateInit2(&z_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) == Z_OK;
    // zlib's API is not const-correct; it never writes through next_in.
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z_.avail_in = 0;
  }
  ~GzipEncoder() override {
    if (initialised_) deflateEnd(&z_);
  }
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  Result<size_t> read(char* out, size_t capacity) override {
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
      const int rc = deflate(&z_, remaining_ == 0 ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        finished_ = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) return make_error(ErrorCode::kInternal, "gzip: deflate failed ({})", rc);
    }
    return static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - out);
  }
  size_t input_consumed() const override { return static_cast<size_t>(z_.total_in); }

 private:
  z_stream z_{};
  bool initialised_ = false;
  bool finished_ = false;
  size_t remaining_;  // input bytes not yet handed to zlib
};

class ZstdEncoder final : public RequestBodyEncoder {
 public:
  ZstdEncoder(std::string_view input, int level) : cctx_(ZSTD_createCCtx()), in_{input.data(), input.size(), 0} {
    if (cctx_ != nullptr) ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
    // The content size in the frame header lets the server size its buffers.
    if (cctx_ != nullptr) ZSTD_CCtx_setPledgedSrcSize(cctx_, input.size());
  }
  ~ZstdEncoder() override { ZSTD_freeCCtx(cctx_); }
  ZstdEncoder(const ZstdEncoder&) = delete;
  ZstdEncoder& operator=(const ZstdEncoder&) = delete;

  Result<size_t> read(char* out, size_t capacity) override {
    if (cctx_ == nullptr) return make_error(ErrorCode::kInternal, "zstd: ZSTD_createCCtx failed");
    if (finished_) return size_t{0};
    ZSTD_outBuffer o{out, capacity, 0};
    // The whole input is available, so every call may end the frame; it returns the bytes still to flush.
    while (o.pos < o.size) {
      const size_t left = ZSTD_compressStream2(cctx_, &o, &in_, ZSTD_e_end);
      if (ZSTD_isError(left) != 0) {
        return make_error(ErrorCode::kInternal, "zstd: compression failed: {}", ZSTD_getErrorName(left));
      }
      if (left == 0) {
        finished_ = true;
        break;
      }
    }
    return o.pos;
  }
  size_t input_consumed() const override { return in_.pos; }

 private:
  ZSTD_CCtx* cctx_;
  ZSTD_inBuffer in_;
  bool finished_ = false;
};

// LZ4's frame API writes whole blocks into a buffer of compressBound() bytes, so output goes through one
// staging block that read() drains.
class Lz4Encoder final : public RequestBodyEncoder {
 public:
  Lz4Encoder(std::string_view input, int level) : input_(input) {
    prefs_.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs_.frameInfo.contentSize = input.size();
    prefs_.compressionLevel = level;
    if (LZ4F_isError(LZ4F_createCompressionContext(&cctx_, LZ4F_VERSION)) != 0) cctx_ = nullptr;
    staging_.resize(LZ4F_HEADER_SIZE_MAX + LZ4F_compressBound(kSlice, &prefs_));
  }
  ~Lz4Encoder() override { LZ4F_freeCompressionContext(cctx_); }
  Lz4Encoder(const Lz4Encoder&) = delete;
  Lz4Encoder& operator=(const Lz4Encoder&) = delete;

  Result<size_t> read(char* out, size_t capacity) override {
    if (cctx_ == nullptr) return make_error(ErrorCode::kInternal, "lz4: LZ4F_createCompressionContext failed");
    size_t written = 0;
    while (written < capacity) {
      if (staged_pos_ == staged_end_) {
        if (ended_) break;
        TRY(refill());
        continue;
      }
      const size_t n = std::min(capacity - written, staged_end_ - staged_pos_);
      std::copy_n(staging_.data() + staged_pos_, n, out + written);
      staged_pos_ += n;
      written += n;
    }
    return written;
  }
  size_t input_consumed() const override { return consumed_; }

 private:
  static constexpr size_t kSlice = 64 * 1024;

  Status refill() {
    size_t n = 0;
    if (!begun_) {
      n = LZ4F_compressBegin(cctx_, staging_.data(), staging_.size(), &prefs_);
      begun_ = true;
    } else if (consumed_ < input_.size()) {
      const size_t slice = std::min(kSlice, input_.size() - consumed_);
      n = LZ4F_compressUpdate(cctx_, staging_.data(), staging_.size(), input_.data() + consumed_, slice, nullptr);
      consumed_ += slice;
    } else {
      n = LZ4F_compressEnd(cctx_, staging_.data(), staging_.size(), nullptr);
      ended_ = true;
    }
    if (LZ4F_isError(n) != 0) return make_error(ErrorCode::kInternal, "lz4: compression failed: {}", LZ4F_getErrorName(n));
    staged_pos_ = 0;
    staged_end_ = n;
    return {};
  }

  std::string_view input_;
  LZ4F_cctx* cctx_ = nullptr;
  LZ4F_preferences_t prefs_{};
  std::vector<char> staging_;
  size_t staged_pos_ = 0;
  size_t staged_end_ = 0;
  size_t consumed_ = 0;
  bool begun_ = false;
  bool ended_ = false;
};

}  // namespace

std::string_view content_encoding(RequestCompression compression) {
  switch (compression) {
    case RequestCompression::kNone: return "";
    case RequestCompression::kGzip: return "gzip";
    case RequestCompression::kZstd: return "zstd";
    case RequestCompression::kLz4: return "lz4";
  }
  return "";
}

Result<std::unique_ptr<RequestBodyEncoder>> make_request_body_encoder(RequestCompression compression,
                                                                     std::string_view input, int level) {
  switch (compression) {
    case RequestCompression::kGzip: return std::unique_ptr<RequestBodyEncoder>(new GzipEncoder(input, level != 0 ? level : 1));
    case RequestCompression::kZstd: return std::unique_ptr<RequestBodyEncoder>(new ZstdEncoder(input, level != 0 ? level : 1));
    case RequestCompression::kLz4: return std::unique_ptr<RequestBodyEncoder>(new Lz4Encoder(input, level));
    case RequestCompression::kNone: break;
  }
  return make_error(ErrorCode::kInternal, "make_request_body_encoder: no encoder for an uncompressed body");
}

}  // namespace mysql2ch
