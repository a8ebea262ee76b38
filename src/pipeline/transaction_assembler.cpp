#include "pipeline/transaction_assembler.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "pipeline/statement_kind.h"

namespace mysql2ch::pipeline {
namespace {

// Equality of two key values as the destination stores them (bytes, not collations).
bool same_value(const schema::Value& a, const schema::Value& b) {
  using schema::ValueKind;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ValueKind::kAbsent:
    case ValueKind::kNull: return true;
    case ValueKind::kInt: return a.i == b.i;
    case ValueKind::kUint:
    case ValueKind::kEnum:
    case ValueKind::kSet:
    case ValueKind::kBit: return a.u == b.u;
    case ValueKind::kFloat: return a.f == b.f;
    case ValueKind::kDouble: return a.d == b.d;
    case ValueKind::kDecimal: return a.decimal() == b.decimal();
    case ValueKind::kDate:
    case ValueKind::kDateTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTime:
      return a.t.year == b.t.year && a.t.month == b.t.month && a.t.day == b.t.day && a.t.hour == b.t.hour &&
             a.t.minute == b.t.minute && a.t.second == b.t.second && a.t.microsecond == b.t.microsecond &&
             a.t.negative == b.t.negative;
    default: return a.bytes == b.bytes;
  }
}

bool key_changed(const schema::TableSchema& table, std::span<const schema::Value> before,
                 std::span<const schema::Value> after) {
  for (uint32_t k : table.primary_key) {
    if (k >= before.size() || k >= after.size() || !same_value(before[k], after[k])) return true;
  }
  return false;
}

}  // namespace

TransactionAssembler::TransactionAssembler(TableBatches& batches, TableFilter& filter, DdlHandler& ddl,
                                           uint64_t next_version, uint64_t spill_bytes)
    : batches_(batches), filter_(filter), ddl_(ddl), next_version_(next_version), spill_bytes_(spill_bytes) {}

std::string TransactionAssembler::where(const binlog::EventInfo& info) {
  return fmt::format("{}:{}", info.file, info.pos);
}

std::string TransactionAssembler::where_with_gtid(const binlog::EventInfo& info) const {
  if (gtid_.empty()) return where(info);
  return fmt::format("{} (GTID {})", where(info), gtid_);
}

void TransactionAssembler::begin(const binlog::EventInfo& info) {
  open_ = true;
  in_begin_ = false;
  standalone_ = false;
  in_xa_ = false;
  handed_over_part_ = false;
  start_where_ = where(info);
  first_version_ = next_version_;
  commit_us_ = info.header != nullptr ? uint64_t{info.header->timestamp} * 1000000 : 0;
  gtid_.clear();
  table_index_.clear();
  tables_.clear();
  store_.clear();
  pending_.clear();
}

void TransactionAssembler::discard() {
  next_version_ = first_version_;
  open_ = false;
  in_begin_ = false;
  table_index_.clear();
  tables_.clear();
  store_.clear();
  pending_.clear();
}

Status TransactionAssembler::on_gtid(const binlog::EventInfo& info, const binlog::GtidEvent& gtid) {
  if (open_ && !pending_.empty()) {
    return make_error(ErrorCode::kProtocol, "GTID event at {} inside an unfinished transaction {}", where(info), gtid_);
  }
  begin(info);
  gtid_ = gtid.text();
  if (gtid.immediate_commit_us != 0) commit_us_ = gtid.immediate_commit_us;
  standalone_ = gtid.mariadb && gtid.standalone;
  // MariaDB FL_PREPARED_XA: the group is an XA transaction that ends with its XA PREPARE.
  constexpr uint8_t kMariaPreparedXa = 64;
  in_xa_ = gtid.mariadb && (gtid.flags & kMariaPreparedXa) != 0;
  // A MariaDB event group that is not standalone is a transaction without a BEGIN event of its own.
  in_begin_ = gtid.mariadb && !gtid.standalone;
  return {};
}

Status TransactionAssembler::on_query(const binlog::EventInfo& info, const binlog::QueryEvent& q) {
  if (q.is_begin()) {
    if (!open_) begin(info);
    in_begin_ = true;
    return {};
  }
  if (q.is_commit() || q.is_rollback()) return end(info);
  {
    auto xa = parse_xa_statement(q.query);
    if (!xa.ok()) return std::move(xa).error().context(where_with_gtid(info));
    if (xa->has_value()) return on_xa_statement(info, q, **xa);
  }
  if (is_transaction_control(q.query)) return {};
  if (in_begin_) {
    // Row-based logging leaves only transaction control inside BEGIN ... COMMIT; a statement here would be
    // statement-based replication of data, which cannot be mirrored exactly.
    return make_error(ErrorCode::kUnsupported,
                      "statement logged inside a transaction at {} (binlog_format must be ROW): {}", where(info),
                      q.query.substr(0, 200));
  }
  // DDL (TRUNCATE included): a transaction of its own.
  if (!open_) begin(info);
  TRY(hand_over());
  TRY(batches_.flush_all());
  const DdlHandler::CheckpointHere checkpoint = [this](const std::vector<schema::TableName>& tables) {
    return checkpoint_here(tables);
  };
  TRY_ASSIGN(bool changed, ddl_.on_ddl(q, where_with_gtid(info), checkpoint));
  checkpoint_requested_ = checkpoint_requested_ || changed;
  return end(info);
}

Status TransactionAssembler::on_xid(const binlog::EventInfo& info, uint64_t) {
  return end(info);
}

namespace {
std::string table_key(std::string_view database, std::string_view table) {
  std::string key(database);
  key += '\x1f';  // not in identifiers' text as the server logs them
  key += table;
  return key;
}
}  // namespace

Status TransactionAssembler::checkpoint_here(const std::vector<schema::TableName>& changed) {
  if (!checkpoint_here_) return {};  // a stream that never checkpoints has nothing to keep exact
  if (prepared_rows_ == 0) {
    TRY(checkpoint_here_());
    checkpoint_saved();
    return {};
  }
  // No checkpoint can pass the prepared transaction's start; the last saved one is the restart point. The
  // statement may go on without a new one exactly when a restart from there replays nothing of the changed
  // tables before this statement (the header says why).
  for (const schema::TableName& t : changed) {
    if (changed_since_checkpoint_.contains(table_key(t.database, t.table))) {
      return make_error(ErrorCode::kUnsupported,
                        "a DDL on {}.{} needs a checkpoint at its start while the prepared XA transaction {} is "
                        "undecided, and the table had rows (or another DDL) since the last checkpoint: a checkpoint "
                        "here would lose the prepared rows on a restart, and a restart from the last one would "
                        "replay those rows into the changed table. Commit or roll back the XA transaction on the "
                        "source before running DDL on replicated tables; to go on past this point, snapshot the "
                        "tables again",
                        t.database, t.table, oldest_prepared_xa());
    }
  }
  for (const schema::TableName& t : changed) changed_since_checkpoint_.insert(table_key(t.database, t.table));
  spdlog::info(
      "DDL applied without a checkpoint at its start (the prepared XA transaction {} is undecided); the "
      "changed tables had no rows since the last checkpoint, which a restart replays from",
      oldest_prepared_xa());
  return {};
}

std::string TransactionAssembler::oldest_prepared_xa() const {
  for (const PreparedXa& xa : prepared_) {
    if (!xa.rows.empty()) return fmt::format("xid {} prepared at {}", xa.xid.text(), xa.where);
  }
  return {};
}

Status TransactionAssembler::on_xa_statement(const binlog::EventInfo& info, const binlog::QueryEvent& q,
                                             const XaStatement& xa) {
  using Verb = XaStatement::Verb;
  switch (xa.verb) {
    case Verb::kStart:
      if (!open_) begin(info);
      in_xa_ = true;
      return {};
    case Verb::kEnd:
    case Verb::kRecover: return {};
    case Verb::kPrepare: return prepare(info, xa.xid);
    case Verb::kCommit:
      if (xa.one_phase) return end(info);
      return commit_prepared(info, xa.xid);
    case Verb::kRollback: {
      if (!open_) begin(info);
      if (!pending_.empty() || handed_over_part_) {
        // The servers log nothing of an XA transaction rolled back before its PREPARE; rows here mean the
        // binlog is not what this code understands, and applying or dropping them would be a guess.
        return make_error(ErrorCode::kUnsupported, "XA ROLLBACK at {} inside a transaction with rows: {}",
                          where_with_gtid(info), q.query.substr(0, 200));
      }
      const std::string key = xa.xid.key();
      const auto it =
          std::find_if(prepared_.begin(), prepared_.end(), [&](const PreparedXa& p) { return p.xid.key() == key; });
      if (it != prepared_.end()) {
        prepared_rows_ -= it->rows.size();
        prepared_.erase(it);
      }
      return end(info);
    }
  }
  return {};
}

Status TransactionAssembler::on_xa_prepare(const binlog::EventInfo& info, const binlog::XaPrepareEvent& ev) {
  if (ev.one_phase) return end(info);
  return prepare(info, Xid{ev.format_id, std::string(ev.gtrid), std::string(ev.bqual)});
}

Status TransactionAssembler::prepare(const binlog::EventInfo& info, const Xid& xid) {
  if (!open_) begin(info);
  if (handed_over_part_) {
    return make_error(ErrorCode::kUnsupported,
                      "XA transaction {} prepared at {} was handed over in parts before its PREPARE (its start "
                      "was not recognised as XA); its rows may not be applied before XA COMMIT",
                      xid.text(), where_with_gtid(info));
  }
  const std::string key = xid.key();
  for (const PreparedXa& p : prepared_) {
    if (p.xid.key() == key) {
      return make_error(ErrorCode::kProtocol, "XA PREPARE of {} at {} while a transaction with that xid is prepared",
                        xid.text(), where_with_gtid(info));
    }
  }
  PreparedXa xa;
  xa.xid = xid;
  xa.where = gtid_.empty() ? start_where_ : fmt::format("{} (GTID {})", start_where_, gtid_);
  xa.tables = std::move(tables_);
  xa.store = std::move(store_);
  xa.rows = std::move(pending_);
  prepared_rows_ += xa.rows.size();
  prepared_.push_back(std::move(xa));
  tables_.clear();
  store_.clear();
  pending_.clear();
  table_index_.clear();
  // The rows take their versions at the commit.
  next_version_ = first_version_;
  open_ = false;
  in_begin_ = false;
  in_xa_ = false;
  return {};
}

Status TransactionAssembler::commit_prepared(const binlog::EventInfo& info, const Xid& xid) {
  if (!open_) begin(info);
  if (!pending_.empty() || handed_over_part_) {
    return make_error(ErrorCode::kUnsupported, "XA COMMIT of {} at {} inside a transaction with rows", xid.text(),
                      where_with_gtid(info));
  }
  const std::string key = xid.key();
  const auto it =
      std::find_if(prepared_.begin(), prepared_.end(), [&](const PreparedXa& p) { return p.xid.key() == key; });
  if (it == prepared_.end()) {
    // Checkpoints never pass the start of a prepared XA transaction that holds rows, so an XID this stream has
    // not seen prepared either held no rows of selected tables or was prepared before the stream's first
    // position (before the initial snapshot, which could not read its uncommitted rows).
    spdlog::warn(
        "XA COMMIT of {} at {}: its XA PREPARE was not read by this stream; if it was prepared before the "
        "initial snapshot and changed selected tables, snapshot those tables again",
        xid.text(), where_with_gtid(info));
    return end(info);
  }
  for (const PendingRow& p : it->rows) {
    TRY(batches_.append(it->tables[p.table], it->store.row(p.row), next_version_++, p.is_deleted));
  }
  rows_ += it->rows.size();
  prepared_rows_ -= it->rows.size();
  prepared_.erase(it);
  return end(info);
}

Status TransactionAssembler::on_table_map(const binlog::EventInfo& info, const binlog::TableMap& map) {
  if (!open_) begin(info);
  if (!filter_.selected(map.schema.database, map.schema.table)) return {};
  TRY_ASSIGN(checked_, ddl_.rows_schema(map.schema, where_with_gtid(info)));
  return {};
}

bool TransactionAssembler::wants_rows(const binlog::TableMap& map) {
  if (!filter_.selected(map.schema.database, map.schema.table)) return false;
  if (table_index_.find(map.table_id) == table_index_.end()) {
    table_index_.emplace(map.table_id, static_cast<uint32_t>(tables_.size()));
    // Once per table and transaction; kept even if the transaction is discarded (it comes again).
    changed_since_checkpoint_.insert(table_key(map.schema.database, map.schema.table));
    tables_.push_back(checked_);
  } else {
    tables_[table_index_[map.table_id]] = checked_;
  }
  return true;
}

Status TransactionAssembler::hold(uint32_t table, std::span<const schema::Value> image, bool is_deleted) {
  const auto row = static_cast<uint32_t>(store_.append(image));
  pending_.push_back(PendingRow{table, row, next_version_++, is_deleted});
  if (store_.bytes() >= spill_bytes_ && !in_xa_) {
    handed_over_part_ = true;
    TRY(hand_over());
  }
  return {};
}

Status TransactionAssembler::on_row(const binlog::EventInfo& info, const binlog::RowChange& change) {
  if (!open_) begin(info);
  const auto it = table_index_.find(change.table->table_id);
  if (it == table_index_.end()) {
    return make_error(ErrorCode::kInternal, "rows at {} for table id {} that was not selected", where(info),
                      change.table->table_id);
  }
  const uint32_t table = it->second;
  const schema::TableSchema& schema = tables_[table];
  for (const auto& image : {change.before, change.after}) {
    for (const auto& v : image) {
      if (v.kind == schema::ValueKind::kAbsent) {
        return make_error(ErrorCode::kUnsupported,
                          "{} on {}.{} at {}: the row image lacks columns (set binlog_row_image=FULL)",
                          binlog::row_op_name(change.op), schema.database, schema.table, where(info));
      }
    }
  }
  switch (change.op) {
    case binlog::RowOp::kInsert: return hold(table, change.after, false);
    case binlog::RowOp::kDelete: return hold(table, change.before, true);
    case binlog::RowOp::kUpdate:
      if (key_changed(schema, change.before, change.after)) TRY(hold(table, change.before, true));
      return hold(table, change.after, false);
  }
  return {};
}

Status TransactionAssembler::hand_over() {
  for (const PendingRow& p : pending_) {
    TRY(batches_.append(tables_[p.table], store_.row(p.row), p.version, p.is_deleted));
  }
  rows_ += pending_.size();
  pending_.clear();
  store_.clear();
  return {};
}

Status TransactionAssembler::end(const binlog::EventInfo& info) {
  if (!open_) begin(info);
  TRY(hand_over());
  open_ = false;
  in_begin_ = false;
  last_commit_us_ = commit_us_;
  ++transactions_;
  return {};
}

}  // namespace mysql2ch::pipeline
