#include "common/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace mysql2ch {

Status set_log_level(const std::string& level) {
  static const bool installed = [] {
    auto logger = spdlog::stderr_color_mt("mysql2ch");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    return true;
  }();
  (void)installed;
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    return make_error(ErrorCode::kInvalidArgument, "unknown log level '{}' (error, warn, info, debug, trace)", level);
  }
  spdlog::set_level(lvl);
  return {};
}

}  // namespace mysql2ch
