// What the integration tests know of the real servers started by scripts/testenv.sh: ports, sockets,
// certificate paths, libchdb.so. Values come from the environment `scripts/testenv.sh env` prints (make test
// exports it); each accessor falls back to the script's defaults so a test binary also runs by hand.
#pragma once

#include <string>

namespace mysql2ch::testenv {

std::string env_or(const char* name, const std::string& fallback);

std::string testenv_dir();   // MYSQL2CH_TESTENV
std::string certs_dir();     // MYSQL2CH_CERTS
int mariadb_port();
int mysql_port();
int ch_http_port();
int ch_https_port();
std::string libchdb_path();  // MYSQL2CH_LIBCHDB

// A fresh directory under the test environment for one test's files (configs, state, chdb data).
std::string scratch_dir(const std::string& name);

// Runs the built mysql2ch binary with `args` (a shell-quoted string); returns exit code and stdout.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult run_mysql2ch(const std::string& args);

// Writes `text` to `path`, creating parent directories.
void write_file(const std::string& path, const std::string& text);

}  // namespace mysql2ch::testenv
