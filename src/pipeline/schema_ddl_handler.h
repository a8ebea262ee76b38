// The stream's DdlHandler: each DDL statement is converted to UTF-8 (its character_set_client), parsed
// (schema/ddl_parser.h), applied to the schema history (SchemaTracker) and, for the selected tables, replayed on
// the destination (ClickHouseSchemaApplier), in stream order with every earlier row flushed.
//
// Per change, for a selected table: CREATE → create the target; DROP → drop it; TRUNCATE → empty it in stream
// order (TableBatches::truncate); RENAME → rename it (a table leaving the selection is dropped; one entering it
// is refused, its rows were never copied); ADD/DROP/MODIFY/RENAME COLUMN → the matching ALTER (ADD with the
// exact DEFAULT the existing rows got: constants, and CURRENT_TIMESTAMP from the statement's logged start, see
// schema/column_default.h); a change that needs the table reloaded (a DEFAULT the binlog does not determine,
// partition maintenance, CREATE … SELECT, primary key change, a narrowing MODIFY, …) stops the stream naming the
// table, the change, the position and "re-snapshot".
//
// TRUNCATE leaves the schema history as it was, so it neither takes a checkpoint before it nor asks for one
// after it (on_ddl returns false): a restart that replays the rows before it replays the TRUNCATE too. That
// keeps it possible while a prepared XA transaction is undecided, when no checkpoint may be taken.
//
// A statement naming a selected table that cannot be parsed or that the history refuses stops the stream with
// the statement and its position, unless pipeline.on_unparseable_ddl is skip (then it is logged as a warning
// and ignored). Statements on tables the configuration does not select, and statements that change no table,
// only update the history (or are ignored with a debug log when they cannot be parsed).
//
// A destination that does not answer (kUnavailable/kTimeout) is waited for: each destination step is repeated
// through TableBatches::with_retry until it succeeds or the stream is stopped, as row batches are.
//
// Not thread-safe; every reference outlives the handler.
#pragma once

#include <functional>

#include "config/config.h"
#include "pipeline/clickhouse_schema_applier.h"
#include "pipeline/schema_tracker.h"
#include "pipeline/table_batches.h"
#include "pipeline/table_filter.h"
#include "pipeline/transaction_assembler.h"

namespace mysql2ch::pipeline {

class TrackingDdlHandler final : public DdlHandler {
 public:
  TrackingDdlHandler(SchemaTracker& tracker, ClickHouseSchemaApplier& destination, TableBatches& batches,
                     TableFilter& filter, UnparseableDdl on_unparseable);

  Result<bool> on_ddl(const binlog::QueryEvent& query, const std::string& where,
                      const CheckpointHere& checkpoint_here) override;
  Result<schema::TableSchema> rows_schema(const schema::TableSchema& table_map, const std::string& where) override;
  const std::string& schema_history() override { return tracker_.history(); }

  // Called once the stream created a selected table's target (CREATE TABLE, or RENAME into a selected name
  // from a selected one: `renamed_from` is then the old name, else null). Such a table is complete in the
  // destination from the stream alone, so sync records it as snapshotted; an error stops the stream.
  using TargetCreated = std::function<Status(const schema::TableSchema& table, const schema::TableName* renamed_from)>;
  void on_target_created(TargetCreated callback) { on_target_created_ = std::move(callback); }

 private:
  Status refuse_or_skip(const Error& error, std::string_view statement, const std::string& where,
                        const std::vector<std::string>& selected);
  bool names_selected_table(std::string_view statement, const std::string& database);
  // `statement`: the statement's logged time zone and start (for temporal defaults of added columns).
  Status apply_changes(const std::vector<schema::TableChange>& changes, const schema::TableCatalog& before,
                       const std::string& where, const schema::StatementClock& statement);

  SchemaTracker& tracker_;
  ClickHouseSchemaApplier& destination_;
  TableBatches& batches_;
  TableFilter& filter_;
  UnparseableDdl on_unparseable_;
  TargetCreated on_target_created_;
};

}  // namespace mysql2ch::pipeline
