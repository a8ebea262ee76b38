#include "support/sync_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace mysql2ch::test {

SyncProcess::SyncProcess(const std::string& config, const std::string& log_path, const std::string& level, bool once) {
  const std::string binary = MYSQL2CH_BINARY;
  std::vector<std::string> args{binary, "--log-level", level, "sync", "-c", config};
  if (once) args.push_back("--once");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("posix_spawn of " + binary + " failed");
  }
}

SyncProcess::~SyncProcess() {
  if (pid_ > 0) signal_and_wait(SIGKILL);
}

int SyncProcess::signal_and_wait(int sig) {
  if (pid_ <= 0) throw std::logic_error("SyncProcess: no child to signal");
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

bool SyncProcess::exited(int& status) {
  if (pid_ <= 0) return true;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

std::string tail_of(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  return text.size() <= max_bytes ? text : text.substr(text.size() - max_bytes);
}

}  // namespace mysql2ch::test
