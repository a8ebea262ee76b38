#include "pipeline/sync.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "binlog/replication_client.h"
#include "clickhouse/connection.h"
#include "mysql/connection.h"
#include "pipeline/checkpoint_coordinator.h"
#include "pipeline/clickhouse_checkpoint_mirror.h"
#include "pipeline/clickhouse_destination.h"
#include "pipeline/sqlite_checkpoint_store.h"
#include "pipeline/stream_runner.h"

namespace mysql2ch::pipeline {
namespace {

// DDL other than TRUNCATE: column changes reach the destination through the next TABLE_MAP's layout
// (ClickHouseDestination converges the table), so the statement itself is only logged.
class LoggingDdlHandler final : public DdlHandler {
 public:
  Status on_ddl(std::string_view database, std::string_view statement, const std::string& where) override {
    spdlog::info("DDL at {} (database '{}'): {}", where, database, statement.substr(0, 300));
    return {};
  }
};

// What the source still has, for the message when a checkpoint's position is gone.
std::string source_retention(const ConnectOptions& connect) {
  auto conn = Connection::open(connect);
  if (!conn.ok()) return "(could not ask the source: " + conn.error().message() + ")";
  std::string out;
  auto logs = conn->query("SHOW BINARY LOGS");
  if (logs.ok() && !logs->rows.empty() && logs->rows.front()[0]) {
    out += fmt::format("oldest binlog on the source: {}, newest: {}", *logs->rows.front()[0],
                       logs->rows.back()[0].value_or("?"));
  }
  const char* purged_sql = conn->server().flavor == ServerFlavor::kMySQL ? "SELECT @@GLOBAL.gtid_purged"
                                                                          : "SELECT @@GLOBAL.gtid_binlog_state";
  auto purged = conn->query_value(purged_sql);
  if (purged.ok() && purged->has_value()) {
    out += fmt::format("; {}: '{}'",
                       conn->server().flavor == ServerFlavor::kMySQL ? "gtid_purged" : "gtid_binlog_state",
                       **purged);
  }
  return out;
}

uint64_t now_us() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

Status run_sync(const Config& config, const SyncOptions& options, const std::atomic<bool>& stop) {
  TRY_ASSIGN(auto destination_conn, open_clickhouse(config.destination, config_base_dir(config)));
  TRY_ASSIGN(auto local, SqliteCheckpointStore::open(config.state.path));
  ClickHouseCheckpointMirror mirror(*destination_conn, state_database(config), pipeline_name(config));
  {
    Status st = mirror.prepare();
    if (!st.ok()) return std::move(st).error().context("preparing the checkpoint mirror in the destination");
  }
  const std::vector<CheckpointStore*> stores{local.get(), &mirror};
  TRY_ASSIGN(std::optional<Checkpoint> resumed, load_newest(stores));

  const ConnectOptions connect = ConnectOptions::from_source(config.source);
  Checkpoint start;
  if (resumed) {
    start = *resumed;
    spdlog::info("resuming from checkpoint {} (saved {} s ago): {}, next version {}", start.sequence,
                 (now_us() - std::min(now_us(), start.saved_at_us)) / 1000000, start.position.to_string(),
                 start.next_version);
  } else {
    TRY_ASSIGN(Connection probe, Connection::open(connect));
    TRY_ASSIGN(start.position, binlog::current_position(probe));
    start.next_version = 1;
    spdlog::info("no checkpoint in {} or {}: starting at the source's current position {}", local->describe(),
                 mirror.describe(), start.position.to_string());
  }

  binlog::ReplicationOptions repl;
  repl.server_id = config.source.server_id;
  repl.stop_at_end = options.once;
  repl.heartbeat_period = options.heartbeat_period;
  auto client = binlog::ReplicationClient::start(connect, repl, start.position);
  if (!client.ok()) return std::move(client).error().context("starting the binlog stream");

  ClickHouseDestination destination(*destination_conn, config.destination);
  TableBatches batches(destination, config.pipeline, stop);
  TableFilter filter(config.tables);
  LoggingDdlHandler ddl;
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
    return std::move(st).error().context(fmt::format("streaming (last checkpoint {}: {})", checkpoints.last().sequence,
                                                     checkpoints.last().position.to_string()));
  }
  spdlog::info("stopped at {} after checkpoint {}", checkpoints.last().position.to_string(),
               checkpoints.last().sequence);
  return {};
}

Result<std::string> describe_status(const Config& config) {
  std::optional<Checkpoint> checkpoint;
  std::string where;
  {
    TRY_ASSIGN(auto local, SqliteCheckpointStore::open(config.state.path));
    TRY_ASSIGN(checkpoint, local->load());
    where = local->describe();
  }
  if (!checkpoint) {
    TRY_ASSIGN(auto conn, open_clickhouse(config.destination, config_base_dir(config)));
    ClickHouseCheckpointMirror mirror(*conn, state_database(config), pipeline_name(config));
    TRY_ASSIGN(checkpoint, mirror.load());
    where = mirror.describe();
  }
  if (!checkpoint) return std::string("no checkpoint yet: `mysql2ch sync` has not completed one\n");
  const uint64_t now = now_us();
  std::string out;
  out += fmt::format("checkpoint:      {} (from {})\n", checkpoint->sequence, where);
  out += fmt::format("saved:           {} s ago\n", (now - std::min(now, checkpoint->saved_at_us)) / 1000000);
  out += fmt::format("position:        {}\n", checkpoint->position.to_string());
  out += fmt::format("next version:    {}\n", checkpoint->next_version);
  if (checkpoint->last_commit_us != 0) {
    out += fmt::format("last applied:    transaction committed {:.3f} s before the checkpoint (lag at save)\n",
                       static_cast<double>(checkpoint->saved_at_us - std::min(checkpoint->saved_at_us,
                                                                             checkpoint->last_commit_us)) /
                           1e6);
  }
  return out;
}

}  // namespace mysql2ch::pipeline
