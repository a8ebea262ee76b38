// The source's current binlog position, recorded before a snapshot's first chunk (DESIGN.md invariant 3):
// the GTID set (MySQL @@gtid_executed when gtid_mode is on, MariaDB @@gtid_binlog_pos) and file:pos (SHOW
// BINARY LOG STATUS on MySQL 8.2+, SHOW MASTER STATUS before and on MariaDB). The GTID set is read first:
// both values are at or before the moment the call returns, which is all invariant 3 needs.
#pragma once

#include "common/result.h"
#include "mysql/connection.h"
#include "state/state_store.h"

namespace mysql2ch::snapshot {

// Errors: the connection's, and kUnsupported when binary logging is off (nothing to stream from).
Result<state::BinlogPosition> read_binlog_position(Connection& conn);

}  // namespace mysql2ch::snapshot
