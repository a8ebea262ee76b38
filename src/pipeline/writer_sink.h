// The one TableSink over ClickHouse: forwards to a TableWriter, and optionally owns the connection the writer
// uses (snapshot readers open a connection per sink; the stream's sinks share the caller's).
//
// Threading: one thread at a time, as TableWriter.
#pragma once

#include <memory>
#include <utility>

#include "clickhouse/connection.h"
#include "clickhouse/table_writer.h"
#include "pipeline/table_sink.h"

namespace mysql2ch::pipeline {

class WriterSink final : public TableSink {
 public:
  // `owned`, when not null, is the connection `writer` was created on; it is kept alive as long as the writer.
  explicit WriterSink(TableWriter writer, std::unique_ptr<ClickHouseConnection> owned = nullptr)
      : owned_(std::move(owned)), writer_(std::move(writer)) {}

  Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) override {
    return writer_.append(row, version, is_deleted);
  }
  size_t buffered_rows() const override { return writer_.buffered_rows(); }
  size_t buffered_bytes() const override { return writer_.buffered_bytes(); }
  Status flush() override { return writer_.flush(); }

 private:
  std::unique_ptr<ClickHouseConnection> owned_;  // declared first so it outlives the writer
  TableWriter writer_;
};

}  // namespace mysql2ch::pipeline
