#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>

#include "check/destination_checks.h"
#include "clickhouse/connection.h"
#include "check/report.h"
#include "check/source_checks.h"
#include "cli/binlog_json.h"
#include "common/log.h"
#include "config/config.h"
#include "pipeline/snapshot_worker.h"
#include "pipeline/sync.h"
#include "validate/validate.h"

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

std::atomic<bool> g_stop{false};

extern "C" void request_stop(int) { g_stop.store(true); }

int run_sync_command(const std::string& config_path, bool once) {
  auto config = load_config(config_path);
  if (!config.ok()) return config_failure(config.error());
  struct sigaction action {};
  action.sa_handler = request_stop;
  // Blocking reads resume after the handler; the stream notices the flag at its next heartbeat.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  pipeline::SyncOptions options;
  options.once = once;
  Status st = pipeline::run_sync(*config, options, g_stop);
  if (!st.ok()) {
    spdlog::error("sync: {}", st.error().message());
    return kExitRuntime;
  }
  return kExitOk;
}

int run_status(const std::string& config_path) {
  auto config = load_config(config_path);
  if (!config.ok()) return config_failure(config.error());
  auto text = pipeline::describe_status(*config);
  if (!text.ok()) {
    fmt::print(stderr, "mysql2ch: {}\n", text.error().message());
    return kExitRuntime;
  }
  fmt::print("{}", *text);
  return kExitOk;
}

int run_resnapshot(const std::string& config_path, const std::vector<std::string>& patterns) {
  auto config = load_config(config_path);
  if (!config.ok()) return config_failure(config.error());
  auto tables = pipeline::request_resnapshots(*config, patterns);
  if (!tables.ok()) {
    fmt::print(stderr, "mysql2ch: {}\n", tables.error().message());
    return tables.error().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
  }
  for (const auto& t : *tables) fmt::print("resnapshot requested: {}\n", t.qualified());
  fmt::print("a running sync takes the request within seconds, otherwise the next sync does; see mysql2ch status\n");
  return kExitOk;
}

int run_query(const std::string& config_path, const std::string& sql, const std::string& format) {
  auto config = load_config(config_path);
  if (!config.ok()) return config_failure(config.error());
  auto conn = open_clickhouse(config->destination, config_base_dir(*config));
  if (!conn.ok()) {
    fmt::print(stderr, "mysql2ch: {}\n", conn.error().message());
    return kExitRuntime;
  }
  auto result = (*conn)->query(sql, format);
  if (!result.ok()) {
    fmt::print(stderr, "mysql2ch: {}\n", result.error().message());
    return kExitRuntime;
  }
  std::fwrite(result->data(), 1, result->size(), stdout);
  return kExitOk;
}

int run_validate_command(const std::string& config_path, const validate::ValidateOptions& options, bool json) {
  auto config = load_config(config_path);
  if (!config.ok()) return config_failure(config.error());
  auto report = validate::run_validate(*config, options);
  if (!report.ok()) {
    fmt::print(stderr, "mysql2ch validate: {}\n", report.error().message());
    const ErrorCode code = report.error().code();
    return code == ErrorCode::kConfig || code == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
  }
  if (json) {
    fmt::print("{}\n", report->to_json().dump(2));
  } else {
    fmt::print("{}", report->render_text());
  }
  return report->equal() ? kExitOk : kExitCheckFailed;
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

  bool once = false;
  auto* sync = app.add_subcommand(
      "sync", "Stream changes into the destination: from the last checkpoint, or from the source's current position.");
  sync->add_option("-c,--config", config_path, "Configuration file (YAML)")->required();
  sync->add_flag("--once", once, "Catch up to the source's position at start, checkpoint and exit");

  auto* status = app.add_subcommand("status", "Show the checkpoint: position, version counter, lag at the last save.");
  status->add_option("-c,--config", config_path, "Configuration file (YAML)")->required();

  validate::ValidateOptions validate_options;
  std::optional<double> recheck_wait_s;
  auto* validate = app.add_subcommand(
      "validate", "Compare every selected table with its mirror: row counts and checksums per primary-key range, "
                  "and the keys that differ (missing, extra, different values).");
  validate->add_option("-c,--config", config_path, "Configuration file (YAML)")->required();
  validate->add_flag("--json", json, "Print the report as JSON");
  validate->add_option("--tables", validate_options.tables, "Only tables whose db.table matches this glob");
  validate->add_option("--max-keys", validate_options.max_keys, "Differing keys listed per table (default 10)");
  validate->add_option("--range-rows", validate_options.range_rows,
                       "Rows per compared key range (default: snapshot.chunk_rows)");
  validate->add_option("--rechecks", validate_options.rechecks,
                       "Times differing ranges are read again once the mirror caught up (default 3)");
  validate->add_option("--recheck-wait", recheck_wait_s,
                       "Longest wait, in seconds, for the destination's checkpoint to pass the source position before "
                       "a re-check (default: 3 x pipeline.checkpoint_interval_s)")
      ->check(CLI::NonNegativeNumber);

  std::vector<std::string> resnapshot_tables;
  auto* resnapshot = app.add_subcommand(
      "resnapshot", "Read tables again to repair the mirror, without stopping a running sync: rows the source no "
                    "longer has are removed once the re-read completed.");
  resnapshot->add_option("-c,--config", config_path, "Configuration file (YAML)")->required();
  resnapshot->add_option("tables", resnapshot_tables, "db.table names or globs among the selected tables")->required();

  std::string query_sql, query_format = "TSV";
  auto* query = app.add_subcommand(
      "query", "Run one query on the destination and print the result (the way to read a chdb:// mirror; a "
               "chDB directory is held by one process, so stop a running sync first).");
  query->add_option("-c,--config", config_path, "Configuration file (YAML)")->required();
  query->add_option("sql", query_sql, "The query, without a FORMAT clause")->required();
  query->add_option("--format", query_format, "Output format (TSV, JSONEachRow, CSV, ...)");

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
    if (sync->parsed()) return run_sync_command(config_path, once);
    if (status->parsed()) return run_status(config_path);
    if (resnapshot->parsed()) return run_resnapshot(config_path, resnapshot_tables);
    if (query->parsed()) return run_query(config_path, query_sql, query_format);
    if (validate->parsed()) {
      if (recheck_wait_s) {
        validate_options.recheck_wait = std::chrono::milliseconds(static_cast<int64_t>(*recheck_wait_s * 1000));
      }
      return run_validate_command(config_path, validate_options, json);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "mysql2ch: unexpected failure: {}\n", e.what());
    return kExitRuntime;
  }
  return kExitUsage;
}

}  // namespace mysql2ch
