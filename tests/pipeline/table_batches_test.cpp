// TableBatches' background flushes: the stream appends while a flush is being sent, the tables of one flush are
// sent concurrently, flush_all() returns only when everything is acknowledged, and a failure of a background
// flush is reported, with its rows kept for the next attempt. The destination is in memory, with flushes held at
// a gate the test opens, because the interleavings are what is under test (the ClickHouse path is covered by the
// sync integration tests).
#include "pipeline/table_batches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace mysql2ch::pipeline {
namespace {

// Flushes wait at the gate while it is closed; every flush that got through is recorded.
struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  bool open = true;
  int inside = 0;                                         // flushes waiting at the gate right now
  std::map<std::string, std::vector<int64_t>> delivered;  // table -> ids, in delivery order
  int failures_left = 0;                                  // the next flushes fail (non-retryable) this often

  void close() {
    std::lock_guard lock(mutex);
    open = false;
  }
  void release() {
    std::lock_guard lock(mutex);
    open = true;
    changed.notify_all();
  }
  void wait_inside(int n) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return inside >= n; });
  }
  size_t delivered_count() {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& [t, ids] : delivered) n += ids.size();
    return n;
  }
};

class GatedSink final : public TableSink {
 public:
  GatedSink(Gate& gate, std::string table) : gate_(gate), table_(std::move(table)) {}
  Status append(std::span<const schema::Value> row, uint64_t, bool) override {
    rows_.push_back(row[0].i);
    return {};
  }
  size_t buffered_rows() const override { return rows_.size(); }
  size_t buffered_bytes() const override { return rows_.size() * 8; }
  Status flush() override {
    std::unique_lock lock(gate_.mutex);
    ++gate_.inside;
    gate_.changed.notify_all();
    gate_.changed.wait(lock, [&] { return gate_.open; });
    --gate_.inside;
    if (gate_.failures_left > 0) {
      --gate_.failures_left;
      return make_error(ErrorCode::kServer, "insert into {} refused", table_);
    }
    auto& out = gate_.delivered[table_];
    out.insert(out.end(), rows_.begin(), rows_.end());
    rows_.clear();
    return {};
  }

 private:
  Gate& gate_;
  std::string table_;
  std::vector<int64_t> rows_;
};

class GatedDestination final : public DestinationTables {
 public:
  explicit GatedDestination(Gate& gate) : gate_(gate) {}
  Result<std::unique_ptr<TableSink>> open(const schema::TableSchema& source, const schema::TableSchema*) override {
    ++opened;
    return std::unique_ptr<TableSink>(std::make_unique<GatedSink>(gate_, source.table));
  }
  Status truncate(std::string_view, std::string_view) override { return {}; }
  int opened = 0;

 private:
  Gate& gate_;
};

schema::TableSchema table(const std::string& name) {
  schema::TableSchema t;
  t.database = "db";
  t.table = name;
  schema::ColumnDef id;
  id.name = "id";
  id.type = schema::ColumnType::kLongLong;
  t.columns.push_back(id);
  t.primary_key = {0};
  return t;
}

class TableBatchesTest : public ::testing::Test {
 protected:
  TableBatchesTest() : destination_(gate_) {
    config_.insert_concurrency = 2;
    config_.max_batch_rows = 1000;
  }
  void append(const schema::TableSchema& t, int64_t id) {
    schema::Value v;
    v.kind = schema::ValueKind::kInt;
    v.i = id;
    Status st = batches_.append(t, std::span<const schema::Value>(&v, 1), static_cast<uint64_t>(id), false);
    ASSERT_TRUE(st.ok()) << st.error().message();
  }

  Gate gate_;
  GatedDestination destination_;
  PipelineConfig config_;
  std::atomic<bool> stop_{false};
  TableBatches batches_{destination_, config_, stop_};
  schema::TableSchema a_ = table("a");
  schema::TableSchema b_ = table("b");
};

TEST_F(TableBatchesTest, AppendsWhileABackgroundFlushIsSentAndFlushAllWaitsForBoth) {
  append(a_, 1);
  append(b_, 2);
  gate_.close();
  ASSERT_TRUE(batches_.start_flush().ok());
  // Both tables' inserts are under way at once (insert_concurrency 2), and neither has been acknowledged.
  gate_.wait_inside(2);
  EXPECT_EQ(gate_.delivered_count(), 0u);
  EXPECT_TRUE(batches_.collect_finished().ok());
  // The stream goes on: new rows land on the other side of each table.
  append(a_, 3);
  append(b_, 4);
  EXPECT_EQ(batches_.buffered_rows(), 2u);
  gate_.release();
  ASSERT_TRUE(batches_.flush_all().ok());
  EXPECT_EQ(gate_.delivered["a"], (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(gate_.delivered["b"], (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(batches_.rows_flushed(), 4u);
  EXPECT_EQ(batches_.buffered_rows(), 0u);
  EXPECT_EQ(destination_.opened, 4);  // two sinks per table, one each side
}

TEST_F(TableBatchesTest, StartFlushWaitsForTheRunningOneBeforeHandingOverMore) {
  append(a_, 1);
  ASSERT_TRUE(batches_.start_flush().ok());
  append(a_, 2);
  ASSERT_TRUE(batches_.start_flush().ok());
  ASSERT_TRUE(batches_.flush_all().ok());
  EXPECT_EQ(gate_.delivered["a"], (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(batches_.rows_flushed(), 2u);
}

TEST_F(TableBatchesTest, AFailedBackgroundFlushIsReportedAndItsRowsAreSentByTheNextFlushAll) {
  append(a_, 1);
  gate_.failures_left = 1;
  ASSERT_TRUE(batches_.start_flush().ok());
  append(a_, 2);
  Status st = batches_.start_flush();  // collects the failed one first
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("insert into a refused"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("table db.a"), std::string::npos) << st.error().message();
  // Nothing was lost: the failed batch and the newer row both go out with the next flush_all().
  ASSERT_TRUE(batches_.flush_all().ok());
  auto ids = gate_.delivered["a"];
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2}));
}

TEST_F(TableBatchesTest, CollectFinishedReportsAFailureWithoutANewFlush) {
  append(b_, 7);
  gate_.failures_left = 1;
  gate_.close();
  ASSERT_TRUE(batches_.start_flush().ok());
  gate_.wait_inside(1);
  EXPECT_TRUE(batches_.collect_finished().ok());  // still running: nothing to report, and no waiting
  gate_.release();
  Status st;
  while (st.ok() && gate_.delivered_count() == 0) {
    st = batches_.collect_finished();
    if (st.ok()) std::this_thread::yield();
  }
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("insert into b refused"), std::string::npos) << st.error().message();
}

}  // namespace
}  // namespace mysql2ch::pipeline
