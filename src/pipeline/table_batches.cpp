#include "pipeline/table_batches.h"

#include <algorithm>
#include <functional>
#include <thread>

#include "common/log.h"

namespace mysql2ch::pipeline {

bool same_row_layout(const schema::TableSchema& a, const schema::TableSchema& b) {
  if (a.columns.size() != b.columns.size() || a.primary_key != b.primary_key) return false;
  for (size_t k = 0; k < a.columns.size(); ++k) {
    const auto& x = a.columns[k];
    const auto& y = b.columns[k];
    if (x.name != y.name || x.type != y.type || x.is_unsigned != y.is_unsigned || x.nullable != y.nullable ||
        x.charset != y.charset || x.fsp != y.fsp || x.precision != y.precision || x.scale != y.scale ||
        x.max_length != y.max_length || x.length_bytes != y.length_bytes || x.labels != y.labels) {
      return false;
    }
  }
  return true;
}

TableBatches::TableBatches(DestinationTables& destination, const PipelineConfig& config, const std::atomic<bool>& stop)
    : destination_(destination), config_(config), stop_(stop) {}

Result<std::unique_ptr<TableSink>> TableBatches::open_sink(const schema::TableSchema& table,
                                                           const schema::TableSchema* previous) {
  std::unique_ptr<TableSink> sink;
  TRY(with_retry("opening the destination table", [&]() -> Status {
    auto opened = destination_.open(table, previous);
    if (!opened.ok()) return std::move(opened).error();
    sink = std::move(opened).value();
    return {};
  }));
  return sink;
}

Status TableBatches::append(const schema::TableSchema& table, std::span<const schema::Value> row, uint64_t version,
                            bool is_deleted) {
  const std::string key = table.database + "." + table.table;
  auto it = tables_.find(key);
  if (it == tables_.end() || !same_row_layout(it->second.schema, table)) {
    const schema::TableSchema* previous = nullptr;
    if (it != tables_.end()) {
      // The layout changed (DDL earlier in the stream): rows of the old layout go out first.
      TRY(flush_all());
      previous = &it->second.schema;
    }
    TRY_ASSIGN(auto sink, open_sink(table, previous));
    Entry entry{table, std::move(sink), nullptr};
    it = tables_.insert_or_assign(key, std::move(entry)).first;
  }
  TableSink& sink = *it->second.appending;
  const uint64_t before = sink.buffered_bytes();
  Status st = sink.append(row, version, is_deleted);
  if (!st.ok()) return std::move(st).error().context(fmt::format("table {}", key));
  if (pending_rows_ == 0) oldest_pending_ = std::chrono::steady_clock::now();
  ++pending_rows_;
  pending_bytes_ += sink.buffered_bytes() - std::min(before, sink.buffered_bytes());
  return {};
}

bool TableBatches::due(std::chrono::steady_clock::time_point now) const {
  if (pending_rows_ == 0) return false;
  return pending_rows_ >= config_.max_batch_rows || pending_bytes_ >= config_.max_batch_bytes ||
         now - oldest_pending_ >= std::chrono::milliseconds(config_.max_delay_ms);
}

uint64_t TableBatches::buffered_rows() const {
  return pending_rows_;
}

Status TableBatches::with_retry(const char* what, const std::function<Status()>& attempt) {
  auto backoff = std::chrono::milliseconds(200);
  constexpr auto kMaxBackoff = std::chrono::milliseconds(10000);
  while (true) {
    Status st = attempt();
    if (st.ok()) return {};
    if (!st.error().retryable() || stop_.load()) return std::move(st).error().context(what);
    ++flush_retries_;
    spdlog::warn("{}: {}; retrying in {} ms", what, st.error().message(), backoff.count());
    // Sleep in slices so a stop request is noticed.
    const auto until = std::chrono::steady_clock::now() + backoff;
    while (std::chrono::steady_clock::now() < until && !stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

void TableBatches::launch(std::vector<ConcurrentFlush::Job> jobs) {
  flight_rows_ = 0;
  for (const auto& job : jobs) flight_rows_ += job.sink->buffered_rows();
  flight_started_ = std::chrono::steady_clock::now();
  flight_.start(std::move(jobs), config_.insert_concurrency, [this](const ConcurrentFlush::Job& job) -> Status {
    Status st = with_retry("writing to the destination", [&] { return job.sink->flush(); });
    if (!st.ok()) return std::move(st).error().context(fmt::format("table {}", job.table));
    return {};
  });
}

Status TableBatches::finish_flight() {
  if (!flight_.running()) return {};
  const size_t inserts_rows = flight_rows_;
  Status st = flight_.wait();
  flight_rows_ = 0;
  if (!st.ok()) return st;
  rows_flushed_ += inserts_rows;
  // The flush's duration is most of the replication lag under a steady load: logged at debug level to tell the
  // destination's share from the batching delay.
  spdlog::debug(
      "flushed {} rows in {} ms", inserts_rows,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - flight_started_)
          .count());
  return {};
}

Status TableBatches::collect_finished() {
  if (flight_.running() && flight_.done()) return finish_flight();
  return {};
}

Status TableBatches::start_flush() {
  TRY(finish_flight());
  if (pending_rows_ == 0) return {};
  spdlog::debug(
      "flushing {} rows; the oldest waited {} ms", pending_rows_,
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - oldest_pending_)
          .count());
  std::vector<ConcurrentFlush::Job> jobs;
  for (auto& [key, entry] : tables_) {
    if (entry.appending->buffered_rows() == 0) continue;
    if (!entry.sending) {
      TRY_ASSIGN(entry.sending, open_sink(entry.schema, nullptr));
    }
    // The side sent last is empty: a failed flush ends the stream (or is retried by flush_all()) before this.
    std::swap(entry.appending, entry.sending);
    jobs.push_back({key, entry.sending.get()});
  }
  pending_rows_ = 0;
  pending_bytes_ = 0;
  launch(std::move(jobs));
  return {};
}

Status TableBatches::flush_all() {
  TRY(finish_flight());
  // Both sides: a background flush that failed left its rows in the sending sinks.
  std::vector<ConcurrentFlush::Job> jobs;
  for (auto& [key, entry] : tables_) {
    if (entry.appending->buffered_rows() != 0) jobs.push_back({key, entry.appending.get()});
    if (entry.sending && entry.sending->buffered_rows() != 0) jobs.push_back({key, entry.sending.get()});
  }
  pending_rows_ = 0;
  pending_bytes_ = 0;
  if (jobs.empty()) return {};
  launch(std::move(jobs));
  return finish_flight();
}

Status TableBatches::truncate(std::string_view database, std::string_view table) {
  TRY(flush_all());
  return with_retry("truncating the destination table", [&] { return destination_.truncate(database, table); });
}

void TableBatches::forget(std::string_view database, std::string_view table) {
  tables_.erase(fmt::format("{}.{}", database, table));
}

}  // namespace mysql2ch::pipeline
