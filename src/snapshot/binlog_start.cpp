#include "snapshot/binlog_start.h"

#include "common/strings.h"

namespace mysql2ch::snapshot {

Result<state::BinlogPosition> read_binlog_position(Connection& conn) {
  state::BinlogPosition p;
  const bool mariadb = conn.server().flavor == ServerFlavor::kMariaDB;
  p.flavor = mariadb ? "mariadb" : "mysql";
  TRY_ASSIGN(auto gtid, conn.query_value(mariadb ? "SELECT @@GLOBAL.gtid_binlog_pos" : "SELECT @@GLOBAL.gtid_executed"));
  p.gtid_set = gtid.value_or("");
  // gtid_executed lists sets separated by ",\n"; the newlines are not part of the set.
  std::erase(p.gtid_set, '\n');
  const bool new_syntax = !mariadb && conn.server().version_id >= 80200;
  TRY_ASSIGN(QueryResult status, conn.query(new_syntax ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS"));
  if (status.rows.empty() || status.rows[0].size() < 2 || !status.rows[0][0]) {
    return make_error(ErrorCode::kUnsupported, "{}: binary logging is off (SHOW {} STATUS is empty); set log_bin",
                      conn.endpoint(), new_syntax ? "BINARY LOG" : "MASTER");
  }
  p.file = *status.rows[0][0];
  p.pos = parse_uint(status.rows[0][1].value_or("")).value_or(0);
  return p;
}

}  // namespace mysql2ch::snapshot
