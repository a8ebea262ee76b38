// CharBuffer (the JSON line buffer of `mysql2ch binlog`), the fixed-width digit writers, and Status, whose
// success state holds no Error.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "common/char_buffer.h"
#include "common/digits.h"
#include "common/result.h"

namespace mysql2ch {
namespace {

TEST(CharBuffer, AppendsAcrossGrowthLikeAString) {
  CharBuffer b;
  std::string want;
  for (int k = 0; k < 5000; ++k) {
    const std::string piece = "piece " + std::to_string(k) + (k % 7 == 0 ? std::string(300, 'x') : "");
    b += piece;
    b.push_back(',');
    want += piece;
    want.push_back(',');
  }
  EXPECT_EQ(b.view(), want);
  EXPECT_EQ(b.size(), want.size());
}

TEST(CharBuffer, RoomCommitWritesInPlaceAndTruncateDropsTheTail) {
  CharBuffer b;
  b += "head:";
  char* p = b.room(100);
  for (int k = 0; k < 3; ++k) *p++ = static_cast<char>('a' + k);
  b.commit(p);
  EXPECT_EQ(b.view(), "head:abc");
  const size_t mark = b.size();
  b += "partial line";
  b.truncate(mark);
  EXPECT_EQ(b.view(), "head:abc");
  b.clear();
  EXPECT_TRUE(b.empty());
  b.append("", 0);
  b += "again";
  EXPECT_EQ(b.view(), "again");
}

TEST(Digits, FixedWidthIsZeroPadded) {
  char buf[16];
  EXPECT_EQ(std::string(buf, put_fixed_digits(7, 1, buf)), "7");
  EXPECT_EQ(std::string(buf, put_fixed_digits(7, 4, buf)), "0007");
  EXPECT_EQ(std::string(buf, put_fixed_digits(123456, 6, buf)), "123456");
  EXPECT_EQ(std::string(buf, put_fixed_digits(120, 5, buf)), "00120");
  EXPECT_EQ(std::string(buf, put_fixed_digits(999999999, 9, buf)), "999999999");
  EXPECT_EQ(std::string(buf, put_fixed_digits(0, 9, buf)), "000000000");
  EXPECT_EQ(std::string(buf, put_two_digits(5, buf)), "05");
  EXPECT_EQ(std::string(buf, put_two_digits(99, buf)), "99");
  for (uint32_t v = 0; v < 100000; v += 37) {
    char want[8];
    std::snprintf(want, sizeof want, "%05u", v);
    EXPECT_EQ(std::string(buf, put_fixed_digits(v, 5, buf)), want);
  }
}

Status failing() { return make_error(ErrorCode::kCorrupt, "bad byte at {}", 7); }

TEST(Status, CopiesAndMovesKeepTheError) {
  const Status ok;
  EXPECT_TRUE(ok.ok());
  Status failed = failing();
  ASSERT_FALSE(failed.ok());
  const Status copy = failed;
  ASSERT_FALSE(copy.ok());
  EXPECT_EQ(copy.error().message(), "bad byte at 7");
  EXPECT_EQ(copy.error().code(), ErrorCode::kCorrupt);
  Status assigned;
  assigned = copy;
  EXPECT_EQ(assigned.error().message(), "bad byte at 7");
  assigned = ok;
  EXPECT_TRUE(assigned.ok());
  const Status moved = std::move(failed);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().message(), "bad byte at 7");
  Error taken = Status(failing()).error();
  EXPECT_EQ(taken.message(), "bad byte at 7");
}

}  // namespace
}  // namespace mysql2ch
