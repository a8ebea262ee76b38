#include "pipeline/snapshot_worker.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "clickhouse/connection.h"
#include "clickhouse/sql_text.h"
#include "clickhouse/type_mapping.h"
#include "common/strings.h"
#include "mysql/connection.h"
#include "pipeline/snapshot_sinks.h"
#include "snapshot/snapshot_runner.h"

namespace mysql2ch::pipeline {
namespace {

using namespace std::chrono_literals;

state::TableId id_of(const SourceTableName& name) { return {name.database, name.table}; }

// Sleeps `total` in slices, returning early when `stop` is set.
void sleep_unless(const std::atomic<bool>& stop, std::chrono::milliseconds total) {
  const auto until = std::chrono::steady_clock::now() + total;
  while (!stop.load() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
}

}  // namespace

SnapshotWorker::SnapshotWorker(const Config& config, state::StateStore& store, SnapshotVersions& versions,
                               std::vector<SelectedTable> tables, unsigned source_connections_held)
    : config_(config),
      store_(store),
      versions_(versions),
      tables_(std::move(tables)),
      source_connections_held_(source_connections_held) {}

SnapshotWorker::~SnapshotWorker() { stop_and_join(); }

Result<bool> SnapshotWorker::has_work() {
  TRY_ASSIGN(auto requests, store_.resnapshot_requests());
  if (!requests.empty()) return true;
  TRY_ASSIGN(auto states, store_.tables());
  std::map<state::TableId, const state::TableSnapshot*> by_id;
  for (const auto& s : states) by_id.emplace(s.id, &s);
  for (const auto& t : tables_) {
    const auto it = by_id.find(id_of(t.name));
    if (it == by_id.end() || it->second->state != state::SnapshotState::kDone || it->second->purge_below) return true;
  }
  return false;
}

Status SnapshotWorker::run_pass(const std::atomic<bool>& stop) {
  std::map<state::TableId, bool> selected;
  for (const auto& t : tables_) selected.emplace(id_of(t.name), t.has_primary_key);

  // 1. Requests and newly selected tables get a fresh bound.
  TRY_ASSIGN(auto requests, store_.resnapshot_requests());
  std::vector<int64_t> ids;
  for (const auto& r : requests) {
    ids.push_back(r.id);
    if (selected.count(r.table) == 0) {
      spdlog::warn("resnapshot request {} for {}: the table is not selected by tables.include/exclude; it is dropped",
                   r.id, r.table.qualified());
    } else {
      spdlog::info("resnapshot of {} (requested {})", r.table.qualified(), r.requested_at);
    }
  }
  TRY_ASSIGN(auto states, store_.tables());
  std::vector<state::TableId> fresh;
  for (const auto& [id, has_pk] : selected) {
    const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.id == id; });
    if (it == states.end()) {
      TRY(store_.add_table(id, has_pk));
      fresh.push_back(id);
    } else if (it->state == state::SnapshotState::kPending && !it->purge_below) {
      fresh.push_back(id);
    }
  }
  if (!ids.empty() || !fresh.empty()) {
    TRY_ASSIGN(const uint64_t bound, versions_.fresh_floor(stop));
    const auto has_pk = [&](const state::TableId& id) {
      const auto it = selected.find(id);
      return it == selected.end() || it->second;
    };
    TRY(store_.start_rereads(ids, fresh, bound, has_pk));
  }

  // 2. Snapshot what is not done.
  TRY_ASSIGN(states, store_.tables());
  std::vector<SourceTableName> todo;
  for (const auto& t : tables_) {
    const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.id == id_of(t.name); });
    if (it != states.end() && it->state != state::SnapshotState::kDone) todo.push_back(t.name);
  }
  if (!todo.empty()) {
    snapshot::SnapshotOptions options = snapshot::SnapshotOptions::from_config(config_);
    options.max_connections = std::max(1u, options.max_connections - std::min(options.max_connections - 1,
                                                                              source_connections_held_));
    ClickHouseSnapshotSinks sinks(config_);
    snapshot::SnapshotRunner runner(std::move(options), store_, versions_.floor(), sinks);
    std::atomic<bool> finished{false};
    std::thread watcher([&] {
      while (!finished.load()) {
        if (stop.load() || halt_.load()) {
          runner.request_stop();
          return;
        }
        std::this_thread::sleep_for(100ms);
      }
    });
    auto summary = runner.run(todo);
    finished.store(true);
    watcher.join();
    if (!summary.ok()) return std::move(summary).error().context("snapshot");
    if (summary->chunks_read > 0) {
      spdlog::info("snapshot: {} chunks, {} rows, {} bytes", summary->chunks_read, summary->rows, summary->bytes);
    }
    if (summary->stopped) return make_error(ErrorCode::kUnavailable, "snapshot stopped before it completed");
  }

  // 3. Remove what the re-reads did not see again.
  TRY_ASSIGN(states, store_.tables());
  for (const auto& t : tables_) {
    const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.id == id_of(t.name); });
    if (it == states.end() || it->state != state::SnapshotState::kDone || !it->purge_below) continue;
    // Below 2 nothing was ever written (versions start at 1 and the bound skipped one).
    if (*it->purge_below > 1) TRY(purge(t, *it->purge_below, stop));
    TRY(store_.clear_purge(it->id));
  }
  return {};
}

Status SnapshotWorker::purge(const SelectedTable& table, uint64_t below, const std::atomic<bool>& stop) {
  TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
  const TargetName target = target_name(config_.destination, table.name.database, table.name.table);
  const std::string qualified = clickhouse_identifier(target.database) + "." + clickhouse_identifier(target.table);
  spdlog::info("re-read of {} complete: removing its rows with _version < {} from {}", table.name.qualified(), below,
               qualified);
  TRY(conn->execute(fmt::format("ALTER TABLE {} DELETE WHERE _version < {}", qualified, below)));
  // Mutations run in the background; the re-read counts as complete only once ClickHouse applied it.
  const std::string pending_sql =
      fmt::format("SELECT count() FROM system.mutations WHERE database = {} AND table = {} AND is_done = 0",
                  clickhouse_string(target.database), clickhouse_string(target.table));
  auto last_log = std::chrono::steady_clock::now();
  while (true) {
    TRY_ASSIGN(std::string pending, conn->query(pending_sql, "TSV"));
    while (!pending.empty() && (pending.back() == '\n' || pending.back() == '\r')) pending.pop_back();
    if (parse_uint(pending).value_or(1) == 0) break;
    if (stop.load() || halt_.load()) {
      return make_error(ErrorCode::kUnavailable, "stopped while ClickHouse removes older rows of {}",
                        table.name.qualified());
    }
    if (std::chrono::steady_clock::now() - last_log > 30s) {
      spdlog::info("waiting for ClickHouse to finish removing older rows of {}", qualified);
      last_log = std::chrono::steady_clock::now();
    }
    std::this_thread::sleep_for(200ms);
  }
  return {};
}

void SnapshotWorker::loop(const std::atomic<bool>& stop) {
  while (!stop.load() && !halt_.load()) {
    auto work = has_work();
    Status st = !work.ok() ? Status(work.error()) : *work ? run_pass(stop) : Status();
    if (!st.ok()) {
      if (stop.load() || halt_.load()) return;  // the interruption, not a failure
      spdlog::error("background snapshot: {}", st.error().message());
      std::lock_guard lock(mutex_);
      failure_ = st.error();
      return;
    }
    sleep_unless(stop, 2000ms);
  }
}

void SnapshotWorker::start(const std::atomic<bool>& stop) {
  halt_.store(false);
  thread_ = std::thread([this, &stop] { loop(stop); });
}

void SnapshotWorker::stop_and_join() {
  halt_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::optional<Error> SnapshotWorker::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

Result<std::vector<SourceTableName>> request_resnapshots(const Config& config,
                                                         const std::vector<std::string>& patterns) {
  TRY_ASSIGN(Connection conn, Connection::open(ConnectOptions::from_source(config.source)));
  TRY_ASSIGN(std::vector<SourceTableName> selected, list_selected_tables(conn, config.tables));
  std::vector<SourceTableName> chosen;
  for (const auto& pattern : patterns) {
    bool matched = false;
    for (const auto& t : selected) {
      if (!glob_match(pattern, t.qualified())) continue;
      matched = true;
      if (std::find(chosen.begin(), chosen.end(), t) == chosen.end()) chosen.push_back(t);
    }
    if (!matched) {
      return make_error(ErrorCode::kInvalidArgument,
                        "'{}' matches none of the {} tables selected by tables.include/exclude in {}", pattern,
                        selected.size(), config.file);
    }
  }
  TRY_ASSIGN(auto store, state::StateStore::open(config.state.path));
  for (const auto& t : chosen) {
    TRY_ASSIGN(int64_t id, store->request_resnapshot(id_of(t)));
    (void)id;
  }
  return chosen;
}

}  // namespace mysql2ch::pipeline
