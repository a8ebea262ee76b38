#include "pipeline/checkpoint.h"

#include <nlohmann/json.hpp>

namespace mysql2ch::pipeline {
namespace {

const char* mode_name(binlog::StreamPosition::Mode mode) {
  switch (mode) {
    case binlog::StreamPosition::Mode::kFile: return "file";
    case binlog::StreamPosition::Mode::kMysqlGtid: return "mysql_gtid";
    case binlog::StreamPosition::Mode::kMariadbGtid: return "mariadb_gtid";
  }
  return "file";
}

}  // namespace

std::string checkpoint_to_json(const Checkpoint& c) {
  nlohmann::json j;
  j["mode"] = mode_name(c.position.mode);
  j["file"] = c.position.file;
  j["pos"] = c.position.pos;
  j["mysql_gtids"] = c.position.mysql_gtids.to_string();
  j["mariadb_gtids"] = c.position.mariadb_gtids.to_string();
  j["next_version"] = c.next_version;
  j["schema_history"] = c.schema_history;
  j["last_commit_us"] = c.last_commit_us;
  j["sequence"] = c.sequence;
  j["saved_at_us"] = c.saved_at_us;
  return j.dump();
}

Result<Checkpoint> checkpoint_from_json(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(ErrorCode::kCorrupt, "checkpoint is not a JSON object: {}", text.substr(0, 200));
  }
  Checkpoint c;
  try {
    const std::string mode = j.at("mode").get<std::string>();
    if (mode == "file") {
      c.position.mode = binlog::StreamPosition::Mode::kFile;
    } else if (mode == "mysql_gtid") {
      c.position.mode = binlog::StreamPosition::Mode::kMysqlGtid;
    } else if (mode == "mariadb_gtid") {
      c.position.mode = binlog::StreamPosition::Mode::kMariadbGtid;
    } else {
      return make_error(ErrorCode::kCorrupt, "checkpoint: unknown position mode '{}'", mode);
    }
    c.position.file = j.at("file").get<std::string>();
    c.position.pos = j.at("pos").get<uint64_t>();
    TRY_ASSIGN(c.position.mysql_gtids, binlog::MysqlGtidSet::parse(j.at("mysql_gtids").get<std::string>()));
    TRY_ASSIGN(c.position.mariadb_gtids, binlog::MariadbGtidSet::parse(j.at("mariadb_gtids").get<std::string>()));
    c.next_version = j.at("next_version").get<uint64_t>();
    c.schema_history = j.at("schema_history").get<std::string>();
    c.last_commit_us = j.at("last_commit_us").get<uint64_t>();
    c.sequence = j.at("sequence").get<uint64_t>();
    c.saved_at_us = j.at("saved_at_us").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kCorrupt, "checkpoint: {}", e.what());
  }
  return c;
}

}  // namespace mysql2ch::pipeline
