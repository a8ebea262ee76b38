// Compresses a caller's buffer piece by piece, as an HTTP client pulls request-body bytes, so a compressed
// insert never holds a second whole copy of the batch. One encoder per Content-Encoding ClickHouse accepts
// for request bodies: gzip (every release), zstd and lz4 (frame format; 22.10 and newer).
//
// The input view must stay valid and unchanged until the encoder is finished or destroyed. Not thread-safe.
// Memory: bounded by the codec's own state plus, for lz4, one staging block; never proportional to the input.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "config/config.h"

namespace mysql2ch {

class RequestBodyEncoder {
 public:
  virtual ~RequestBodyEncoder() = default;
  // Writes up to `capacity` (> 0) compressed bytes into `out`; returns how many, 0 once the whole stream
  // (trailer included) has been produced, or an error (kInternal) naming the codec if it fails.
  virtual Result<size_t> read(char* out, size_t capacity) = 0;
  // Input bytes consumed so far (equals the input's size once read() returned 0).
  virtual size_t input_consumed() const = 0;
};

// The HTTP Content-Encoding token of `compression` ("gzip", "zstd", "lz4"); "" for kNone.
std::string_view content_encoding(RequestCompression compression);

// `level` 0 takes the codec's fast default (gzip 1, zstd 1, lz4 0). kNone has no encoder: the caller sends
// the bytes as they are (the factory refuses it with kInternal).
Result<std::unique_ptr<RequestBodyEncoder>> make_request_body_encoder(RequestCompression compression,
                                                                     std::string_view input, int level = 0);

}  // namespace mysql2ch
