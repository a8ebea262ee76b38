// Connection::stream against MariaDB and MySQL: rows arrive one at a time with NULLs and binary bytes intact,
// a stream abandoned early leaves the connection usable, and errors are typed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "mysql/connection.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message());
  return std::move(r).value();
}

ConnectOptions repl(int port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = "repl";
  o.password = Secret("replpass");
  o.tls.mode = TlsMode::kDisabled;
  return o;
}

class RowStreamTest : public testing::TestWithParam<int> {};

TEST_P(RowStreamTest, StreamsEveryRowWithNullsAndBinaryBytes) {
  Connection conn = must(Connection::open(repl(GetParam())));
  const bool mysql = conn.server().flavor == ServerFlavor::kMySQL;
  ASSERT_TRUE(conn.execute(mysql ? "SET SESSION cte_max_recursion_depth = 100000"
                                 : "SET SESSION max_recursive_iterations = 100000")
                  .ok());
  {
    RowStream s =
        must(conn.stream("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) "
                         "SELECT i, IF(i % 3 = 0, NULL, CONCAT('v', i)), UNHEX('00FF00') FROM n"));
    ASSERT_EQ(s.field_count(), 3u);
    EXPECT_EQ(s.column_names()[0], "i");
    uint64_t rows = 0;
    while (must(s.next())) {
      ++rows;
      EXPECT_EQ(s.field(0), std::to_string(rows));
      if (rows % 3 == 0) {
        EXPECT_TRUE(s.is_null(1));
        EXPECT_EQ(s.field(1), "");
      } else {
        EXPECT_FALSE(s.is_null(1));
        EXPECT_EQ(s.field(1), fmt::format("v{}", rows));
      }
      EXPECT_EQ(s.field(2), std::string("\0\xff\0", 3));
      EXPECT_EQ(s.row_bytes(), s.field(0).size() + s.field(1).size() + 3);
    }
    EXPECT_EQ(rows, 50000u);
    EXPECT_FALSE(must(s.next()));  // stays at the end
  }
  {
    // Abandoned after one row: the rest is drained and the connection answers the next query.
    RowStream s = must(conn.stream("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3"));
    ASSERT_TRUE(must(s.next()));
  }
  EXPECT_EQ(must(conn.query_value("SELECT 42")).value_or(""), "42");
}

TEST_P(RowStreamTest, ErrorsAreTyped) {
  Connection conn = must(Connection::open(repl(GetParam())));
  auto bad = conn.stream("SELECT * FROM no_such_db_snap.t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kServer);
  auto no_rows = conn.stream("DO 1");
  ASSERT_FALSE(no_rows.ok());
  EXPECT_EQ(no_rows.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(must(conn.query_value("SELECT 7")).value_or(""), "7");
}

INSTANTIATE_TEST_SUITE_P(Servers, RowStreamTest, testing::Values(testenv::mariadb_port(), testenv::mysql_port()),
                         [](const auto& param_info) {
                           return param_info.param == testenv::mariadb_port() ? std::string("MariaDB")
                                                                              : std::string("MySQL");
                         });

}  // namespace
}  // namespace mysql2ch
