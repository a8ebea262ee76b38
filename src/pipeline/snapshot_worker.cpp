#include "pipeline/snapshot_worker.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "clickhouse/connection.h"
#include "clickhouse/sql_text.h"
#include "clickhouse/type_mapping.h"
#include "common/strings.h"
#include "mysql/connection.h"
#include "pipeline/clickhouse_checkpoint_mirror.h"
#include "pipeline/snapshot_marks.h"
#include "pipeline/snapshot_sinks.h"
#include "snapshot/snapshot_runner.h"

namespace mysql2ch::pipeline {
namespace {

using namespace std::chrono_literals;

state::TableId id_of(const SourceTableName& name) {
  return {name.database, name.table};
}

// What a snapshot reads a table with: its columns' names and types (a change makes chunks read another shape).
std::string layout_of(const schema::TableSchema& t) {
  std::string out;
  for (const auto& c : t.columns) {
    out += fmt::format("{}:{}:{}:{}:{}:{}:{}:{}:{};", c.name, static_cast<int>(c.type), c.is_unsigned, c.nullable,
                       c.precision, c.scale, c.max_length, c.fsp, fmt::join(c.labels, ","));
  }
  out += fmt::format("pk:{}", fmt::join(t.primary_key, ","));
  return out;
}

// The layouts of `tables` on the source now; a table that is gone has none.
Result<std::map<state::TableId, std::string>> source_layouts(const Config& config,
                                                             const std::vector<SourceTableName>& tables) {
  TRY_ASSIGN(Connection conn, Connection::open(ConnectOptions::from_source(config.source)));
  std::map<state::TableId, std::string> out;
  for (const auto& t : tables) {
    auto schema = load_table_schema(conn, t.database, t.table);
    if (!schema.ok() && schema.error().code() == ErrorCode::kNotFound) continue;
    if (!schema.ok()) return std::move(schema).error();
    out.emplace(id_of(t), layout_of(*schema));
  }
  return out;
}

// Sleeps `total` in slices, returning early when `stop` is set.
void sleep_unless(const std::atomic<bool>& stop, std::chrono::milliseconds total) {
  const auto until = std::chrono::steady_clock::now() + total;
  while (!stop.load() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
}

}  // namespace

SnapshotWorker::SnapshotWorker(const Config& config, state::StateStore& store, SnapshotVersions& versions,
                               std::vector<SelectedTable> tables, unsigned source_connections_held,
                               std::set<state::TableId> awaited)
    : config_(config),
      store_(store),
      versions_(versions),
      source_connections_held_(source_connections_held),
      tables_(std::move(tables)),
      awaited_(std::move(awaited)) {}

SnapshotWorker::~SnapshotWorker() {
  stop_and_join();
}

void SnapshotWorker::take_over(const SelectedTable& table) {
  std::lock_guard lock(tables_mutex_);
  awaited_.erase(id_of(table.name));
  took_over_ = true;
  for (const auto& t : tables_) {
    if (t.name == table.name) return;
  }
  tables_.push_back(table);
}

bool SnapshotWorker::handles(const state::TableId& table) const {
  std::lock_guard lock(tables_mutex_);
  for (const auto& t : tables_) {
    if (id_of(t.name) == table) return true;
  }
  return false;
}

std::vector<SelectedTable> SnapshotWorker::tables() const {
  std::lock_guard lock(tables_mutex_);
  return tables_;
}

bool SnapshotWorker::took_over_any() const {
  std::lock_guard lock(tables_mutex_);
  return took_over_;
}

std::set<state::TableId> SnapshotWorker::still_awaited() const {
  std::lock_guard lock(tables_mutex_);
  return awaited_;
}

bool SnapshotWorker::awaited(const state::TableId& table) const {
  std::lock_guard lock(tables_mutex_);
  return awaited_.count(table) != 0;
}

Result<bool> SnapshotWorker::has_work() {
  TRY_ASSIGN(auto requests, store_.resnapshot_requests());
  for (const auto& r : requests) {
    if (!awaited(r.table)) return true;
  }
  TRY_ASSIGN(auto states, store_.tables());
  std::map<state::TableId, const state::TableSnapshot*> by_id;
  for (const auto& s : states) by_id.emplace(s.id, &s);
  for (const auto& t : tables()) {
    const auto it = by_id.find(id_of(t.name));
    if (vanished_.count(id_of(t.name)) != 0) continue;
    if (it == by_id.end() || it->second->state != state::SnapshotState::kDone || it->second->purge_below) return true;
  }
  return false;
}

Status SnapshotWorker::run_pass(const std::atomic<bool>& stop) {
  deferred_.store(false);
  // Tables taken over during the pass wait for the next one.
  const std::vector<SelectedTable> tables = this->tables();
  std::map<state::TableId, bool> selected;
  for (const auto& t : tables) selected.emplace(id_of(t.name), t.has_primary_key);

  // 1. Requests and newly selected tables get a fresh bound.
  TRY_ASSIGN(auto requests, store_.resnapshot_requests());
  std::vector<int64_t> ids;
  for (const auto& r : requests) {
    if (awaited(r.table)) {
      spdlog::debug("resnapshot request {} for {} waits until the stream has made the table", r.id,
                    r.table.qualified());
      continue;
    }
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
  for (const auto& t : tables) {
    const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.id == id_of(t.name); });
    if (it != states.end() && it->state != state::SnapshotState::kDone && vanished_.count(id_of(t.name)) == 0) {
      todo.push_back(t.name);
    }
  }
  if (!todo.empty()) TRY(snapshot_tables(todo, stop));

  // 3. Remove what the re-reads did not see again.
  TRY_ASSIGN(states, store_.tables());
  for (const auto& t : tables) {
    const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.id == id_of(t.name); });
    if (it == states.end() || it->state != state::SnapshotState::kDone || !it->purge_below) continue;
    // Below 2 nothing was ever written (versions start at 1 and the bound skipped one).
    if (*it->purge_below > 1) TRY(purge(t, *it->purge_below, stop));
    TRY(store_.clear_purge(it->id));
  }

  // 4. Tell the destination which tables are complete (snapshot_marks.h): a start that has only the
  // destination's checkpoint adopts these and reads the others again.
  TRY_ASSIGN(states, store_.tables());
  std::vector<state::TableId> complete;
  for (const auto& t : tables) {
    const auto it = std::find_if(states.begin(), states.end(), [&](const auto& s) { return s.id == id_of(t.name); });
    if (it == states.end() || it->state != state::SnapshotState::kDone || it->purge_below) continue;
    if (marked_.insert(it->id).second) complete.push_back(it->id);
  }
  if (!complete.empty()) {
    TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
    SnapshotMarks marks(*conn, state_database(config_), pipeline_name(config_));
    Status st = marks.mark(complete);
    if (!st.ok()) {
      for (const auto& id : complete) marked_.erase(id);
      return std::move(st).error().context("recording completed snapshots in the destination");
    }
  }
  return {};
}

Status SnapshotWorker::snapshot_tables(std::vector<SourceTableName> todo, const std::atomic<bool>& stop) {
  // A DDL on the source between the listing and the reads (or during them) fails a run: a table dropped or
  // renamed away is left to the stream (it drops or renames the target when it replays the DDL), a table whose
  // columns changed is described again by the next run, and a table whose destination does not have the columns
  // it is read with yet waits for the stream (snapshot_sinks.h). Only an error with none of these causes stops.
  // Each retry needs a change on the source, so the DDL statements bound the retries.
  constexpr unsigned kMaxRetries = 20;
  for (unsigned attempt = 0;; ++attempt) {
    if (todo.empty()) return {};
    TRY_ASSIGN(auto before, source_layouts(config_, todo));
    snapshot::SnapshotOptions options = snapshot::SnapshotOptions::from_config(config_);
    options.max_connections =
        std::max(1u, options.max_connections - std::min(options.max_connections - 1, source_connections_held_));
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
    if (summary.ok()) {
      if (summary->chunks_read > 0) {
        spdlog::info("snapshot: {} chunks, {} rows, {} bytes", summary->chunks_read, summary->rows, summary->bytes);
      }
      if (summary->stopped) return make_error(ErrorCode::kUnavailable, "snapshot stopped before it completed");
      return {};
    }
    if (stop.load() || halt_.load()) return std::move(summary).error().context("snapshot");
    TRY_ASSIGN(auto after, source_layouts(config_, todo));
    const std::set<std::string> deferred = sinks.deferred();
    bool changed = false;
    std::vector<SourceTableName> next;
    for (const auto& t : todo) {
      const auto now = after.find(id_of(t));
      const auto then = before.find(id_of(t));
      if (now == after.end()) {
        spdlog::warn("snapshot of {}: the table is gone from the source ({}); the stream replays its DROP or RENAME",
                     t.qualified(), summary.error().message());
        vanished_.insert(id_of(t));
        changed = true;
        continue;
      }
      if (then == before.end() || then->second != now->second) {
        spdlog::warn("snapshot of {}: its columns changed during the read ({}); it is described and read again",
                     t.qualified(), summary.error().message());
        changed = true;
      }
      if (deferred.count(t.qualified()) != 0) {
        spdlog::warn("{}", summary.error().message());
        deferred_.store(true);
        changed = true;
        continue;  // has_work() stays true for it: a later pass tries again
      }
      next.push_back(t);
    }
    if (!changed || attempt >= kMaxRetries) return std::move(summary).error().context("snapshot");
    todo = std::move(next);
  }
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

Status SnapshotWorker::run_pass_through_outages(const std::atomic<bool>& stop) {
  auto backoff = 200ms;
  while (true) {
    Status st = run_pass(stop);
    if (st.ok() || stop.load() || halt_.load() || !st.error().retryable()) return st;
    // The destination or the source is unreachable (down, restarting, network cut): the chunks done are recorded,
    // so the pass is simply run again once it answers, as the stream retries its own writes.
    spdlog::warn("background snapshot: {}; trying again in {} ms", st.error().message(), backoff.count());
    const auto until = std::chrono::steady_clock::now() + backoff;
    while (std::chrono::steady_clock::now() < until && !stop.load() && !halt_.load()) std::this_thread::sleep_for(50ms);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, 10s);
  }
}

void SnapshotWorker::loop(const std::atomic<bool>& stop) {
  // The first pass always runs: it also marks tables completed by earlier runs in the destination.
  for (bool first = true; !stop.load() && !halt_.load(); first = false) {
    auto work = first ? Result<bool>(true) : has_work();
    Status st = !work.ok() ? Status(work.error()) : *work ? run_pass_through_outages(stop) : Status();
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
