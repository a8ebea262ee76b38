#include "clickhouse/server_error.h"

#include <gtest/gtest.h>

namespace mysql2ch {
namespace {

// Bodies as ClickHouse 18.16 sent them over HTTP (captured from the test server).
constexpr const char* kLegacyWrongPassword =
    "Code: 193, e.displayText() = DB::Exception: Wrong password for user cdc, e.what() = DB::Exception\n";
constexpr const char* kLegacyUnknownDatabase =
    "Code: 81, e.displayText() = DB::Exception: Database nosuch doesn't exist, e.what() = DB::Exception\n";
// As chDB 26.5 reports them, and as 22.x+ servers append a version trailer.
constexpr const char* kModernUnknownTable =
    "Code: 60. DB::Exception: Unknown table expression identifier 'x.nosuch' in scope SELECT * FROM x.nosuch. "
    "(UNKNOWN_TABLE)";
constexpr const char* kModernWithVersion =
    "Code: 62. DB::Exception: Syntax error: failed at position 1 (SELEC): SELEC 1. Expected one of: Query. "
    "(SYNTAX_ERROR) (version 23.8.2.7 (official build))\n";

TEST(ServerError, ParsesTheLegacyLayout) {
  auto e = parse_server_exception(kLegacyWrongPassword);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 193);
  EXPECT_EQ(e->name, "");
  EXPECT_EQ(e->message, "Wrong password for user cdc");

  auto db = parse_server_exception(kLegacyUnknownDatabase);
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(db->code, 81);
  EXPECT_EQ(db->message, "Database nosuch doesn't exist");
}

TEST(ServerError, ParsesTheModernLayoutWithNameAndVersion) {
  auto e = parse_server_exception(kModernUnknownTable);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 60);
  EXPECT_EQ(e->name, "UNKNOWN_TABLE");
  EXPECT_EQ(e->message, "Unknown table expression identifier 'x.nosuch' in scope SELECT * FROM x.nosuch.");

  auto v = parse_server_exception(kModernWithVersion);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->code, 62);
  EXPECT_EQ(v->name, "SYNTAX_ERROR");
  EXPECT_EQ(v->message, "Syntax error: failed at position 1 (SELEC): SELEC 1. Expected one of: Query.");
}

TEST(ServerError, KeepsOnlyTheFirstLineOfAMultiLineReport) {
  auto e = parse_server_exception(
      "Code: 241. DB::Exception: Memory limit exceeded. (MEMORY_LIMIT_EXCEEDED)\n0. frame\n1. frame\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->name, "MEMORY_LIMIT_EXCEEDED");
  EXPECT_EQ(e->message, "Memory limit exceeded.");
}

TEST(ServerError, RejectsBodiesThatAreNotAnExceptionReport) {
  EXPECT_FALSE(parse_server_exception("").has_value());
  EXPECT_FALSE(parse_server_exception("<html>502 Bad Gateway</html>").has_value());
  EXPECT_FALSE(parse_server_exception("Code: x").has_value());
  EXPECT_FALSE(parse_server_exception("Ok.\n").has_value());
}

TEST(ServerError, ClassifiesCodesByWhatACallerCanDo) {
  EXPECT_EQ(classify_exception_code(193), ErrorCode::kAuth);
  EXPECT_EQ(classify_exception_code(516), ErrorCode::kAuth);
  EXPECT_EQ(classify_exception_code(164), ErrorCode::kAuth);
  EXPECT_EQ(classify_exception_code(60), ErrorCode::kNotFound);
  EXPECT_EQ(classify_exception_code(81), ErrorCode::kNotFound);
  EXPECT_EQ(classify_exception_code(62), ErrorCode::kServer);
  EXPECT_EQ(classify_exception_code(159), ErrorCode::kTimeout);
  EXPECT_EQ(classify_exception_code(252), ErrorCode::kUnavailable);
  EXPECT_EQ(classify_exception_code(123456), ErrorCode::kServer);
}

TEST(ServerError, ErrorsAreRetryableOnlyForTransientCodes) {
  EXPECT_FALSE(server_exception_error(*parse_server_exception(kModernWithVersion)).retryable());
  EXPECT_FALSE(server_exception_error(*parse_server_exception(kLegacyWrongPassword)).retryable());
  EXPECT_TRUE(server_exception_error(ServerException{252, "TOO_MANY_PARTS", "Too many parts"}).retryable());
  EXPECT_TRUE(
      server_exception_error(ServerException{209, "", "Timeout exceeded while reading from socket"}).retryable());
}

TEST(ServerError, TheExceptionCodeSurvivesContextPrefixes) {
  const Error e = server_exception_error(*parse_server_exception(kModernUnknownTable));
  EXPECT_EQ(e.message(),
            "ClickHouse error 60 (UNKNOWN_TABLE): Unknown table expression identifier 'x.nosuch' in scope SELECT * "
            "FROM x.nosuch.");
  EXPECT_EQ(clickhouse_exception_code(e.context("creating `shop`.`t`")), 60);
  EXPECT_EQ(clickhouse_exception_code(Error(ErrorCode::kIo, "disk full")), std::nullopt);
}

}  // namespace
}  // namespace mysql2ch
