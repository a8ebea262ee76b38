#include "check/source_settings.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

SourceSettings mysql(std::map<std::string, std::string> vars) {
  return {ServerFlavor::kMySQL, 90704, std::move(vars), {}};
}
SourceSettings mariadb(std::map<std::string, std::string> vars) {
  return {ServerFlavor::kMariaDB, 101119, std::move(vars), {}};
}

TEST(SourceSettings, RetentionFromSecondsDaysAndAutoPurge) {
  EXPECT_EQ(retention_seconds(mysql({{"binlog_expire_logs_seconds", "2592000"}})), 2592000u);
  // MySQL 8.0: seconds 0 falls back to expire_logs_days.
  EXPECT_EQ(retention_seconds(mysql({{"binlog_expire_logs_seconds", "0"}, {"expire_logs_days", "10"}})), 864000u);
  EXPECT_EQ(retention_seconds(mysql({{"binlog_expire_logs_seconds", "0"}, {"expire_logs_days", "0"}})), 0u);
  // MySQL 8.0.29+: auto purge off keeps everything whatever the period says.
  EXPECT_EQ(
      retention_seconds(mysql({{"binlog_expire_logs_seconds", "3600"}, {"binlog_expire_logs_auto_purge", "OFF"}})), 0u);
  // MariaDB reports days as a fraction.
  EXPECT_EQ(retention_seconds(mariadb({{"expire_logs_days", "0.500000"}})), 43200u);
  EXPECT_EQ(retention_seconds(mariadb({{"binlog_expire_logs_seconds", "3600"}, {"expire_logs_days", "0.041667"}})),
            3600u);
  EXPECT_EQ(retention_seconds(mysql({})), std::nullopt);
}

TEST(SourceSettings, RetentionItem) {
  const CheckItem ok = evaluate_retention(mysql({{"binlog_expire_logs_seconds", "604800"}}));
  EXPECT_EQ(ok.state, CheckState::kPass);
  EXPECT_EQ(ok.found, "7 days");
  const CheckItem short_mysql = evaluate_retention(mysql({{"binlog_expire_logs_seconds", "86400"}}));
  EXPECT_EQ(short_mysql.state, CheckState::kFail);
  EXPECT_EQ(short_mysql.found, "1 day");
  EXPECT_EQ(short_mysql.fix, "SET PERSIST binlog_expire_logs_seconds = 604800;");
  // MariaDB before 10.6 has only expire_logs_days.
  const CheckItem old_mariadb = evaluate_retention(mariadb({{"expire_logs_days", "1.000000"}}));
  EXPECT_EQ(old_mariadb.state, CheckState::kFail);
  EXPECT_EQ(old_mariadb.fix, "SET GLOBAL expire_logs_days = 7;\nand in my.cnf under [mysqld]: expire_logs_days = 7");
  EXPECT_EQ(evaluate_retention(mariadb({{"expire_logs_days", "0.000000"}})).state, CheckState::kPass);
  EXPECT_EQ(evaluate_retention(mysql({})).state, CheckState::kWarn);
}

TEST(SourceSettings, ManagedServiceRetentionIsNotGuessed) {
  SourceSettings rds = mysql({{"binlog_expire_logs_seconds", "0"}});
  rds.managed_service = recognise_managed_service("/rdsdbbin/mysql-8.0.35.R2/", "Source distribution");
  ASSERT_EQ(rds.managed_service, "Amazon RDS");
  const CheckItem item = evaluate_retention(rds);
  EXPECT_EQ(item.state, CheckState::kWarn);
  EXPECT_EQ(item.fix,
            "CALL mysql.rds_set_configuration('binlog retention hours', 168);\n"
            "(see it with CALL mysql.rds_show_configuration;)");
  EXPECT_EQ(recognise_managed_service("/usr/", "(Debian)"), "");
  EXPECT_EQ(recognise_managed_service("/usr/", "(Google)"), "Google Cloud SQL");
}

TEST(SourceSettings, BinlogFormatFixPerFlavor) {
  const CheckItem my = evaluate_binlog_format(mysql({{"binlog_format", "MIXED"}}));
  EXPECT_EQ(my.state, CheckState::kFail);
  EXPECT_EQ(my.found, "MIXED");
  EXPECT_EQ(my.fix, "SET PERSIST binlog_format = 'ROW';\nconnections keep their session's format until they reconnect");
  const CheckItem ma = evaluate_binlog_format(mariadb({{"binlog_format", "STATEMENT"}}));
  EXPECT_EQ(ma.fix,
            "SET GLOBAL binlog_format = 'ROW';\n"
            "and in my.cnf under [mysqld]: binlog_format = ROW (SET GLOBAL is lost on restart)\n"
            "connections keep their session's format until they reconnect");
  EXPECT_EQ(evaluate_binlog_format(mysql({{"binlog_format", "row"}})).state, CheckState::kPass);
}

TEST(SourceSettings, RowImageAndMetadata) {
  EXPECT_EQ(evaluate_binlog_row_image(mysql({{"binlog_row_image", "NOBLOB"}})).state, CheckState::kFail);
  EXPECT_EQ(evaluate_binlog_row_image(mysql({{"binlog_row_image", "FULL"}})).state, CheckState::kPass);
  EXPECT_EQ(evaluate_binlog_row_metadata(mariadb({{"binlog_row_metadata", "NO_LOG"}})).state, CheckState::kWarn);
  const CheckItem absent = evaluate_binlog_row_metadata(mariadb({}));
  EXPECT_EQ(absent.state, CheckState::kWarn);
  EXPECT_EQ(absent.found, "binlog_row_metadata is not a variable of this server");
}

TEST(SourceSettings, LogBin) {
  EXPECT_EQ(evaluate_log_bin(mysql({{"log_bin", "ON"}})).state, CheckState::kPass);
  const CheckItem off = evaluate_log_bin(mariadb({{"log_bin", "OFF"}}));
  EXPECT_EQ(off.state, CheckState::kFail);
  EXPECT_EQ(off.fix, "in my.cnf under [mysqld]: log_bin = mariadb-bin (and a server_id), then restart the server");
}

TEST(SourceSettings, GtidMySqlStepsDependOnTheCurrentMode) {
  const CheckItem on = evaluate_gtid(mysql({{"gtid_mode", "ON"}, {"enforce_gtid_consistency", "ON"}}));
  EXPECT_EQ(on.state, CheckState::kPass);
  const CheckItem permissive =
      evaluate_gtid(mysql({{"gtid_mode", "ON_PERMISSIVE"}, {"enforce_gtid_consistency", "WARN"}}));
  EXPECT_EQ(permissive.state, CheckState::kFail);
  EXPECT_EQ(permissive.found, "gtid_mode = ON_PERMISSIVE, enforce_gtid_consistency = WARN");
  EXPECT_EQ(permissive.fix,
            "SET PERSIST enforce_gtid_consistency = ON;\n"
            "wait until SHOW STATUS LIKE 'Ongoing_anonymous_transaction_count' is 0, then\n"
            "SET PERSIST gtid_mode = ON;");
}

TEST(SourceSettings, GtidMariaDbStrictModeIsAWarning) {
  const CheckItem off = evaluate_gtid(mariadb({{"gtid_strict_mode", "OFF"}}));
  EXPECT_EQ(off.state, CheckState::kWarn);
  EXPECT_EQ(evaluate_gtid(mariadb({{"gtid_strict_mode", "ON"}})).state, CheckState::kPass);
}

TEST(SourceSettings, DecoderRelevantOptions) {
  EXPECT_EQ(evaluate_binlog_compression(mysql({{"binlog_transaction_compression", "ON"}})).state, CheckState::kInfo);
  EXPECT_EQ(evaluate_binlog_compression(mariadb({{"log_bin_compress", "OFF"}})).found, "OFF");
  EXPECT_EQ(evaluate_row_value_options(mysql({{"binlog_row_value_options", "PARTIAL_JSON"}})).state, CheckState::kWarn);
  EXPECT_EQ(evaluate_row_value_options(mysql({{"binlog_row_value_options", ""}})).state, CheckState::kPass);
  EXPECT_EQ(evaluate_row_value_options(mariadb({})).state, CheckState::kInfo);
}

TEST(SourceSettings, ServerId) {
  const std::string account = "'repl'@'%'";
  EXPECT_EQ(evaluate_server_id(1, 1, std::vector<uint32_t>{}, "", ServerFlavor::kMySQL, account).state,
            CheckState::kFail);
  const CheckItem taken =
      evaluate_server_id(9001, 1, std::vector<uint32_t>{2, 9001}, "", ServerFlavor::kMySQL, account);
  EXPECT_EQ(taken.state, CheckState::kFail);
  EXPECT_EQ(taken.fix, "set source.server_id to an id no server or replica of this topology uses (e.g. 10001)");
  EXPECT_EQ(evaluate_server_id(9001, 1, std::vector<uint32_t>{2}, "", ServerFlavor::kMySQL, account).state,
            CheckState::kPass);
  const CheckItem unknown = evaluate_server_id(9001, 1, std::nullopt, "denied", ServerFlavor::kMariaDB, account);
  EXPECT_EQ(unknown.state, CheckState::kWarn);
  EXPECT_EQ(unknown.fix,
            "GRANT REPLICATION MASTER ADMIN ON *.* TO 'repl'@'%';  -- lets the user list connected replicas");
}

}  // namespace
}  // namespace mysql2ch
