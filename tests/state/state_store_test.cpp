// The state store against real SQLite files in a scratch directory: round trips, the plan's consistency
// checks, atomic multi-item updates, and durability across close/reopen and across a SIGKILLed writer.
#include "state/state_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "state/sqlite_db.h"
#include "support/testenv.h"

namespace mysql2ch::state {
namespace {

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message());
  return std::move(r).value();
}
void must(Status s) {
  if (!s.ok()) throw std::runtime_error(s.error().message());
}

class StateStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testenv::scratch_dir(std::string("state_") + testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<StateStore> open() { return must(StateStore::open(dir_)); }
  std::string dir_;
  const TableId orders_{"shop", "orders"};
};

TEST_F(StateStoreTest, CheckpointRoundTripsAcrossReopen) {
  {
    auto store = open();
    EXPECT_FALSE(must(store->load_checkpoint()).has_value());
    must(store->save_checkpoint({{"mysql", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77", "binlog.000003", 4711},
                                 1234,
                                 5,
                                 R"({"tables":[{"name":"t1"}]})"}));
    must(store->save_checkpoint({{"mysql", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-78", "binlog.000003", 4999},
                                 1240,
                                 6,
                                 "{\"tables\":[{\"name\":\"t1\",\"comment\":\"it's\\n\u00e9\"}]}"}));
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/state.db"));
  auto store = open();
  const Checkpoint expected{{"mysql", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-78", "binlog.000003", 4999},
                            1240,
                            6,
                            "{\"tables\":[{\"name\":\"t1\",\"comment\":\"it's\\n\u00e9\"}]}"};
  EXPECT_EQ(must(store->load_checkpoint()), expected);
}

TEST_F(StateStoreTest, PlanProgressAndFinish) {
  auto store = open();
  must(store->add_table(orders_, true));
  must(store->add_table(orders_, false));  // known tables keep their row
  auto t = must(store->table(orders_));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->state, SnapshotState::kPending);
  EXPECT_TRUE(t->has_primary_key);
  EXPECT_FALSE(t->start.has_value());

  const BinlogPosition start{"mariadb", "0-1-100", "mariadb-bin.000002", 345};
  must(store->begin_snapshot({orders_}, start, 17));
  t = must(store->table(orders_));
  EXPECT_EQ(t->state, SnapshotState::kRunning);
  EXPECT_EQ(t->start, start);
  // The first snapshot start is the stream's start.
  EXPECT_EQ(must(store->load_checkpoint()), (Checkpoint{start, 17, 0, {}}));
  // A later start neither moves a running table's start nor the checkpoint.
  must(store->begin_snapshot({orders_}, {"mariadb", "0-1-200", "mariadb-bin.000002", 999}, 30));
  EXPECT_EQ(must(store->table(orders_))->start, start);
  EXPECT_EQ(must(store->load_checkpoint())->version, 17u);

  must(store->add_chunk(orders_, {0, std::nullopt, R"(["100"])"}));
  must(store->add_chunk(orders_, {1, R"(["100"])", R"(["200"])"}));
  // Gaps, overlaps and chunks after the open-ended last one are planner bugs, refused.
  EXPECT_EQ(store->add_chunk(orders_, {3, R"(["200"])", std::nullopt}).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->add_chunk(orders_, {2, R"(["150"])", std::nullopt}).error().code(), ErrorCode::kInvalidArgument);
  must(store->add_chunk(orders_, {2, R"(["200"])", std::nullopt}));
  EXPECT_EQ(store->add_chunk(orders_, {3, std::nullopt, std::nullopt}).error().code(), ErrorCode::kInvalidArgument);

  must(store->complete_chunk(orders_, 1, 17, 100, 4096));
  EXPECT_EQ(store->complete_chunk(orders_, 9, 17, 1, 1).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->finish_table(orders_).error().code(), ErrorCode::kInvalidArgument);
  must(store->complete_chunk(orders_, 0, 18, 100, 4000));
  must(store->complete_chunk(orders_, 2, 19, 7, 300));
  must(store->finish_table(orders_));

  const auto chunks = must(store->chunks(orders_));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1], (SnapshotChunk{1, R"(["100"])", R"(["200"])", true, 17, 100, 4096}));
  t = must(store->table(orders_));
  EXPECT_EQ(t->state, SnapshotState::kDone);
  EXPECT_EQ(t->rows_done, 207u);
  EXPECT_EQ(t->bytes_done, 8396u);
  EXPECT_EQ(t->chunks_done, 3u);
  EXPECT_EQ(t->chunks_planned, 3u);
}

TEST_F(StateStoreTest, ResnapshotRequestResetsTheTableAtomically) {
  auto store = open();
  must(store->add_table(orders_, true));
  must(store->begin_snapshot({orders_}, {"mysql", "", "binlog.000001", 4}, 0));
  must(store->add_chunk(orders_, {0, std::nullopt, std::nullopt}));
  must(store->complete_chunk(orders_, 0, 0, 5, 50));
  must(store->finish_table(orders_));

  const int64_t id = must(store->request_resnapshot(orders_));
  auto requests = must(store->resnapshot_requests());
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].id, id);
  EXPECT_EQ(requests[0].table, orders_);
  EXPECT_EQ(requests[0].requested_at.size(), 20u) << requests[0].requested_at;

  must(store->take_resnapshot_request(id));
  EXPECT_TRUE(must(store->resnapshot_requests()).empty());
  const auto t = must(store->table(orders_));
  EXPECT_EQ(t->state, SnapshotState::kPending);
  EXPECT_FALSE(t->start.has_value());
  EXPECT_TRUE(must(store->chunks(orders_)).empty());
  EXPECT_EQ(store->take_resnapshot_request(id).error().code(), ErrorCode::kNotFound);
}

TEST_F(StateStoreTest, RereadsRecordTheirRemovalBound) {
  auto store = open();
  const TableId added{"shop", "added"};
  const TableId running{"shop", "running"};
  must(store->add_table(orders_, true));
  must(store->begin_snapshot({orders_}, {"mysql", "", "binlog.000001", 4}, 0));
  must(store->add_chunk(orders_, {0, std::nullopt, std::nullopt}));
  must(store->complete_chunk(orders_, 0, 3, 5, 50));
  must(store->finish_table(orders_));
  must(store->add_table(added, true));
  must(store->add_table(running, true));
  must(store->begin_snapshot({running}, {"mysql", "", "binlog.000001", 4}, 0));

  const int64_t id = must(store->request_resnapshot(orders_));
  const TableId unknown{"shop", "never_seen"};
  const int64_t id2 = must(store->request_resnapshot(unknown));
  must(store->start_rereads({id, id2}, {added, running}, 42, [](const TableId&) { return false; }));
  EXPECT_TRUE(must(store->resnapshot_requests()).empty());
  const auto o = must(store->table(orders_));
  EXPECT_EQ(o->state, SnapshotState::kPending);
  EXPECT_EQ(o->purge_below, 42u);
  EXPECT_TRUE(must(store->chunks(orders_)).empty());
  EXPECT_EQ(must(store->table(added))->purge_below, 42u);
  // A table already running keeps what it had: its done chunks may be below the new bound.
  EXPECT_FALSE(must(store->table(running))->purge_below.has_value());
  const auto u = must(store->table(unknown));
  ASSERT_TRUE(u.has_value());
  EXPECT_FALSE(u->has_primary_key);
  EXPECT_EQ(u->purge_below, 42u);
  // A pending table with a bound keeps it on the next pass.
  must(store->start_rereads({}, {added}, 50, [](const TableId&) { return true; }));
  EXPECT_EQ(must(store->table(added))->purge_below, 42u);
  must(store->clear_purge(added));
  EXPECT_FALSE(must(store->table(added))->purge_below.has_value());
  // A failed step leaves nothing behind: an unknown request id undoes the whole call.
  EXPECT_EQ(store->start_rereads({9999}, {added}, 60, [](const TableId&) { return true; }).error().code(),
            ErrorCode::kNotFound);
  EXPECT_FALSE(must(store->table(added))->purge_below.has_value());
}

TEST_F(StateStoreTest, AdoptedTablesAreDoneWithoutChunks) {
  auto store = open();
  must(store->adopt_done(orders_, true));
  const auto t = must(store->table(orders_));
  EXPECT_EQ(t->state, SnapshotState::kDone);
  EXPECT_EQ(t->chunks_planned, 0u);
  // A table the store knows is left as it is.
  const TableId other{"shop", "other"};
  must(store->add_table(other, true));
  must(store->adopt_done(other, true));
  EXPECT_EQ(must(store->table(other))->state, SnapshotState::kPending);
}

TEST_F(StateStoreTest, ATableTheStreamMadeReplacesWhatTheNameHadRecorded) {
  auto store = open();
  // What a start-up snapshot of the name left: done chunks and a removal bound not yet applied.
  must(store->add_table(orders_, true));
  must(store->begin_snapshot({orders_}, {"mysql", "", "binlog.000001", 4}, 0));
  must(store->add_chunk(orders_, {0, std::nullopt, std::nullopt}));
  must(store->complete_chunk(orders_, 0, 3, 5, 50));
  must(store->finish_table(orders_));
  must(store->request_resnapshot(orders_));
  must(store->start_rereads({must(store->resnapshot_requests())[0].id}, {}, 9, [](const TableId&) { return true; }));
  ASSERT_EQ(must(store->table(orders_))->purge_below, 9u);

  must(store->record_stream_made_table(orders_, false, /*complete=*/true));
  auto t = must(store->table(orders_));
  EXPECT_EQ(t->state, SnapshotState::kDone);
  EXPECT_FALSE(t->has_primary_key);
  EXPECT_FALSE(t->purge_below.has_value());
  EXPECT_FALSE(t->start.has_value());
  EXPECT_TRUE(must(store->chunks(orders_)).empty());

  must(store->record_stream_made_table(orders_, true, /*complete=*/false));
  t = must(store->table(orders_));
  EXPECT_EQ(t->state, SnapshotState::kPending);
  EXPECT_TRUE(t->has_primary_key);
  EXPECT_FALSE(t->purge_below.has_value());

  // A name the store never saw is added.
  const TableId made{"shop", "made"};
  must(store->record_stream_made_table(made, true, /*complete=*/true));
  EXPECT_EQ(must(store->table(made))->state, SnapshotState::kDone);
}

TEST_F(StateStoreTest, UpgradesAVersionOneDatabase) {
  std::filesystem::create_directories(dir_);
  {
    auto db = must(SqliteDb::open(dir_ + "/state.db"));
    must(
        db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);"
                "CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), flavor TEXT NOT NULL, gtid_set "
                "TEXT NOT NULL, binlog_file TEXT NOT NULL, binlog_pos INTEGER NOT NULL, version INTEGER NOT NULL, "
                "schema_history_pos INTEGER NOT NULL, updated_at TEXT NOT NULL);"
                "CREATE TABLE snapshot_table (database_name TEXT NOT NULL, table_name TEXT NOT NULL, state TEXT "
                "NOT NULL, has_primary_key INTEGER NOT NULL, start_flavor TEXT, start_gtid_set TEXT, start_file "
                "TEXT, start_pos INTEGER, PRIMARY KEY (database_name, table_name));"
                "CREATE TABLE snapshot_chunk (database_name TEXT NOT NULL, table_name TEXT NOT NULL, chunk_index "
                "INTEGER NOT NULL, lower_key TEXT, upper_key TEXT, done INTEGER NOT NULL DEFAULT 0, version "
                "INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, "
                "PRIMARY KEY (database_name, table_name, chunk_index));"
                "CREATE TABLE resnapshot_request (id INTEGER PRIMARY KEY AUTOINCREMENT, database_name TEXT NOT "
                "NULL, table_name TEXT NOT NULL, requested_at TEXT NOT NULL);"
                "INSERT INTO snapshot_table VALUES ('shop', 'orders', 'done', 1, NULL, NULL, NULL, NULL);"));
  }
  auto store = open();
  const auto t = must(store->table(orders_));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->state, SnapshotState::kDone);
  EXPECT_FALSE(t->purge_below.has_value());
}

// A version 2 database (before the schema history was kept) with a checkpoint: the upgrade keeps the checkpoint,
// with no history, and the next save stores one.
TEST_F(StateStoreTest, UpgradesAVersionTwoCheckpointToKeepTheSchemaHistory) {
  std::filesystem::create_directories(dir_);
  {
    auto db = must(SqliteDb::open(dir_ + "/state.db"));
    must(
        db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);"
                "INSERT INTO schema_version VALUES (2);"
                "CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), flavor TEXT NOT NULL, gtid_set "
                "TEXT NOT NULL, binlog_file TEXT NOT NULL, binlog_pos INTEGER NOT NULL, version INTEGER NOT NULL, "
                "schema_history_pos INTEGER NOT NULL, updated_at TEXT NOT NULL);"
                "CREATE TABLE snapshot_table (database_name TEXT NOT NULL, table_name TEXT NOT NULL, state TEXT "
                "NOT NULL, has_primary_key INTEGER NOT NULL, start_flavor TEXT, start_gtid_set TEXT, start_file "
                "TEXT, start_pos INTEGER, purge_below INTEGER, PRIMARY KEY (database_name, table_name));"
                "CREATE TABLE snapshot_chunk (database_name TEXT NOT NULL, table_name TEXT NOT NULL, chunk_index "
                "INTEGER NOT NULL, lower_key TEXT, upper_key TEXT, done INTEGER NOT NULL DEFAULT 0, version "
                "INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0, "
                "PRIMARY KEY (database_name, table_name, chunk_index));"
                "CREATE TABLE resnapshot_request (id INTEGER PRIMARY KEY AUTOINCREMENT, database_name TEXT NOT "
                "NULL, table_name TEXT NOT NULL, requested_at TEXT NOT NULL);"
                "INSERT INTO checkpoint VALUES (1, 'mariadb', '0-1-42', 'mariadb-bin.000002', 977, 300, 0, "
                "'2026-11-24T05:00:00Z');"));
  }
  {
    auto store = open();
    const Checkpoint upgraded{{"mariadb", "0-1-42", "mariadb-bin.000002", 977}, 300, 0, ""};
    EXPECT_EQ(must(store->load_checkpoint()), upgraded);
    must(store->save_checkpoint({{"mariadb", "0-1-43", "mariadb-bin.000002", 1200}, 301, 0, R"({"h":1})"}));
  }
  auto store = open();
  const Checkpoint saved{{"mariadb", "0-1-43", "mariadb-bin.000002", 1200}, 301, 0, R"({"h":1})"};
  EXPECT_EQ(must(store->load_checkpoint()), saved);
  auto db = must(SqliteDb::open(dir_ + "/state.db"));
  auto q = must(db.prepare("SELECT MAX(version) FROM schema_version"));
  ASSERT_TRUE(must(q.step()));
  EXPECT_EQ(q.int64_at(0), StateStore::kSchemaVersion);
}

TEST_F(StateStoreTest, ANewerSchemaIsRefused) {
  { auto store = open(); }
  {
    auto db = must(SqliteDb::open(dir_ + "/state.db"));
    must(db.exec("INSERT INTO schema_version (version) VALUES (99)"));
  }
  auto again = StateStore::open(dir_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(again.error().message().find("99"), std::string::npos) << again.error().message();
}

TEST_F(StateStoreTest, ConfiguresWalAndFullSync) {
  auto store = open();
  auto db = must(SqliteDb::open(dir_ + "/state.db"));
  auto q = must(db.prepare("PRAGMA journal_mode"));
  ASSERT_TRUE(must(q.step()));
  EXPECT_EQ(q.text_at(0), "wal");
  auto s = must(db.prepare("PRAGMA synchronous"));
  ASSERT_TRUE(must(s.step()));
  EXPECT_EQ(s.int64_at(0), 2);  // FULL
}

// A writer killed with SIGKILL right after its calls returned: every returned call is in the reopened store,
// and the one in flight is all-or-nothing.
TEST_F(StateStoreTest, ReturnedCallsSurviveSigkill) {
  { auto store = open(); }
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    auto store = StateStore::open(dir_);
    if (!store.ok()) _exit(2);
    const TableId t{"shop", "orders"};
    bool ok =
        (*store)->add_table(t, true).ok() && (*store)->begin_snapshot({t}, {"mysql", "", "binlog.000001", 4}, 0).ok();
    std::optional<std::string> lower;
    for (uint32_t i = 0; ok && i < 50; ++i) {
      std::optional<std::string> upper = "[\"" + std::to_string((i + 1) * 10) + "\"]";
      ok = (*store)->add_chunk(t, {i, lower, upper}).ok() && (*store)->complete_chunk(t, i, i, 10, 100).ok();
      lower = upper;
      const char done = static_cast<char>(i);
      if (ok && i == 39) ok = write(pipe_fds[1], &done, 1) == 1;  // the parent kills after this
    }
    pause();
    _exit(ok ? 0 : 3);
  }
  close(pipe_fds[1]);
  char seen = 0;
  ASSERT_EQ(read(pipe_fds[0], &seen, 1), 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(pipe_fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto store = open();
  const auto chunks = must(store->chunks(orders_));
  ASSERT_GE(chunks.size(), 40u);
  for (size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].index, i);
    // add_chunk and complete_chunk are separate calls: only the last chunk may be planned and not done.
    if (i + 1 < chunks.size()) {
      EXPECT_TRUE(chunks[i].done) << i;
    }
    if (chunks[i].done) {
      EXPECT_EQ(chunks[i].rows, 10u);
    }
  }
  EXPECT_EQ(must(store->table(orders_))->state, SnapshotState::kRunning);
}

}  // namespace
}  // namespace mysql2ch::state
