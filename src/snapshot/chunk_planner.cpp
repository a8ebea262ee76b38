#include "snapshot/chunk_planner.h"

#include <fmt/format.h>

#include <algorithm>

#include "schema/value_json.h"

namespace mysql2ch::snapshot {

Result<ChunkPlanner> ChunkPlanner::from_plan(const schema::TableSchema& table, uint64_t chunk_rows,
                                             const std::vector<state::SnapshotChunk>& planned) {
  ChunkPlanner p(table, std::max<uint64_t>(chunk_rows, 1));
  if (planned.empty()) return p;
  const state::SnapshotChunk& last = planned.back();
  p.next_index_ = last.index + 1;
  if (!last.upper_key) {
    p.complete_ = true;
    return p;
  }
  TRY_ASSIGN(p.last_upper_, decode_key(*last.upper_key, table.primary_key.size()));
  p.last_upper_json_ = last.upper_key;
  return p;
}

Result<state::SnapshotChunk> ChunkPlanner::next(Connection& conn) {
  state::SnapshotChunk chunk;
  chunk.index = next_index_;
  chunk.lower_key = last_upper_json_;
  if (!chunkable(*table_)) {
    complete_ = true;
    ++next_index_;
    return chunk;
  }
  TRY_ASSIGN(std::string where, key_predicate(conn, *table_, last_upper_, std::nullopt));
  const std::string sql = fmt::format("SELECT {} FROM {}.{} WHERE {} ORDER BY {} LIMIT 1 OFFSET {}",
                                      key_select_list(*table_), mysql_identifier(table_->database),
                                      mysql_identifier(table_->table), where, key_order_list(*table_),
                                      chunk_rows_ - 1);
  TRY_ASSIGN(QueryResult r, conn.query(sql));
  if (r.rows.empty()) {
    complete_ = true;  // fewer than chunk_rows rows remain: the open-ended last chunk
  } else {
    KeyTuple upper;
    for (size_t i = 0; i < r.rows[0].size(); ++i) {
      if (!r.rows[0][i]) {
        return make_error(ErrorCode::kProtocol, "{}.{}: primary key column {} is NULL", table_->database,
                          table_->table, table_->columns[table_->primary_key[i]].name);
      }
      // Text keys arrive as utf8mb4 and binary ones as hex, so this holds unless the server misbehaves; the
      // JSON encoding of the bound needs it.
      if (!schema::is_valid_utf8(*r.rows[0][i])) {
        return make_error(ErrorCode::kProtocol, "{}.{}: primary key value of {} is not valid UTF-8", table_->database,
                          table_->table, table_->columns[table_->primary_key[i]].name);
      }
      upper.push_back(*r.rows[0][i]);
    }
    chunk.upper_key = encode_key(upper);
    last_upper_ = std::move(upper);
    last_upper_json_ = chunk.upper_key;
  }
  ++next_index_;
  return chunk;
}

}  // namespace mysql2ch::snapshot
