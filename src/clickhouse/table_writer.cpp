#include "clickhouse/table_writer.h"

#include <thread>

#include "clickhouse/sql_text.h"
#include "clickhouse/table_ddl.h"

namespace mysql2ch {

Result<TableWriter> TableWriter::create(ClickHouseConnection& conn, const schema::TableSchema& source,
                                        const TargetTable& target, const WriterOptions& options) {
  if (source.columns.size() != target.columns.size()) {
    return make_error(ErrorCode::kInvalidArgument, "table {}: {} source columns but {} mapped columns",
                      qualified_name(target.name), source.columns.size(), target.columns.size());
  }
  for (size_t k = 0; k < source.columns.size(); ++k) {
    if (source.columns[k].name != target.columns[k].name) {
      return make_error(ErrorCode::kInvalidArgument, "table {}: column #{} is `{}` in the source but `{}` in the mapping",
                        qualified_name(target.name), k + 1, source.columns[k].name, target.columns[k].name);
    }
  }
  TRY_ASSIGN(ServerCapabilities caps, conn.capabilities());
  return TableWriter(conn, source, target, options, caps.insert_deduplication_token);
}

TableWriter::TableWriter(ClickHouseConnection& conn, schema::TableSchema source, TargetTable target,
                         WriterOptions options, bool dedup_token)
    : conn_(&conn),
      source_(std::move(source)),
      target_(std::move(target)),
      options_(std::move(options)),
      retry_(options_.retry),
      dedup_token_(dedup_token) {
  if (!options_.sleep) options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  insert_target_ = qualified_name(target_.name) + " (";
  for (const auto& c : target_.columns) insert_target_ += clickhouse_identifier(c.name) + ", ";
  insert_target_ += clickhouse_identifier(kVersionColumn) + ", " + clickhouse_identifier(kIsDeletedColumn) + ")";
}

Status TableWriter::append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) {
  if (row.size() != target_.columns.size()) {
    return make_error(ErrorCode::kInvalidArgument, "table {}: a row of {} values for {} columns",
                      qualified_name(target_.name), row.size(), target_.columns.size());
  }
  const size_t mark = buffer_.size();
  for (size_t k = 0; k < row.size(); ++k) {
    auto st = encoder_.append(target_.columns[k], source_.columns[k], row[k], buffer_);
    if (!st.ok()) {
      buffer_.resize(mark);
      return std::move(st).error().context(fmt::format("table {}", qualified_name(target_.name)));
    }
  }
  append_fixed(version, buffer_);
  append_fixed(static_cast<uint8_t>(is_deleted ? 1 : 0), buffer_);
  ++rows_;
  return {};
}

Status TableWriter::flush() {
  if (rows_ == 0) return {};
  RequestOptions request;
  if (dedup_token_) {
    // The same batch gets the same token on every attempt and on a later flush() of the kept buffer.
    request.settings.emplace_back(
        "insert_deduplication_token",
        fmt::format("m2c-{:016x}-{}-{}", std::hash<std::string_view>{}(buffer_), rows_, buffer_.size()));
  }
  auto st = retry_.run(
      [&] {
        ++insert_attempts_;
        return conn_->insert(insert_target_, "RowBinary", buffer_, request);
      },
      options_.sleep);
  if (!st.ok()) {
    return std::move(st).error().context(
        fmt::format("inserting {} rows into {} (the rows stay buffered)", rows_, qualified_name(target_.name)));
  }
  buffer_.clear();
  rows_ = 0;
  return {};
}

}  // namespace mysql2ch
