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
// Tables the filter does not select are declined in wants_rows(), so their row images are never decoded.
// DDL statements go to the DdlHandler at their place in the stream, after everything before them is flushed.
//
// Not thread-safe. `batches`, `filter` and `ddl` must outlive the assembler.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "binlog/event_parser.h"
#include "pipeline/row_copy.h"
#include "pipeline/table_batches.h"
#include "pipeline/table_filter.h"

namespace mysql2ch::pipeline {

// Applies a DDL statement of the stream. Called at a transaction boundary with every earlier row flushed.
class DdlHandler {
 public:
  virtual ~DdlHandler() = default;
  // `database` is the statement's default database; `where` names the position for messages.
  virtual Status on_ddl(std::string_view database, std::string_view statement, const std::string& where) = 0;
};

class TransactionAssembler final : public binlog::EventHandler {
 public:
  TransactionAssembler(TableBatches& batches, TableFilter& filter, DdlHandler& ddl, uint64_t next_version,
                       uint64_t spill_bytes);

  // The value the next row takes. At a transaction boundary this is the counter a checkpoint records.
  uint64_t next_version() const { return next_version_; }
  // No transaction is open: every row seen so far has been handed to the batches.
  bool at_boundary() const { return !open_; }
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

  Status on_gtid(const binlog::EventInfo&, const binlog::GtidEvent&) override;
  Status on_query(const binlog::EventInfo&, const binlog::QueryEvent&) override;
  Status on_xid(const binlog::EventInfo&, uint64_t xid) override;
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
  void begin(const binlog::EventInfo& info);
  Status hold(uint32_t table, std::span<const schema::Value> image, bool is_deleted);
  Status hand_over();
  Status end(const binlog::EventInfo& info);
  static std::string where(const binlog::EventInfo& info);

  TableBatches& batches_;
  TableFilter& filter_;
  DdlHandler& ddl_;
  uint64_t next_version_;
  uint64_t spill_bytes_;

  bool open_ = false;
  bool in_begin_ = false;
  bool standalone_ = false;    // MariaDB GTID with FL_STANDALONE: the next QUERY ends the transaction
  uint64_t first_version_ = 0;  // counter at the transaction's start (discard() rewinds to it)
  uint64_t commit_us_ = 0;
  std::string gtid_;
  std::unordered_map<uint64_t, uint32_t> table_index_;  // table id -> tables_ (this transaction)
  std::vector<schema::TableSchema> tables_;
  RowStore store_;
  std::vector<PendingRow> pending_;

  uint64_t last_commit_us_ = 0;
  uint64_t transactions_ = 0;
  uint64_t rows_ = 0;
};

}  // namespace mysql2ch::pipeline
