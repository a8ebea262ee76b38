// The tables a configuration selects on the source, what check reports about them, and the baseline file
// written into the state directory for later validation.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "check/report.h"
#include "common/result.h"
#include "config/config.h"
#include "config/table_filter.h"
#include "mysql/connection.h"

namespace mysql2ch {

struct LobColumn {
  std::string name;
  std::string type;  // COLUMN_TYPE, e.g. "longtext"
};

struct SourceTable {
  std::string schema;
  std::string name;
  std::string engine;
  uint64_t estimated_rows = 0;           // information_schema.TABLES.TABLE_ROWS (an estimate for InnoDB)
  uint64_t estimated_bytes = 0;          // DATA_LENGTH + INDEX_LENGTH
  std::vector<std::string> primary_key;  // column names in key order; empty: no primary key
  std::vector<LobColumn> lob_columns;    // BLOB/TEXT/JSON columns (values up to 4 GiB)

  std::string qualified() const { return schema + "." + name; }
};

// Items source.tables (fail when nothing is selected), source.tables_without_pk (warn) and
// source.lob_columns (info) for the selected tables.
void report_tables(const std::vector<SourceTable>& tables, const TablesConfig& config, CheckReport& report);

// The baseline document: the source, the time it was taken (UTC, ISO 8601) and every selected table.
nlohmann::json baseline_json(const std::vector<SourceTable>& tables, const ServerInfo& server,
                             const std::string& endpoint, const std::string& taken_at);

// Writes `doc` to <state_dir>/baseline.json (creating the directory; replaced atomically). Returns the path.
Result<std::string> write_baseline(const std::string& state_dir, const nlohmann::json& doc);

// Now, as "2026-11-24T01:23:45Z".
std::string utc_timestamp();

}  // namespace mysql2ch
