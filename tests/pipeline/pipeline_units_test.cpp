// Unit tests of the pipeline's pure parts: statement classification, owned row copies, checkpoint documents.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "pipeline/checkpoint.h"
#include "pipeline/row_copy.h"
#include "pipeline/state_checkpoint_store.h"
#include "pipeline/statement_kind.h"
#include "support/testenv.h"

namespace mysql2ch::pipeline {
namespace {

TEST(StatementKind, RecognisesTruncateWithQualifiersQuotesAndComments) {
  auto k = classify_statement("TRUNCATE TABLE `shop`.`order items`");
  EXPECT_EQ(k.kind, StatementKind::Kind::kTruncate);
  EXPECT_EQ(k.database, "shop");
  EXPECT_EQ(k.table, "order items");
  k = classify_statement("/* app */ truncate t1");
  EXPECT_EQ(k.kind, StatementKind::Kind::kTruncate);
  EXPECT_EQ(k.database, "");
  EXPECT_EQ(k.table, "t1");
  k = classify_statement("-- note\n/*!40000 TRUNCATE */ TABLE a.`b``c`");
  EXPECT_EQ(k.kind, StatementKind::Kind::kTruncate);
  EXPECT_EQ(k.database, "a");
  EXPECT_EQ(k.table, "b`c");
}

TEST(StatementKind, SeparatesTransactionControlFromDdl) {
  EXPECT_EQ(classify_statement("SAVEPOINT sp1").kind, StatementKind::Kind::kTransactionControl);
  EXPECT_EQ(classify_statement("ROLLBACK TO SAVEPOINT sp1").kind, StatementKind::Kind::kTransactionControl);
  EXPECT_EQ(classify_statement("XA START 'x'").kind, StatementKind::Kind::kTransactionControl);
  EXPECT_EQ(classify_statement("ALTER TABLE t ADD c INT").kind, StatementKind::Kind::kOther);
  EXPECT_EQ(classify_statement("ROLLBACK").kind, StatementKind::Kind::kOther);
  EXPECT_EQ(classify_statement("").kind, StatementKind::Kind::kOther);
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
  EXPECT_FALSE(checkpoint_from_json("{\"mode\":\"tape\",\"file\":\"\",\"pos\":4,\"mysql_gtids\":\"\",\"mariadb_gtids\":\"\","
                                    "\"next_version\":1,\"schema_history\":\"\",\"last_commit_us\":0,\"sequence\":1,"
                                    "\"saved_at_us\":0}")
                   .ok());
}

}  // namespace
}  // namespace mysql2ch::pipeline
