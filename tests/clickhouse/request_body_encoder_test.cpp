#include "clickhouse/request_body_encoder.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <zlib.h>
#include <zstd.h>

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

std::string unzstd(const std::string& compressed) {
  EXPECT_NE(ZSTD_getFrameContentSize(compressed.data(), compressed.size()), ZSTD_CONTENTSIZE_UNKNOWN)
      << "the frame header should carry the content size";
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  std::string out(1 << 16, '\0');
  std::string result;
  size_t rc = 1;
  while (rc != 0 && in.pos < in.size) {
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    rc = ZSTD_decompressStream(d, &o, &in);
    EXPECT_EQ(ZSTD_isError(rc), 0u) << ZSTD_getErrorName(rc);
    if (ZSTD_isError(rc) != 0) break;
    result.append(out.data(), o.pos);
  }
  EXPECT_EQ(rc, 0u) << "frame not complete";
  ZSTD_freeDCtx(d);
  return result;
}

std::string unlz4(const std::string& compressed) {
  LZ4F_dctx* d = nullptr;
  EXPECT_EQ(LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)), 0u);
  std::string out(1 << 16, '\0');
  std::string result;
  size_t pos = 0;
  size_t hint = 1;
  while (pos < compressed.size() && hint != 0) {
    size_t in_size = compressed.size() - pos;
    size_t out_size = out.size();
    hint = LZ4F_decompress(d, out.data(), &out_size, compressed.data() + pos, &in_size, nullptr);
    EXPECT_EQ(LZ4F_isError(hint), 0u) << LZ4F_getErrorName(hint);
    if (LZ4F_isError(hint) != 0) break;
    pos += in_size;
    result.append(out.data(), out_size);
  }
  EXPECT_EQ(hint, 0u) << "frame not complete";
  EXPECT_EQ(pos, compressed.size());
  LZ4F_freeDecompressionContext(d);
  return result;
}

std::string decode(RequestCompression c, const std::string& compressed) {
  switch (c) {
    case RequestCompression::kGzip: return gunzip(compressed);
    case RequestCompression::kZstd: return unzstd(compressed);
    case RequestCompression::kLz4: return unlz4(compressed);
    case RequestCompression::kNone: break;
  }
  ADD_FAILURE() << "no decoder";
  return {};
}

std::string drain(RequestBodyEncoder& e, size_t chunk) {
  std::string out;
  std::string buf(chunk, '\0');
  while (true) {
    auto n = e.read(buf.data(), buf.size());
    EXPECT_TRUE(n.ok()) << n.error().message();
    if (!n.ok() || *n == 0) break;
    EXPECT_LE(*n, chunk);
    out.append(buf.data(), *n);
  }
  return out;
}

class RequestBodyEncoderTest : public testing::TestWithParam<RequestCompression> {};

// Small pulls (1 byte at a time, as a congested socket might) and large ones must give the same stream, and
// inputs spanning several lz4 blocks (64 KiB) and zlib windows must survive intact.
TEST_P(RequestBodyEncoderTest, RoundTripsThroughTheReferenceDecoderInSmallAndLargeReads) {
  std::string input;
  for (int i = 0; i < 50000; ++i) input += std::to_string(i * 7919) + '\0';
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{16384}, size_t{1} << 20}) {
    auto e = make_request_body_encoder(GetParam(), input);
    ASSERT_TRUE(e.ok()) << e.error().message();
    const std::string compressed = drain(**e, chunk);
    EXPECT_LT(compressed.size(), input.size());
    EXPECT_EQ(decode(GetParam(), compressed), input) << "chunk " << chunk;
    EXPECT_EQ((*e)->input_consumed(), input.size());
    auto again = (*e)->read(input.data(), 16);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, 0u) << "a finished encoder keeps returning 0";
  }
}

TEST_P(RequestBodyEncoderTest, EmptyInputIsAValidEmptyStream) {
  auto e = make_request_body_encoder(GetParam(), "", 3);
  ASSERT_TRUE(e.ok());
  const std::string compressed = drain(**e, 64);
  EXPECT_FALSE(compressed.empty());
  EXPECT_EQ(decode(GetParam(), compressed), "");
}

INSTANTIATE_TEST_SUITE_P(Codecs, RequestBodyEncoderTest,
                         testing::Values(RequestCompression::kGzip, RequestCompression::kZstd,
                                         RequestCompression::kLz4),
                         [](const testing::TestParamInfo<RequestCompression>& p) {
                           return std::string(content_encoding(p.param));
                         });

TEST(RequestBodyEncoder, ContentEncodingTokensAreTheOnesClickHouseReads) {
  EXPECT_EQ(content_encoding(RequestCompression::kNone), "");
  EXPECT_EQ(content_encoding(RequestCompression::kGzip), "gzip");
  EXPECT_EQ(content_encoding(RequestCompression::kZstd), "zstd");
  EXPECT_EQ(content_encoding(RequestCompression::kLz4), "lz4");
}

TEST(RequestBodyEncoder, AnUncompressedBodyHasNoEncoder) {
  auto e = make_request_body_encoder(RequestCompression::kNone, "abc");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace mysql2ch
