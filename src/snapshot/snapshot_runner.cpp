#include "snapshot/snapshot_runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/strings.h"
#include "snapshot/binlog_start.h"
#include "snapshot/chunk_planner.h"

namespace mysql2ch::snapshot {
namespace {

using Clock = std::chrono::steady_clock;

// One table's work during a run. Guarded by Scheduler::mutex_.
struct TableWork {
  state::TableId id;
  schema::TableSchema schema;
  std::optional<ChunkPlanner> planner;
  std::deque<state::SnapshotChunk> ready;  // planned, not done, not taken
  bool planning = false;
  bool resumed_append_only_pass = false;  // a no-PK pass an earlier run started
  size_t in_flight = 0;
  bool finished = false;
  uint64_t estimated_rows = 0;
  uint64_t rows = 0;  // done, including earlier runs
  uint64_t bytes = 0;
  uint64_t rows_at_start = 0;
  Clock::time_point started = Clock::now();
};

std::string eta_text(double seconds) {
  if (seconds < 0) return "unknown";
  const auto s = static_cast<uint64_t>(seconds);
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

void log_progress(const TableWork& t, bool done) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - t.started).count();
  const double rate = elapsed > 0 ? static_cast<double>(t.rows - t.rows_at_start) / elapsed : 0;
  const double mb = static_cast<double>(t.bytes) / (1024.0 * 1024.0);
  if (done) {
    spdlog::info("snapshot {}: done, {} rows, {:.1f} MB, {:.0f} rows/s", t.id.qualified(), t.rows, mb, rate);
    return;
  }
  const double remaining = t.estimated_rows > t.rows ? static_cast<double>(t.estimated_rows - t.rows) : 0;
  const double pct = t.estimated_rows > 0 ? 100.0 * std::min(1.0, static_cast<double>(t.rows) /
                                                                       static_cast<double>(t.estimated_rows))
                                          : 0;
  spdlog::info("snapshot {}: {} rows (~{:.0f}% of ~{}), {:.1f} MB, {:.0f} rows/s, ETA {}", t.id.qualified(), t.rows,
               pct, t.estimated_rows, mb, rate, eta_text(rate > 0 ? remaining / rate : -1));
}

class Scheduler {
 public:
  Scheduler(const SnapshotOptions& options, state::StateStore& store, const VersionCounter& counter,
            SnapshotSinkFactory& sinks, std::atomic<bool>& stop)
      : options_(options), store_(store), counter_(counter), sinks_(sinks), stop_(stop) {}

  void add(std::unique_ptr<TableWork> t) { tables_.push_back(std::move(t)); }

  // The body of one reader thread.
  Status work() {
    auto conn = open_snapshot_connection(options_.source);
    if (!conn.ok()) return fail(std::move(conn).error());
    std::map<const TableWork*, std::unique_ptr<SnapshotSink>> sinks;
    std::unique_lock lock(mutex_);
    while (true) {
      if (!error_.ok() || stop_.load() || abandon_.load()) return {};
      TableWork* t = nullptr;
      if ((t = with_ready_chunk()) != nullptr) {
        state::SnapshotChunk chunk = std::move(t->ready.front());
        t->ready.pop_front();
        ++t->in_flight;
        lock.unlock();
        Status st = read_chunk(*conn, *t, chunk, sinks);
        lock.lock();
        --t->in_flight;
        if (!st.ok()) return fail_locked(std::move(st).error());
        maybe_finish(*t);
        cv_.notify_all();
        continue;
      }
      if ((t = needing_plan()) != nullptr) {
        t->planning = true;
        lock.unlock();
        auto chunk = t->planner->next(*conn);
        Status st = chunk.ok() ? store_.add_chunk(t->id, *chunk) : Status(chunk.error());
        lock.lock();
        t->planning = false;
        if (!st.ok()) return fail_locked(std::move(st).error().context(fmt::format("planning {}", t->id.qualified())));
        t->ready.push_back(std::move(*chunk));
        maybe_finish(*t);
        cv_.notify_all();
        continue;
      }
      if (all_finished()) return {};
      cv_.wait(lock);
    }
  }

  Status result() {
    std::lock_guard lock(mutex_);
    return error_;
  }
  bool abandoned() const { return abandon_.load(); }
  uint64_t chunks_read() const { return chunks_read_; }
  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }

  void finish_completed_tables() {
    std::lock_guard lock(mutex_);
    for (auto& t : tables_) maybe_finish(*t);
  }
  Status finish_error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  TableWork* with_ready_chunk() {
    for (auto& t : tables_) {
      if (!t->ready.empty()) return t.get();
    }
    return nullptr;
  }

  // Plans ahead of the readers by up to one chunk per reader, so a reader rarely waits for a plan.
  TableWork* needing_plan() {
    for (auto& t : tables_) {
      if (!t->finished && !t->planning && !t->planner->complete() && t->ready.size() < readers_ahead()) {
        return t.get();
      }
    }
    return nullptr;
  }

  size_t readers_ahead() const { return std::max<size_t>(1, options_.concurrency); }

  bool all_finished() const {
    return std::all_of(tables_.begin(), tables_.end(), [](const auto& t) { return t->finished; });
  }

  void maybe_finish(TableWork& t) {
    if (t.finished || t.planning || t.in_flight != 0 || !t.ready.empty() || !t.planner->complete()) return;
    Status st = store_.finish_table(t.id);
    if (!st.ok()) {
      (void)fail_locked(std::move(st).error());
      return;
    }
    t.finished = true;
    log_progress(t, true);
  }

  Status read_chunk(Connection& conn, TableWork& t, const state::SnapshotChunk& chunk,
                    std::map<const TableWork*, std::unique_ptr<SnapshotSink>>& sinks) {
    auto& sink = sinks[&t];
    if (!sink) {
      TRY_ASSIGN(sink, sinks_.open(t.schema));
    }
    if (t.resumed_append_only_pass) TRY(sinks_.discard_partial_append_only(t.schema));
    ChunkReader reader(conn, t.schema, options_.limits);
    // Invariant 3: the version is read before the SELECT is sent.
    const uint64_t version = counter_.last_issued();
    TRY_ASSIGN(ChunkReadResult r, reader.read(chunk, version, *sink, &abandon_));
    if (!r.completed) return {};
    TRY(store_.complete_chunk(t.id, chunk.index, version, r.rows, r.bytes));
    std::lock_guard lock(mutex_);
    ++chunks_read_;
    rows_ += r.rows;
    bytes_ += r.bytes;
    t.rows += r.rows;
    t.bytes += r.bytes;
    if (options_.abandon_after_chunks != 0 && chunks_read_ >= options_.abandon_after_chunks) abandon_.store(true);
    if (Clock::now() - last_log_ >= options_.progress_interval) {
      last_log_ = Clock::now();
      for (auto& other : tables_) {
        if (!other->finished && (other->rows != 0 || other->in_flight != 0)) log_progress(*other, false);
      }
    }
    return {};
  }

  Status fail(Error e) {
    std::lock_guard lock(mutex_);
    return fail_locked(std::move(e));
  }
  Status fail_locked(Error e) {
    if (error_.ok()) error_ = e;
    cv_.notify_all();
    return e;
  }

  const SnapshotOptions& options_;
  state::StateStore& store_;
  const VersionCounter& counter_;
  SnapshotSinkFactory& sinks_;
  std::atomic<bool>& stop_;
  std::atomic<bool> abandon_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<TableWork>> tables_;
  Status error_;
  uint64_t chunks_read_ = 0;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
  Clock::time_point last_log_ = Clock::now();
};

Result<uint64_t> estimated_rows(Connection& conn, const state::TableId& id) {
  TRY_ASSIGN(auto v, conn.query_value(fmt::format(
                         "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                         conn.quote(id.database), conn.quote(id.table))));
  return v ? parse_uint(*v).value_or(0) : 0;
}

}  // namespace

SnapshotOptions SnapshotOptions::from_config(const Config& config) {
  SnapshotOptions o;
  o.source = ConnectOptions::from_source(config.source);
  o.concurrency = config.snapshot.concurrency;
  o.max_connections = config.source.max_connections;
  o.chunk_rows = config.snapshot.chunk_rows;
  o.limits.flush_rows = config.pipeline.max_batch_rows;
  o.limits.flush_bytes = config.pipeline.max_batch_bytes;
  return o;
}

Result<SnapshotSummary> SnapshotRunner::run(const std::vector<SourceTableName>& tables) {
  SnapshotSummary summary;
  Scheduler scheduler(options_, *store_, *counter_, *sinks_, stop_);
  {
    TRY_ASSIGN(Connection control, open_snapshot_connection(options_.source));
    std::vector<state::TableId> pending;
    for (const auto& name : tables) {
      const state::TableId id{name.database, name.table};
      TRY_ASSIGN(schema::TableSchema schema, load_table_schema(control, name.database, name.table));
      TRY(store_->add_table(id, !schema.primary_key.empty()));
      TRY_ASSIGN(auto known, store_->table(id));
      if (!known) return make_error(ErrorCode::kInternal, "{} vanished from the state store", id.qualified());
      if (known->state == state::SnapshotState::kDone) continue;
      if (known->state == state::SnapshotState::kPending) pending.push_back(id);
      auto work = std::make_unique<TableWork>();
      work->id = id;
      work->schema = std::move(schema);
      TRY_ASSIGN(std::vector<state::SnapshotChunk> planned, store_->chunks(id));
      TRY_ASSIGN(ChunkPlanner planner, ChunkPlanner::from_plan(work->schema, options_.chunk_rows, planned));
      work->planner.emplace(std::move(planner));
      for (auto& c : planned) {
        if (!c.done) work->ready.push_back(std::move(c));
      }
      work->resumed_append_only_pass = !chunkable(work->schema) && !work->ready.empty();
      work->rows = work->rows_at_start = known->rows_done;
      work->bytes = known->bytes_done;
      TRY_ASSIGN(work->estimated_rows, estimated_rows(control, id));
      scheduler.add(std::move(work));
    }
    if (!pending.empty()) {
      TRY_ASSIGN(state::BinlogPosition start, read_binlog_position(control));
      TRY(store_->begin_snapshot(pending, start, counter_->last_issued()));
      spdlog::info("snapshot: {} table(s) start at {}{}{}", pending.size(), start.file.empty() ? "" : start.file,
                   start.file.empty() ? "" : fmt::format(":{}", start.pos),
                   start.gtid_set.empty() ? "" : fmt::format(" (GTID {})", start.gtid_set));
      summary.start = std::move(start);
    }
  }  // the control connection closes before the readers open theirs
  scheduler.finish_completed_tables();
  TRY(scheduler.finish_error());

  const unsigned readers = std::max(1u, std::min(options_.concurrency, options_.max_connections));
  std::vector<std::thread> threads;
  threads.reserve(readers);
  for (unsigned i = 0; i < readers; ++i) {
    threads.emplace_back([&scheduler] { (void)scheduler.work(); });
  }
  for (auto& th : threads) th.join();
  TRY(scheduler.result());
  summary.chunks_read = scheduler.chunks_read();
  summary.rows = scheduler.rows();
  summary.bytes = scheduler.bytes();
  TRY_ASSIGN(auto states, store_->tables());
  for (const auto& name : tables) {
    for (const auto& s : states) {
      if (s.id.database == name.database && s.id.table == name.table && s.state != state::SnapshotState::kDone) {
        summary.stopped = true;
      }
    }
  }
  return summary;
}

}  // namespace mysql2ch::snapshot
