#include "support/clickhouse_transports.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "clickhouse/chdb_connection.h"
#include "support/testenv.h"

namespace mysql2ch::test {

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::kHttp: return "Http";
    case Transport::kHttps: return "Https";
    case Transport::kHttpsGzip: return "HttpsGzip";
    case Transport::kChdb: return "Chdb";
  }
  return "?";
}

EnvLookup chdb_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "MYSQL2CH_LIBCHDB") return testenv::libchdb_path();
    return process_env()(name);
  };
}

const std::string& chdb_storage_dir() {
  static const std::string dir = testenv::scratch_dir("clickhouse-chdb-" + std::to_string(getpid()));
  return dir;
}

HttpOptions http_options(bool https, const std::string& user, const std::string& password) {
  const std::string url = https ? "https://127.0.0.1:" + std::to_string(testenv::ch_https_port())
                                : "http://127.0.0.1:" + std::to_string(testenv::ch_http_port());
  HttpOptions o;
  auto parsed = parse_destination_url(url, "/");
  EXPECT_TRUE(parsed.ok());
  if (parsed.ok()) o.url = *parsed;
  o.user = user;
  o.password = Secret(password);
  if (https) o.tls.ca = testenv::certs_dir() + "/ca.pem";
  return o;
}

std::unique_ptr<ClickHouseConnection> open_transport(Transport t) {
  if (t == Transport::kChdb) {
    auto c = ChdbConnection::open(chdb_storage_dir(), chdb_env());
    EXPECT_TRUE(c.ok()) << c.error().message();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  HttpOptions o = http_options(t != Transport::kHttp);
  if (t == Transport::kHttpsGzip) o.compression = RequestCompression::kGzip;
  auto c = HttpConnection::open(std::move(o));
  EXPECT_TRUE(c.ok()) << c.error().message();
  return c.ok() ? std::move(c).value() : nullptr;
}

RowBinary& RowBinary::string(std::string_view s) {
  uint64_t n = s.size();
  do {  // LEB128 length
    uint8_t b = n & 0x7f;
    n >>= 7;
    if (n != 0) b |= 0x80;
    bytes_.push_back(static_cast<char>(b));
  } while (n != 0);
  bytes_.append(s);
  return *this;
}

}  // namespace mysql2ch::test
