#include "snapshot/chunk_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "schema/text_value.h"
#include "snapshot/key_range.h"

namespace mysql2ch::snapshot {
namespace {

constexpr unsigned kLongTimeoutS = 3600;

Result<std::optional<KeyTuple>> bound(const std::optional<std::string>& json, size_t width) {
  if (!json) return std::optional<KeyTuple>();
  TRY_ASSIGN(KeyTuple key, decode_key(*json, width));
  return std::optional<KeyTuple>(std::move(key));
}

}  // namespace

Result<Connection> open_snapshot_connection(ConnectOptions options) {
  options.read_timeout_s = std::max(options.read_timeout_s, kLongTimeoutS);
  options.write_timeout_s = std::max(options.write_timeout_s, kLongTimeoutS);
  TRY_ASSIGN(Connection conn, Connection::open(options));
  TRY(
      conn.execute(fmt::format("SET SESSION time_zone = '+00:00', sql_mode = '', net_read_timeout = {0}, "
                               "net_write_timeout = {0}",
                               kLongTimeoutS)));
  return conn;
}

std::string snapshot_select_list(const schema::TableSchema& table) {
  std::string out;
  for (const auto& c : table.columns) {
    if (!out.empty()) out += ", ";
    const std::string id = mysql_identifier(c.name);
    switch (c.type) {
      case schema::ColumnType::kFloat: out += fmt::format("CAST({} AS DOUBLE)", id); break;
      case schema::ColumnType::kBit: out += id + " + 0"; break;
      default: out += id;
    }
  }
  return out;
}

Result<ChunkReadResult> ChunkReader::read(const state::SnapshotChunk& chunk, uint64_t version, SnapshotSink& sink,
                                          const std::atomic<bool>* cancel) {
  const schema::TableSchema& t = *table_;
  const std::string where_am_i = fmt::format("{}.{} chunk {}", t.database, t.table, chunk.index);
  const size_t width = t.primary_key.size();
  TRY_ASSIGN(auto lower, bound(chunk.lower_key, width));
  TRY_ASSIGN(auto upper, bound(chunk.upper_key, width));
  std::string where = "1";
  if (lower || upper) {
    TRY_ASSIGN(where, key_predicate(*conn_, t, lower, upper));
  }
  const std::string sql = fmt::format("SELECT {} FROM {}.{} WHERE {}", snapshot_select_list(t),
                                      mysql_identifier(t.database), mysql_identifier(t.table), where);
  rows_read_.store(0, std::memory_order_relaxed);
  bytes_read_.store(0, std::memory_order_relaxed);
  ChunkReadResult result;
  {
    auto stream = conn_->stream(sql);
    if (!stream.ok()) return std::move(stream).error().context(where_am_i);
    if (stream->field_count() != t.columns.size()) {
      return make_error(ErrorCode::kProtocol, "{}: SELECT returned {} columns for {} in the schema", where_am_i,
                        stream->field_count(), t.columns.size());
    }
    row_.assign(t.columns.size(), schema::Value::null());
    while (true) {
      if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return result;
      auto more = stream->next();
      if (!more.ok()) return std::move(more).error().context(where_am_i);
      if (!*more) break;
      for (unsigned i = 0; i < t.columns.size(); ++i) {
        if (stream->is_null(i)) {
          row_[i].kind = schema::ValueKind::kNull;
          continue;
        }
        const std::string_view text = stream->field(i);
        if (!schema::parse_select_text(t.columns[i], text, row_[i])) {
          return schema::select_text_error(t.columns[i], text).context(where_am_i);
        }
      }
      TRY(sink.append(row_, version, false));
      ++result.rows;
      result.bytes += stream->row_bytes();
      rows_read_.store(result.rows, std::memory_order_relaxed);
      bytes_read_.store(result.bytes, std::memory_order_relaxed);
      if (sink.buffered_rows() >= limits_.flush_rows || sink.buffered_bytes() >= limits_.flush_bytes) {
        // Flushing mid-stream keeps memory bounded; the server waits (net_write_timeout is an hour).
        TRY(sink.flush());
      }
    }
  }
  TRY(sink.flush());
  result.completed = true;
  return result;
}

}  // namespace mysql2ch::snapshot
