// Shared by the snapshot integration tests: server cases, connections, and a sink that records rows as the
// canonical JSON of every column.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "mysql/connection.h"
#include "schema/value_json.h"
#include "snapshot/snapshot_sink.h"
#include "support/testenv.h"

namespace mysql2ch::snapshot::testing_support {

struct ServerCase {
  const char* name;
  int port;
  uint32_t server_id;  // replica id for this file's binlog reads
};

inline ConnectOptions options_for(int port, const std::string& user, const std::string& password) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = user;
  o.password = Secret(password);
  o.tls.mode = TlsMode::kDisabled;
  return o;
}

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message());
  return std::move(r).value();
}
inline void must(Status s) {
  if (!s.ok()) throw std::runtime_error(s.error().message());
}

// Renders a row as {"column": canonical JSON, ...}.
inline nlohmann::json render_row(const schema::TableSchema& t, std::span<const schema::Value> row) {
  nlohmann::json out = nlohmann::json::object();
  std::string text;
  for (size_t k = 0; k < row.size(); ++k) {
    if (row[k].kind == schema::ValueKind::kAbsent) continue;
    text.clear();
    must(schema::append_value_json(row[k], &t.columns[k], text));
    out[t.columns[k].name] = nlohmann::json::parse(text);
  }
  return out;
}

// Each present column's canonical JSON text exactly as rendered (render_row parses it, which would hide
// differences of spelling such as JSON documents' spacing or number formatting).
inline std::map<std::string, std::string> render_row_texts(const schema::TableSchema& t,
                                                           std::span<const schema::Value> row) {
  std::map<std::string, std::string> out;
  for (size_t k = 0; k < row.size(); ++k) {
    if (row[k].kind == schema::ValueKind::kAbsent) continue;
    must(schema::append_value_json(row[k], &t.columns[k], out[t.columns[k].name]));
  }
  return out;
}

struct RecordedRow {
  nlohmann::json row;
  uint64_t version = 0;
  std::map<std::string, std::string> texts;  // render_row_texts of the row
};

// Records every flushed row per table ("db.table"); rows appended but not flushed are dropped at the end,
// like a destination that never acknowledged them.
class RecordingSinkFactory final : public SnapshotSinkFactory {
 public:
  class Sink final : public SnapshotSink {
   public:
    Sink(RecordingSinkFactory* owner, schema::TableSchema table) : owner_(owner), table_(std::move(table)) {}
    Status append(std::span<const schema::Value> row, uint64_t version, bool is_deleted) override {
      if (is_deleted) return make_error(ErrorCode::kInternal, "snapshot rows are never deleted");
      buffer_.push_back({render_row(table_, row), version, render_row_texts(table_, row)});
      bytes_ += buffer_.back().row.dump().size();
      return {};
    }
    size_t buffered_rows() const override { return buffer_.size(); }
    size_t buffered_bytes() const override { return bytes_; }
    Status flush() override {
      std::lock_guard lock(owner_->mutex_);
      auto& rows = owner_->rows_[table_.database + "." + table_.table];
      rows.insert(rows.end(), buffer_.begin(), buffer_.end());
      ++owner_->flushes_;
      buffer_.clear();
      bytes_ = 0;
      return {};
    }

   private:
    RecordingSinkFactory* owner_;
    schema::TableSchema table_;
    std::vector<RecordedRow> buffer_;
    size_t bytes_ = 0;
  };

  Result<std::unique_ptr<SnapshotSink>> open(const schema::TableSchema& table) override {
    return std::unique_ptr<SnapshotSink>(std::make_unique<Sink>(this, table));
  }
  Status discard_partial_append_only(const schema::TableSchema& table) override {
    std::lock_guard lock(mutex_);
    discarded_.push_back(table.database + "." + table.table);
    return {};
  }

  std::vector<RecordedRow> rows(const std::string& qualified) {
    std::lock_guard lock(mutex_);
    return rows_[qualified];
  }
  uint64_t flushes() {
    std::lock_guard lock(mutex_);
    return flushes_;
  }
  std::vector<std::string> discarded() {
    std::lock_guard lock(mutex_);
    return discarded_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::vector<RecordedRow>> rows_;
  std::vector<std::string> discarded_;
  uint64_t flushes_ = 0;
};

}  // namespace mysql2ch::snapshot::testing_support
