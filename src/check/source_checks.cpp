#include "check/source_checks.h"

namespace mysql2ch {

// Placeholder until the source checks land (issue 2).
void check_source(const Config& config, CheckReport& report) {
  report.fail("source.reachable", "source server reachable", config.source.host, "source checks are being written");
}

}  // namespace mysql2ch
