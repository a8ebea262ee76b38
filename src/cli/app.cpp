#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "check/destination_checks.h"
#include "check/report.h"
#include "check/source_checks.h"
#include "cli/binlog_json.h"
#include "common/log.h"
#include "config/config.h"

namespace mysql2ch {
namespace {

int config_failure(const Error& e) {
  fmt::print(stderr, "mysql2ch: {}\n", e.message());
  return kExitUsage;
}

int run_check(const std::string& config_path, bool json) {
  auto config = load_config(config_path);
  if (!config.ok()) return config_failure(config.error());
  CheckReport report;
  check_source(*config, report);
  check_destination(*config, report);
  if (json) {
    fmt::print("{}\n", report.to_json().dump(2));
  } else {
    fmt::print("{}", report.render_text());
  }
  return report.passed() ? kExitOk : kExitCheckFailed;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"mysql2ch keeps ClickHouse an exact, near-real-time mirror of MySQL and MariaDB."};
  app.set_version_flag("--version", std::string("mysql2ch ") + MYSQL2CH_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "error, warn, info, debug or trace")->envname("MYSQL2CH_LOG_LEVEL");

  std::string config_path;
  bool json = false;
  auto* check = app.add_subcommand(
      "check", "Check every prerequisite of the source and the destination, with the fix for each failure.");
  check->add_option("-c,--config", config_path, "Configuration file (YAML)")->required();
  check->add_flag("--json", json, "Print the report as JSON");

  // `binlog`: decoded changes as JSON lines (cli/binlog_json.h), from a local binlog file (--file) or from the
  // configured source (-c).
  std::string binlog_file, binlog_tables, binlog_config;
  std::optional<uint64_t> binlog_limit;
  binlog::NetworkSourceRequest binlog_from;
  auto* binlog = app.add_subcommand("binlog", "Print decoded binlog changes as JSON lines (one per row change / DDL).");
  auto* binlog_file_opt = binlog->add_option("--file", binlog_file, "Decode this local binlog file");
  auto* binlog_config_opt =
      binlog->add_option("-c,--config", binlog_config, "Stream from the source of this configuration file");
  binlog_file_opt->excludes(binlog_config_opt);
  auto* from_gtid = binlog->add_option("--from-gtid", binlog_from.from_gtid,
                                       "Start after this GTID set (MySQL) / GTID position (MariaDB)");
  auto* from_file = binlog->add_option("--from-file", binlog_from.from_file, "Start in this binlog file");
  auto* from_pos = binlog->add_option("--from-pos", binlog_from.from_pos, "Start at this position of --from-file");
  binlog->add_flag("--until-end", binlog_from.until_end, "Stop at the source's current end instead of following it");
  for (auto* o : {from_gtid, from_file, from_pos}) o->needs(binlog_config_opt);
  from_gtid->excludes(from_file)->excludes(from_pos);
  from_pos->needs(from_file);
  binlog->add_option("--tables", binlog_tables, "Only tables whose db.table matches this glob");
  binlog->add_option("--limit", binlog_limit, "Stop after N lines");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (auto st = set_log_level(log_level); !st.ok()) {
    fmt::print(stderr, "mysql2ch: {}\n", st.error().message());
    return kExitUsage;
  }
  try {
    if (check->parsed()) return run_check(config_path, json);
    if (binlog->parsed()) {
      if (!binlog_config.empty()) {
        auto config = load_config(binlog_config);
        if (!config.ok()) return config_failure(config.error());
        return run_binlog_network(*config, binlog_from, binlog_tables, binlog_limit);
      }
      if (binlog_file.empty()) {
        fmt::print(stderr, "mysql2ch binlog: give --file PATH or -c CONFIG\n");
        return kExitUsage;
      }
      return run_binlog_file(binlog_file, binlog_tables, binlog_limit);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "mysql2ch: unexpected failure: {}\n", e.what());
    return kExitRuntime;
  }
  return kExitUsage;
}

}  // namespace mysql2ch
