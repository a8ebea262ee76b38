// The command line: parses arguments, dispatches to a command, maps outcomes to exit codes.
#pragma once

namespace mysql2ch {

// Exit codes, part of the user contract (documented in the README).
enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,  // a check or validation found a problem
  kExitUsage = 2,        // bad arguments or configuration
  kExitRuntime = 3,      // a runtime failure (server error, I/O)
};

int run_cli(int argc, char** argv);

}  // namespace mysql2ch
