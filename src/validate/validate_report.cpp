#include "validate/validate_report.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

namespace mysql2ch::validate {
namespace {

std::string key_display(const TableComparison& t, const KeyDifference& d) {
  std::string out;
  for (size_t i = 0; i < d.key.size(); ++i) {
    const std::string& name = i < t.key_columns.size() ? t.key_columns[i] : std::string("?");
    out += fmt::format("{}{}={}", i == 0 ? "" : ", ", name, d.key[i]);
  }
  return d.key.size() > 1 ? "(" + out + ")" : out;
}

std::string verdict(const TableComparison& t) {
  if (!t.problem.empty()) return "DIFFERENT (schema)";
  if (t.equal()) return "equal";
  return "DIFFERENT";
}

}  // namespace

bool ValidateReport::equal() const {
  for (const auto& t : tables) {
    if (!t.equal()) return false;
  }
  return true;
}

std::string ValidateReport::render_text() const {
  std::string out = fmt::format("source position at start: {}\n", source_position);
  out += fmt::format("{:<40} {:>12} {:>12} {:>7} {:>9}  {}\n", "table (source -> mirror)", "source rows",
                     "mirror rows", "ranges", "differing", "result");
  for (const auto& t : tables) {
    const std::string name =
        t.source_name == t.mirror_name ? t.source_name : t.source_name + " -> " + t.mirror_name;
    out += fmt::format("{:<40} {:>12} {:>12} {:>7} {:>9}  {}\n", name, t.source_rows(), t.mirror_rows(),
                       t.ranges.size(), t.differing_ranges(), verdict(t));
  }
  for (const auto& t : tables) {
    if (!t.problem.empty()) out += fmt::format("\n{}: {}\n", t.source_name, t.problem);
    if (t.problem.empty() && !t.has_key) {
      out += fmt::format("\n{}: no primary key: compared by row count and an order-independent checksum of all "
                         "rows (a multiset); differing rows cannot be named\n",
                         t.source_name);
    } else if (t.problem.empty() && !t.key_ranges) {
      out += fmt::format("\n{}: key order differs between MySQL and ClickHouse (collation, DECIMAL, temporal or "
                         "ENUM key): compared as one range\n",
                         t.source_name);
    }
    if (t.differing_keys == 0) continue;
    out += fmt::format("\n{}: {} differing key(s){}\n", t.source_name, t.differing_keys,
                       t.keys.size() < t.differing_keys ? fmt::format(", the first {}", t.keys.size()) : "");
    for (const auto& d : t.keys) {
      out += fmt::format("  {:<10} {}{}\n", key_difference_name(d.kind), key_display(t, d),
                         d.kind == KeyDifferenceKind::kDifferent ? fmt::format("  (column {})", d.column) : "");
    }
  }
  for (const auto& n : notes) out += "\nnote: " + n + "\n";
  out += fmt::format("\n{}\n", equal() ? "all tables equal" : "differences found");
  return out;
}

nlohmann::json ValidateReport::to_json() const {
  nlohmann::json j;
  j["equal"] = equal();
  j["source_position"] = source_position;
  j["rechecks"] = rechecks;
  j["notes"] = notes;
  j["tables"] = nlohmann::json::array();
  for (const auto& t : tables) {
    nlohmann::json tj;
    tj["source"] = t.source_name;
    tj["mirror"] = t.mirror_name;
    tj["equal"] = t.equal();
    tj["has_primary_key"] = t.has_key;
    tj["key_columns"] = t.key_columns;
    tj["key_ranges"] = t.key_ranges;
    tj["source_rows"] = t.source_rows();
    tj["mirror_rows"] = t.mirror_rows();
    tj["ranges"] = t.ranges.size();
    tj["differing_ranges"] = t.differing_ranges();
    if (!t.problem.empty()) tj["problem"] = t.problem;
    tj["differing_keys"] = t.differing_keys;
    tj["keys"] = nlohmann::json::array();
    for (const auto& d : t.keys) {
      nlohmann::json k{{"kind", key_difference_name(d.kind)}, {"key", d.key}};
      if (d.kind == KeyDifferenceKind::kDifferent) k["column"] = d.column;
      tj["keys"].push_back(std::move(k));
    }
    j["tables"].push_back(std::move(tj));
  }
  return j;
}

}  // namespace mysql2ch::validate
