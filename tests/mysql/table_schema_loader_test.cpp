#include "mysql/table_schema_loader.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

TEST(ParseEnumLabels, UnquotesLabelsWithDoubledQuotesCommasAndEmptyOnes) {
  auto labels = parse_enum_labels("enum('a','it''s','x,y','','ç')");
  ASSERT_TRUE(labels.ok()) << labels.error().message();
  EXPECT_EQ(*labels, (std::vector<std::string>{"a", "it's", "x,y", "", "ç"}));
  // How MariaDB 10.11 and MySQL 9 print the labels a<backslash>b, n<newline>l and t<tab>b.
  auto escaped = parse_enum_labels("enum('a\\\\b','n\\nl','t\tb')");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(*escaped, (std::vector<std::string>{"a\\b", "n\nl", "t\tb"}));
  auto set = parse_enum_labels("set('x')");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(*set, std::vector<std::string>{"x"});
}

TEST(ParseEnumLabels, MalformedTypesAreErrors) {
  EXPECT_FALSE(parse_enum_labels("int(11)").ok());
  EXPECT_FALSE(parse_enum_labels("enum('a").ok());
  EXPECT_FALSE(parse_enum_labels("enum(a)").ok());
  EXPECT_FALSE(parse_enum_labels("enum").ok());
}

}  // namespace
}  // namespace mysql2ch
