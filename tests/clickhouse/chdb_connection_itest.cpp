// What only the chDB transport does: the library lookup, the storage directory, one storage per process.
#include <gtest/gtest.h>

#include "clickhouse/chdb_connection.h"
#include "clickhouse/chdb_library.h"
#include "support/clickhouse_transports.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

EnvLookup env_with_libchdb(const std::string& path) {
  return [path](const std::string& name) -> std::optional<std::string> {
    if (name == "MYSQL2CH_LIBCHDB") return path;
    return std::nullopt;
  };
}

TEST(ChdbConnection, AMissingLibraryIsAClearErrorSayingHowToGetIt) {
  const std::string missing = testenv::scratch_dir("clickhouse-chdb-missing") + "/libchdb.so";
  auto c = ChdbConnection::open(test::chdb_storage_dir(), env_with_libchdb(missing));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(c.error().message().find(missing), std::string::npos) << c.error().message();
  EXPECT_NE(c.error().message().find("npm pack @chdb/lib-linux-x64-gnu"), std::string::npos);
}

TEST(ChdbConnection, AStoragePathThatCannotBeWrittenIsAClearError) {
  M2C_SKIP_WITHOUT_CHDB();
  const std::string dir = testenv::scratch_dir("clickhouse-chdb-blocked");
  testenv::write_file(dir + "/a-file", "not a directory\n");
  auto c = ChdbConnection::open(dir + "/a-file/storage", test::chdb_env());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kIo);
  EXPECT_NE(c.error().message().find("cannot be created"), std::string::npos) << c.error().message();
}

TEST(ChdbConnection, ConnectionsToOnePathShareItsStorage) {
  M2C_SKIP_WITHOUT_CHDB();
  auto a = test::open_transport(test::Transport::kChdb);
  auto b = test::open_transport(test::Transport::kChdb);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->execute("DROP DATABASE IF EXISTS ch_itest_shared").ok());
  ASSERT_TRUE(a->execute("CREATE DATABASE ch_itest_shared").ok());
  ASSERT_TRUE(a->execute("CREATE TABLE ch_itest_shared.t (id UInt64) ENGINE = MergeTree ORDER BY id").ok());
  ASSERT_TRUE(a->insert("ch_itest_shared.t", "RowBinary", test::RowBinary().fixed<uint64_t>(9).bytes()).ok());
  auto r = b->query("SELECT id FROM ch_itest_shared.t", "TabSeparated");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, "9\n");
  EXPECT_EQ(a->endpoint(), "chdb://" + test::chdb_storage_dir());

  // While that storage is open, another path cannot be.
  auto other = ChdbConnection::open(testenv::scratch_dir("clickhouse-chdb-other"), test::chdb_env());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kUnsupported);
  EXPECT_TRUE(a->execute("DROP DATABASE ch_itest_shared").ok());
}

TEST(ChdbConnection, TheLoadedLibraryIsTheOneFound) {
  M2C_SKIP_WITHOUT_CHDB();
  auto api = load_chdb(test::chdb_env());
  ASSERT_TRUE(api.ok()) << api.error().message();
  EXPECT_EQ((*api)->path, testenv::libchdb_path());
}

TEST(ChdbConnection, ASanitizerBuildRefusesToLoadTheLibraryWithAClearError) {
  if (chdb_loadable_in_this_build()) GTEST_SKIP() << "only sanitizer builds refuse libchdb.so";
  auto c = ChdbConnection::open(test::chdb_storage_dir(), test::chdb_env());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(c.error().message().find("AddressSanitizer"), std::string::npos) << c.error().message();
}

}  // namespace
}  // namespace mysql2ch
