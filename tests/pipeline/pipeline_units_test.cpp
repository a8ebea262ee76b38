// Unit tests of the pipeline's pure parts: transaction-control recognition, destination column comparison, owned
// row copies, checkpoint documents.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "pipeline/checkpoint.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/row_copy.h"
#include "pipeline/state_checkpoint_store.h"
#include "pipeline/statement_kind.h"
#include "support/testenv.h"

namespace mysql2ch::pipeline {
namespace {

TEST(TransactionControl, RecognisesSavepointsAndXaThroughCommentsAndNothingElse) {
  const struct {
    const char* sql;
    bool control;
  } cases[] = {
      {"SAVEPOINT sp1", true},
      {"release savepoint sp1", true},
      {"ROLLBACK TO SAVEPOINT sp1", true},
      {"rollback to sp1", true},
      {"XA START 'x'", true},
      {"/* app */ SAVEPOINT `a b`", true},
      {"-- note\n# other\nROLLBACK /* c */ TO sp", true},
      {"/*!50003 SAVEPOINT */ sp", true},
      // TRUNCATE is a DDL statement: the DDL handler applies it with the schema history's names.
      {"TRUNCATE TABLE `shop`.`order items`", false},
      {"/*!40000 TRUNCATE */ TABLE a.b", false},
      {"ALTER TABLE t ADD c INT", false},
      // Transaction ends: the QueryEvent itself says so.
      {"ROLLBACK", false},
      {"ROLLBACK WORK", false},
      {"CREATE TABLE savepoint_log (id INT)", false},
      {"`savepoint`", false},
      {"/* SAVEPOINT */ DROP TABLE t", false},
      {"-- SAVEPOINT", false},
      {"", false},
  };
  for (const auto& c : cases) EXPECT_EQ(is_transaction_control(c.sql), c.control) << c.sql;
}

TEST(ColumnDifferences, NamesEachMissingRetypedAndExtraColumnIgnoringOrderAndSpacing) {
  TargetTable expected;
  expected.name = {"d", "t"};
  expected.columns.push_back(MappedColumn{.name = "id", .type = "Int32"});
  expected.columns.push_back(MappedColumn{.name = "at", .type = "DateTime64(6, 'UTC')"});
  expected.columns.push_back(MappedColumn{.name = "v", .type = "Nullable(String)"});
  // Another order, the added columns, and the spacing of another ClickHouse version: no difference.
  const std::vector<std::pair<std::string, std::string>> same = {{"v", "Nullable(String)"},
                                                                 {"_version", "UInt64"},
                                                                 {"at", "DateTime64(6,'UTC')"},
                                                                 {"id", "Int32"},
                                                                 {"_is_deleted", "UInt8"}};
  EXPECT_TRUE(column_differences(expected, same).empty());
  const std::vector<std::pair<std::string, std::string>> changed = {
      {"id", "Int64"}, {"w", "Int8"}, {"_version", "UInt64"}, {"v", "Nullable(String)"}, {"x", "String"}};
  EXPECT_EQ(column_differences(expected, changed),
            (std::vector<std::string>{"id is Int64 instead of Int32", "at DateTime64(6, 'UTC') is missing",
                                      "w Int8 is extra", "x String is extra"}));
  // A table that does not exist lacks every column.
  EXPECT_EQ(column_differences(expected, {}).size(), 3u);
}

TEST(RowStore, CopiesOutliveTheSourceBuffer) {
  RowStore store;
  std::string buffer = "hello";
  schema::Value values[3] = {schema::Value::int64(-5), schema::Value::string(buffer, schema::Charset::kUtf8mb4),
                             schema::Value::null()};
  const size_t first = store.append(values);
  buffer = "XXXXX";  // the event buffer is overwritten by the next event
  std::string big(100000, 'b');
  schema::Value second_row[1] = {schema::Value::with_bytes(schema::ValueKind::kBytes, big)};
  const size_t second = store.append(second_row);
  auto row = store.row(first);
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row[0].i, -5);
  EXPECT_EQ(row[1].bytes, "hello");
  EXPECT_EQ(row[1].charset, schema::Charset::kUtf8mb4);
  EXPECT_EQ(row[2].kind, schema::ValueKind::kNull);
  auto row2 = store.row(second);
  ASSERT_EQ(row2.size(), 1u);
  EXPECT_EQ(row2[0].bytes, big);
  EXPECT_GE(store.bytes(), big.size());
  store.clear();
  EXPECT_EQ(store.rows(), 0u);
}

TEST(Checkpoint, JsonRoundTripKeepsEveryField) {
  Checkpoint c;
  c.position = binlog::StreamPosition::after_gtids(*binlog::MariadbGtidSet::parse("0-1-100,2-5-7"));
  c.position.file = "mariadb-bin.000003";
  c.position.pos = 1234;
  c.next_version = 987654321;
  c.schema_history = "{\"x\":1}";
  c.last_commit_us = 1700000000123456;
  c.sequence = 42;
  c.saved_at_us = 1700000001000000;
  auto back = checkpoint_from_json(checkpoint_to_json(c));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->position.mode, binlog::StreamPosition::Mode::kMariadbGtid);
  EXPECT_EQ(back->position.mariadb_gtids, c.position.mariadb_gtids);
  EXPECT_EQ(back->position.file, c.position.file);
  EXPECT_EQ(back->position.pos, 1234u);
  EXPECT_EQ(back->next_version, c.next_version);
  EXPECT_EQ(back->schema_history, c.schema_history);
  EXPECT_EQ(back->last_commit_us, c.last_commit_us);
  EXPECT_EQ(back->sequence, 42u);
  EXPECT_EQ(back->saved_at_us, c.saved_at_us);
}

// The local store keeps the schema history: a restart from it must replay DDL from the history at the
// checkpoint, not from the source's tables as they are now.
TEST(StateCheckpointStore, RoundTripsTheSchemaHistoryAcrossReopen) {
  const std::string dir = testenv::scratch_dir("pipeline_state_checkpoint_history");
  std::filesystem::remove_all(dir);
  Checkpoint c;
  c.position = binlog::StreamPosition::after_gtids(*binlog::MariadbGtidSet::parse("0-1-100"));
  c.position.file = "mariadb-bin.000003";
  c.position.pos = 1234;
  c.next_version = 77;
  c.schema_history = R"({"tables":[{"database":"d","table":"t","columns":["id","c0"]}],"position":"x:4"})";
  {
    auto store = state::StateStore::open(dir);
    ASSERT_TRUE(store.ok()) << store.error().message();
    StateCheckpointStore local(**store);
    Status saved = local.save(c);
    ASSERT_TRUE(saved.ok()) << saved.error().message();
  }
  auto store = state::StateStore::open(dir);
  ASSERT_TRUE(store.ok()) << store.error().message();
  StateCheckpointStore local(**store);
  auto back = local.load();
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->schema_history, c.schema_history);
  EXPECT_EQ((*back)->next_version, 77u);
  EXPECT_EQ((*back)->position.mariadb_gtids, c.position.mariadb_gtids);
}

TEST(Checkpoint, RejectsDocumentsItCannotTrust) {
  EXPECT_FALSE(checkpoint_from_json("not json").ok());
  EXPECT_FALSE(checkpoint_from_json("{\"mode\":\"file\"}").ok());
  EXPECT_FALSE(
      checkpoint_from_json("{\"mode\":\"tape\",\"file\":\"\",\"pos\":4,\"mysql_gtids\":\"\",\"mariadb_gtids\":\"\","
                           "\"next_version\":1,\"schema_history\":\"\",\"last_commit_us\":0,\"sequence\":1,"
                           "\"saved_at_us\":0}")
          .ok());
}

}  // namespace
}  // namespace mysql2ch::pipeline
