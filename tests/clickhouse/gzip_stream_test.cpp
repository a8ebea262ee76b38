#include "clickhouse/gzip_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace mysql2ch {
namespace {

std::string gunzip(const std::string& compressed) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(1 << 16, '\0');
  std::string result;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    rc = inflate(&z, Z_NO_FLUSH);
    result.append(out.data(), out.size() - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return result;
}

std::string drain(GzipStream& s, size_t chunk) {
  std::string out;
  std::string buf(chunk, '\0');
  while (true) {
    auto n = s.read(buf.data(), buf.size());
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

TEST(GzipStream, RoundTripsThroughZlibInSmallAndLargeReads) {
  std::string input;
  for (int i = 0; i < 50000; ++i) input += std::to_string(i * 7919) + '\0';
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{16384}, size_t{1} << 20}) {
    GzipStream s(input, 1);
    const std::string gz = drain(s, chunk);
    EXPECT_LT(gz.size(), input.size());
    EXPECT_EQ(gunzip(gz), input) << "chunk " << chunk;
    EXPECT_EQ(s.input_consumed(), input.size());
  }
}

TEST(GzipStream, EmptyInputIsAValidEmptyGzipMember) {
  GzipStream s("", 6);
  const std::string gz = drain(s, 64);
  EXPECT_FALSE(gz.empty());
  EXPECT_EQ(gunzip(gz), "");
}

}  // namespace
}  // namespace mysql2ch
