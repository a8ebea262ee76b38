// Compresses a caller's buffer into gzip piece by piece, as an HTTP client pulls request-body bytes, so a
// compressed insert never holds a second whole copy of the batch.
//
// The input view must stay valid and unchanged until the stream is finished or destroyed. Not thread-safe.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <string_view>

#include "common/result.h"

namespace mysql2ch {

class GzipStream {
 public:
  // level: 1 (fastest) .. 9 (smallest).
  explicit GzipStream(std::string_view input, int level = 1);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // Writes up to `capacity` (> 0) compressed bytes into `out`; returns how many, 0 once everything (gzip
  // trailer included) has been produced, or an error if zlib fails.
  Result<size_t> read(char* out, size_t capacity);

  size_t input_consumed() const { return static_cast<size_t>(z_.total_in); }

 private:
  z_stream z_{};
  bool initialised_ = false;
  bool finished_ = false;
  size_t remaining_ = 0;  // input bytes not yet handed to zlib
};

}  // namespace mysql2ch
