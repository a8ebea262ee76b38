#include "check/source_grants.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

const std::string kAccount = "'repl'@'10.0.0.%'";

TEST(SourceGrants, ParsesGlobalDatabaseTableAndRoleGrants) {
  const AccountGrants g = parse_grants({
      "GRANT SELECT, RELOAD ON *.* TO `repl`@`10.0.0.%` IDENTIFIED BY PASSWORD '*D98280F03D0F78162EBDBB9C883FC0'",
      "GRANT INSERT, SELECT (`a`, `b`) ON `shop`.`orders` TO `repl`@`10.0.0.%`",
      "GRANT ALL PRIVILEGES ON `app\\_%`.* TO `repl`@`10.0.0.%`",
      "GRANT `r1`@`%`,`r2`@`%` TO `repl`@`10.0.0.%`",
      "GRANT `mariadb_role` TO `repl`@`10.0.0.%` WITH ADMIN OPTION",
      "GRANT PROXY ON ''@'%' TO 'repl'@'10.0.0.%' WITH GRANT OPTION",
      "SET DEFAULT ROLE `mariadb_role` FOR `repl`@`10.0.0.%`",
  });
  ASSERT_EQ(g.grants.size(), 4u);
  EXPECT_EQ(g.grants[0].level, GrantLevel::kGlobal);
  EXPECT_EQ(g.grants[0].privileges, (std::vector<std::string>{"SELECT", "RELOAD"}));
  EXPECT_EQ(g.grants[1].level, GrantLevel::kTable);
  EXPECT_EQ(g.grants[1].database, "shop");
  EXPECT_EQ(g.grants[1].table, "orders");
  EXPECT_EQ(g.grants[1].privileges, (std::vector<std::string>{"INSERT", "SELECT (`A`, `B`)"}));
  EXPECT_EQ(g.grants[2].level, GrantLevel::kDatabase);
  EXPECT_EQ(g.grants[2].database, "app\\_%");
  EXPECT_EQ(g.grants[3].level, GrantLevel::kOther);
  EXPECT_EQ(g.roles, (std::vector<std::string>{"`r1`@`%`", "`r2`@`%`", "`mariadb_role`"}));
}

TEST(SourceGrants, MariaDbListsReplicationClientAsBinlogMonitor) {
  const AccountGrants g =
      parse_grants({"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `repl`@`%`"});
  EXPECT_TRUE(missing_global_privileges(g, ServerFlavor::kMariaDB).empty());
  // MySQL has no BINLOG MONITOR: the same text lacks REPLICATION CLIENT there.
  EXPECT_EQ(missing_global_privileges(g, ServerFlavor::kMySQL), std::vector<std::string>{"REPLICATION CLIENT"});
}

TEST(SourceGrants, ReplicationSlaveAdminIsNotReplicationSlave) {
  const AccountGrants g = parse_grants(
      {"GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE ADMIN, REPLICA MONITOR, BINLOG MONITOR ON *.* TO `u`@`%`"});
  EXPECT_EQ(missing_global_privileges(g, ServerFlavor::kMariaDB), std::vector<std::string>{"REPLICATION SLAVE"});
}

TEST(SourceGrants, AllPrivilegesCoversEverything) {
  const AccountGrants g = parse_grants({"GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"});
  EXPECT_TRUE(missing_global_privileges(g, ServerFlavor::kMySQL).empty());
  EXPECT_TRUE(can_select(g, "any", "table"));
}

TEST(SourceGrants, DatabaseLevelPrivilegesDoNotCountGlobally) {
  const AccountGrants g = parse_grants({"GRANT ALL PRIVILEGES ON `shop`.* TO `u`@`%`"});
  EXPECT_EQ(missing_global_privileges(g, ServerFlavor::kMySQL),
            (std::vector<std::string>{"RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "REPLICATION CLIENT"}));
  EXPECT_TRUE(can_select(g, "shop", "orders"));
  EXPECT_FALSE(can_select(g, "shop2", "orders"));
}

TEST(SourceGrants, SelectByWildcardDatabaseAndTable) {
  const AccountGrants g =
      parse_grants({"GRANT SELECT ON `app\\_%`.* TO `u`@`%`", "GRANT SELECT ON `crm`.`leads` TO `u`@`%`",
                    "GRANT SELECT (`id`) ON `crm`.`secrets` TO `u`@`%`"});
  EXPECT_TRUE(can_select(g, "app_eu", "t"));
  EXPECT_FALSE(can_select(g, "appxeu", "t"));  // the escaped _ is literal
  EXPECT_TRUE(can_select(g, "crm", "leads"));
  EXPECT_FALSE(can_select(g, "crm", "accounts"));
  EXPECT_FALSE(can_select(g, "crm", "secrets"));  // column-level SELECT cannot read whole rows
}

TEST(SourceGrants, MergedRoleGrantsCount) {
  AccountGrants own = parse_grants({"GRANT USAGE ON *.* TO `u`@`%`", "GRANT `reader` TO `u`@`%`"});
  EXPECT_EQ(missing_global_privileges(own, ServerFlavor::kMariaDB).size(), 4u);
  merge_grants(own, parse_grants({"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO "
                                  "`reader`",
                                  "GRANT `nested` TO `reader`"}));
  EXPECT_TRUE(missing_global_privileges(own, ServerFlavor::kMariaDB).empty());
  EXPECT_EQ(own.roles, (std::vector<std::string>{"`reader`", "`nested`"}));
}

TEST(SourceGrants, QuotedNamesWithKeywordsInside) {
  const AccountGrants g = parse_grants({"GRANT SELECT ON `db ON x`.`t TO y` TO `u`@`%`"});
  ASSERT_EQ(g.grants.size(), 1u);
  EXPECT_EQ(g.grants[0].database, "db ON x");
  EXPECT_EQ(g.grants[0].table, "t TO y");
}

TEST(SourceGrants, PatternMatch) {
  EXPECT_TRUE(grant_pattern_match("shop", "shop"));
  EXPECT_TRUE(grant_pattern_match("sh%", "shop"));
  EXPECT_TRUE(grant_pattern_match("%", ""));
  EXPECT_TRUE(grant_pattern_match("s_op", "shop"));
  EXPECT_FALSE(grant_pattern_match("s\\_op", "shop"));
  EXPECT_TRUE(grant_pattern_match("s\\_op", "s_op"));
  EXPECT_FALSE(grant_pattern_match("shop", "shops"));
}

TEST(SourceGrants, GrantStatementsUseTheFlavorsSpelling) {
  EXPECT_EQ(grant_statement("REPLICATION CLIENT", kAccount, ServerFlavor::kMariaDB),
            "GRANT BINLOG MONITOR ON *.* TO 'repl'@'10.0.0.%';");
  EXPECT_EQ(grant_statement("REPLICATION CLIENT", kAccount, ServerFlavor::kMySQL),
            "GRANT REPLICATION CLIENT ON *.* TO 'repl'@'10.0.0.%';");
  EXPECT_EQ(account_literal("repl@10.0.0.%"), kAccount);
  EXPECT_EQ(account_literal("we@ird@host"), "'we@ird'@'host'");
}

TEST(SourceGrants, EvaluatePrivilegesFailsWithEveryFix) {
  const AccountGrants g = parse_grants({"GRANT SELECT ON `shop`.* TO `repl`@`10.0.0.%`", "GRANT `r` TO `repl`@`%`"});
  const CheckItem item =
      evaluate_privileges(g, ServerFlavor::kMariaDB, kAccount, {{"shop", "a"}, {"crm", "b"}, {"crm", "c"}}, {"`r`"});
  EXPECT_EQ(item.id, "source.privileges");
  EXPECT_EQ(item.state, CheckState::kFail);
  EXPECT_EQ(item.found,
            "'repl'@'10.0.0.%' lacks RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, SELECT on 2 "
            "selected tables (roles: `r`); granted but inactive at login: `r`");
  EXPECT_EQ(item.fix,
            "SET DEFAULT ROLE `r` FOR 'repl'@'10.0.0.%';\n"
            "GRANT RELOAD ON *.* TO 'repl'@'10.0.0.%';\n"
            "GRANT SHOW DATABASES ON *.* TO 'repl'@'10.0.0.%';\n"
            "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'10.0.0.%';\n"
            "GRANT BINLOG MONITOR ON *.* TO 'repl'@'10.0.0.%';\n"
            "GRANT SELECT ON `crm`.* TO 'repl'@'10.0.0.%';");
}

TEST(SourceGrants, EvaluatePrivilegesPasses) {
  const AccountGrants g =
      parse_grants({"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `r`@`%`"});
  const CheckItem item = evaluate_privileges(g, ServerFlavor::kMySQL, kAccount, {{"shop", "a"}}, {});
  EXPECT_EQ(item.state, CheckState::kPass);
  EXPECT_EQ(item.found, "'repl'@'10.0.0.%' has SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT");
}

}  // namespace
}  // namespace mysql2ch
