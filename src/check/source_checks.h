// The source half of `mysql2ch check`: connects to the MySQL/MariaDB server of the configuration and adds one
// item per prerequisite to the report. Never fails as a whole: an unreachable server is a failed item.
// Also writes the table baseline (tables selected, estimated rows and bytes) into the state directory.
#pragma once

#include "check/report.h"
#include "config/config.h"

namespace mysql2ch {

void check_source(const Config& config, CheckReport& report);

}  // namespace mysql2ch
