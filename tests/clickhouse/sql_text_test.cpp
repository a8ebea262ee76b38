#include "clickhouse/sql_text.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

TEST(SqlText, QuotesIdentifiersWhateverTheirBytes) {
  EXPECT_EQ(quote_identifier("orders"), "`orders`");
  EXPECT_EQ(quote_identifier("select"), "`select`");
  EXPECT_EQ(quote_identifier("a`b"), "`a\\`b`");
  EXPECT_EQ(quote_identifier("c\\d"), "`c\\\\d`");
  EXPECT_EQ(quote_identifier("zamówienia"), "`zamówienia`");
}

TEST(SqlText, QuotesStrings) {
  EXPECT_EQ(quote_string("it's"), "'it\\'s'");
  EXPECT_EQ(quote_string(""), "''");
}

}  // namespace
}  // namespace mysql2ch
