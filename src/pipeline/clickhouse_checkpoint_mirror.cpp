#include "pipeline/clickhouse_checkpoint_mirror.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "clickhouse/sql_text.h"

namespace mysql2ch::pipeline {

std::string state_database(const Config& config) {
  return config.destination.database.empty() ? std::string("mysql2ch") : config.destination.database;
}

std::string pipeline_name(const Config& config) {
  return fmt::format("{}:{}/{}", config.source.host, config.source.port, config.source.server_id);
}

ClickHouseCheckpointMirror::ClickHouseCheckpointMirror(ClickHouseConnection& connection, std::string database,
                                                       std::string pipeline)
    : connection_(connection), database_(std::move(database)), pipeline_(std::move(pipeline)) {}

std::string ClickHouseCheckpointMirror::table() const {
  return clickhouse_identifier(database_) + "." + clickhouse_identifier("_mysql2ch_state");
}

std::string ClickHouseCheckpointMirror::describe() const {
  return fmt::format("destination table {}._mysql2ch_state", database_);
}

Status ClickHouseCheckpointMirror::prepare() {
  TRY(connection_.execute("CREATE DATABASE IF NOT EXISTS " + clickhouse_identifier(database_)));
  return connection_.execute("CREATE TABLE IF NOT EXISTS " + table() +
                             " (pipeline String, sequence UInt64, saved_at_us UInt64, checkpoint String)"
                             " ENGINE = MergeTree ORDER BY (pipeline, sequence)");
}

Result<std::optional<Checkpoint>> ClickHouseCheckpointMirror::load() {
  auto exists = connection_.query(
      fmt::format("SELECT count() FROM system.tables WHERE database = {} AND name = '_mysql2ch_state'",
                  clickhouse_string(database_)),
      "TSV");
  if (!exists.ok()) return std::move(exists).error().context("reading the checkpoint mirror");
  if (exists->empty() || (*exists)[0] == '0') return std::optional<Checkpoint>{};
  auto doc = connection_.query(fmt::format("SELECT checkpoint FROM {} WHERE pipeline = {} ORDER BY sequence DESC "
                                           "LIMIT 1",
                                           table(), clickhouse_string(pipeline_)),
                               "JSONEachRow");
  if (!doc.ok()) return std::move(doc).error().context("reading the checkpoint mirror");
  if (doc->empty()) return std::optional<Checkpoint>{};
  // One JSONEachRow line {"checkpoint":"..."}: the document is a JSON string inside it.
  const auto row = nlohmann::json::parse(*doc, nullptr, false);
  if (row.is_discarded() || !row.contains("checkpoint") || !row["checkpoint"].is_string()) {
    return make_error(ErrorCode::kCorrupt, "{}: unreadable row {}", describe(), doc->substr(0, 200));
  }
  auto parsed = checkpoint_from_json(row["checkpoint"].get<std::string>());
  if (!parsed.ok()) return std::move(parsed).error().context(describe());
  return std::optional<Checkpoint>(std::move(parsed).value());
}

Status ClickHouseCheckpointMirror::save(const Checkpoint& checkpoint) {
  nlohmann::json row;
  row["pipeline"] = pipeline_;
  row["sequence"] = checkpoint.sequence;
  row["saved_at_us"] = checkpoint.saved_at_us;
  row["checkpoint"] = checkpoint_to_json(checkpoint);
  const std::string data = row.dump() + "\n";
  return connection_.insert(table(), "JSONEachRow", data);
}

}  // namespace mysql2ch::pipeline
