#include "common/strings.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

TEST(Strings, ParseUint) {
  EXPECT_EQ(parse_uint("0"), 0u);
  EXPECT_EQ(parse_uint("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_uint("18446744073709551616"));
  EXPECT_FALSE(parse_uint(""));
  EXPECT_FALSE(parse_uint("-1"));
  EXPECT_FALSE(parse_uint("1.5"));
}

TEST(Strings, ByteSize) {
  EXPECT_EQ(parse_byte_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_byte_size("512 KiB"), 512u << 10);
  EXPECT_EQ(parse_byte_size("1GB"), 1u << 30);
  EXPECT_EQ(parse_byte_size("1000"), 1000u);
  EXPECT_FALSE(parse_byte_size("MiB"));
  EXPECT_FALSE(parse_byte_size("5 parsecs"));
}

TEST(Strings, Closest) {
  EXPECT_EQ(closest("prot", {"host", "port", "user"}), "port");
  EXPECT_EQ(closest("chunkrows", {"concurrency", "chunk_rows"}), "chunk_rows");
  EXPECT_FALSE(closest("zzzzzz", {"host", "port"}));
}

TEST(Strings, Glob) {
  EXPECT_TRUE(glob_match("shop.*", "shop.orders"));
  EXPECT_FALSE(glob_match("shop.*", "shopx.orders"));
  EXPECT_TRUE(glob_match("shop.tmp_*", "shop.tmp_1"));
  EXPECT_TRUE(glob_match("*.*", "a.b"));
  EXPECT_TRUE(glob_match("s?op.o*s", "shop.orders"));
  EXPECT_FALSE(glob_match("shop.orders", "shop.orders2"));
}

}  // namespace
}  // namespace mysql2ch
