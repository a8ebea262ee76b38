// What the ClickHouse integration tests share: how to open each transport against the test servers, and a
// small RowBinary encoder for the few column types they insert.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "clickhouse/chdb_library.h"
#include "clickhouse/connection.h"
#include "clickhouse/http_connection.h"

// chDB cannot be loaded into AddressSanitizer builds (see chdb_library.h): tests that need it skip there.
#define M2C_SKIP_WITHOUT_CHDB()                                                                          \
  do {                                                                                                   \
    if (!::mysql2ch::chdb_loadable_in_this_build()) GTEST_SKIP() << "libchdb.so cannot load under ASan"; \
  } while (0)

namespace mysql2ch::test {

enum class Transport { kHttp, kHttps, kHttpsGzip, kChdb };
const char* transport_name(Transport t);

// An EnvLookup that names the test environment's libchdb.so, whatever the process environment says.
EnvLookup chdb_env();

// The chDB storage all tests of this process use (chDB opens one storage path per process).
const std::string& chdb_storage_dir();

HttpOptions http_options(bool https, const std::string& user = "cdc", const std::string& password = "cdcpass");

// Opens `t` against the test servers as user cdc; fails the test (and returns null) when it cannot.
std::unique_ptr<ClickHouseConnection> open_transport(Transport t);

// Appends RowBinary encodings to a buffer.
class RowBinary {
 public:
  template <typename T>
  RowBinary& fixed(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));  // x86-64 is little endian, as RowBinary is
    bytes_.append(b, sizeof(T));
    return *this;
  }
  RowBinary& string(std::string_view s);
  RowBinary& null() {
    bytes_.push_back(1);
    return *this;
  }
  RowBinary& not_null() {
    bytes_.push_back(0);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

}  // namespace mysql2ch::test
