// The SnapshotRunner against MariaDB and MySQL with a state store on disk: the start position and the
// initial checkpoint are recorded before the first chunk, every chunk's rows carry the counter value, and a
// run abandoned mid-way (the test hook standing in for kill -9: readers drop their chunks unrecorded) resumes
// without reading a completed chunk again, ending with every row read exactly once per completed chunk.
#include <gtest/gtest.h>

#include <set>

#include "snapshot/key_range.h"
#include "snapshot/snapshot_runner.h"
#include "snapshot_support.h"

namespace mysql2ch::snapshot {
namespace {

using namespace testing_support;
using nlohmann::json;

class SnapshotRunnerTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    mysql_ = GetParam().port == testenv::mysql_port();
    db_ = mysql_ ? "snap_resume_my" : "snap_resume_ma";
    Connection root = must(Connection::open(options_for(GetParam().port, "root", "rootpass")));
    must(root.execute("DROP DATABASE IF EXISTS " + db_));
    must(root.execute("CREATE DATABASE " + db_));
    must(root.execute("USE " + db_));
    if (mysql_) must(root.execute("SET SESSION cte_max_recursion_depth = 5000"));
    const std::string seq =
        "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1000) SELECT i FROM s) AS s";
    must(root.execute("CREATE TABLE big (id INT PRIMARY KEY, v VARCHAR(20))"));
    must(root.execute("INSERT INTO big SELECT i * 3, CONCAT('v', i) FROM " + seq));
    must(root.execute("CREATE TABLE small (a VARCHAR(10), b INT, PRIMARY KEY (a, b))"));
    must(root.execute("INSERT INTO small SELECT CONCAT('k', i % 4), i FROM " + seq + " WHERE i <= 130"));
    must(root.execute("CREATE TABLE nopk (x INT)"));
    must(root.execute("INSERT INTO nopk SELECT i FROM " + seq + " WHERE i <= 77"));
    must(root.execute("CREATE TABLE empty_t (id INT PRIMARY KEY)"));
    state_dir_ = testenv::scratch_dir(std::string("snapshot_runner_") + GetParam().name);
    tables_ = {{db_, "big"}, {db_, "empty_t"}, {db_, "nopk"}, {db_, "small"}};
  }

  SnapshotOptions options(uint64_t abandon_after) const {
    SnapshotOptions o;
    o.source = options_for(GetParam().port, "repl", "replpass");
    o.concurrency = 3;
    o.max_connections = 4;
    o.chunk_rows = 40;
    o.limits = {16, 1 << 20};
    o.abandon_after_chunks = abandon_after;
    return o;
  }

  // The chunk of `big` holding `id`, from the persisted bounds (lower, upper].
  static uint32_t chunk_of(const std::vector<state::SnapshotChunk>& chunks, int64_t id) {
    for (const auto& c : chunks) {
      const int64_t lower = c.lower_key ? std::stoll(must(decode_key(*c.lower_key, 1))[0]) : INT64_MIN;
      const int64_t upper = c.upper_key ? std::stoll(must(decode_key(*c.upper_key, 1))[0]) : INT64_MAX;
      if (id > lower && id <= upper) return c.index;
    }
    ADD_FAILURE() << "no chunk holds id " << id;
    return UINT32_MAX;
  }

  bool mysql_ = false;
  std::string db_;
  std::string state_dir_;
  std::vector<SourceTableName> tables_;
};

TEST_P(SnapshotRunnerTest, AbandonedRunResumesWithoutRereadingCompletedChunks) {
  auto store = must(state::StateStore::open(state_dir_));
  VersionCounter counter(41);
  const state::TableId big{db_, "big"};

  // Run 1: abandoned after 6 chunks.
  RecordingSinkFactory first_sinks;
  SnapshotRunner first(options(6), *store, counter, first_sinks);
  const SnapshotSummary s1 = must(first.run(tables_));
  EXPECT_TRUE(s1.stopped);
  ASSERT_TRUE(s1.start.has_value());
  EXPECT_FALSE(s1.start->file.empty());
  EXPECT_EQ(s1.start->flavor, mysql_ ? "mysql" : "mariadb");
  // The start position is every table's start and the stream's initial checkpoint.
  EXPECT_EQ(must(store->load_checkpoint()), (state::Checkpoint{*s1.start, 41, 0, {}}));
  for (const auto& t : must(store->tables())) {
    EXPECT_EQ(t.start, s1.start) << t.id.qualified();
  }
  const auto after_first = must(store->chunks(big));
  std::set<uint32_t> done_first;
  for (const auto& c : after_first) {
    if (c.done) done_first.insert(c.index);
  }
  EXPECT_GE(s1.chunks_read, 6u);
  ASSERT_FALSE(done_first.empty());

  // Run 1's rows of `big`: each completed chunk's rows exactly once, all with version 41.
  std::map<uint32_t, std::multiset<int64_t>> first_rows;
  for (const auto& r : first_sinks.rows(db_ + ".big")) {
    EXPECT_EQ(r.version, 41u);
    const int64_t id = r.row.at("id").get<int64_t>();
    first_rows[chunk_of(after_first, id)].insert(id);
  }
  for (uint32_t c : done_first) {
    const auto& ids = first_rows[c];
    EXPECT_EQ(ids.size(), std::set<int64_t>(ids.begin(), ids.end()).size()) << "chunk " << c << " has duplicates";
  }

  // Run 2: the counter moved on (the stream ran meanwhile); completes the rest.
  counter.issue();
  counter.issue();
  RecordingSinkFactory second_sinks;
  SnapshotRunner second(options(0), *store, counter, second_sinks);
  const SnapshotSummary s2 = must(second.run(tables_));
  EXPECT_FALSE(s2.stopped);
  EXPECT_FALSE(s2.start.has_value()) << "a resumed table keeps its start position";
  EXPECT_EQ(must(store->load_checkpoint())->version, 41u);

  const auto final_chunks = must(store->chunks(big));
  EXPECT_EQ(final_chunks.size(), 1000u / 40 + 1);
  std::set<int64_t> all;
  for (const auto& r : second_sinks.rows(db_ + ".big")) {
    EXPECT_EQ(r.version, 43u);
    const int64_t id = r.row.at("id").get<int64_t>();
    const uint32_t c = chunk_of(final_chunks, id);
    EXPECT_EQ(done_first.count(c), 0u) << "completed chunk " << c << " read again (id " << id << ")";
    EXPECT_TRUE(all.insert(id).second) << "id " << id << " read twice in run 2";
  }
  for (uint32_t c : done_first) {
    for (int64_t id : first_rows[c]) EXPECT_TRUE(all.insert(id).second) << id;
  }
  EXPECT_EQ(all.size(), 1000u);
  for (const auto& c : final_chunks) {
    EXPECT_TRUE(c.done) << c.index;
    EXPECT_EQ(c.version, done_first.count(c.index) ? 41u : 43u) << c.index;
  }
  for (const auto& t : must(store->tables())) {
    SCOPED_TRACE(t.id.qualified());
    EXPECT_EQ(t.state, state::SnapshotState::kDone);
    EXPECT_EQ(t.chunks_done, t.chunks_planned);
  }
  EXPECT_EQ(must(store->table(big))->rows_done, 1000u);
  EXPECT_EQ(must(store->table({db_, "small"}))->rows_done, 130u);
  EXPECT_EQ(must(store->table({db_, "nopk"}))->rows_done, 77u);
  EXPECT_EQ(must(store->table({db_, "empty_t"}))->rows_done, 0u);

  // Run 3: nothing left to read.
  RecordingSinkFactory third_sinks;
  SnapshotRunner third(options(0), *store, counter, third_sinks);
  const SnapshotSummary s3 = must(third.run(tables_));
  EXPECT_FALSE(s3.stopped);
  EXPECT_EQ(s3.chunks_read, 0u);
  EXPECT_EQ(third_sinks.flushes(), 0u);
}

TEST_P(SnapshotRunnerTest, ReopenedStoreResumes) {
  {
    auto store = must(state::StateStore::open(state_dir_));
    VersionCounter counter(5);
    RecordingSinkFactory sinks;
    // One reader and one chunk: the plan reaches at most the first tables, the rest stays for the resume.
    SnapshotOptions o = options(1);
    o.concurrency = 1;
    SnapshotRunner runner(o, *store, counter, sinks);
    EXPECT_TRUE(must(runner.run(tables_)).stopped);
  }
  // A new process: the store reopened from disk.
  auto store = must(state::StateStore::open(state_dir_));
  VersionCounter counter(9);
  RecordingSinkFactory sinks;
  SnapshotRunner runner(options(0), *store, counter, sinks);
  const SnapshotSummary s = must(runner.run(tables_));
  EXPECT_FALSE(s.stopped);
  std::set<int64_t> ids;
  for (const auto& r : sinks.rows(db_ + ".big")) ids.insert(r.row.at("id").get<int64_t>());
  uint64_t first_run_rows = 0;
  for (const auto& c : must(store->chunks({db_, "big"}))) {
    if (c.version == 5) first_run_rows += c.rows;
  }
  EXPECT_EQ(ids.size() + first_run_rows, 1000u);
  EXPECT_EQ(sinks.rows(db_ + ".nopk").size(), 77u);
}

// A no-PK pass planned by an earlier run and not completed may be partly in the destination: the sink is
// asked to discard it before it is read again, once; a pass never started is not discarded.
TEST_P(SnapshotRunnerTest, UnfinishedNoPkPassIsDiscardedBeforeItIsReadAgain) {
  const state::TableId nopk{db_, "nopk"};
  {
    auto store = must(state::StateStore::open(state_dir_));
    must(store->add_table(nopk, false));
    must(store->begin_snapshot({nopk}, {"mysql", "", "binlog.000001", 4}, 0));
    must(store->add_chunk(nopk, {0, std::nullopt, std::nullopt}));
  }
  auto store = must(state::StateStore::open(state_dir_));
  VersionCounter counter(3);
  RecordingSinkFactory sinks;
  SnapshotRunner runner(options(0), *store, counter, sinks);
  const SnapshotSummary s = must(runner.run(tables_));
  EXPECT_FALSE(s.stopped);
  EXPECT_EQ(sinks.discarded(), std::vector<std::string>{db_ + ".nopk"});
  EXPECT_EQ(sinks.rows(db_ + ".nopk").size(), 77u);
  EXPECT_EQ(must(store->table(nopk))->state, state::SnapshotState::kDone);
}

INSTANTIATE_TEST_SUITE_P(Servers, SnapshotRunnerTest,
                         testing::Values(ServerCase{"MariaDB", testenv::mariadb_port(), 9273},
                                         ServerCase{"MySQL", testenv::mysql_port(), 9283}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace mysql2ch::snapshot
