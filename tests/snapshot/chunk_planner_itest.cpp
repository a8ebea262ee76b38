// Chunk planning and reading against MariaDB and MySQL: integer, sparse, composite, string and binary keys,
// an empty table and a table without a primary key. Every row must be read exactly once, every chunk but the
// open-ended last one must hold exactly chunk_rows rows, and a planner resumed from a persisted prefix of
// the plan must continue it identically.
#include <gtest/gtest.h>

#include <set>

#include "mysql/table_schema_loader.h"
#include "snapshot/chunk_planner.h"
#include "snapshot/chunk_reader.h"
#include "snapshot_support.h"

namespace mysql2ch::snapshot {
namespace {

using namespace testing_support;
using nlohmann::json;

constexpr uint64_t kChunkRows = 50;

class ChunkPlannerTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    db_ = std::string("snap_plan_") + (GetParam().port == testenv::mariadb_port() ? "ma" : "my");
    root_.emplace(must(Connection::open(options_for(GetParam().port, "root", "rootpass"))));
    must(root_->execute(fmt::format("DROP DATABASE IF EXISTS {0}; ", db_)));
    must(root_->execute(fmt::format("CREATE DATABASE {0} CHARACTER SET utf8mb4", db_)));
    must(root_->execute(fmt::format("USE {}", db_)));
    if (root_->server().flavor == ServerFlavor::kMySQL) must(root_->execute("SET SESSION cte_max_recursion_depth = 5000"));
    // 1..N as a derived table both servers accept.
    const auto seq = [](int n) {
      return fmt::format("(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {}) "
                         "SELECT i FROM s) AS s",
                         n);
    };
    must(root_->execute("CREATE TABLE t_int (id INT PRIMARY KEY, v INT)"));
    must(root_->execute("INSERT INTO t_int SELECT i, i FROM " + seq(400)));
    must(root_->execute("CREATE TABLE t_sparse (id BIGINT UNSIGNED PRIMARY KEY, v INT)"));
    must(root_->execute("INSERT INTO t_sparse SELECT i * i * i * 1000 + 18446744000000000000, i FROM " +
                        seq(333)));
    must(root_->execute("CREATE TABLE t_comp (a INT, b VARCHAR(20), c DATE, v INT, PRIMARY KEY (a, b, c))"));
    must(root_->execute("INSERT INTO t_comp SELECT i % 7, CONCAT('k', i % 13), DATE_ADD('2020-01-01', INTERVAL i DAY), "
                        "i FROM " +
                        seq(500)));
    must(root_->execute("CREATE TABLE t_str (k VARCHAR(40) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT)"));
    must(root_->execute("INSERT INTO t_str SELECT CONCAT(IF(i % 2 = 0, 'Key-é-', 'key-'), i, REPEAT(' ', i % 3), "
                        "IF(i % 5 = 0, '''q\\\\', '')), i FROM " +
                        seq(250)));
    must(root_->execute("CREATE TABLE t_bin (k VARBINARY(16) PRIMARY KEY, v INT)"));
    must(root_->execute("INSERT INTO t_bin SELECT UNHEX(LPAD(HEX((i * 2654435761) % 4294967296), 8, '0')), i FROM " +
                        seq(300)));
    must(root_->execute("CREATE TABLE t_empty (id INT PRIMARY KEY)"));
    must(root_->execute("CREATE TABLE t_exact (id INT PRIMARY KEY)"));
    must(root_->execute("INSERT INTO t_exact SELECT i FROM " + seq(100)));
    must(root_->execute("CREATE TABLE t_nopk (a INT, b TEXT)"));
    must(root_->execute("INSERT INTO t_nopk SELECT i % 10, REPEAT('x', i) FROM " + seq(120)));
    reader_.emplace(must(open_snapshot_connection(options_for(GetParam().port, "repl", "replpass"))));
  }

  struct Planned {
    schema::TableSchema schema;
    std::vector<state::SnapshotChunk> chunks;
    std::vector<std::vector<json>> rows;  // per chunk
  };

  Planned plan_and_read(const std::string& table) {
    Planned p;
    p.schema = must(load_table_schema(*reader_, db_, table));
    auto planner = must(ChunkPlanner::from_plan(p.schema, kChunkRows, {}));
    RecordingSinkFactory sinks;
    auto sink = must(sinks.open(p.schema));
    ChunkReader reader(*reader_, p.schema, ChunkReadLimits{7, 1 << 20});
    size_t seen = 0;
    while (!planner.complete()) {
      p.chunks.push_back(must(planner.next(*reader_)));
      const auto r = must(reader.read(p.chunks.back(), 99, *sink));
      EXPECT_TRUE(r.completed);
      auto all = sinks.rows(db_ + "." + table);
      std::vector<json> mine;
      for (size_t k = seen; k < all.size(); ++k) {
        EXPECT_EQ(all[k].version, 99u);
        mine.push_back(all[k].row);
      }
      seen = all.size();
      EXPECT_EQ(mine.size(), r.rows);
      p.rows.push_back(std::move(mine));
    }
    return p;
  }

  uint64_t count(const std::string& table) {
    return std::stoull(must(root_->query_value(fmt::format("SELECT COUNT(*) FROM {}.{}", db_, table))).value_or("0"));
  }

  // Every row read exactly once; each chunk but the last exactly kChunkRows rows; a planner resumed after
  // any prefix of the plan continues it identically.
  void expect_exact_plan(const std::string& table, const std::vector<std::string>& key_columns) {
    SCOPED_TRACE(table);
    const Planned p = plan_and_read(table);
    const uint64_t n = count(table);
    ASSERT_EQ(p.chunks.size(), n / kChunkRows + 1);
    std::set<std::string> keys;
    size_t total = 0;
    for (size_t c = 0; c < p.rows.size(); ++c) {
      if (c + 1 < p.rows.size()) {
        EXPECT_EQ(p.rows[c].size(), kChunkRows) << "chunk " << c;
      }
      for (const auto& row : p.rows[c]) {
        json key = json::array();
        for (const auto& k : key_columns) key.push_back(row.at(k));
        EXPECT_TRUE(keys.insert(key.dump()).second) << "read twice: " << key.dump();
        ++total;
      }
    }
    EXPECT_EQ(total, n);
    for (size_t prefix = 1; prefix < p.chunks.size(); prefix += 3) {
      std::vector<state::SnapshotChunk> persisted(p.chunks.begin(), p.chunks.begin() + static_cast<long>(prefix));
      auto resumed = must(ChunkPlanner::from_plan(p.schema, kChunkRows, persisted));
      ASSERT_FALSE(resumed.complete());
      EXPECT_EQ(must(resumed.next(*reader_)), p.chunks[prefix]) << "resumed after " << prefix;
    }
  }

  std::string db_;
  std::optional<Connection> root_;
  std::optional<Connection> reader_;
};

TEST_P(ChunkPlannerTest, IntegerKey) { expect_exact_plan("t_int", {"id"}); }
TEST_P(ChunkPlannerTest, SparseUnsignedBigintKey) { expect_exact_plan("t_sparse", {"id"}); }
TEST_P(ChunkPlannerTest, CompositeKeyOfIntStringAndDate) { expect_exact_plan("t_comp", {"a", "b", "c"}); }
TEST_P(ChunkPlannerTest, CaseInsensitiveStringKeyWithQuotesAndTrailingSpaces) { expect_exact_plan("t_str", {"k"}); }
TEST_P(ChunkPlannerTest, BinaryKeyWithZeroBytes) { expect_exact_plan("t_bin", {"k"}); }
TEST_P(ChunkPlannerTest, ExactMultipleOfChunkRowsEndsWithAnEmptyOpenChunk) {
  expect_exact_plan("t_exact", {"id"});
  const Planned p = plan_and_read("t_exact");
  ASSERT_EQ(p.rows.size(), 3u);
  EXPECT_TRUE(p.rows.back().empty());
}

TEST_P(ChunkPlannerTest, EmptyTableIsOneEmptyChunk) {
  const Planned p = plan_and_read("t_empty");
  ASSERT_EQ(p.chunks.size(), 1u);
  EXPECT_FALSE(p.chunks[0].lower_key.has_value());
  EXPECT_FALSE(p.chunks[0].upper_key.has_value());
  EXPECT_TRUE(p.rows[0].empty());
}

TEST_P(ChunkPlannerTest, TableWithoutPrimaryKeyIsOneWholeTablePass) {
  const Planned p = plan_and_read("t_nopk");
  EXPECT_TRUE(p.schema.primary_key.empty());
  EXPECT_FALSE(chunkable(p.schema));
  ASSERT_EQ(p.chunks.size(), 1u);
  EXPECT_FALSE(p.chunks[0].upper_key.has_value());
  EXPECT_EQ(p.rows[0].size(), 120u);
}

INSTANTIATE_TEST_SUITE_P(Servers, ChunkPlannerTest,
                         testing::Values(ServerCase{"MariaDB", testenv::mariadb_port(), 9271},
                                         ServerCase{"MySQL", testenv::mysql_port(), 9281}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace mysql2ch::snapshot
