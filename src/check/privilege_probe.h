// Finds out whether the destination user may do what mirroring needs in one database — CREATE DATABASE,
// CREATE TABLE, INSERT, SELECT, ALTER, DROP — by doing it: a throw-away table `_mysql2ch_check_<random>`
// is created, written, read, altered and dropped. The table is dropped even when a step fails, and a
// database the probe had to create is dropped again, so a probe leaves the server as it found it (or says
// exactly what it could not remove).
//
// The connection must outlive the probe; not thread-safe.
#pragma once

#include <string>

#include "clickhouse/connection.h"

namespace mysql2ch {

struct PrivilegeProbeOutcome {
  bool allowed = false;
  std::string failed_step;                // "CREATE TABLE", ... when !allowed
  Error error{ErrorCode::kInternal, ""};  // the server's answer to the failed step
  std::string cleanup_problem;            // non-empty when something created by the probe could not be removed
};

class PrivilegeProbe {
 public:
  PrivilegeProbe(ClickHouseConnection& connection, std::string database);

  PrivilegeProbeOutcome run();

 private:
  Status step(const char* name, std::string_view sql);
  Status insert_row(const std::string& table);
  Status read_back(const std::string& table);
  // Drops `table` (when not empty) and, if created_database, the database.
  void clean_up(const std::string& table, bool created_database, PrivilegeProbeOutcome& outcome);

  ClickHouseConnection& connection_;
  std::string database_;
  std::string failed_step_;
};

}  // namespace mysql2ch
