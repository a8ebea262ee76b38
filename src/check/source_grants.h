// The privileges of a MySQL/MariaDB account as SHOW GRANTS lists them, and whether they cover what mysql2ch
// needs: SELECT on the selected tables, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT.
// Understands ALL [PRIVILEGES], database- and table-level grants (with the % and _ wildcards of database
// grants), role grants, and MariaDB 10.5+'s renames (REPLICATION CLIENT is listed as BINLOG MONITOR;
// REPLICATION SLAVE ADMIN and REPLICA MONITOR are different privileges that do not count as either).
// Pure functions over text: no server access.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/report.h"
#include "mysql/connection.h"

namespace mysql2ch {

enum class GrantLevel { kGlobal, kDatabase, kTable, kOther };

struct PrivilegeGrant {
  std::vector<std::string> privileges;  // upper-case, e.g. "SELECT", "REPLICATION SLAVE", "ALL PRIVILEGES"
  GrantLevel level = GrantLevel::kOther;
  std::string database;  // kDatabase: a pattern (% _ wildcards, \ escapes); kTable: the name
  std::string table;     // kTable only
};

struct AccountGrants {
  std::vector<PrivilegeGrant> grants;
  std::vector<std::string> roles;  // granted roles as written, quoted: "`r`" (MariaDB) or "`r`@`%`" (MySQL)
};

// Parses SHOW GRANTS lines. Lines that grant nothing we evaluate (PROXY, routines) are kept as kOther.
AccountGrants parse_grants(const std::vector<std::string>& lines);

// Adds the grants of `more` (e.g. an active role's) to `into`.
void merge_grants(AccountGrants& into, const AccountGrants& more);

// The global privileges mysql2ch needs that `grants` lacks, by their canonical names (RELOAD, SHOW DATABASES,
// REPLICATION SLAVE, REPLICATION CLIENT), in that order.
std::vector<std::string> missing_global_privileges(const AccountGrants& grants, ServerFlavor flavor);

// Whether SELECT on `database`.`table` is granted at any level.
bool can_select(const AccountGrants& grants, std::string_view database, std::string_view table);

// The GRANT statement that adds `privilege` (a canonical name from missing_global_privileges) to `account`
// ('user'@'host'), in the spelling of the flavor (BINLOG MONITOR on MariaDB).
std::string grant_statement(std::string_view privilege, std::string_view account, ServerFlavor flavor);

// 'user'@'host' from CURRENT_USER()'s user@host.
std::string account_literal(std::string_view current_user);

// Item source.privileges: passes when `grants` (the account's own plus its active roles') cover the global
// privileges and SELECT on every table of `selected` ("db.table" pairs); otherwise fails with the GRANT
// statements that fix it. `inactive_roles` are roles granted but not active at login, named in the fix.
CheckItem evaluate_privileges(const AccountGrants& grants, ServerFlavor flavor, const std::string& account,
                              const std::vector<std::pair<std::string, std::string>>& selected,
                              const std::vector<std::string>& inactive_roles);

// MySQL database-grant pattern match: % any run, _ any one character, \ escapes the next.
bool grant_pattern_match(std::string_view pattern, std::string_view name);

}  // namespace mysql2ch
