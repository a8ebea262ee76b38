#include "state/state_store.h"

#include <filesystem>
#include <system_error>

namespace mysql2ch::state {
namespace {

// Version 1. Each later version appends its own upgrade step to kMigrations.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE checkpoint (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  flavor TEXT NOT NULL,
  gtid_set TEXT NOT NULL,
  binlog_file TEXT NOT NULL,
  binlog_pos INTEGER NOT NULL,
  version INTEGER NOT NULL,
  schema_history_pos INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE snapshot_table (
  database_name TEXT NOT NULL,
  table_name TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done')),
  has_primary_key INTEGER NOT NULL,
  start_flavor TEXT,
  start_gtid_set TEXT,
  start_file TEXT,
  start_pos INTEGER,
  PRIMARY KEY (database_name, table_name)
);
CREATE TABLE snapshot_chunk (
  database_name TEXT NOT NULL,
  table_name TEXT NOT NULL,
  chunk_index INTEGER NOT NULL,
  lower_key TEXT,
  upper_key TEXT,
  done INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (database_name, table_name, chunk_index),
  FOREIGN KEY (database_name, table_name) REFERENCES snapshot_table (database_name, table_name) ON DELETE CASCADE
);
CREATE TABLE resnapshot_request (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  database_name TEXT NOT NULL,
  table_name TEXT NOT NULL,
  requested_at TEXT NOT NULL
);
)sql";

// Version 2: the re-read's removal bound.
constexpr const char* kSchemaV2 = "ALTER TABLE snapshot_table ADD COLUMN purge_below INTEGER;";

// Version 3: the schema history at the checkpoint. A checkpoint written before keeps "" (none), which makes the
// next start describe the tables from the source, as such a database's mysql2ch did.
constexpr const char* kSchemaV3 = "ALTER TABLE checkpoint ADD COLUMN schema_history TEXT NOT NULL DEFAULT '';";

constexpr const char* kMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3};
static_assert(std::size(kMigrations) == StateStore::kSchemaVersion);

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

Result<SnapshotState> parse_state(const std::string& text) {
  if (text == "pending") return SnapshotState::kPending;
  if (text == "running") return SnapshotState::kRunning;
  if (text == "done") return SnapshotState::kDone;
  return make_error(ErrorCode::kCorrupt, "state database: unknown snapshot state '{}'", text);
}

constexpr const char* kTableSelect =
    "SELECT t.database_name, t.table_name, t.state, t.has_primary_key, t.start_flavor, t.start_gtid_set, "
    "t.start_file, t.start_pos, t.purge_below, "
    "COALESCE(SUM(c.rows) FILTER (WHERE c.done), 0), COALESCE(SUM(c.bytes) FILTER (WHERE c.done), 0), "
    "COUNT(c.chunk_index) FILTER (WHERE c.done), COUNT(c.chunk_index) "
    "FROM snapshot_table t LEFT JOIN snapshot_chunk c "
    "ON c.database_name = t.database_name AND c.table_name = t.table_name ";

Result<TableSnapshot> table_from_row(const Statement& s) {
  TableSnapshot t;
  t.id = {s.text_at(0), s.text_at(1)};
  TRY_ASSIGN(t.state, parse_state(s.text_at(2)));
  t.has_primary_key = s.int64_at(3) != 0;
  if (!s.is_null(4)) t.start = BinlogPosition{s.text_at(4), s.text_at(5), s.text_at(6), s.uint64_at(7)};
  if (!s.is_null(8)) t.purge_below = s.uint64_at(8);
  t.rows_done = s.uint64_at(9);
  t.bytes_done = s.uint64_at(10);
  t.chunks_done = s.uint64_at(11);
  t.chunks_planned = s.uint64_at(12);
  return t;
}

}  // namespace

const char* snapshot_state_name(SnapshotState state) {
  switch (state) {
    case SnapshotState::kPending: return "pending";
    case SnapshotState::kRunning: return "running";
    case SnapshotState::kDone: return "done";
  }
  return "unknown";
}

Result<std::unique_ptr<StateStore>> StateStore::open(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "creating state directory {}: {}", state_dir, ec.message());
  TRY_ASSIGN(SqliteDb db, SqliteDb::open((std::filesystem::path(state_dir) / "state.db").string()));
  std::unique_ptr<StateStore> store(new StateStore(std::move(db)));
  TRY(store->migrate());
  return store;
}

Status StateStore::migrate() {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY(db_.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    TRY_ASSIGN(Statement q, db_.prepare("SELECT MAX(version) FROM schema_version"));
    TRY_ASSIGN(bool row, q.step());
    const int64_t current = row && !q.is_null(0) ? q.int64_at(0) : 0;
    if (current > kSchemaVersion) {
      return make_error(ErrorCode::kUnsupported,
                        "state database {} has schema version {}, newer than this mysql2ch understands ({}); "
                        "run the mysql2ch version that wrote it",
                        db_.path(), current, kSchemaVersion);
    }
    for (int64_t v = current; v < kSchemaVersion; ++v) {
      TRY(db_.exec(kMigrations[v]));
      TRY_ASSIGN(Statement ins, db_.prepare("INSERT INTO schema_version (version) VALUES (?)"));
      TRY(ins.bind(1, v + 1).run());
    }
    return {};
  });
}

Result<std::optional<Checkpoint>> StateStore::load_checkpoint() {
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(Statement q, db_.prepare("SELECT flavor, gtid_set, binlog_file, binlog_pos, version, schema_history_pos, "
                                      "schema_history FROM checkpoint WHERE id = 1"));
  TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<Checkpoint>();
  Checkpoint c;
  c.position = {q.text_at(0), q.text_at(1), q.text_at(2), q.uint64_at(3)};
  c.version = q.uint64_at(4);
  c.schema_history_pos = q.uint64_at(5);
  c.schema_history = q.text_at(6);
  return std::optional<Checkpoint>(std::move(c));
}

namespace {
Status write_checkpoint(SqliteDb& db, const Checkpoint& c) {
  TRY_ASSIGN(Statement s, db.prepare(fmt::format(
                              "INSERT INTO checkpoint (id, flavor, gtid_set, binlog_file, binlog_pos, version, "
                              "schema_history_pos, schema_history, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, {}) "
                              "ON CONFLICT (id) DO UPDATE SET flavor = excluded.flavor, gtid_set = excluded.gtid_set, "
                              "binlog_file = excluded.binlog_file, binlog_pos = excluded.binlog_pos, "
                              "version = excluded.version, schema_history_pos = excluded.schema_history_pos, "
                              "schema_history = excluded.schema_history, updated_at = excluded.updated_at",
                              kNow)));
  s.bind(1, std::string_view(c.position.flavor))
      .bind(2, std::string_view(c.position.gtid_set))
      .bind(3, std::string_view(c.position.file))
      .bind(4, c.position.pos)
      .bind(5, c.version)
      .bind(6, c.schema_history_pos)
      .bind(7, std::string_view(c.schema_history));
  return s.run();
}
// Records `table` in `state` unless the store has it already (whatever its state there).
Status insert_table_if_absent(SqliteDb& db, const TableId& table, bool has_primary_key, std::string_view state) {
  return db.transaction([&]() -> Status {
    TRY_ASSIGN(Statement s, db.prepare("INSERT INTO snapshot_table (database_name, table_name, state, has_primary_key) "
                                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"));
    return s.bind(1, std::string_view(table.database))
        .bind(2, std::string_view(table.table))
        .bind(3, state)
        .bind(4, int64_t{has_primary_key ? 1 : 0})
        .run();
  });
}

}  // namespace

Status StateStore::save_checkpoint(const Checkpoint& checkpoint) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&] { return write_checkpoint(db_, checkpoint); });
}

Status StateStore::add_table(const TableId& table, bool has_primary_key) {
  std::lock_guard lock(mutex_);
  return insert_table_if_absent(db_, table, has_primary_key, "pending");
}

Result<std::vector<TableSnapshot>> StateStore::tables() {
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(Statement q, db_.prepare(std::string(kTableSelect) +
                                      "GROUP BY t.database_name, t.table_name ORDER BY t.database_name, t.table_name"));
  std::vector<TableSnapshot> out;
  while (true) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    TRY_ASSIGN(TableSnapshot t, table_from_row(q));
    out.push_back(std::move(t));
  }
}

Result<std::optional<TableSnapshot>> StateStore::table(const TableId& table) {
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(Statement q, db_.prepare(std::string(kTableSelect) + "WHERE t.database_name = ? AND t.table_name = ? "
                                                                  "GROUP BY t.database_name, t.table_name"));
  q.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table));
  TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<TableSnapshot>();
  TRY_ASSIGN(TableSnapshot t, table_from_row(q));
  return std::optional<TableSnapshot>(std::move(t));
}

Status StateStore::begin_snapshot(const std::vector<TableId>& tables, const BinlogPosition& start, uint64_t version) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    for (const auto& t : tables) {
      TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET state = 'running', start_flavor = ?, "
                                          "start_gtid_set = ?, start_file = ?, start_pos = ? "
                                          "WHERE database_name = ? AND table_name = ? AND state = 'pending'"));
      TRY(s.bind(1, std::string_view(start.flavor))
              .bind(2, std::string_view(start.gtid_set))
              .bind(3, std::string_view(start.file))
              .bind(4, start.pos)
              .bind(5, std::string_view(t.database))
              .bind(6, std::string_view(t.table))
              .run());
    }
    TRY_ASSIGN(Statement q, db_.prepare("SELECT COUNT(*) FROM checkpoint"));
    TRY(q.step());
    if (q.int64_at(0) == 0) TRY(write_checkpoint(db_, Checkpoint{start, version, 0, {}}));
    return {};
  });
}

Status StateStore::add_chunk(const TableId& table, const SnapshotChunk& chunk) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement last, db_.prepare("SELECT chunk_index, upper_key FROM snapshot_chunk "
                                           "WHERE database_name = ? AND table_name = ? "
                                           "ORDER BY chunk_index DESC LIMIT 1"));
    last.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table));
    TRY_ASSIGN(bool has_last, last.step());
    const uint32_t expected_index = has_last ? static_cast<uint32_t>(last.int64_at(0)) + 1 : 0;
    const std::optional<std::string> expected_lower = has_last ? last.optional_text_at(1) : std::nullopt;
    if (has_last && !expected_lower) {
      return make_error(ErrorCode::kInvalidArgument, "{}: chunk {} added after the plan's last chunk",
                        table.qualified(), chunk.index);
    }
    if (chunk.index != expected_index || chunk.lower_key != expected_lower) {
      return make_error(ErrorCode::kInvalidArgument,
                        "{}: chunk {} does not continue the plan (expected index {} starting after {})",
                        table.qualified(), chunk.index, expected_index, expected_lower.value_or("the first row"));
    }
    TRY_ASSIGN(Statement s, db_.prepare("INSERT INTO snapshot_chunk (database_name, table_name, chunk_index, "
                                        "lower_key, upper_key, done, version, rows, bytes) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    return s.bind(1, std::string_view(table.database))
        .bind(2, std::string_view(table.table))
        .bind(3, int64_t{chunk.index})
        .bind(4, chunk.lower_key)
        .bind(5, chunk.upper_key)
        .bind(6, int64_t{chunk.done ? 1 : 0})
        .bind(7, chunk.version)
        .bind(8, chunk.rows)
        .bind(9, chunk.bytes)
        .run();
  });
}

Result<std::vector<SnapshotChunk>> StateStore::chunks(const TableId& table) {
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(Statement q, db_.prepare("SELECT chunk_index, lower_key, upper_key, done, version, rows, bytes "
                                      "FROM snapshot_chunk WHERE database_name = ? AND table_name = ? "
                                      "ORDER BY chunk_index"));
  q.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table));
  std::vector<SnapshotChunk> out;
  while (true) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    out.push_back({static_cast<uint32_t>(q.int64_at(0)), q.optional_text_at(1), q.optional_text_at(2),
                   q.int64_at(3) != 0, q.uint64_at(4), q.uint64_at(5), q.uint64_at(6)});
  }
}

Status StateStore::complete_chunk(const TableId& table, uint32_t index, uint64_t version, uint64_t rows,
                                  uint64_t bytes) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_chunk SET done = 1, version = ?, rows = ?, bytes = ? "
                                        "WHERE database_name = ? AND table_name = ? AND chunk_index = ?"));
    TRY(s.bind(1, version)
            .bind(2, rows)
            .bind(3, bytes)
            .bind(4, std::string_view(table.database))
            .bind(5, std::string_view(table.table))
            .bind(6, int64_t{index})
            .run());
    TRY_ASSIGN(Statement changed, db_.prepare("SELECT changes()"));
    TRY(changed.step());
    if (changed.int64_at(0) != 1) {
      return make_error(ErrorCode::kNotFound, "{}: no planned chunk {} to complete", table.qualified(), index);
    }
    return {};
  });
}

Status StateStore::finish_table(const TableId& table) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement q, db_.prepare("SELECT COUNT(*) FILTER (WHERE NOT done), COUNT(*) FILTER (WHERE upper_key "
                                        "IS NULL) FROM snapshot_chunk WHERE database_name = ? AND table_name = ?"));
    q.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table));
    TRY(q.step());
    if (q.int64_at(0) != 0 || q.int64_at(1) != 1) {
      return make_error(ErrorCode::kInvalidArgument, "{}: cannot finish the snapshot: {} chunks not done{}",
                        table.qualified(), q.int64_at(0), q.int64_at(1) == 1 ? "" : ", plan incomplete");
    }
    TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET state = 'done' "
                                        "WHERE database_name = ? AND table_name = ?"));
    return s.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table)).run();
  });
}

Status StateStore::reset_table_locked(const TableId& table) {
  TRY_ASSIGN(Statement del, db_.prepare("DELETE FROM snapshot_chunk WHERE database_name = ? AND table_name = ?"));
  TRY(del.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table)).run());
  TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET state = 'pending', start_flavor = NULL, "
                                      "start_gtid_set = NULL, start_file = NULL, start_pos = NULL "
                                      "WHERE database_name = ? AND table_name = ?"));
  return s.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table)).run();
}

Status StateStore::reset_table(const TableId& table) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&] { return reset_table_locked(table); });
}

Result<int64_t> StateStore::request_resnapshot(const TableId& table) {
  std::lock_guard lock(mutex_);
  int64_t id = 0;
  Status st = db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement s, db_.prepare(fmt::format("INSERT INTO resnapshot_request (database_name, table_name, "
                                                    "requested_at) VALUES (?, ?, {}) RETURNING id",
                                                    kNow)));
    s.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table));
    TRY(s.step());
    id = s.int64_at(0);
    return s.run();
  });
  if (!st.ok()) return std::move(st).error();
  return id;
}

Result<std::vector<ResnapshotRequest>> StateStore::resnapshot_requests() {
  std::lock_guard lock(mutex_);
  TRY_ASSIGN(Statement q, db_.prepare("SELECT id, database_name, table_name, requested_at FROM resnapshot_request "
                                      "ORDER BY id"));
  std::vector<ResnapshotRequest> out;
  while (true) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    out.push_back({q.int64_at(0), {q.text_at(1), q.text_at(2)}, q.text_at(3)});
  }
}

Status StateStore::take_resnapshot_request(int64_t id) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement q, db_.prepare("DELETE FROM resnapshot_request WHERE id = ? RETURNING database_name, "
                                        "table_name"));
    q.bind(1, id);
    TRY_ASSIGN(bool row, q.step());
    if (!row) return make_error(ErrorCode::kNotFound, "no resnapshot request {}", id);
    const TableId table{q.text_at(0), q.text_at(1)};
    TRY(q.run());
    return reset_table_locked(table);
  });
}

Status StateStore::start_rereads(const std::vector<int64_t>& ids, const std::vector<TableId>& fresh,
                                 uint64_t purge_below, const std::function<bool(const TableId&)>& has_primary_key) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    for (int64_t id : ids) {
      TRY_ASSIGN(Statement q, db_.prepare("DELETE FROM resnapshot_request WHERE id = ? RETURNING database_name, "
                                          "table_name"));
      q.bind(1, id);
      TRY_ASSIGN(bool row, q.step());
      if (!row) return make_error(ErrorCode::kNotFound, "no resnapshot request {}", id);
      const TableId table{q.text_at(0), q.text_at(1)};
      TRY(q.run());
      TRY_ASSIGN(Statement add, db_.prepare("INSERT INTO snapshot_table (database_name, table_name, state, "
                                            "has_primary_key) VALUES (?, ?, 'pending', ?) ON CONFLICT DO NOTHING"));
      TRY(add.bind(1, std::string_view(table.database))
              .bind(2, std::string_view(table.table))
              .bind(3, int64_t{has_primary_key(table) ? 1 : 0})
              .run());
      TRY(reset_table_locked(table));
      TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET purge_below = ? "
                                          "WHERE database_name = ? AND table_name = ?"));
      TRY(s.bind(1, purge_below)
              .bind(2, std::string_view(table.database))
              .bind(3, std::string_view(table.table))
              .run());
    }
    for (const TableId& table : fresh) {
      TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET purge_below = ? WHERE database_name = ? AND "
                                          "table_name = ? AND state = 'pending' AND purge_below IS NULL"));
      TRY(s.bind(1, purge_below)
              .bind(2, std::string_view(table.database))
              .bind(3, std::string_view(table.table))
              .run());
    }
    return {};
  });
}

Status StateStore::clear_purge(const TableId& table) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET purge_below = NULL "
                                        "WHERE database_name = ? AND table_name = ?"));
    return s.bind(1, std::string_view(table.database)).bind(2, std::string_view(table.table)).run();
  });
}

Status StateStore::adopt_done(const TableId& table, bool has_primary_key) {
  std::lock_guard lock(mutex_);
  return insert_table_if_absent(db_, table, has_primary_key, "done");
}

Status StateStore::record_stream_made_table(const TableId& table, bool has_primary_key, bool complete) {
  std::lock_guard lock(mutex_);
  return db_.transaction([&]() -> Status {
    TRY_ASSIGN(Statement add, db_.prepare("INSERT INTO snapshot_table (database_name, table_name, state, "
                                          "has_primary_key) VALUES (?, ?, 'pending', ?) ON CONFLICT DO NOTHING"));
    TRY(add.bind(1, std::string_view(table.database))
            .bind(2, std::string_view(table.table))
            .bind(3, int64_t{has_primary_key ? 1 : 0})
            .run());
    TRY(reset_table_locked(table));
    TRY_ASSIGN(Statement s, db_.prepare("UPDATE snapshot_table SET state = ?, has_primary_key = ?, purge_below = NULL "
                                        "WHERE database_name = ? AND table_name = ?"));
    return s.bind(1, std::string_view(complete ? "done" : "pending"))
        .bind(2, int64_t{has_primary_key ? 1 : 0})
        .bind(3, std::string_view(table.database))
        .bind(4, std::string_view(table.table))
        .run();
  });
}

}  // namespace mysql2ch::state
