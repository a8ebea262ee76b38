// The outcome of `mysql2ch validate`: one TableComparison per selected table plus what the run knows about
// replication lag, rendered as text (a line per table, then the differing keys) or as one JSON document with
// the same content.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "validate/table_comparison.h"

namespace mysql2ch::validate {

struct ValidateReport {
  std::vector<TableComparison> tables;
  std::string source_position;  // where the source was when the comparison started
  std::vector<std::string> notes;  // how lag was handled (rechecks, a checkpoint that did not catch up)
  unsigned rechecks = 0;           // rounds of re-reading the differing ranges

  bool equal() const;
  std::string render_text() const;
  nlohmann::json to_json() const;
};

}  // namespace mysql2ch::validate
