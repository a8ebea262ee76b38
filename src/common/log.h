// Process-wide logging on stderr (spdlog). Levels: error, warn, info (default), debug, trace.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "common/result.h"

namespace mysql2ch {

// Accepts error|warn|info|debug|trace.
Status set_log_level(const std::string& level);

}  // namespace mysql2ch
