// One combination of source and destination an integration suite runs against, as a gtest parameter.
//
// server_id must be unique per case across all suites: a sync registers as a replica with it, and two replicas
// with one id on one source cut each other off (suites run serially in CI, but a developer may run two at once).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace mysql2ch::test {

struct ServerCase {
  std::string name;        // database and scratch directory suffix; also the test's name suffix
  bool mysql = false;      // MySQL 9.x, else MariaDB
  bool chdb = false;       // chDB, else ClickHouse 18.16 over HTTP
  uint32_t server_id = 0;  // the replica id of the case's sync runs
};

inline std::string server_case_name(const testing::TestParamInfo<ServerCase>& info) {
  return info.param.name;
}

}  // namespace mysql2ch::test
