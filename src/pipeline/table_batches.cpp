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

TableBatches::TableBatches(DestinationTables& destination, const PipelineConfig& config,
                           const std::atomic<bool>& stop)
    : destination_(destination), config_(config), stop_(stop) {}

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
    std::unique_ptr<TableSink> sink;
    TRY(with_retry("opening the destination table", [&]() -> Status {
      auto opened = destination_.open(table, previous);
      if (!opened.ok()) return std::move(opened).error();
      sink = std::move(opened).value();
      return {};
    }));
    Entry entry{table, std::move(sink)};
    it = tables_.insert_or_assign(key, std::move(entry)).first;
  }
  TableSink& sink = *it->second.sink;
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

uint64_t TableBatches::buffered_rows() const { return pending_rows_; }

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

Status TableBatches::flush_all() {
  for (auto& [key, entry] : tables_) {
    if (entry.sink->buffered_rows() == 0) continue;
    const uint64_t rows = entry.sink->buffered_rows();
    Status st = with_retry("writing to the destination", [&] { return entry.sink->flush(); });
    if (!st.ok()) return std::move(st).error().context(fmt::format("table {}", key));
    rows_flushed_ += rows;
  }
  pending_rows_ = 0;
  pending_bytes_ = 0;
  return {};
}

Status TableBatches::truncate(std::string_view database, std::string_view table) {
  TRY(flush_all());
  return with_retry("truncating the destination table", [&] { return destination_.truncate(database, table); });
}

void TableBatches::forget(std::string_view database, std::string_view table) {
  tables_.erase(fmt::format("{}.{}", database, table));
}

}  // namespace mysql2ch::pipeline
