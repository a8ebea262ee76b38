// The destination half of `mysql2ch check`: connects to ClickHouse (HTTP/HTTPS or chdb://) and adds one item
// per prerequisite to the report. Never fails as a whole: an unreachable server is a failed item. The
// privilege probe creates a throw-away table in the target database and always drops it.
#pragma once

#include "check/report.h"
#include "config/config.h"

namespace mysql2ch {

void check_destination(const Config& config, CheckReport& report);

}  // namespace mysql2ch
