// Evaluation of a source's server settings against what mysql2ch needs: each function turns the global
// variables the server reported into one check item (id "source.<setting>") with what was found and, when
// it fails or warns, the statement or my.cnf setting that fixes it, in the flavor's own syntax.
// Pure functions: the caller reads the variables (SHOW GLOBAL VARIABLES) and passes them in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "check/report.h"
#include "mysql/connection.h"

namespace mysql2ch {

// What the source told about itself. Variable names are lower-case; a variable the server does not have is
// absent from the map.
struct SourceSettings {
  ServerFlavor flavor = ServerFlavor::kMySQL;
  uint32_t version_id = 0;
  std::map<std::string, std::string> variables;
  std::string managed_service;  // e.g. "Amazon RDS", when recognised; empty otherwise

  // The variable's value, or nullopt when the server does not have it.
  std::optional<std::string> get(const std::string& name) const;
};

// The names of the variables the evaluators below read (for one SHOW GLOBAL VARIABLES WHERE ... IN (...)).
const std::vector<std::string>& source_setting_names();

// "Amazon RDS", "Google Cloud SQL" ... from @@basedir and @@version_comment; empty when not recognised.
std::string recognise_managed_service(const std::string& basedir, const std::string& version_comment);

CheckItem evaluate_log_bin(const SourceSettings& s);
CheckItem evaluate_binlog_format(const SourceSettings& s);
CheckItem evaluate_binlog_row_image(const SourceSettings& s);
CheckItem evaluate_binlog_row_metadata(const SourceSettings& s);
CheckItem evaluate_gtid(const SourceSettings& s);
CheckItem evaluate_retention(const SourceSettings& s);
CheckItem evaluate_binlog_compression(const SourceSettings& s);
CheckItem evaluate_row_value_options(const SourceSettings& s);

// The binlog retention in seconds that the settings give: nullopt when neither variable is visible, 0 when
// binary logs are never purged automatically.
std::optional<uint64_t> retention_seconds(const SourceSettings& s);

// The replica id check: `configured` must differ from the source's own @@server_id and from every replica
// the source lists as connected. `replica_ids` is nullopt when the list could not be read (`why` says why);
// `account` ('user'@'host') is named in the GRANT that would let it be read.
CheckItem evaluate_server_id(uint32_t configured, uint32_t source_own,
                             const std::optional<std::vector<uint32_t>>& replica_ids, const std::string& why,
                             ServerFlavor flavor, const std::string& account);

}  // namespace mysql2ch
