#include "pipeline/snapshot_sinks.h"

#include "clickhouse/connection.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/table_writer.h"
#include "clickhouse/type_mapping.h"

namespace mysql2ch::pipeline {
namespace {

class WriterSnapshotSink final : public snapshot::SnapshotSink {
 public:
  WriterSnapshotSink(std::unique_ptr<ClickHouseConnection> conn, TableWriter writer)
      : conn_(std::move(conn)), writer_(std::move(writer)) {}
  Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) override {
    return writer_.append(row, version, is_deleted);
  }
  size_t buffered_rows() const override { return writer_.buffered_rows(); }
  size_t buffered_bytes() const override { return writer_.buffered_bytes(); }
  Status flush() override { return writer_.flush(); }

 private:
  std::unique_ptr<ClickHouseConnection> conn_;  // the writer's; declared first so it outlives the writer
  TableWriter writer_;
};

}  // namespace

Result<std::unique_ptr<snapshot::SnapshotSink>> ClickHouseSnapshotSinks::open(const schema::TableSchema& table) {
  TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
  TRY_ASSIGN(ServerCapabilities caps, conn->capabilities());
  const TargetName name = target_name(config_.destination, table.database, table.table);
  TRY_ASSIGN(TargetTable target, map_table(table, name, caps, TypeMappingOptions::from(config_.destination)));
  TRY_ASSIGN(TableWriter writer, TableWriter::create(*conn, table, target, WriterOptions{}));
  return std::unique_ptr<snapshot::SnapshotSink>(new WriterSnapshotSink(std::move(conn), std::move(writer)));
}

Status ClickHouseSnapshotSinks::discard_partial_append_only(const schema::TableSchema& table) {
  TRY_ASSIGN(auto conn, open_clickhouse(config_.destination, config_base_dir(config_)));
  TargetTable target;
  target.name = target_name(config_.destination, table.database, table.table);
  for (const auto& sql : truncate_table_statements(target)) TRY(conn->execute(sql));
  return {};
}

}  // namespace mysql2ch::pipeline
