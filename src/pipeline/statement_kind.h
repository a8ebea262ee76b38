// Whether a QUERY event's statement is transaction control that neither ends the transaction nor changes a
// schema: SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO [SAVEPOINT] and XA. The servers log these inside
// BEGIN ... COMMIT even in ROW format, so the assembler must tell them from statements (DDL, or statement-based
// data changes) before anything else. BEGIN, COMMIT and plain ROLLBACK are not covered: the QueryEvent says
// those itself. Comments (/* */, -- , #) and MySQL versioned comments (/*!NNNNN ... */, whose text counts) are
// skipped.
#pragma once

#include <string_view>

namespace mysql2ch::pipeline {

bool is_transaction_control(std::string_view sql);

}  // namespace mysql2ch::pipeline
