#include "support/mirror_compare.h"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "support/testenv.h"

namespace mysql2ch::test {

namespace {

enum class Canon { kAsIs, kDecimal, kHex, kJson };

struct SourceColumn {
  std::string name;
  Canon canon;
};

Canon canon_of(const std::string& data_type) {
  static const std::vector<std::string> strings = {"char",   "varchar",   "tinytext", "text", "mediumtext", "longtext",
                                                   "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"};
  if (data_type == "decimal") return Canon::kDecimal;
  if (data_type == "json") return Canon::kJson;
  if (std::find(strings.begin(), strings.end(), data_type) != strings.end()) return Canon::kHex;
  return Canon::kAsIs;
}

std::vector<SourceColumn> source_columns(Connection& source, const std::string& database, const std::string& table) {
  auto q = source.query(
      fmt::format("SELECT column_name, LOWER(data_type) FROM information_schema.columns WHERE table_schema = {} AND "
                  "table_name = {} ORDER BY ordinal_position",
                  source.quote(database), source.quote(table)));
  if (!q.ok()) throw std::runtime_error(q.error().message());
  std::vector<SourceColumn> out;
  for (const auto& row : q->rows) out.push_back({row[0].value_or(""), canon_of(row[1].value_or(""))});
  // MariaDB reports JSON columns as longtext with a json_valid check; its text is the document as written.
  if (source.server().flavor == ServerFlavor::kMariaDB) {
    auto checks = source.query(
        fmt::format("SELECT constraint_name FROM information_schema.check_constraints WHERE constraint_schema = {} AND "
                    "table_name = {} AND check_clause LIKE 'json_valid(%'",
                    source.quote(database), source.quote(table)));
    if (checks.ok()) {
      for (const auto& row : checks->rows) {
        for (auto& c : out) {
          if (row[0] && *row[0] == c.name) c.canon = Canon::kJson;
        }
      }
    }
  }
  return out;
}

std::string strip_decimal(std::string v) {
  if (v.find('.') == std::string::npos) return v;
  while (!v.empty() && v.back() == '0') v.pop_back();
  if (!v.empty() && v.back() == '.') v.pop_back();
  return v == "-0" ? "0" : v;
}

std::string mysql_select_list(const std::vector<SourceColumn>& columns) {
  std::string list;
  for (const auto& c : columns) {
    const std::string id = mysql_identifier(c.name);
    const bool hex = c.canon == Canon::kHex || c.canon == Canon::kJson;
    list += (list.empty() ? "" : ", ") + (hex ? "HEX(" + id + ")" : id);
  }
  return list;
}

std::string clickhouse_select_list(const std::vector<SourceColumn>& columns) {
  std::string list;
  for (const auto& c : columns) {
    const std::string id = "`" + c.name + "`";
    const bool hex = c.canon == Canon::kHex || c.canon == Canon::kJson;
    list += (list.empty() ? "" : ", ") + (hex ? "hex(" + id + ")" : id);
  }
  return list;
}

// `fields[k]` as selected by the lists above → canonical text.
std::string canonical_row(const std::vector<SourceColumn>& columns,
                          const std::vector<std::optional<std::string>>& fields) {
  std::string line;
  for (size_t k = 0; k < columns.size(); ++k) {
    if (k > 0) line += '\t';
    if (k >= fields.size()) {
      line += "<missing>";
      continue;
    }
    if (!fields[k]) {
      line += "\\N";
      continue;
    }
    switch (columns[k].canon) {
      case Canon::kAsIs: line += *fields[k]; break;
      case Canon::kHex:
      case Canon::kJson: line += *fields[k]; break;
      case Canon::kDecimal: line += strip_decimal(*fields[k]); break;
    }
  }
  return line;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= text.size()) {
    const size_t at = text.find(sep, from);
    if (at == std::string::npos) {
      out.push_back(text.substr(from));
      break;
    }
    out.push_back(text.substr(from, at - from));
    from = at + 1;
  }
  return out;
}

testenv::CommandResult destination_query(const std::string& config, const std::string& sql) {
  return testenv::run_mysql2ch(fmt::format("query -c {} {}", shell_quote(config), shell_quote(sql)));
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::vector<std::string> canonical_source_rows(Connection& source, const std::string& database,
                                               const std::string& table) {
  const auto columns = source_columns(source, database, table);
  auto q = source.query(fmt::format("SELECT {} FROM {}.{}", mysql_select_list(columns), mysql_identifier(database),
                                    mysql_identifier(table)));
  if (!q.ok()) throw std::runtime_error(q.error().message());
  std::vector<std::string> rows;
  for (const auto& row : q->rows) rows.push_back(canonical_row(columns, row));
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string compare_table(Connection& source, const std::string& config, const std::string& database,
                          const std::string& table) {
  const auto columns = source_columns(source, database, table);
  // Columns first: a column the stream should have dropped or renamed shows here, not in the rows.
  auto names = destination_query(
      config, fmt::format("SELECT name FROM system.columns WHERE database = '{}' AND table = '{}' AND name NOT IN "
                          "('_version', '_is_deleted') ORDER BY name",
                          database, table));
  if (names.exit_code != 0) return "reading the destination's columns failed: " + names.err;
  std::vector<std::string> expected_names;
  for (const auto& c : columns) expected_names.push_back(c.name);
  std::sort(expected_names.begin(), expected_names.end());
  std::vector<std::string> actual_names = split(names.out, '\n');
  if (!actual_names.empty() && actual_names.back().empty()) actual_names.pop_back();
  if (actual_names != expected_names) {
    std::string e, a;
    for (const auto& n : expected_names) e += n + " ";
    for (const auto& n : actual_names) a += n + " ";
    return fmt::format("columns differ: source [{}], destination [{}]", e, a);
  }

  const std::vector<std::string> expected = canonical_source_rows(source, database, table);
  auto r = destination_query(config, fmt::format("SELECT {} FROM `{}`.`{}` FINAL WHERE _is_deleted = 0",
                                                 clickhouse_select_list(columns), database, table));
  if (r.exit_code != 0) return "reading the destination's rows failed: " + r.err;
  std::vector<std::string> actual;
  std::string out = r.out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  // Every line is a row, an empty one too (a one-column row of an empty string); no output is no rows.
  for (const auto& line : out.empty() && r.out.empty() ? std::vector<std::string>{} : split(out, '\n')) {
    std::vector<std::optional<std::string>> fields;
    for (auto& f : split(line, '\t')) {
      if (f == "\\N") {
        fields.emplace_back(std::nullopt);
      } else {
        fields.emplace_back(std::move(f));
      }
    }
    actual.push_back(canonical_row(columns, fields));
  }
  std::sort(actual.begin(), actual.end());
  if (actual == expected) return "";
  std::vector<std::string> only_source, only_destination;
  std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(), std::back_inserter(only_source));
  std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                      std::back_inserter(only_destination));
  std::string msg = fmt::format(
      "source has {} rows, destination {}; {} only in the source, {} only in the "
      "destination",
      expected.size(), actual.size(), only_source.size(), only_destination.size());
  for (size_t k = 0; k < only_source.size() && k < 3; ++k) msg += "\n  source only: " + only_source[k].substr(0, 300);
  for (size_t k = 0; k < only_destination.size() && k < 3; ++k) {
    msg += "\n  destination only: " + only_destination[k].substr(0, 300);
  }
  return msg;
}

std::vector<std::string> destination_tables(const std::string& config, const std::string& database) {
  auto r = destination_query(
      config, fmt::format("SELECT name FROM system.tables WHERE database = '{}' AND NOT (engine = 'View' AND "
                          "endsWith(name, '_current')) ORDER BY name",
                          database));
  if (r.exit_code != 0) throw std::runtime_error("listing the destination's tables failed: " + r.err);
  std::vector<std::string> out;
  for (const auto& n : split(r.out, '\n')) {
    if (!n.empty() && n[0] != '_') out.push_back(n);
  }
  return out;
}

}  // namespace mysql2ch::test
