// The outcome of `mysql2ch check`: an ordered list of items, each a prerequisite that passed, failed, or
// deserves a warning, with what was found and, for failures and warnings, the statement or setting that
// fixes it. Rendered as text lines (✔ / ✘ / !) or as a JSON document with the same content.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace mysql2ch {

enum class CheckState { kPass, kFail, kWarn, kInfo };

struct CheckItem {
  std::string id;       // stable machine key, e.g. "source.binlog_format"
  CheckState state = CheckState::kInfo;
  std::string title;    // what is checked, e.g. "binlog_format is ROW"
  std::string found;    // what was found, e.g. "STATEMENT"
  std::string fix;      // for kFail/kWarn: the exact statement or setting that fixes it; may be empty
};

class CheckReport {
 public:
  void add(CheckItem item) { items_.push_back(std::move(item)); }
  void pass(std::string id, std::string title, std::string found);
  void fail(std::string id, std::string title, std::string found, std::string fix);
  void warn(std::string id, std::string title, std::string found, std::string fix);
  void info(std::string id, std::string title, std::string found);

  const std::vector<CheckItem>& items() const { return items_; }
  const CheckItem* find(const std::string& id) const;  // nullptr when absent
  bool passed() const;  // no item failed

  // One line per item ("✔ title: found"), fixes indented below failures and warnings, and a summary line.
  std::string render_text() const;
  nlohmann::json to_json() const;

 private:
  std::vector<CheckItem> items_;
};

}  // namespace mysql2ch
