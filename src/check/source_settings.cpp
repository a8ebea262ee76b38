#include "check/source_settings.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "common/strings.h"

namespace mysql2ch {
namespace {

constexpr uint64_t kDay = 86400;
constexpr uint64_t kRequiredRetention = 7 * kDay;

bool is_mariadb(const SourceSettings& s) {
  return s.flavor == ServerFlavor::kMariaDB;
}

std::string upper_value(const SourceSettings& s, const std::string& name) {
  std::string v = s.get(name).value_or("");
  for (char& c : v) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return v;
}

bool is_on(const std::string& value) {
  return value == "ON" || value == "1" || value == "TRUE";
}

// How to change a dynamic global variable so that it also survives a restart, per flavor.
std::string set_global_fix(const SourceSettings& s, std::string_view name, std::string_view sql_value,
                           std::string_view cnf_value) {
  std::string fix;
  if (is_mariadb(s)) {
    fix = fmt::format("SET GLOBAL {0} = {1};\nand in my.cnf under [mysqld]: {0} = {2} (SET GLOBAL is lost on restart)",
                      name, sql_value, cnf_value);
  } else {
    fix = fmt::format("SET PERSIST {} = {};", name, sql_value);
  }
  if (!s.managed_service.empty()) {
    fix += fmt::format("\non {} set {} = {} in the instance's parameter group / flags instead", s.managed_service, name,
                       cnf_value);
  }
  return fix;
}

std::string human_duration(uint64_t seconds) {
  if (seconds % kDay == 0) return fmt::format("{} day{}", seconds / kDay, seconds == kDay ? "" : "s");
  if (seconds % 3600 == 0) return fmt::format("{} hour{}", seconds / 3600, seconds == 3600 ? "" : "s");
  return fmt::format("{} s", seconds);
}

CheckItem item(std::string id, CheckState state, std::string title, std::string found, std::string fix = {}) {
  return {std::move(id), state, std::move(title), std::move(found), std::move(fix)};
}

// A setting that must have one value: pass when it does, otherwise `state` with the fix.
CheckItem require_value(const SourceSettings& s, const std::string& id, const std::string& name,
                        const std::string& wanted, CheckState state, const std::string& title,
                        const std::string& extra_note = {}) {
  const auto value = s.get(name);
  if (!value) {
    return item(id, state, title, fmt::format("{} is not a variable of this server", name),
                fmt::format("upgrade to a server that has {} (MySQL 8.0+, MariaDB 10.5+)", name));
  }
  const std::string found = upper_value(s, name);
  if (found == wanted) return item(id, CheckState::kPass, title, found);
  std::string fix = set_global_fix(s, name, fmt::format("'{}'", wanted), wanted);
  if (!extra_note.empty()) fix += "\n" + extra_note;
  return item(id, state, title, found, std::move(fix));
}

}  // namespace

std::optional<std::string> SourceSettings::get(const std::string& name) const {
  auto it = variables.find(name);
  if (it == variables.end()) return std::nullopt;
  return it->second;
}

const std::vector<std::string>& source_setting_names() {
  static const std::vector<std::string> names{"log_bin",
                                              "binlog_format",
                                              "binlog_row_image",
                                              "binlog_row_metadata",
                                              "gtid_mode",
                                              "enforce_gtid_consistency",
                                              "gtid_strict_mode",
                                              "binlog_expire_logs_seconds",
                                              "expire_logs_days",
                                              "binlog_expire_logs_auto_purge",
                                              "binlog_transaction_compression",
                                              "log_bin_compress",
                                              "binlog_row_value_options",
                                              "basedir",
                                              "version_comment"};
  return names;
}

std::string recognise_managed_service(const std::string& basedir, const std::string& version_comment) {
  if (starts_with(basedir, "/rdsdbbin")) return "Amazon RDS";
  const std::string comment = to_lower(version_comment);
  if (comment.find("google") != std::string::npos) return "Google Cloud SQL";
  if (comment.find("azure") != std::string::npos) return "Azure Database";
  return {};
}

CheckItem evaluate_log_bin(const SourceSettings& s) {
  const std::string title = "binary log enabled (log_bin)";
  if (is_on(upper_value(s, "log_bin"))) return item("source.log_bin", CheckState::kPass, title, "ON");
  std::string fix = is_mariadb(s)
                        ? "in my.cnf under [mysqld]: log_bin = mariadb-bin (and a server_id), then restart the server"
                        : "in my.cnf under [mysqld]: remove skip-log-bin / disable-log-bin (MySQL 8.0+ logs by "
                          "default) or set log_bin = binlog, then restart the server";
  if (!s.managed_service.empty()) {
    fix += fmt::format("\non {} binary logging follows automated backups: enable backups (retention > 0)",
                       s.managed_service);
  }
  return item("source.log_bin", CheckState::kFail, title, "OFF", std::move(fix));
}

CheckItem evaluate_binlog_format(const SourceSettings& s) {
  return require_value(s, "source.binlog_format", "binlog_format", "ROW", CheckState::kFail, "binlog_format is ROW",
                       "connections keep their session's format until they reconnect");
}

CheckItem evaluate_binlog_row_image(const SourceSettings& s) {
  return require_value(s, "source.binlog_row_image", "binlog_row_image", "FULL", CheckState::kFail,
                       "binlog_row_image is FULL", "connections keep their session's row image until they reconnect");
}

CheckItem evaluate_binlog_row_metadata(const SourceSettings& s) {
  return require_value(s, "source.binlog_row_metadata", "binlog_row_metadata", "FULL", CheckState::kWarn,
                       "binlog_row_metadata is FULL (recommended: lets the decoder cross-check column names)");
}

CheckItem evaluate_gtid(const SourceSettings& s) {
  if (is_mariadb(s)) {
    return require_value(s, "source.gtid", "gtid_strict_mode", "ON", CheckState::kWarn,
                         "GTID strict mode (gtid_strict_mode, recommended)");
  }
  const std::string title = "GTIDs on (gtid_mode, enforce_gtid_consistency)";
  const std::string mode = upper_value(s, "gtid_mode");
  const std::string enforce = upper_value(s, "enforce_gtid_consistency");
  const std::string found = fmt::format("gtid_mode = {}, enforce_gtid_consistency = {}", mode.empty() ? "absent" : mode,
                                        enforce.empty() ? "absent" : enforce);
  if (mode == "ON" && enforce == "ON") return item("source.gtid", CheckState::kPass, title, found);
  std::string fix;
  if (enforce != "ON") fix += "SET PERSIST enforce_gtid_consistency = ON;\n";
  if (mode != "ON") {
    if (mode == "OFF") fix += "SET PERSIST gtid_mode = OFF_PERMISSIVE;\n";
    if (mode == "OFF" || mode == "OFF_PERMISSIVE") fix += "SET PERSIST gtid_mode = ON_PERMISSIVE;\n";
    fix +=
        "wait until SHOW STATUS LIKE 'Ongoing_anonymous_transaction_count' is 0, then\n"
        "SET PERSIST gtid_mode = ON;";
  }
  if (!fix.empty() && fix.back() == '\n') fix.pop_back();
  if (!s.managed_service.empty()) {
    fix += fmt::format("\non {} set gtid_mode and enforce_gtid_consistency in the parameter group instead",
                       s.managed_service);
  }
  return item("source.gtid", CheckState::kFail, title, found, std::move(fix));
}

std::optional<uint64_t> retention_seconds(const SourceSettings& s) {
  if (!is_mariadb(s) && s.get("binlog_expire_logs_auto_purge") &&
      !is_on(upper_value(s, "binlog_expire_logs_auto_purge"))) {
    return 0;  // MySQL 8.0.29+: automatic purge switched off
  }
  std::optional<uint64_t> seconds;
  if (auto v = s.get("binlog_expire_logs_seconds")) seconds = parse_uint(*v);
  if (seconds && *seconds > 0) return seconds;
  if (auto days = s.get("expire_logs_days")) {
    // MariaDB reports a fraction ("0.500000"); MySQL 8.0 a whole number.
    char* end = nullptr;
    const double d = std::strtod(days->c_str(), &end);
    if (end != days->c_str() && d >= 0) return static_cast<uint64_t>(d * static_cast<double>(kDay));
  }
  return seconds;
}

CheckItem evaluate_retention(const SourceSettings& s) {
  const std::string title = "binlog retention at least 7 days";
  const auto seconds = retention_seconds(s);
  if (!s.managed_service.empty()) {
    const std::string fix =
        s.managed_service == "Amazon RDS"
            ? "CALL mysql.rds_set_configuration('binlog retention hours', 168);\n"
              "(see it with CALL mysql.rds_show_configuration;)"
            : fmt::format("set the binary log retention of the {} instance to 7 days or more", s.managed_service);
    return item(
        "source.retention", CheckState::kWarn, title,
        fmt::format("{} manages binlog retention outside the server variables: not visible here", s.managed_service),
        fix);
  }
  if (!seconds) {
    return item("source.retention", CheckState::kWarn, title,
                "neither binlog_expire_logs_seconds nor expire_logs_days is visible (managed service?)",
                "make sure binary logs are kept at least 7 days");
  }
  if (*seconds == 0) {
    return item("source.retention", CheckState::kPass, title,
                "never purged automatically (watch the disk: PURGE BINARY LOGS by hand)");
  }
  const std::string found = human_duration(*seconds);
  if (*seconds >= kRequiredRetention) return item("source.retention", CheckState::kPass, title, found);
  std::string fix = set_global_fix(s, "binlog_expire_logs_seconds", "604800", "604800");
  if (is_mariadb(s) && !s.get("binlog_expire_logs_seconds")) {
    fix = "SET GLOBAL expire_logs_days = 7;\nand in my.cnf under [mysqld]: expire_logs_days = 7";
  }
  return item("source.retention", CheckState::kFail, title, found, std::move(fix));
}

CheckItem evaluate_binlog_compression(const SourceSettings& s) {
  const std::string name = is_mariadb(s) ? "log_bin_compress" : "binlog_transaction_compression";
  const std::string title = fmt::format("binlog compression ({})", name);
  const auto value = s.get(name);
  if (!value) return item("source.binlog_compression", CheckState::kInfo, title, "not supported by this server");
  if (!is_on(upper_value(s, name))) return item("source.binlog_compression", CheckState::kInfo, title, "OFF");
  return item("source.binlog_compression", CheckState::kInfo, title,
              is_mariadb(s) ? "ON: row and query events arrive as MariaDB compressed events"
                            : "ON: transactions arrive as zstd-compressed TRANSACTION_PAYLOAD events");
}

CheckItem evaluate_row_value_options(const SourceSettings& s) {
  const std::string title = "binlog_row_value_options (full JSON values in updates)";
  const auto value = s.get("binlog_row_value_options");
  if (!value) return item("source.row_value_options", CheckState::kInfo, title, "not a variable of this server");
  if (upper_value(s, "binlog_row_value_options").find("PARTIAL_JSON") == std::string::npos) {
    return item("source.row_value_options", CheckState::kPass, title, value->empty() ? "'' (full values)" : *value);
  }
  return item("source.row_value_options", CheckState::kWarn, title,
              "PARTIAL_JSON: JSON updates may arrive as diffs against the before image",
              set_global_fix(s, "binlog_row_value_options", "''", "''"));
}

CheckItem evaluate_server_id(uint32_t configured, uint32_t source_own,
                             const std::optional<std::vector<uint32_t>>& replica_ids, const std::string& why,
                             ServerFlavor flavor, const std::string& account) {
  const std::string title = "source.server_id is unique in the replication topology";
  const std::string fix = fmt::format(
      "set source.server_id to an id no server or replica of this topology uses (e.g. {})", configured + 1000);
  if (configured == source_own) {
    return item("source.server_id", CheckState::kFail, title,
                fmt::format("{} is the source's own server_id", configured), fix);
  }
  if (!replica_ids) {
    const std::string grant = flavor == ServerFlavor::kMariaDB ? "REPLICATION MASTER ADMIN" : "REPLICATION SLAVE";
    return item("source.server_id", CheckState::kWarn, title,
                fmt::format("{} (source's own: {}); connected replicas not listed: {}", configured, source_own, why),
                fmt::format("GRANT {} ON *.* TO {};  -- lets the user list connected replicas", grant, account));
  }
  if (std::find(replica_ids->begin(), replica_ids->end(), configured) != replica_ids->end()) {
    return item("source.server_id", CheckState::kFail, title,
                fmt::format("{} is used by a replica connected to the source (another mysql2ch with this "
                            "configuration still running?)",
                            configured),
                fix);
  }
  return item("source.server_id", CheckState::kPass, title,
              fmt::format("{} (source's own: {}, {} connected replica{})", configured, source_own, replica_ids->size(),
                          replica_ids->size() == 1 ? "" : "s"));
}

}  // namespace mysql2ch
