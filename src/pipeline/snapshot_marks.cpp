#include "pipeline/snapshot_marks.h"

#include <fmt/core.h>

#include "clickhouse/sql_text.h"

namespace mysql2ch::pipeline {

std::string SnapshotMarks::table() const {
  return clickhouse_identifier(database_) + "." + clickhouse_identifier("_mysql2ch_snapshots");
}

Status SnapshotMarks::prepare() {
  return connection_.execute("CREATE TABLE IF NOT EXISTS " + table() +
                             " (pipeline String, source_database String, source_table String)"
                             " ENGINE = ReplacingMergeTree ORDER BY (pipeline, source_database, source_table)");
}

Result<std::set<state::TableId>> SnapshotMarks::load() {
  TRY_ASSIGN(std::string exists,
             connection_.query(fmt::format("SELECT count() FROM system.tables WHERE database = {} AND name = "
                                           "'_mysql2ch_snapshots'",
                                           clickhouse_string(database_)),
                               "TSV"));
  std::set<state::TableId> out;
  if (exists.empty() || exists[0] == '0') return out;
  // TSV escapes tab, newline and backslash in names; table names with those are not expected but are decoded.
  TRY_ASSIGN(std::string rows, connection_.query(fmt::format("SELECT DISTINCT source_database, source_table FROM {} "
                                                             "WHERE pipeline = {}",
                                                             table(), clickhouse_string(pipeline_)),
                                                 "TSV"));
  const auto unescape = [](std::string_view s) {
    std::string r;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        const char c = s[++i];
        r.push_back(c == 't' ? '\t' : c == 'n' ? '\n' : c == '0' ? '\0' : c);
      } else {
        r.push_back(s[i]);
      }
    }
    return r;
  };
  size_t at = 0;
  while (at < rows.size()) {
    size_t end = rows.find('\n', at);
    if (end == std::string::npos) end = rows.size();
    const std::string_view line(rows.data() + at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return make_error(ErrorCode::kProtocol, "{}: unreadable row '{}'", table(), std::string(line.substr(0, 200)));
    }
    out.insert(state::TableId{unescape(line.substr(0, tab)), unescape(line.substr(tab + 1))});
  }
  return out;
}

Status SnapshotMarks::mark(const std::vector<state::TableId>& tables) {
  if (tables.empty()) return {};
  std::string values;
  for (const auto& t : tables) {
    values += fmt::format("{}({}, {}, {})", values.empty() ? "" : ", ", clickhouse_string(pipeline_),
                          clickhouse_string(t.database), clickhouse_string(t.table));
  }
  return connection_.execute(fmt::format("INSERT INTO {} VALUES {}", table(), values));
}

}  // namespace mysql2ch::pipeline
