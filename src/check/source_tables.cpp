#include "check/source_tables.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "common/strings.h"

namespace mysql2ch {
namespace {

namespace fs = std::filesystem;

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

// "a, b, c and 4 more"
std::string name_list(const std::vector<std::string>& names, size_t shown = 10) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < shown; ++i) out += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

void report_selection(const std::vector<SourceTable>& tables, const TablesConfig& config, CheckReport& report) {
  const std::string title = "tables selected by tables.include/exclude";
  if (tables.empty()) {
    report.fail("source.tables", title,
                fmt::format("no table matches include [{}] minus exclude [{}]", name_list(config.include, 20),
                            name_list(config.exclude, 20)),
                "set tables.include to db.table patterns (* and ? wildcards) that name existing tables, "
                "and check the user can see them (SELECT privilege)");
    return;
  }
  std::set<std::string> schemas;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  for (const auto& t : tables) {
    schemas.insert(t.schema);
    rows += t.estimated_rows;
    bytes += t.estimated_bytes;
  }
  report.pass("source.tables", title,
              fmt::format("{} table{} in {} database{}, ~{} rows, ~{}", tables.size(), tables.size() == 1 ? "" : "s",
                          schemas.size(), schemas.size() == 1 ? "" : "s", rows, human_bytes(bytes)));
}

void report_primary_keys(const std::vector<SourceTable>& tables, CheckReport& report) {
  std::vector<std::string> without;
  for (const auto& t : tables) {
    if (t.primary_key.empty()) without.push_back(t.qualified());
  }
  const std::string title = "selected tables have a primary key";
  if (without.empty()) {
    report.pass("source.tables_without_pk", title, "all");
    return;
  }
  report.warn("source.tables_without_pk", title,
              fmt::format("{} without (copied append-only: updates and deletes add rows): {}", without.size(),
                          name_list(without)),
              fmt::format("ALTER TABLE {} ADD PRIMARY KEY (<unique not-null columns>);  -- or exclude it in "
                          "tables.exclude",
                          without.front()));
}

void report_lobs(const std::vector<SourceTable>& tables, CheckReport& report) {
  std::vector<std::string> lobs;
  for (const auto& t : tables) {
    for (const auto& c : t.lob_columns) lobs.push_back(fmt::format("{}.{} ({})", t.qualified(), c.name, c.type));
  }
  report.info("source.lob_columns", "large object columns (BLOB/TEXT/JSON) in selected tables",
              lobs.empty() ? "none" : fmt::format("{}: {}", lobs.size(), name_list(lobs)));
}

}  // namespace

void report_tables(const std::vector<SourceTable>& tables, const TablesConfig& config, CheckReport& report) {
  report_selection(tables, config, report);
  if (tables.empty()) return;
  report_primary_keys(tables, report);
  report_lobs(tables, report);
}

nlohmann::json baseline_json(const std::vector<SourceTable>& tables, const ServerInfo& server,
                             const std::string& endpoint, const std::string& taken_at) {
  nlohmann::json list = nlohmann::json::array();
  uint64_t rows = 0;
  uint64_t bytes = 0;
  for (const auto& t : tables) {
    nlohmann::json lobs = nlohmann::json::array();
    for (const auto& c : t.lob_columns) lobs.push_back({{"column", c.name}, {"type", c.type}});
    list.push_back({{"schema", t.schema},
                    {"table", t.name},
                    {"engine", t.engine},
                    {"estimated_rows", t.estimated_rows},
                    {"estimated_bytes", t.estimated_bytes},
                    {"primary_key", t.primary_key},
                    {"lob_columns", std::move(lobs)}});
    rows += t.estimated_rows;
    bytes += t.estimated_bytes;
  }
  return {{"taken_at", taken_at},
          {"source",
           {{"endpoint", endpoint},
            {"flavor", server.flavor == ServerFlavor::kMariaDB ? "MariaDB" : "MySQL"},
            {"version", server.version},
            {"server_id", server.server_id}}},
          {"totals", {{"tables", tables.size()}, {"estimated_rows", rows}, {"estimated_bytes", bytes}}},
          {"tables", std::move(list)}};
}

Result<std::string> write_baseline(const std::string& state_dir, const nlohmann::json& doc) {
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) return make_error(ErrorCode::kIo, "creating state directory {}: {}", state_dir, ec.message());
  const fs::path path = fs::path(state_dir) / "baseline.json";
  const fs::path tmp = fs::path(state_dir) / "baseline.json.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump(2) << '\n';
    out.flush();
    if (!out) return make_error(ErrorCode::kIo, "writing {}: {}", tmp.string(), std::strerror(errno));
  }
  fs::rename(tmp, path, ec);
  if (ec) return make_error(ErrorCode::kIo, "renaming {} to {}: {}", tmp.string(), path.string(), ec.message());
  return path.string();
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace mysql2ch
