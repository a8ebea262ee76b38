// `mysql2ch sync` (continuous, or --once) as a child process of the test, for tests that kill it, stop it, or run it
// while the source changes. Its stderr goes to a log file the test can show when something fails.
//
// The destructor SIGKILLs a child still running. Not thread-safe; one object per child.
#pragma once

#include <sys/types.h>

#include <string>

namespace mysql2ch::test {

class SyncProcess {
 public:
  // Starts `mysql2ch --log-level <level> sync -c <config>` (with --once when `once`), appending its stderr to
  // `log_path`. Throws when the process cannot be started.
  SyncProcess(const std::string& config, const std::string& log_path, const std::string& level = "warn",
              bool once = false);
  ~SyncProcess();
  SyncProcess(const SyncProcess&) = delete;
  SyncProcess& operator=(const SyncProcess&) = delete;

  // Sends `sig` and waits for the exit; returns the waitpid status. Only once.
  int signal_and_wait(int sig);
  // The process has exited on its own (reaped; its status in `status`).
  bool exited(int& status);
  // Not exited yet (an exit is reaped here, as by exited()).
  bool running() {
    int status = 0;
    return !exited(status);
  }

 private:
  pid_t pid_ = -1;
};

// The last `max_bytes` of a file (a child's log), for failure messages.
std::string tail_of(const std::string& path, size_t max_bytes = 4000);

}  // namespace mysql2ch::test
