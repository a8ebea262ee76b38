#include "check/destination_checks.h"

namespace mysql2ch {

// Placeholder until the destination checks land (issue 2).
void check_destination(const Config& config, CheckReport& report) {
  report.fail("destination.reachable", "destination reachable", config.destination.url,
              "destination checks are being written");
}

}  // namespace mysql2ch
