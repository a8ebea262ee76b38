#include "pipeline/sync.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "binlog/replication_client.h"
#include "clickhouse/connection.h"
#include "mysql/connection.h"
#include "mysql/table_schema_loader.h"
#include "pipeline/checkpoint_coordinator.h"
#include "pipeline/clickhouse_checkpoint_mirror.h"
#include "pipeline/clickhouse_destination.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/schema_ddl_handler.h"
#include "pipeline/schema_tracker.h"
#include "pipeline/snapshot_sinks.h"
#include "pipeline/state_checkpoint_store.h"
#include "pipeline/stream_runner.h"
#include "snapshot/snapshot_runner.h"
#include "snapshot/version_counter.h"
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

uint64_t now_us() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// Creates the destination tables of every selected source table (schemas from information_schema now) and
// returns their names.
Result<std::vector<SourceTableName>> prepare_tables(const Config& config, ClickHouseDestination& destination) {
  TRY_ASSIGN(Connection conn, Connection::open(ConnectOptions::from_source(config.source)));
  TRY_ASSIGN(std::vector<SourceTableName> tables, list_selected_tables(conn, config.tables));
  for (const auto& t : tables) {
    TRY_ASSIGN(schema::TableSchema schema, load_table_schema(conn, t.database, t.table));
    Status st = destination.create_if_missing(schema);
    if (!st.ok()) return std::move(st).error().context("creating the destination table of " + t.qualified());
  }
  return tables;
}

// Runs the snapshot of the tables the state store does not have as done, stopping when `stop` is set.
Status run_snapshot(const Config& config, state::StateStore& store, uint64_t last_version,
                    const std::vector<SourceTableName>& tables, const std::atomic<bool>& stop) {
  snapshot::VersionCounter counter(last_version);
  ClickHouseSnapshotSinks sinks(config);
  snapshot::SnapshotOptions options = snapshot::SnapshotOptions::from_config(config);
  // The binlog stream holds one source connection while the snapshot's readers are not running, so they may
  // use all of max_connections.
  snapshot::SnapshotRunner runner(std::move(options), store, counter, sinks);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished.load()) {
      if (stop.load()) {
        runner.request_stop();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto summary = runner.run(tables);
  finished.store(true);
  watcher.join();
  if (!summary.ok()) return std::move(summary).error().context("snapshot");
  if (summary->chunks_read > 0) {
    spdlog::info("snapshot: {} chunks, {} rows, {} bytes", summary->chunks_read, summary->rows, summary->bytes);
  }
  if (summary->stopped) return make_error(ErrorCode::kUnavailable, "snapshot stopped before it completed");
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
  const std::vector<CheckpointStore*> stores{&local, &mirror};
  ClickHouseDestination destination(*destination_conn, config.destination);
  TRY_ASSIGN(std::vector<SourceTableName> tables, prepare_tables(config, destination));

  TRY_ASSIGN(std::optional<Checkpoint> local_checkpoint, local.load());
  TRY_ASSIGN(std::optional<Checkpoint> resumed, load_newest(stores));
  TRY_ASSIGN(SchemaTracker schema_history, SchemaTracker::open(ConnectOptions::from_source(config.source), config.tables,
                                                               resumed ? resumed->schema_history : std::string()));
  if (resumed && !local_checkpoint) {
    // Only the destination's mirror knows where the stream was (a new host, or the state directory lost):
    // the snapshot was completed by whoever wrote it; streaming resumes from it.
    spdlog::info("no local state in {}: resuming from {}", local.describe(), mirror.describe());
    TRY(local.save(*resumed));
  } else {
    const uint64_t last_version = resumed ? resumed->next_version - 1 : 0;
    TRY(run_snapshot(config, *store, last_version, tables, stop));
    TRY_ASSIGN(resumed, load_newest(stores));
  }

  const ConnectOptions connect = ConnectOptions::from_source(config.source);
  Checkpoint start;
  if (resumed) {
    start = *resumed;
    spdlog::info("resuming from checkpoint {} (next version {})", start.position.to_string(), start.next_version);
  } else {
    // Nothing selected to snapshot yet: stream from the source's current position.
    TRY_ASSIGN(Connection probe, Connection::open(connect));
    TRY_ASSIGN(start.position, binlog::current_position(probe));
    start.next_version = 1;
    spdlog::info("no checkpoint in {} or {}: starting at the source's current position {}", local.describe(),
                 mirror.describe(), start.position.to_string());
  }

  binlog::ReplicationOptions repl;
  repl.server_id = config.source.server_id;
  repl.stop_at_end = options.once;
  repl.heartbeat_period = options.heartbeat_period;
  auto client = binlog::ReplicationClient::start(connect, repl, start.position);
  if (!client.ok()) return std::move(client).error().context("starting the binlog stream");

  TableBatches batches(destination, config.pipeline, stop);
  TableFilter filter(config.tables);
  ClickHouseSchemaApplier schema_applier(*destination_conn, config.destination);
  TrackingDdlHandler ddl(schema_history, schema_applier, batches, filter, config.pipeline.on_unparseable_ddl);
  TransactionAssembler assembler(batches, filter, ddl, start.next_version, config.pipeline.max_batch_bytes);
  CheckpointCoordinator checkpoints(batches, stores, std::chrono::seconds(config.pipeline.checkpoint_interval_s),
                                    start);
  StreamRunner runner(*client, assembler, batches, checkpoints, stop, options.progress_interval);
  Status st = runner.run();
  if (!st.ok()) {
    if (st.error().code() == ErrorCode::kNotFound) {
      return std::move(st).error().context(fmt::format(
          "the source no longer has the stream at {} ({}); the mirror cannot continue from there without a "
          "new snapshot",
          start.position.to_string(), source_retention(connect)));
    }
    return std::move(st).error().context(fmt::format("streaming (last checkpoint {})",
                                                     checkpoints.last().position.to_string()));
  }
  spdlog::info("stopped at {} (next version {})", checkpoints.last().position.to_string(),
               checkpoints.last().next_version);
  return {};
}

Result<std::string> describe_status(const Config& config) {
  std::optional<Checkpoint> checkpoint;
  std::string where, tables_text;
  {
    TRY_ASSIGN(auto store, state::StateStore::open(config.state.path));
    StateCheckpointStore local(*store);
    TRY_ASSIGN(checkpoint, local.load());
    where = local.describe();
    TRY_ASSIGN(std::vector<state::TableSnapshot> tables, store->tables());
    for (const auto& t : tables) {
      tables_text += fmt::format("  {:<40} {:<8} chunks {}/{}  rows {}  bytes {}\n", t.id.qualified(),
                                 state::snapshot_state_name(t.state), t.chunks_done, t.chunks_planned, t.rows_done,
                                 t.bytes_done);
    }
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
      out += fmt::format("lag at save:     {:.3f} s (last applied commit to checkpoint)\n",
                         static_cast<double>(checkpoint->saved_at_us -
                                             std::min(checkpoint->saved_at_us, checkpoint->last_commit_us)) /
                             1e6);
    }
  }
  out += "snapshot:\n" + (tables_text.empty() ? std::string("  no tables recorded\n") : tables_text);
  return out;
}

}  // namespace mysql2ch::pipeline
