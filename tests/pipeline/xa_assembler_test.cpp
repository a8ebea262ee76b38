// XA transactions through the parser and the TransactionAssembler, on binlogs recorded from MySQL 9.7 and
// MariaDB 10.11 (tests/binlog/fixtures/xa-*.binlog: in database xa_test, table t (id INT PRIMARY KEY,
// v VARCHAR(10)): XA 'g1','b1',7 inserts (1,'a') and is prepared then committed; XA 'one' inserts (2,'b') and
// commits in one phase; XA 'rb' inserts (3,'c') and is prepared then rolled back). The batches write into an
// in-memory destination that records what reaches it, so the test sees rows, versions and flags. Both files were
// copied while the server was writing them: their FORMAT_DESCRIPTION still has LOG_EVENT_BINLOG_IN_USE_F set,
// which the checksum does not cover, so reading them at all checks that case of the parser too.
#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "binlog/binlog_file_reader.h"
#include "binlog/event_parser.h"
#include "pipeline/transaction_assembler.h"
#include "pipeline/xa_statement.h"

namespace mysql2ch::pipeline {
namespace {

struct WrittenRow {
  std::string table;
  int64_t id;
  std::string v;
  uint64_t version;
  bool is_deleted;
};

class RecordingDestination final : public DestinationTables {
 public:
  std::vector<WrittenRow> rows;

  Result<std::unique_ptr<TableSink>> open(const schema::TableSchema& source, const schema::TableSchema*) override {
    return std::unique_ptr<TableSink>(std::make_unique<Sink>(*this, source.database + "." + source.table));
  }
  Status truncate(std::string_view, std::string_view) override { return {}; }

 private:
  class Sink final : public TableSink {
   public:
    Sink(RecordingDestination& d, std::string table) : d_(d), table_(std::move(table)) {}
    Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) override {
      d_.rows.push_back(WrittenRow{table_, row[0].i, std::string(row[1].bytes), version, is_deleted});
      return {};
    }
    size_t buffered_rows() const override { return 0; }
    size_t buffered_bytes() const override { return 0; }
    Status flush() override { return {}; }

   private:
    RecordingDestination& d_;
    std::string table_;
  };
};

// Mirrors rows with the TABLE_MAP's schema; the fixtures contain no DDL on selected tables after the start.
// A DDL statement saves a checkpoint at its start, as a handler that changes the destination does; the table
// it changes is the one named after CREATE TABLE / ALTER TABLE (tests write "db.table" there).
class TableMapSchema final : public DdlHandler {
 public:
  Result<bool> on_ddl(const binlog::QueryEvent& q, const std::string&, const CheckpointHere& checkpoint_here) override {
    std::vector<schema::TableName> changed;
    for (std::string_view verb : {"CREATE TABLE ", "ALTER TABLE "}) {
      if (!q.query.starts_with(verb)) continue;
      const std::string_view name = q.query.substr(verb.size(), q.query.find(' ', verb.size()) - verb.size());
      const size_t dot = name.find('.');
      changed.push_back({std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))});
    }
    TRY(checkpoint_here(changed));
    return false;
  }
  Result<schema::TableSchema> rows_schema(const schema::TableSchema& table_map, const std::string&) override {
    return table_map;
  }
  const std::string& schema_history() override { return history_; }

 private:
  std::string history_;
};

std::string fixture(const std::string& name) {
  return std::string(MYSQL2CH_SOURCE_DIR) + "/tests/binlog/fixtures/" + name;
}

struct Pipeline {
  RecordingDestination destination;
  PipelineConfig config;
  std::atomic<bool> stop{false};
  TableBatches batches{destination, config, stop};
  TableFilter filter{[] {
    TablesConfig t;
    t.include = {"xa_test.*"};
    return t;
  }()};
  TableMapSchema ddl;
  TransactionAssembler assembler{batches, filter, ddl, 1000, 1 << 20};
};

// Feeds the fixture's events to `handler`, calling `after(end_of_event)` after each one.
void feed(const std::string& file, binlog::EventHandler& handler, const std::function<void(uint64_t)>& after) {
  auto reader = binlog::BinlogFileReader::open(fixture(file));
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  binlog::EventParser parser;
  parser.set_file((*reader)->name());
  std::span<const uint8_t> event;
  uint64_t pos = 0;
  while (true) {
    auto more = (*reader)->next(event, pos);
    ASSERT_TRUE(more.ok()) << more.error().message();
    if (!*more) break;
    const Status st = parser.parse(event, pos, handler);
    ASSERT_TRUE(st.ok()) << st.error().message();
    after(pos + event.size());
  }
}

struct XaCounter : binlog::EventHandler {
  std::vector<std::tuple<uint64_t, bool, int32_t, std::string, std::string>> seen;
  Status on_xa_prepare(const binlog::EventInfo& info, const binlog::XaPrepareEvent& xa) override {
    seen.emplace_back(info.pos, xa.one_phase, xa.format_id, std::string(xa.gtrid), std::string(xa.bqual));
    return {};
  }
};

TEST(XaPrepareEvent, DecodesRecordedEventsOfBothServers) {
  using Seen = std::tuple<uint64_t, bool, int32_t, std::string, std::string>;
  XaCounter mysql;
  feed("xa-mysql.binlog", mysql, [](uint64_t) {});
  EXPECT_EQ(mysql.seen,
            (std::vector<Seen>{{621, false, 7, "g1", "b1"}, {1201, true, 1, "one", ""}, {1606, false, 1, "rb", ""}}));
  // MariaDB logs XA COMMIT ... ONE PHASE as a plain transaction: two prepares only.
  XaCounter maria;
  feed("xa-mariadb.binlog", maria, [](uint64_t) {});
  EXPECT_EQ(maria.seen, (std::vector<Seen>{{688, false, 7, "g1", "b1"}, {1394, false, 1, "rb", ""}}));
}

TEST(XaPrepareEvent, TruncatedOrImplausibleEventsAreErrorsNamingThePosition) {
  // The MySQL event at 621 of xa-mysql.binlog, without its checksum (the parser has no FORMAT_DESCRIPTION).
  const std::vector<uint8_t> recorded = {0x0a, 0x27, 0x05, 0x6b, 0x26, 0xfe, 0x33, 0x00, 0x00, 0x24, 0x00, 0x00,
                                         0x00, 0x95, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
                                         0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x67, 0x31, 0x62, 0x31};
  binlog::EventParser parser;
  parser.set_file("binlog.000010");
  XaCounter h;
  ASSERT_TRUE(parser.parse(recorded, 621, h).ok());
  ASSERT_EQ(h.seen.size(), 1u);
  EXPECT_EQ(std::get<3>(h.seen[0]), "g1");
  EXPECT_EQ(std::get<4>(h.seen[0]), "b1");
  for (size_t cut = 19; cut < recorded.size(); ++cut) {
    std::vector<uint8_t> e(recorded.begin(), recorded.begin() + static_cast<long>(cut));
    e[9] = static_cast<uint8_t>(cut);  // the header's event size
    const Status st = parser.parse(e, 621, h);
    ASSERT_FALSE(st.ok()) << cut;
    EXPECT_EQ(st.error().code(), ErrorCode::kCorrupt) << st.error().message();
    EXPECT_NE(st.error().message().find("XA_PREPARE_LOG_EVENT at binlog.000010:621"), std::string::npos)
        << st.error().message();
  }
  // A gtrid length beyond the XA limit of 64 bytes.
  auto big = recorded;
  big[24] = 65;
  const Status st = parser.parse(big, 621, h);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("gtrid length 65"), std::string::npos) << st.error().message();
}

TEST(XaStatement, ReadsTheXidAsTheServersLogIt) {
  auto st = parse_xa_statement("XA COMMIT X'6731',X'6231',7");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_EQ((*st)->verb, XaStatement::Verb::kCommit);
  EXPECT_EQ((*st)->xid.gtrid, "g1");
  EXPECT_EQ((*st)->xid.bqual, "b1");
  EXPECT_EQ((*st)->xid.format_id, 7);
  EXPECT_EQ((*st)->xid.text(), "X'6731',X'6231',7");
  EXPECT_EQ((*st)->xid.key(), (Xid{7, "g1", "b1"}.key()));
  EXPECT_NE((Xid{7, "g1", "b1"}.key()), (Xid{7, "g1b", "1"}.key()));
  st = parse_xa_statement("xa commit 'one' one phase");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_TRUE((*st)->one_phase);
  EXPECT_EQ((*st)->xid.format_id, 1);
  st = parse_xa_statement("XA ROLLBACK X'7262',X'',1");
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_EQ((*st)->verb, XaStatement::Verb::kRollback);
  EXPECT_EQ((*st)->xid.gtrid, "rb");
  EXPECT_TRUE((*st)->xid.bqual.empty());
  st = parse_xa_statement("XAVIER");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->has_value());
  EXPECT_FALSE(parse_xa_statement("XA COMMIT X'67").ok());
  EXPECT_FALSE(parse_xa_statement("XA FROB 'x'").ok());
}

class XaAssemblerTest : public testing::TestWithParam<std::string> {};

TEST_P(XaAssemblerTest, PreparedRowsWaitForCommitAndRolledBackRowsNeverArrive) {
  Pipeline run;
  // The checkpoint rule is checked after every event: allowed exactly when no prepared transaction holds rows.
  std::vector<std::pair<uint64_t, bool>> allowed_at;
  feed(GetParam(), run.assembler, [&](uint64_t end) {
    ASSERT_TRUE(run.batches.flush_all().ok());
    allowed_at.emplace_back(end, run.assembler.checkpoint_allowed());
  });
  ASSERT_TRUE(run.batches.flush_all().ok());
  const auto& rows = run.destination.rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, 1);
  EXPECT_EQ(rows[0].v, "a");
  EXPECT_EQ(rows[0].version, 1000u);
  EXPECT_EQ(rows[1].id, 2);
  EXPECT_EQ(rows[1].v, "b");
  EXPECT_EQ(rows[1].version, 1001u);
  EXPECT_EQ(run.assembler.next_version(), 1002u);
  EXPECT_EQ(run.assembler.prepared_xa_rows(), 0u);
  EXPECT_TRUE(run.assembler.oldest_prepared_xa().empty());
  // Between each PREPARE and its COMMIT/ROLLBACK no checkpoint is allowed.
  const bool mysql = GetParam() == "xa-mysql.binlog";
  const uint64_t prepared_g1 = mysql ? 661 : 728, committed_g1 = mysql ? 831 : 864;
  const uint64_t prepared_rb = mysql ? 1644 : 1432, rolled_back_rb = mysql ? 1812 : 1564;
  for (const auto& [end, allowed] : allowed_at) {
    const bool pending = (end >= prepared_g1 && end < committed_g1) || (end >= prepared_rb && end < rolled_back_rb);
    if (pending) {
      EXPECT_FALSE(allowed) << "at " << end;
    }
    if (end == committed_g1 || end == rolled_back_rb) {
      EXPECT_TRUE(allowed) << "at " << end;
    }
  }
}

TEST_P(XaAssemblerTest, PreparedRowsTakeVersionsAtCommitAfterLaterTransactions) {
  Pipeline run;
  uint64_t rows_at_prepare = 0;
  std::string pending;
  const bool mysql = GetParam() == "xa-mysql.binlog";
  feed(GetParam(), run.assembler, [&](uint64_t end) {
    if (end == (mysql ? 661u : 728u)) {
      ASSERT_TRUE(run.batches.flush_all().ok());
      rows_at_prepare = run.destination.rows.size();
      pending = run.assembler.oldest_prepared_xa();
      // A transaction committed after the PREPARE takes versions before the prepared rows do.
      run.assembler.raise_next_version(5000);
    }
  });
  ASSERT_TRUE(run.batches.flush_all().ok());
  EXPECT_EQ(rows_at_prepare, 0u);
  EXPECT_NE(pending.find("xid X'6731',X'6231',7 prepared at"), std::string::npos) << pending;
  ASSERT_GE(run.destination.rows.size(), 1u);
  EXPECT_EQ(run.destination.rows[0].id, 1);
  EXPECT_EQ(run.destination.rows[0].version, 5000u);
}

// While the prepared XA transaction holds rows of xa_test.t no checkpoint can be saved: a DDL on another table
// with no rows since the last checkpoint goes on without one (a restart replays only the statement for it); one
// on xa_test.t, or a second one on the same other table, is an error naming the xid and the table.
TEST_P(XaAssemblerTest, DdlWhilePreparedNeedsNoCheckpointOnlyForTablesWithoutRowsSinceTheLast) {
  Pipeline run;
  int checkpoints = 0;
  run.assembler.set_checkpoint_here([&] {
    ++checkpoints;
    return Status();
  });
  const bool mysql = GetParam() == "xa-mysql.binlog";
  Status other_at_prepare, again_at_prepare, held_at_prepare, held_at_commit;
  const auto ddl = [&](uint64_t pos, const std::string& sql) {
    binlog::EventHeader header{};
    const binlog::EventInfo info{&header, "binlog.000001", pos, false};
    binlog::QueryEvent q;
    q.database = "xa_test";
    q.query = sql;
    return run.assembler.on_query(info, q);
  };
  feed(GetParam(), run.assembler, [&](uint64_t end) {
    if (end == (mysql ? 661u : 728u)) {
      other_at_prepare = ddl(end, "CREATE TABLE xa_test.u (id INT PRIMARY KEY)");
      again_at_prepare = ddl(end, "ALTER TABLE xa_test.u ADD COLUMN c INT");
      held_at_prepare = ddl(end, "ALTER TABLE xa_test.t ADD COLUMN c INT");
    }
    if (end == (mysql ? 831u : 864u)) held_at_commit = ddl(end, "ALTER TABLE xa_test.t ADD COLUMN c INT");
  });
  EXPECT_TRUE(other_at_prepare.ok()) << other_at_prepare.error().message();
  ASSERT_FALSE(again_at_prepare.ok());
  EXPECT_NE(again_at_prepare.error().message().find("DDL on xa_test.u"), std::string::npos)
      << again_at_prepare.error().message();
  ASSERT_FALSE(held_at_prepare.ok());
  EXPECT_NE(held_at_prepare.error().message().find("DDL on xa_test.t"), std::string::npos)
      << held_at_prepare.error().message();
  EXPECT_NE(held_at_prepare.error().message().find("prepared XA transaction xid X'6731',X'6231',7"), std::string::npos)
      << held_at_prepare.error().message();
  // After XA COMMIT a checkpoint is saved again, and it clears what a restart would have replayed.
  EXPECT_TRUE(held_at_commit.ok()) << held_at_commit.error().message();
  EXPECT_EQ(checkpoints, 1);
}

INSTANTIATE_TEST_SUITE_P(Servers, XaAssemblerTest, testing::Values("xa-mysql.binlog", "xa-mariadb.binlog"),
                         [](const testing::TestParamInfo<std::string>& param) {
                           return param.param.substr(3, param.param.find('.') - 3);
                         });

}  // namespace
}  // namespace mysql2ch::pipeline
