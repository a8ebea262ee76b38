// The few facts the pipeline needs from a QUERY event's statement before (or without) the DDL parser: whether
// it is transaction control (SAVEPOINT, ROLLBACK TO, XA ...) and whether it is a TRUNCATE, and of which table.
// Comments (/* */, -- , #) and MySQL versioned comments (/*!NNNNN ... */, whose text counts) are skipped.
#pragma once

#include <string>
#include <string_view>

namespace mysql2ch::pipeline {

struct StatementKind {
  enum class Kind { kTransactionControl, kTruncate, kOther };
  Kind kind = Kind::kOther;
  std::string database;  // kTruncate: qualifier if given, else empty (the event's default database applies)
  std::string table;     // kTruncate
};

StatementKind classify_statement(std::string_view sql);

}  // namespace mysql2ch::pipeline
