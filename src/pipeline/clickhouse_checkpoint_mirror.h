// The checkpoint mirrored into the destination, so that a new host with only the configuration file resumes
// where the old one stopped: table `<database>`.`_mysql2ch_state` (database: destination.database when set,
// else `mysql2ch`), one row per save, keyed by the pipeline's name (the source's host:port and server_id).
// load() returns the save with the highest sequence for this pipeline.
//
// Works on ClickHouse 18.16 and chDB (plain MergeTree, String columns). Threading: uses `connection`, which
// must outlive the mirror and is not used concurrently.
#pragma once

#include <string>

#include "clickhouse/connection.h"
#include "config/config.h"
#include "pipeline/checkpoint.h"

namespace mysql2ch::pipeline {

// The database holding the mirror table for this configuration.
std::string state_database(const Config& config);
// The key of this pipeline's rows: "host:port/server_id".
std::string pipeline_name(const Config& config);

class ClickHouseCheckpointMirror final : public CheckpointStore {
 public:
  ClickHouseCheckpointMirror(ClickHouseConnection& connection, std::string database, std::string pipeline);

  // Creates the database and the table when missing.
  Status prepare();
  Result<std::optional<Checkpoint>> load() override;
  Status save(const Checkpoint& checkpoint) override;
  std::string describe() const override;

 private:
  std::string table() const;

  ClickHouseConnection& connection_;
  std::string database_;
  std::string pipeline_;
};

}  // namespace mysql2ch::pipeline
