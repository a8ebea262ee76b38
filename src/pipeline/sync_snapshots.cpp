#include "pipeline/sync_snapshots.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "binlog/replication_client.h"
#include "clickhouse/sql_text.h"
#include "clickhouse/type_mapping.h"
#include "common/strings.h"
#include "config/table_filter.h"
#include "mysql/connection.h"
#include "mysql/table_schema_loader.h"
#include "pipeline/schema_tracker.h"
#include "pipeline/snapshot_versions.h"

namespace mysql2ch::pipeline {
namespace {

std::string target_text(const Config& config, const SourceTableName& name) {
  const TargetName t = target_name(config.destination, name.database, name.table);
  return clickhouse_identifier(t.database) + "." + clickhouse_identifier(t.table);
}

Result<uint64_t> query_number(ClickHouseConnection& connection, const std::string& sql) {
  TRY_ASSIGN(std::string text, connection.query(sql, "TSV"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto n = parse_uint(text);
  if (!n) return make_error(ErrorCode::kProtocol, "'{}' answered '{}', not a number", sql, text.substr(0, 100));
  return *n;
}

}  // namespace

Result<PreparedTables> prepare_selected_tables(const Config& config, const schema::TableCatalog& source,
                                               ClickHouseDestination& destination, ClickHouseConnection& connection) {
  PreparedTables out;
  for (const schema::TableName& name : source.tables()) {
    if (!table_selected(config.tables, name.database, name.table)) continue;
    const schema::TableSchema& schema = *source.find(name);
    const SourceTableName t{name.database, name.table};
    TRY_ASSIGN(uint64_t exists, query_number(connection, "EXISTS TABLE " + target_text(config, t)));
    Status st = destination.create_if_missing(schema);
    if (!st.ok()) return std::move(st).error().context("creating the destination table of " + t.qualified());
    SelectedTable selected{t, !schema.primary_key.empty()};
    if (exists != 0) out.existed.push_back(selected);
    out.tables.push_back(std::move(selected));
  }
  return out;
}

Status adopt_mirrored_tables(state::StateStore& store, const PreparedTables& prepared,
                             const std::set<state::TableId>& marked_done) {
  for (const auto& t : prepared.existed) {
    const state::TableId id{t.name.database, t.name.table};
    if (marked_done.count(id) != 0) {
      TRY(store.adopt_done(id, t.has_primary_key));
      continue;
    }
    spdlog::warn(
        "{}: the destination does not record its snapshot as complete; it is read again and the rows the "
        "source no longer has are removed",
        id.qualified());
    TRY_ASSIGN(int64_t request, store.request_resnapshot(id));
    (void)request;
  }
  if (prepared.existed.size() != prepared.tables.size()) {
    spdlog::info("{} selected table(s) have no destination table yet: they are snapshotted",
                 prepared.tables.size() - prepared.existed.size());
  }
  return {};
}

Status restart_at_current_position(const Config& config, state::StateStore& store,
                                   const std::vector<CheckpointStore*>& stores, const PreparedTables& prepared,
                                   ClickHouseConnection& connection) {
  TRY_ASSIGN(std::optional<Checkpoint> old, load_newest(stores));
  uint64_t next = old ? old->next_version : 1;
  // Rows flushed after the last checkpoint carry versions it does not cover; the stream will never replay them.
  for (const auto& t : prepared.tables) {
    TRY_ASSIGN(uint64_t top, query_number(connection, "SELECT max(_version) FROM " + target_text(config, t.name)));
    next = std::max(next, top + 1);
  }
  TRY_ASSIGN(Connection probe, Connection::open(ConnectOptions::from_source(config.source)));
  Checkpoint c;
  // The history of the lost stretch is gone with it: the schema is described afresh, just before the position.
  TRY_ASSIGN(SchemaTracker seeded, SchemaTracker::seed(probe, config.tables));
  c.schema_history = seeded.history();
  TRY_ASSIGN(c.position, binlog::current_position(probe));
  c.next_version = next;
  if (old) c.sequence = old->sequence;
  TRY(save_in_every_store(stores, c));
  for (const auto& t : prepared.tables) {
    TRY_ASSIGN(int64_t id, store.request_resnapshot({t.name.database, t.name.table}));
    (void)id;
  }
  spdlog::error(
      "source.on_lost_position is resnapshot: streaming restarts at the source's current position {} "
      "(next version {}); the changes in between are lost from the stream, so all {} selected table(s) "
      "are read again and rows the source no longer has are removed",
      c.position.to_string(), next, prepared.tables.size());
  return {};
}

Result<uint64_t> reread_filled_tables(const Config& config, state::StateStore& store, const PreparedTables& prepared,
                                      ClickHouseConnection& connection) {
  uint64_t next = 1;
  for (const auto& t : prepared.existed) {
    const std::string target = target_text(config, t.name);
    TRY_ASSIGN(uint64_t rows, query_number(connection, "SELECT count() FROM " + target));
    if (rows == 0) continue;
    TRY_ASSIGN(uint64_t top, query_number(connection, "SELECT max(_version) FROM " + target));
    next = std::max(next, top + 1);
    TRY_ASSIGN(int64_t id, store.request_resnapshot({t.name.database, t.name.table}));
    (void)id;
    spdlog::warn(
        "no checkpoint, but {} already holds {} row(s): {} is read again and the rows it no longer has "
        "are removed",
        target, rows, t.name.qualified());
  }
  return next;
}

Result<std::string> describe_snapshots(state::StateStore& store) {
  TRY_ASSIGN(std::vector<state::TableSnapshot> tables, store.tables());
  std::string out;
  for (const auto& t : tables) {
    out += fmt::format("  {:<40} {:<8} chunks {}/{}  rows {}  bytes {}", t.id.qualified(),
                       state::snapshot_state_name(t.state), t.chunks_done, t.chunks_planned, t.rows_done, t.bytes_done);
    if (t.purge_below) {
      out += fmt::format("  re-read: rows below version {} are removed {}", *t.purge_below,
                         t.state == state::SnapshotState::kDone ? "now" : "when it completes");
    }
    out += "\n";
  }
  if (out.empty()) out = "  no tables recorded\n";
  TRY_ASSIGN(std::vector<state::ResnapshotRequest> requests, store.resnapshot_requests());
  for (const auto& r : requests) {
    out += fmt::format("  resnapshot of {} requested at {}: waiting for sync to take it\n", r.table.qualified(),
                       r.requested_at);
  }
  return out;
}

}  // namespace mysql2ch::pipeline
