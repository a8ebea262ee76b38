#include "support/testenv.h"

#include <fmt/core.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mysql2ch::testenv {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string testenv_dir() { return env_or("MYSQL2CH_TESTENV", "/tmp/mysql2ch-testenv"); }
std::string certs_dir() { return env_or("MYSQL2CH_CERTS", testenv_dir() + "/certs"); }
int mariadb_port() { return std::stoi(env_or("MARIADB_PORT", "13306")); }
int mysql_port() { return std::stoi(env_or("MYSQL_PORT", "13310")); }
int ch_http_port() { return std::stoi(env_or("CH_HTTP_PORT", "18123")); }
int ch_https_port() { return std::stoi(env_or("CH_HTTPS_PORT", "18443")); }
std::string libchdb_path() {
  const char* home = std::getenv("HOME");
  const std::string cache = env_or("MYSQL2CH_CACHE", env_or("XDG_CACHE_HOME", std::string(home ? home : "") + "/.cache") + "/mysql2ch");
  return env_or("MYSQL2CH_LIBCHDB", cache + "/chdb/libchdb.so");
}

std::string scratch_dir(const std::string& name) {
  const fs::path dir = fs::path(testenv_dir()) / "scratch" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

CommandResult run_mysql2ch(const std::string& args) {
  // A directory of its own per call: unit tests run in parallel processes.
  fs::create_directories(fs::path(testenv_dir()) / "scratch");
  std::string tmpl = testenv_dir() + "/scratch/run-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::string dir = tmpl;
  const std::string cmd =
      fmt::format("{} {} >{}/out 2>{}/err </dev/null", MYSQL2CH_BINARY, args, dir, dir);
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(dir + "/out");
  r.err = slurp(dir + "/err");
  fs::remove_all(dir);
  return r;
}

}  // namespace mysql2ch::testenv
