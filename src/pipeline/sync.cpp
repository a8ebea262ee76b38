#include "pipeline/sync.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "binlog/replication_client.h"
#include "clickhouse/connection.h"
#include "clickhouse/connection_pool.h"
#include "mysql/connection.h"
#include "mysql/table_schema_loader.h"
#include "pipeline/checkpoint_coordinator.h"
#include "pipeline/clickhouse_checkpoint_mirror.h"
#include "pipeline/clickhouse_destination.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/schema_ddl_handler.h"
#include "pipeline/schema_tracker.h"
#include "pipeline/snapshot_marks.h"
#include "pipeline/snapshot_sinks.h"
#include "pipeline/snapshot_versions.h"
#include "pipeline/snapshot_worker.h"
#include "pipeline/state_checkpoint_store.h"
#include "pipeline/stream_runner.h"
#include "pipeline/sync_snapshots.h"
#include "schema/table_catalog.h"
#include "state/state_store.h"

namespace mysql2ch::pipeline {
namespace {

// What the source still has, for the message when a checkpoint's position is gone.
std::string source_retention(const ConnectOptions& connect) {
  auto conn = Connection::open(connect);
  if (!conn.ok()) return "could not ask the source: " + conn.error().message();
  std::string out;
  auto logs = conn->query("SHOW BINARY LOGS");
  if (logs.ok() && !logs->rows.empty() && logs->rows.front()[0]) {
    out += fmt::format("oldest binlog on the source: {}, newest: {}", *logs->rows.front()[0],
                       logs->rows.back()[0].value_or("?"));
  }
  const bool mysql = conn->server().flavor == ServerFlavor::kMySQL;
  auto purged = conn->query_value(mysql ? "SELECT @@GLOBAL.gtid_purged" : "SELECT @@GLOBAL.gtid_binlog_state");
  if (purged.ok() && purged->has_value()) {
    out += fmt::format("; {}: '{}'", mysql ? "gtid_purged" : "gtid_binlog_state", **purged);
  }
  return out;
}

// The selected tables the stream makes on its way from a checkpoint to the source's present: those the source
// has now (`prepared`) that the checkpoint's schema history `history` does not know, in a database it has tables
// of. A CREATE TABLE or RENAME TABLE ahead in the stream makes each of them, dropping any destination table of
// that name first, so a snapshot started now would be written into a table the stream then replaces (and its
// removal of older rows would then hit the replacement). A history without tables of the database (the include
// patterns were widened to it, or it had none) or no history at all (a checkpoint older than histories) cannot
// tell, and those tables are snapshotted as before.
Result<std::set<state::TableId>> tables_the_stream_makes(const PreparedTables& prepared, const std::string& history) {
  std::set<state::TableId> out;
  if (history.empty()) return out;
  const auto json = nlohmann::json::parse(history, nullptr, false);
  if (json.is_discarded()) return make_error(ErrorCode::kCorrupt, "the checkpoint's schema history is not JSON");
  auto catalog = schema::TableCatalog::from_json(json);
  if (!catalog.ok()) return std::move(catalog).error().context("the checkpoint's schema history");
  std::set<std::string> databases;
  for (const auto& t : catalog->tables()) databases.insert(t.database);
  for (const auto& t : prepared.tables) {
    if (databases.count(t.name.database) == 0) continue;
    if (catalog->find({t.name.database, t.name.table}) != nullptr) continue;
    out.insert({t.name.database, t.name.table});
  }
  return out;
}

// Records a destination table the stream made (CREATE TABLE, or RENAME into a selected name from a selected
// one). Such a target holds every row the source table has had since (the stream writes them all), so a later
// start must not snapshot it: its columns may be ahead of what the stream has replayed by then. One renamed from
// a table whose snapshot had not completed lacks the rows that snapshot had not copied: the worker takes it over
// and snapshots it now (snapshot_sinks.h compares the layouts before it writes).
//
// When the worker already handles the name (it was selected and known to the history at the start: a name used
// again), its record is left as it is. Otherwise no snapshot of it runs, and whatever the state recorded for the
// name (a snapshot an earlier run started under it ahead of the stream) described a destination table the stream
// has just replaced.
Status record_stream_created(state::StateStore& store, SnapshotWorker& worker, const schema::TableSchema& table,
                             const schema::TableName* renamed_from) {
  const state::TableId id{table.database, table.table};
  const bool has_primary_key = !table.primary_key.empty();
  bool complete = true;
  if (renamed_from != nullptr) {
    TRY_ASSIGN(auto from, store.table({renamed_from->database, renamed_from->table}));
    complete = from && from->state == state::SnapshotState::kDone && !from->purge_below;
  }
  if (worker.handles(id)) {
    if (!complete) {
      spdlog::warn("{}.{} was renamed to {} before its snapshot completed: the next start snapshots {}",
                   renamed_from->database, renamed_from->table, id.qualified(), id.qualified());
      return {};
    }
    return store.adopt_done(id, has_primary_key);
  }
  TRY(store.record_stream_made_table(id, has_primary_key, complete));
  if (!complete) {
    spdlog::warn("{}.{} was renamed to {} before its snapshot completed: {} is snapshotted now", renamed_from->database,
                 renamed_from->table, id.qualified(), id.qualified());
  }
  worker.take_over(SelectedTable{{table.database, table.table}, has_primary_key});
  return {};
}

uint64_t now_us() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// The source's tables are described once per start. The destination tables are created from that description;
// on the first start it is also the schema history, so the stream's position is fixed right after it
// (`fix_position`; schema_tracker.h) and the destination tables have the columns of the stream's start.
struct SourceAtStart {
  SchemaTracker described;
  std::optional<binlog::StreamPosition> position;  // with fix_position only
};

Result<SourceAtStart> describe_source(const ConnectOptions& connect, const TablesConfig& tables, bool fix_position) {
  TRY_ASSIGN(Connection probe, Connection::open(connect));
  // A DDL while a table is described fails the description (kUnavailable, schema_tracker.cpp); it is taken
  // again. Each retry needs another DDL on the source in that short window, so a bounded number suffices.
  constexpr int kTries = 20;
  std::optional<SchemaTracker> seeded;
  for (int attempt = 1; !seeded; ++attempt) {
    auto described = SchemaTracker::seed(probe, tables);
    if (described.ok()) {
      seeded.emplace(std::move(described).value());
      break;
    }
    if (described.error().code() != ErrorCode::kUnavailable || attempt == kTries) return std::move(described).error();
    spdlog::info("{}; describing the source's tables again", described.error().message());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  SchemaTracker described = std::move(*seeded);
  std::optional<binlog::StreamPosition> position;
  if (fix_position) {
    TRY_ASSIGN(position, binlog::current_position(probe));
  }
  return SourceAtStart{std::move(described), std::move(position)};
}

// Streams from the newest checkpoint with the snapshot worker (snapshot_worker.h): for --once the worker's pass
// runs first and the stream then catches up to the source's position; otherwise both run at once, the worker on
// its own thread, sharing the version counter through SnapshotVersions and the stream's boundary hook.
// `described` is this start's description of the source's tables (it stands in for the schema history of a
// checkpoint that has none). `position_lost` is set when the stream failed because the checkpoint's position is
// gone from the source (the snapshot's own kNotFound errors, such as a table dropped under it, are not that).
Status stream_with_snapshots(const Config& config, const SyncOptions& options, const std::atomic<bool>& stop,
                             state::StateStore& store, const std::vector<CheckpointStore*>& stores,
                             ClickHouseConnection& destination_conn, ClickHouseDestination& destination,
                             const SchemaTracker& described, const PreparedTables& prepared, bool& position_lost) {
  position_lost = false;
  TRY_ASSIGN(const uint64_t floor, SnapshotVersions::floor_of(stores));
  SnapshotVersions versions(stores, floor);
  std::set<state::TableId> awaited;
  {
    TRY_ASSIGN(std::optional<Checkpoint> at, load_newest(stores));
    if (at) {
      TRY_ASSIGN(awaited, tables_the_stream_makes(prepared, at->schema_history));
    }
  }
  std::vector<SelectedTable> snapshot_now;
  for (const auto& t : prepared.tables) {
    if (awaited.count({t.name.database, t.name.table}) == 0) {
      snapshot_now.push_back(t);
    } else {
      spdlog::info(
          "{} is made by the stream (a CREATE or RENAME TABLE after the checkpoint): it is not snapshotted "
          "before the stream has made it",
          t.name.qualified());
    }
  }
  SnapshotWorker worker(config, store, versions, std::move(snapshot_now), options.once ? 0 : 1, std::move(awaited));
  if (options.once) {
    Status pass = worker.run_pass_through_outages(stop);
    // A stop request (SIGTERM/SIGINT) during the snapshot is a drain like any other: the chunks done are
    // recorded, and the next start continues from them.
    if (!pass.ok() && stop.load()) {
      spdlog::info("stopped during the snapshot; the next start continues it");
      return {};
    }
    TRY(pass);
  }

  TRY_ASSIGN(std::optional<Checkpoint> resumed, load_newest(stores));
  if (!resumed) return make_error(ErrorCode::kInternal, "no checkpoint to stream from");
  const Checkpoint start = *resumed;
  spdlog::info("resuming from checkpoint {} (next version {})", start.position.to_string(), start.next_version);

  const ConnectOptions connect = ConnectOptions::from_source(config.source);
  binlog::ReplicationOptions repl;
  repl.server_id = config.source.server_id;
  repl.stop_at_end = options.once;
  repl.heartbeat_period = options.heartbeat_period;
  // The checkpoint's schema history is as of its position (a checkpoint written before histories were kept
  // has none: this start's description of the source's present stands in).
  std::optional<SchemaTracker> restored;
  if (!start.schema_history.empty()) {
    TRY_ASSIGN(Connection conn, Connection::open(connect));
    TRY_ASSIGN(restored, SchemaTracker::restore(start.schema_history, conn));
  }
  SchemaTracker schema_history = restored ? std::move(*restored) : described;
  auto client = binlog::ReplicationClient::start(connect, repl, start.position);
  if (!client.ok()) {
    position_lost = client.error().code() == ErrorCode::kNotFound;
    return std::move(client).error().context("starting the binlog stream");
  }

  TableBatches batches(destination, config.pipeline, stop);
  TableFilter filter(config.tables);
  ClickHouseSchemaApplier schema_applier(destination_conn, config.destination);
  TrackingDdlHandler ddl(schema_history, schema_applier, batches, filter, config.pipeline.on_unparseable_ddl);
  ddl.on_target_created([&store, &worker](const schema::TableSchema& table, const schema::TableName* renamed_from) {
    return record_stream_created(store, worker, table, renamed_from);
  });
  TransactionAssembler assembler(batches, filter, ddl, start.next_version, config.pipeline.max_batch_bytes);
  CheckpointCoordinator checkpoints(batches, stores, std::chrono::seconds(config.pipeline.checkpoint_interval_s),
                                    start);
  StreamRunner runner(*client, assembler, batches, checkpoints, stop, options.progress_interval);
  if (!options.once) {
    versions.attach_stream();
    worker.start(stop);
    runner.set_boundary_hook([&]() -> Result<bool> {
      if (auto failure = worker.failure()) return std::move(*failure).context("background snapshot");
      return versions.on_boundary(assembler, checkpoints);
    });
  }
  Status st = runner.run();
  if (!options.once) {
    versions.detach_stream();
    worker.stop_and_join();
  }
  if (!st.ok()) {
    if (st.error().code() == ErrorCode::kNotFound && !worker.failure()) {
      position_lost = true;
      return st;
    }
    return std::move(st).error().context(
        fmt::format("streaming (last checkpoint {})", checkpoints.last().position.to_string()));
  }
  spdlog::info("stopped at {} (next version {})", checkpoints.last().position.to_string(),
               checkpoints.last().next_version);
  if (options.once && (worker.deferred() || worker.took_over_any())) {
    // A table waited for the stream to bring its destination to the source's columns, or the stream made one that
    // needs a snapshot; the stream is at the source's end now. Its chunks take the new checkpoint's floor: above
    // every change the stream wrote.
    TRY_ASSIGN(const uint64_t later_floor, SnapshotVersions::floor_of(stores));
    SnapshotVersions later(stores, later_floor);
    SnapshotWorker after_stream(config, store, later, worker.tables(), 0, worker.still_awaited());
    TRY(after_stream.run_pass(stop));
    if (after_stream.deferred()) {
      return make_error(ErrorCode::kUnavailable,
                        "a snapshot could not be written because its destination table does not have the source's "
                        "columns yet (DDL kept arriving during sync --once); run sync again");
    }
  }
  return {};
}

}  // namespace

Status run_sync(const Config& config, const SyncOptions& options, const std::atomic<bool>& stop) {
  TRY_ASSIGN(auto destination_conn, open_clickhouse(config.destination, config_base_dir(config)));
  TRY_ASSIGN(auto store, state::StateStore::open(config.state.path));
  StateCheckpointStore local(*store);
  ClickHouseCheckpointMirror mirror(*destination_conn, state_database(config), pipeline_name(config));
  {
    Status st = mirror.prepare();
    if (!st.ok()) return std::move(st).error().context("preparing the checkpoint mirror in the destination");
  }
  SnapshotMarks marks(*destination_conn, state_database(config), pipeline_name(config));
  TRY(marks.prepare());
  const std::vector<CheckpointStore*> stores{&local, &mirror};
  // The stream's inserts run concurrently (pipeline.insert_concurrency) over connections of their own; one more
  // lets a table be opened on the stream thread while every insert is under way.
  TRY_ASSIGN(auto insert_connections,
             ConnectionPool::open([&config] { return open_clickhouse(config.destination, config_base_dir(config)); },
                                  config.pipeline.insert_concurrency + 1));
  ClickHouseDestination destination(*destination_conn, config.destination, insert_connections.get());

  TRY_ASSIGN(std::optional<Checkpoint> local_checkpoint, local.load());
  TRY_ASSIGN(std::optional<Checkpoint> resumed, load_newest(stores));
  const ConnectOptions connect = ConnectOptions::from_source(config.source);
  TRY_ASSIGN(SourceAtStart source, describe_source(connect, config.tables, !resumed));
  SchemaTracker& described = source.described;
  TRY_ASSIGN(PreparedTables prepared,
             prepare_selected_tables(config, described.catalog(), destination, *destination_conn));

  if (resumed && !local_checkpoint) {
    // Only the destination's mirror knows where the stream was (a new host, or the state directory lost).
    spdlog::info("no local state in {}: resuming from {}", local.describe(), mirror.describe());
    TRY_ASSIGN(std::set<state::TableId> marked_done, marks.load());
    TRY(adopt_mirrored_tables(*store, prepared, marked_done));
    TRY(local.save(*resumed));
  } else if (!resumed) {
    // The stream starts at the source's current position; the snapshot copies what is there before it.
    Checkpoint initial;
    initial.schema_history = described.history();
    initial.position = *source.position;
    // Destination tables that already hold rows (a state lost before any checkpoint reached the mirror) are
    // read again like a resnapshot, with versions above theirs, so rows the source removed meanwhile go.
    TRY_ASSIGN(initial.next_version, reread_filled_tables(config, *store, prepared, *destination_conn));
    TRY(save_in_every_store(stores, initial));
    spdlog::info("no checkpoint in {} or {}: starting at the source's current position {}", local.describe(),
                 mirror.describe(), initial.position.to_string());
  }

  bool restarted = false;
  while (true) {
    TRY_ASSIGN(std::optional<Checkpoint> at, load_newest(stores));
    bool position_lost = false;
    Status st = stream_with_snapshots(config, options, stop, *store, stores, *destination_conn, destination, described,
                                      prepared, position_lost);
    if (st.ok() || !position_lost) return st;
    const std::string where = at ? at->position.to_string() : std::string("?");
    if (config.source.on_lost_position == LostPositionPolicy::kResnapshot && !restarted) {
      spdlog::error("the source no longer has the stream at {} ({}): {}", where, source_retention(connect),
                    st.error().message());
      TRY(restart_at_current_position(config, *store, stores, prepared, *destination_conn));
      restarted = true;
      continue;
    }
    return std::move(st).error().context(
        fmt::format("the source no longer has the stream at {} ({}); the mirror cannot continue from there without a "
                    "new snapshot (source.on_lost_position: resnapshot does that)",
                    where, source_retention(connect)));
  }
}

Result<std::string> describe_status(const Config& config) {
  std::optional<Checkpoint> checkpoint;
  std::string where, tables_text;
  {
    TRY_ASSIGN(auto store, state::StateStore::open(config.state.path));
    StateCheckpointStore local(*store);
    TRY_ASSIGN(checkpoint, local.load());
    where = local.describe();
    TRY_ASSIGN(tables_text, describe_snapshots(*store));
  }
  {
    // The mirror holds the lag figures; it is also the only checkpoint when the local state is gone.
    TRY_ASSIGN(auto conn, open_clickhouse(config.destination, config_base_dir(config)));
    ClickHouseCheckpointMirror mirror(*conn, state_database(config), pipeline_name(config));
    auto mirrored = mirror.load();
    if (mirrored.ok() && *mirrored && (!checkpoint || (*mirrored)->next_version >= checkpoint->next_version)) {
      checkpoint = **mirrored;
      where = mirror.describe();
    } else if (!mirrored.ok()) {
      where += fmt::format(" (mirror unreadable: {})", mirrored.error().message());
    }
  }
  std::string out;
  if (!checkpoint) {
    out = "checkpoint:      none yet\n";
  } else {
    const uint64_t now = now_us();
    out += fmt::format("checkpoint:      from {}\n", where);
    out += fmt::format("position:        {}\n", checkpoint->position.to_string());
    out += fmt::format("next version:    {}\n", checkpoint->next_version);
    if (checkpoint->saved_at_us != 0) {
      out += fmt::format("saved:           {} s ago\n", (now - std::min(now, checkpoint->saved_at_us)) / 1000000);
    }
    if (checkpoint->last_commit_us != 0) {
      out += fmt::format(
          "lag at save:     {:.3f} s (last applied commit to checkpoint)\n",
          static_cast<double>(checkpoint->saved_at_us - std::min(checkpoint->saved_at_us, checkpoint->last_commit_us)) /
              1e6);
    }
  }
  out += "snapshot:\n" + tables_text;
  return out;
}

}  // namespace mysql2ch::pipeline
