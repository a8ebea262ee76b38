// Which source tables a configuration selects (tables.include / tables.exclude), shared by check, the
// snapshot and the stream so they can never disagree.
#pragma once

#include <string_view>

#include "config/config.h"

namespace mysql2ch {

// mysql, information_schema, performance_schema and sys: never mirrored, whatever the patterns say.
bool is_system_schema(std::string_view schema);

// Whether "schema.table" matches an include pattern and no exclude pattern (glob_match) and is not in a
// system schema.
bool table_selected(const TablesConfig& tables, std::string_view schema, std::string_view table);

}  // namespace mysql2ch
