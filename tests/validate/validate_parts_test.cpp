// The pieces of `validate` that need no server: splitting RowBinary rows into columns, the order-independent
// digest, the ClickHouse key-range condition, and whether a checkpoint covers a source position.
#include <gtest/gtest.h>

#include "clickhouse/row_binary.h"
#include "validate/mirror_progress.h"
#include "validate/row_binary_rows.h"
#include "validate/row_digest.h"
#include "validate/side_readers.h"

namespace mysql2ch::validate {
namespace {

MappedColumn column(std::string name, ColumnEncoding encoding, bool nullable = false) {
  MappedColumn c;
  c.name = std::move(name);
  c.encoding = encoding;
  c.nullable = nullable;
  return c;
}

TEST(RowBinaryRows, SplitsRowsIntoColumnExtents) {
  const std::vector<MappedColumn> cols = {column("id", ColumnEncoding::kInt32),
                                          column("s", ColumnEncoding::kText, true),
                                          column("v", ColumnEncoding::kVector)};
  std::string data;
  append_fixed<int32_t>(7, data);
  data += '\0';
  append_rowbinary_string("abc", data);
  append_varuint(2, data);
  append_fixed<float>(1.5f, data);
  append_fixed<float>(-2.0f, data);
  append_fixed<int32_t>(8, data);
  data += '\1';  // NULL
  append_varuint(0, data);

  RowBinaryRows rows(cols, data);
  EncodedRow row;
  auto first = rows.next(row);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_TRUE(*first);
  ASSERT_EQ(row.column_end.size(), 3u);
  EXPECT_EQ(row.column(0).size(), 4u);
  EXPECT_EQ(row.column(1), std::string_view("\0\3abc", 5));
  EXPECT_EQ(row.column(2).size(), 1u + 8u);
  row.set_key({0});
  EXPECT_EQ(row.key, row.column(0));
  auto second = rows.next(row);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(*second);
  EXPECT_EQ(row.column(1), std::string_view("\1", 1));
  EXPECT_EQ(row.column(2), std::string_view("\0", 1));
  auto end = rows.next(row);
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(RowBinaryRows, TruncatedDataNamesRowAndColumn) {
  const std::vector<MappedColumn> cols = {column("id", ColumnEncoding::kInt64), column("s", ColumnEncoding::kBytes)};
  std::string data;
  append_fixed<int64_t>(1, data);
  append_varuint(10, data);
  data += "short";
  RowBinaryRows rows(cols, data);
  EncodedRow row;
  auto r = rows.next(row);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(r.error().message().find("row 0 column s"), std::string::npos) << r.error().message();
}

TEST(RangeDigest, IsOrderIndependentAndCountsDuplicates) {
  RangeDigest ab, ba, aa;
  ab.add("a");
  ab.add("b");
  ba.add("b");
  ba.add("a");
  aa.add("a");
  aa.add("a");
  EXPECT_EQ(ab, ba);
  EXPECT_NE(ab, aa);
  EXPECT_EQ(aa.rows, 2u);
  EXPECT_NE(row_hash("ab"), row_hash("ba"));
}

TEST(MirrorKeyPredicate, SpellsOutLexicographicBounds) {
  TargetTable t;
  t.columns = {column("a", ColumnEncoding::kInt32), column("b", ColumnEncoding::kBytes),
               column("c", ColumnEncoding::kText)};
  t.primary_key = {0, 1};
  EXPECT_TRUE(mirror_ranges_supported(t));
  auto p = mirror_key_predicate(t, snapshot::KeyTuple{"-5", "0A"}, snapshot::KeyTuple{"9", "FF"});
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(*p,
            "((`a` > -5) OR (`a` = -5 AND `b` > unhex('0A'))) AND NOT ((`a` > 9) OR (`a` = 9 AND `b` > unhex('FF')))");
  EXPECT_EQ(*mirror_key_predicate(t, std::nullopt, std::nullopt), "1");
  EXPECT_FALSE(mirror_key_predicate(t, snapshot::KeyTuple{"1 OR 1", "00"}, std::nullopt).ok());
  EXPECT_FALSE(mirror_key_predicate(t, snapshot::KeyTuple{"1", "zz'"}, std::nullopt).ok());
  t.primary_key = {2};
  EXPECT_FALSE(mirror_ranges_supported(t));
}

TEST(CheckpointCovers, ComparesByGtidsOrByFilePosition) {
  state::BinlogPosition source;
  source.flavor = "mysql";
  source.file = "binlog.000010";
  source.pos = 500;
  auto at = [](std::string file, uint64_t pos) { return binlog::StreamPosition::at_file(std::move(file), pos); };
  EXPECT_TRUE(*checkpoint_covers(at("binlog.000010", 500), source));
  EXPECT_FALSE(*checkpoint_covers(at("binlog.000010", 499), source));
  EXPECT_TRUE(*checkpoint_covers(at("binlog.000011", 4), source));
  EXPECT_FALSE(*checkpoint_covers(at("binlog.000009", 9000), source));
  source.file = "binlog.999999";
  EXPECT_TRUE(*checkpoint_covers(at("binlog.1000000", 4), source));

  source.gtid_set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-20";
  auto covered = binlog::StreamPosition::after_gtids(
      *binlog::MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-25"));
  auto behind = binlog::StreamPosition::after_gtids(
      *binlog::MysqlGtidSet::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-19"));
  EXPECT_TRUE(*checkpoint_covers(covered, source));
  EXPECT_FALSE(*checkpoint_covers(behind, source));

  state::BinlogPosition maria;
  maria.flavor = "mariadb";
  maria.gtid_set = "0-1-100";
  EXPECT_TRUE(*checkpoint_covers(binlog::StreamPosition::after_gtids(*binlog::MariadbGtidSet::parse("0-1-100")), maria));
  EXPECT_FALSE(*checkpoint_covers(binlog::StreamPosition::after_gtids(*binlog::MariadbGtidSet::parse("0-1-99")), maria));

  state::BinlogPosition nothing;
  EXPECT_FALSE(checkpoint_covers(at("", 4), nothing).ok());
}

}  // namespace
}  // namespace mysql2ch::validate
