#include "clickhouse/sql_text.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

TEST(SqlText, QuotesIdentifiersWhateverTheirBytes) {
  EXPECT_EQ(clickhouse_identifier("orders"), "`orders`");
  EXPECT_EQ(clickhouse_identifier("select"), "`select`");
  EXPECT_EQ(clickhouse_identifier("a`b"), "`a\\`b`");
  EXPECT_EQ(clickhouse_identifier("c\\d"), "`c\\\\d`");
  EXPECT_EQ(clickhouse_identifier("zamówienia"), "`zamówienia`");
}

TEST(SqlText, QuotesStrings) {
  EXPECT_EQ(clickhouse_string("it's"), "'it\\'s'");
  EXPECT_EQ(clickhouse_string(""), "''");
}

}  // namespace
}  // namespace mysql2ch
