// Turns the decoded binlog events of one stream into versioned rows per table, a transaction at a time.
//
// A transaction is GTID/BEGIN ... XID/COMMIT/ROLLBACK (non-transactional rows stay applied), or a DDL QUERY on
// its own. Its row changes are held (RowStore) until its end, then handed to TableBatches in binlog order; a
// kTransactionDiscarded from the source drops them (discard()) and rewinds the version counter, so the
// transaction's second delivery takes the same versions. A transaction larger than `spill_bytes` is handed
// over in parts as it arrives (bounded memory); if it is then discarded, its second delivery rewrites the same
// rows with the same versions, which the destination's ReplacingMergeTree collapses.
//
// Row changes become rows with versions (invariant 2 and 4 of DESIGN.md): each row written takes the next
// counter value. INSERT: the after image. DELETE: a tombstone of the before image. UPDATE: the after image;
// when the primary key changed, first a tombstone of the before image, then the after image.
//
// XA transactions (both servers end a prepared one's event group with XA_PREPARE_LOG_EVENT and decide it later
// with an "XA COMMIT <xid>" or "XA ROLLBACK <xid>" QUERY in an event group of its own): at the PREPARE the rows
// are set aside under the XID, not handed over, and take no versions; "XA COMMIT" hands them over with versions
// taken there (commit order decides the final state); "XA ROLLBACK" drops them. A one-phase XA (XA_PREPARE with
// one_phase set, or MariaDB's plain transaction) commits like XID. An XA transaction is never handed over in
// parts (spill_bytes does not apply to it). While a prepared XA transaction holds rows of selected tables,
// checkpoint_allowed() is false: a checkpoint must stay at or before its start, or a restart would never see its
// rows again.
//
// A DDL that changes the destination normally checkpoints at its start, so that a restart replays the statement
// against a destination that has at most this statement applied, and never rows of the old layout into the new
// one (ClickHouseDestination::open() refuses such rows). While a prepared XA transaction holds rows that
// checkpoint cannot be saved; the DDL then goes on without it when none of the tables it changes has had a row
// (handed over, or held by a prepared XA transaction) or another checkpoint-less DDL since the last saved
// checkpoint. A restart from that older checkpoint then replays, for those tables, only this statement, which
// the schema applier completes idempotently against the evolved destination (it reads what the destination
// has first), and then rows of the new layout; the other tables' layouts did not change, so their replayed rows
// are the usual idempotent re-delivery. Otherwise it is an error naming the XID and the table. Both MySQL 9.x
// and MariaDB 10.11 keep a prepared XA transaction's metadata locks (even after its session has gone), so a DDL
// on a table the XA transaction holds rows of waits for XA COMMIT/ROLLBACK on the source and does not reach the
// stream first; that error is for the remaining case, rows of the table since the checkpoint outside the XA
// transaction. This also means held rows are never of an older layout than their table at XA COMMIT.
//
// Tables the filter does not select are declined in wants_rows(), so their row images are never decoded; the
// TABLE_MAP of a selected table is checked against the schema history (DdlHandler::rows_schema), whose schema
// the rows are mirrored with. DDL statements go to the DdlHandler at their place in the stream, after
// everything before them is flushed; a DDL that changed the schema history asks for a checkpoint right after
// it (checkpoint_requested()).
//
// Not thread-safe. `batches`, `filter` and `ddl` must outlive the assembler.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "binlog/event_parser.h"
#include "pipeline/row_copy.h"
#include "pipeline/table_batches.h"
#include "pipeline/table_filter.h"
#include "pipeline/xa_statement.h"
#include "schema/ddl_statements.h"

namespace mysql2ch::pipeline {

// The stream's schema: applies its DDL statements and says which schema rows are decoded with.
class DdlHandler {
 public:
  virtual ~DdlHandler() = default;
  // A DDL statement (any QUERY event but transaction control, TRUNCATE included), called at a transaction
  // boundary with every earlier row flushed; `where` names the position for messages. `checkpoint_here` makes a
  // restart replay the statement rather than rows of the old layout before it: a handler calls it with the source
  // tables the statement changes (renames: both names) before it changes the destination. It saves a checkpoint
  // at the statement's start (the schema history not yet changed), or, where none can be saved (a prepared XA
  // transaction holds rows), checks that a restart from the last one is exact (see above) and fails otherwise.
  // Returns whether the schema history changed.
  using CheckpointHere = std::function<Status(const std::vector<schema::TableName>& changed)>;
  virtual Result<bool> on_ddl(const binlog::QueryEvent& query, const std::string& where,
                              const CheckpointHere& checkpoint_here) = 0;
  // The schema the rows of a selected table's TABLE_MAP are mirrored with; an error stops the stream.
  virtual Result<schema::TableSchema> rows_schema(const schema::TableSchema& table_map, const std::string& where) = 0;
  // The schema history as of the current transaction boundary, for a checkpoint.
  virtual const std::string& schema_history() = 0;
};

class TransactionAssembler final : public binlog::EventHandler {
 public:
  TransactionAssembler(TableBatches& batches, TableFilter& filter, DdlHandler& ddl, uint64_t next_version,
                       uint64_t spill_bytes);

  // The value the next row takes. At a transaction boundary this is the counter a checkpoint records.
  uint64_t next_version() const { return next_version_; }
  // No transaction is open: every row seen so far has been handed to the batches.
  bool at_boundary() const { return !open_; }
  // At a boundary and no prepared XA transaction holds rows: the source's committed position here is a
  // checkpoint a restart loses nothing from.
  bool checkpoint_allowed() const { return !open_ && prepared_rows_ == 0; }
  // The oldest prepared XA transaction that holds rows ("xid X'..',X'..',1 prepared at file:pos"), empty when
  // none; for messages.
  std::string oldest_prepared_xa() const;
  // Commit time of the last transaction that ended (0 before the first), microseconds since the epoch.
  uint64_t last_commit_us() const { return last_commit_us_; }
  uint64_t transactions() const { return transactions_; }
  uint64_t rows() const { return rows_; }
  const std::string& last_gtid() const { return gtid_; }

  // The source voided the open transaction (it will arrive again from its start).
  void discard();
  // At a boundary only: the next row takes at least `next`, so no row ever takes a value below it again
  // (a re-read's removal bound, snapshot_versions.h).
  void raise_next_version(uint64_t next) { next_version_ = std::max(next_version_, next); }

  // What a DDL handler's checkpoint_here runs to save a checkpoint (StreamRunner sets it; without one it does
  // nothing). It must call checkpoint_saved() once saved.
  void set_checkpoint_here(std::function<Status()> checkpoint_here) { checkpoint_here_ = std::move(checkpoint_here); }
  // The caller saved a checkpoint at the current boundary: a restart replays nothing before here.
  void checkpoint_saved() { changed_since_checkpoint_.clear(); }
  // Rows of prepared XA transactions not yet decided (rows that hold no version yet).
  uint64_t prepared_xa_rows() const { return prepared_rows_; }
  // True once after a DDL changed the schema history: the caller checkpoints at this boundary.
  bool checkpoint_requested() { return std::exchange(checkpoint_requested_, false); }
  const std::string& schema_history() { return ddl_.schema_history(); }

  Status on_gtid(const binlog::EventInfo&, const binlog::GtidEvent&) override;
  Status on_query(const binlog::EventInfo&, const binlog::QueryEvent&) override;
  Status on_xid(const binlog::EventInfo&, uint64_t xid) override;
  Status on_xa_prepare(const binlog::EventInfo&, const binlog::XaPrepareEvent&) override;
  Status on_table_map(const binlog::EventInfo&, const binlog::TableMap&) override;
  bool wants_rows(const binlog::TableMap&) override;
  Status on_row(const binlog::EventInfo&, const binlog::RowChange&) override;

 private:
  struct PendingRow {
    uint32_t table;  // index into tables_
    uint32_t row;    // index into store_
    uint64_t version;
    bool is_deleted;
  };
  // A prepared XA transaction's rows, set aside until its XA COMMIT / XA ROLLBACK.
  struct PreparedXa {
    Xid xid;
    std::string where;  // the transaction's start, and its GTID
    std::vector<schema::TableSchema> tables;
    RowStore store;
    std::vector<PendingRow> rows;  // versions unused: they are taken at the commit
  };
  void begin(const binlog::EventInfo& info);
  Status on_xa_statement(const binlog::EventInfo& info, const binlog::QueryEvent& q, const XaStatement& xa);
  Status prepare(const binlog::EventInfo& info, const Xid& xid);
  Status commit_prepared(const binlog::EventInfo& info, const Xid& xid);
  Status checkpoint_here(const std::vector<schema::TableName>& changed);
  Status hold(uint32_t table, std::span<const schema::Value> image, bool is_deleted);
  Status hand_over();
  Status end(const binlog::EventInfo& info);
  static std::string where(const binlog::EventInfo& info);
  // The position and, when the transaction has one, its GTID.
  std::string where_with_gtid(const binlog::EventInfo& info) const;

  TableBatches& batches_;
  TableFilter& filter_;
  DdlHandler& ddl_;
  uint64_t next_version_;
  uint64_t spill_bytes_;

  bool open_ = false;
  bool in_begin_ = false;
  bool standalone_ = false;        // MariaDB GTID with FL_STANDALONE: the next QUERY ends the transaction
  bool in_xa_ = false;             // the open transaction is an XA one (XA START, or MariaDB FL_PREPARED_XA)
  bool handed_over_part_ = false;  // the open transaction was spilled: part of it is with the batches
  std::string start_where_;        // where the open transaction began
  uint64_t first_version_ = 0;     // counter at the transaction's start (discard() rewinds to it)
  uint64_t commit_us_ = 0;
  std::string gtid_;
  std::unordered_map<uint64_t, uint32_t> table_index_;  // table id -> tables_ (this transaction)
  std::vector<schema::TableSchema> tables_;
  schema::TableSchema checked_;  // on_table_map's rows_schema() of the TABLE_MAP wants_rows() is asked about next
  std::function<Status()> checkpoint_here_;
  bool checkpoint_requested_ = false;
  // Selected source tables ("db\x1ftable") that had rows (any TABLE_MAP the assembler took rows of) or a DDL
  // applied without a checkpoint since the last saved checkpoint: what a restart would replay.
  std::unordered_set<std::string> changed_since_checkpoint_;
  RowStore store_;
  std::vector<PendingRow> pending_;
  std::vector<PreparedXa> prepared_;  // in PREPARE order
  uint64_t prepared_rows_ = 0;

  uint64_t last_commit_us_ = 0;
  uint64_t transactions_ = 0;
  uint64_t rows_ = 0;
};

}  // namespace mysql2ch::pipeline
