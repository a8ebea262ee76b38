#include "check/source_checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "check/source_connection_items.h"
#include "check/source_grants.h"
#include "check/source_settings.h"
#include "check/source_tables.h"
#include "common/strings.h"
#include "mysql/connection.h"

namespace mysql2ch {
namespace {

std::string text_at(const std::vector<std::optional<std::string>>& row, int column) {
  if (column < 0 || static_cast<size_t>(column) >= row.size() || !row[static_cast<size_t>(column)]) return {};
  return *row[static_cast<size_t>(column)];
}

uint64_t number_at(const std::vector<std::optional<std::string>>& row, int column) {
  return parse_uint(text_at(row, column)).value_or(0);
}

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  if (bytes < 1024ull * 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024 * 1024));
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
}

Result<SourceSettings> load_settings(Connection& conn) {
  std::vector<std::string> quoted;
  for (const auto& name : source_setting_names()) quoted.push_back(conn.quote(name));
  TRY_ASSIGN(QueryResult r,
             conn.query(fmt::format("SHOW GLOBAL VARIABLES WHERE Variable_name IN ({})", fmt::join(quoted, ","))));
  SourceSettings s;
  s.flavor = conn.server().flavor;
  s.version_id = conn.server().version_id;
  for (const auto& row : r.rows) s.variables[to_lower(text_at(row, 0))] = text_at(row, 1);
  s.managed_service = recognise_managed_service(s.get("basedir").value_or(""), s.get("version_comment").value_or(""));
  return s;
}

// The user's authentication plugin, when the user may read mysql.user (empty otherwise: it is informative).
std::string auth_plugin(Connection& conn) {
  auto r = conn.query_value("SELECT plugin FROM mysql.user WHERE CONCAT(user, '@', host) = CURRENT_USER()");
  return r.ok() && r->has_value() ? **r : std::string();
}

CheckItem binlogs_item(Connection& conn, const SourceSettings& settings) {
  const std::string title = "current binary log files";
  auto r = conn.query("SHOW BINARY LOGS");
  if (!r.ok()) {
    const bool off = settings.get("log_bin").value_or("OFF") != "ON";
    return {"source.binlogs", CheckState::kFail, title, r.error().message(),
            off ? "enable the binary log (see source.log_bin)"
                : "grant the privilege SHOW BINARY LOGS needs (see source.privileges)"};
  }
  const int name = r->column("Log_name");
  const int size = r->column("File_size");
  uint64_t total = 0;
  for (const auto& row : r->rows) total += number_at(row, size);
  if (r->rows.empty())
    return {"source.binlogs", CheckState::kFail, title, "no binary log files", "enable the binary log"};
  return {"source.binlogs",
          CheckState::kPass,
          title,
          fmt::format("{} file{}, {} in total ({} .. {})", r->rows.size(), r->rows.size() == 1 ? "" : "s",
                      human_bytes(total), text_at(r->rows.front(), name), text_at(r->rows.back(), name)),
          {}};
}

std::string current_account(Connection& conn) {
  auto user = conn.query_value("SELECT CURRENT_USER()");
  return account_literal(user.ok() && user->has_value() ? **user : "?");
}

CheckItem server_id_item(Connection& conn, uint32_t configured) {
  const bool mariadb = conn.server().flavor == ServerFlavor::kMariaDB;
  auto r = conn.query(mariadb || conn.server().version_id < 80022 ? "SHOW SLAVE HOSTS" : "SHOW REPLICAS");
  std::optional<std::vector<uint32_t>> ids;
  std::string why;
  if (r.ok()) {
    const int column = r->column("Server_id");
    ids.emplace();
    for (const auto& row : r->rows) ids->push_back(static_cast<uint32_t>(number_at(row, column)));
  } else {
    why = r.error().message();
  }
  return evaluate_server_id(configured, conn.server().server_id, ids, why, conn.server().flavor, current_account(conn));
}

std::vector<std::string> grant_lines(const QueryResult& r) {
  std::vector<std::string> lines;
  for (const auto& row : r.rows) lines.push_back(text_at(row, 0));
  return lines;
}

// Roles active in this session, as CURRENT_ROLE() lists them ("NONE"/NULL when none).
std::vector<std::string> active_roles(Connection& conn) {
  auto r = conn.query_value("SELECT CURRENT_ROLE()");
  if (!r.ok() || !r->has_value() || **r == "NONE" || (*r)->empty()) return {};
  std::vector<std::string> roles;
  std::string_view list = **r;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    roles.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return roles;
}

// The account's grants with those of its active roles (MariaDB: nested roles too).
struct LoadedGrants {
  AccountGrants grants;
  std::vector<std::string> inactive_roles;
};

Result<LoadedGrants> load_grants(Connection& conn) {
  TRY_ASSIGN(QueryResult own, conn.query("SHOW GRANTS"));
  LoadedGrants out{parse_grants(grant_lines(own)), {}};
  const std::vector<std::string> active = active_roles(conn);
  const bool mariadb = conn.server().flavor == ServerFlavor::kMariaDB;
  if (!active.empty() && !mariadb) {
    TRY_ASSIGN(QueryResult r,
               conn.query(fmt::format("SHOW GRANTS FOR CURRENT_USER() USING {}", fmt::join(active, ","))));
    merge_grants(out.grants, parse_grants(grant_lines(r)));
  }
  std::set<std::string> seen;
  std::vector<std::string> pending;
  if (mariadb) {
    for (const auto& role : active) pending.push_back(mysql_identifier(role));
  }
  while (!pending.empty()) {  // MariaDB: a role's grants list the roles granted to it
    const std::string role = pending.back();
    pending.pop_back();
    if (!seen.insert(role).second) continue;
    TRY_ASSIGN(QueryResult r, conn.query(fmt::format("SHOW GRANTS FOR {}", role)));
    const AccountGrants more = parse_grants(grant_lines(r));
    for (const auto& nested : more.roles) pending.push_back(nested);
    merge_grants(out.grants, more);
  }
  for (const auto& role : out.grants.roles) {
    const bool is_active =
        mariadb ? seen.count(role) > 0 : std::find(active.begin(), active.end(), role) != active.end();
    if (!is_active) out.inactive_roles.push_back(role);
  }
  return out;
}

CheckItem privileges_item(Connection& conn, const std::vector<SourceTable>& tables) {
  const std::string account = current_account(conn);
  auto grants = load_grants(conn);
  if (!grants.ok()) {
    return {"source.privileges", CheckState::kFail, "privileges of the source user", grants.error().message(),
            "the user must be allowed to read its own grants (SHOW GRANTS)"};
  }
  std::vector<std::pair<std::string, std::string>> selected;
  for (const auto& t : tables) selected.emplace_back(t.schema, t.name);
  return evaluate_privileges(grants->grants, conn.server().flavor, account, selected, grants->inactive_roles);
}

using TableIndex = std::map<std::pair<std::string, std::string>, size_t>;

Status load_primary_keys(Connection& conn, const TableIndex& index, std::vector<SourceTable>& tables) {
  TRY_ASSIGN(QueryResult r,
             conn.query("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
                        "WHERE CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"));
  for (const auto& row : r.rows) {
    auto it = index.find({text_at(row, 0), text_at(row, 1)});
    if (it != index.end()) tables[it->second].primary_key.push_back(text_at(row, 2));
  }
  return {};
}

Status load_lob_columns(Connection& conn, const TableIndex& index, std::vector<SourceTable>& tables) {
  TRY_ASSIGN(QueryResult r,
             conn.query("SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS "
                        "WHERE DATA_TYPE IN ('blob', 'mediumblob', 'longblob', 'text', 'mediumtext', 'longtext', "
                        "'json') ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"));
  for (const auto& row : r.rows) {
    auto it = index.find({text_at(row, 0), text_at(row, 1)});
    if (it != index.end()) tables[it->second].lob_columns.push_back({text_at(row, 2), text_at(row, 3)});
  }
  return {};
}

Result<std::vector<SourceTable>> load_tables(Connection& conn, const TablesConfig& config) {
  if (conn.server().flavor == ServerFlavor::kMySQL) {
    // MySQL caches table statistics for a day by default; estimates should be current.
    (void)conn.execute("SET SESSION information_schema_stats_expiry = 0");
  }
  TRY_ASSIGN(QueryResult r,
             conn.query("SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH "
                        "FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' "
                        "ORDER BY TABLE_SCHEMA, TABLE_NAME"));
  std::vector<SourceTable> tables;
  TableIndex index;
  for (const auto& row : r.rows) {
    SourceTable t{text_at(row, 0), text_at(row, 1), text_at(row, 2), number_at(row, 3), number_at(row, 4), {}, {}};
    if (!table_selected(config, t.schema, t.name)) continue;
    index[{t.schema, t.name}] = tables.size();
    tables.push_back(std::move(t));
  }
  if (tables.empty()) return tables;
  TRY(load_primary_keys(conn, index, tables));
  TRY(load_lob_columns(conn, index, tables));
  return tables;
}

void report_settings(const SourceSettings& s, CheckReport& report) {
  report.add(evaluate_log_bin(s));
  report.add(evaluate_binlog_format(s));
  report.add(evaluate_binlog_row_image(s));
  report.add(evaluate_binlog_row_metadata(s));
  report.add(evaluate_gtid(s));
  report.add(evaluate_retention(s));
}

void report_baseline(const Config& config, const Connection& conn, const std::vector<SourceTable>& tables,
                     CheckReport& report) {
  const std::string title = "table baseline written to the state directory";
  const std::string taken_at = utc_timestamp();
  auto path = write_baseline(config.state.path, baseline_json(tables, conn.server(), conn.endpoint(), taken_at));
  if (!path.ok()) {
    report.fail("source.baseline", title, path.error().message(),
                fmt::format("make state.path ({}) a writable directory", config.state.path));
    return;
  }
  report.pass("source.baseline", title, fmt::format("{} ({} tables, {})", *path, tables.size(), taken_at));
}

void report_connected(const Config& config, Connection& conn, CheckReport& report) {
  report.add(tls_item(config.source.tls, conn.tls()));
  auto user = conn.query_value("SELECT CURRENT_USER()");
  report.add(auth_item(user.ok() && user->has_value() ? **user : config.source.user, auth_plugin(conn), conn.tls()));
  auto settings = load_settings(conn);
  if (!settings.ok()) {
    report.fail("source.settings", "source server variables", settings.error().message(),
                "the user must be allowed to run SHOW GLOBAL VARIABLES");
    report.info("source.not_checked", "remaining source checks", "not run: the server variables are unknown");
    return;
  }
  report_settings(*settings, report);
  report.add(binlogs_item(conn, *settings));
  report.add(server_id_item(conn, config.source.server_id));
  auto tables = load_tables(conn, config.tables);
  if (!tables.ok()) {
    report.fail("source.tables", "tables selected by tables.include/exclude", tables.error().message(),
                "the user needs SELECT on the tables to mirror (it reads information_schema)");
    return;
  }
  report.add(privileges_item(conn, *tables));
  report.add(evaluate_binlog_compression(*settings));
  report.add(evaluate_row_value_options(*settings));
  report_tables(*tables, config.tables, report);
  report_baseline(config, conn, *tables, report);
}

}  // namespace

void check_source(const Config& config, CheckReport& report) {
  auto conn = Connection::open(ConnectOptions::from_source(config.source));
  if (!conn.ok()) {
    report_connect_failure(config.source, conn.error(), report);
    return;
  }
  const CheckItem reachable = reachable_item(conn->server(), conn->endpoint());
  report.add(reachable);
  if (reachable.state == CheckState::kFail) {
    report.info("source.not_checked", "remaining source checks", "not run: unsupported server version");
    return;
  }
  report_connected(config, *conn, report);
}

}  // namespace mysql2ch
