#include "config/config.h"

#include <gtest/gtest.h>

#include <map>

#include "support/testenv.h"

namespace mysql2ch {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Result<Config> parse(const std::string& text, std::map<std::string, std::string> env = {}) {
  return parse_config(text, "mirror.yaml", "/etc/m2c", fake_env(std::move(env)));
}

const char* kMinimal = R"(source:
  host: db.example.com
  user: repl
  password: secret
  server_id: 9001
destination:
  url: https://ch.example.com:8443
)";

TEST(Config, MinimalGetsDefaults) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source.host, "db.example.com");
  EXPECT_EQ(c->source.port, 3306);
  EXPECT_EQ(c->source.server_id, 9001u);
  EXPECT_EQ(c->source.password.reveal(), "secret");
  EXPECT_EQ(c->source.tls.mode, TlsMode::kPreferred);
  EXPECT_EQ(c->source.on_lost_position, LostPositionPolicy::kFail);
  EXPECT_EQ(c->destination.user, "default");
  EXPECT_EQ(c->destination.naming, Naming::kMirror);
  EXPECT_EQ(c->tables.include, std::vector<std::string>{"*.*"});
  EXPECT_EQ(c->snapshot.concurrency, 4u);
  EXPECT_EQ(c->snapshot.chunk_rows, 10000u);
  EXPECT_EQ(c->pipeline.max_batch_rows, 100000u);
  EXPECT_EQ(c->pipeline.max_batch_bytes, 64u << 20);
  EXPECT_EQ(c->pipeline.max_delay_ms, 500u);
  EXPECT_EQ(c->pipeline.insert_concurrency, 4u);
  EXPECT_EQ(c->pipeline.checkpoint_interval_s, 10u);
  EXPECT_EQ(c->pipeline.on_unparseable_ddl, UnparseableDdl::kStop);
  EXPECT_EQ(c->state.path, "/etc/m2c/mysql2ch-state");
}

TEST(Config, FullContract) {
  auto c = parse(R"(source:
  host: 10.0.0.5
  port: 25060
  user: repl
  password: ${MYSQL_PASSWORD}
  tls: {mode: verify-ca, ca: certs/ca.pem}
  server_id: 9001
  on_lost_position: resnapshot
destination:
  url: https://ch.example.com:8443
  user: cdc
  password: ${CH_PASSWORD}
  tls: {ca: certs/ch-ca.pem, cert: c.pem, key: k.pem}
  database: mirror
  naming: prefix
tables:
  include: ["shop.*"]
  exclude: ["shop.tmp_*"]
snapshot:
  concurrency: 3
  chunk_rows: 5000
pipeline:
  max_batch_rows: 1000
  max_batch_bytes: 8MiB
  max_delay_ms: 250
  insert_concurrency: 2
  checkpoint_interval_s: 5
  on_unparseable_ddl: skip
state:
  path: /var/lib/mysql2ch
)",
                 {{"MYSQL_PASSWORD", "p@ss"}, {"CH_PASSWORD", "chpw"}});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source.port, 25060);
  EXPECT_EQ(c->source.password.reveal(), "p@ss");
  EXPECT_EQ(c->source.tls.mode, TlsMode::kVerifyCa);
  EXPECT_EQ(c->source.tls.ca, "/etc/m2c/certs/ca.pem");
  EXPECT_EQ(c->source.on_lost_position, LostPositionPolicy::kResnapshot);
  EXPECT_EQ(c->destination.password.reveal(), "chpw");
  EXPECT_EQ(c->destination.tls.cert, "/etc/m2c/c.pem");
  EXPECT_EQ(c->destination.naming, Naming::kPrefix);
  EXPECT_EQ(c->destination.database, "mirror");
  EXPECT_EQ(c->tables.include, std::vector<std::string>{"shop.*"});
  EXPECT_EQ(c->tables.exclude, std::vector<std::string>{"shop.tmp_*"});
  EXPECT_EQ(c->snapshot.concurrency, 3u);
  EXPECT_EQ(c->pipeline.max_batch_bytes, 8u << 20);
  EXPECT_EQ(c->pipeline.max_delay_ms, 250u);
  EXPECT_EQ(c->pipeline.insert_concurrency, 2u);
  EXPECT_EQ(c->pipeline.on_unparseable_ddl, UnparseableDdl::kSkip);
  EXPECT_EQ(c->state.path, "/var/lib/mysql2ch");
}

struct BadCase {
  const char* name;
  std::string yaml;
  std::string expected;  // a substring of the error message
};

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NamesKeyAndLine) {
  auto c = parse(GetParam().yaml);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), ErrorCode::kConfig);
  EXPECT_NE(c.error().message().find(GetParam().expected), std::string::npos) << c.error().message();
}

const std::string kDest = "destination:\n  url: http://127.0.0.1:8123\n";

INSTANTIATE_TEST_SUITE_P(
    All, ConfigErrors,
    ::testing::Values(
        BadCase{"Empty", "", "mirror.yaml: the file is empty"},
        BadCase{"NotYaml", "source: [unclosed\n", "mirror.yaml:2: not valid YAML"},
        BadCase{"NoSource", kDest, "source: is required"},
        BadCase{"MissingHost", "source:\n  user: u\n  server_id: 1\n" + kDest,
                "mirror.yaml:2: source.host: is required"},
        BadCase{"MissingServerId", "source:\n  host: h\n  user: u\n" + kDest, "source.server_id: is required"},
        BadCase{"UnknownKeyTypo", "source:\n  host: h\n  user: u\n  server_id: 1\n  prot: 3306\n" + kDest,
                "mirror.yaml:5: source.prot: unknown key (did you mean 'port'?)"},
        BadCase{"UnknownTopLevel", "source:\n  host: h\n  user: u\n  server_id: 1\n" + kDest + "pipelin: {}\n",
                "mirror.yaml:7: pipelin: unknown key (did you mean 'pipeline'?)"},
        BadCase{"PortNotNumber", "source:\n  host: h\n  port: abc\n  user: u\n  server_id: 1\n" + kDest,
                "mirror.yaml:3: source.port: 'abc' is not a whole number between 1 and 65535"},
        BadCase{"PortTooLarge", "source:\n  host: h\n  port: 70000\n  user: u\n  server_id: 1\n" + kDest,
                "source.port: '70000' is not a whole number"},
        BadCase{"ServerIdZero", "source:\n  host: h\n  user: u\n  server_id: 0\n" + kDest, "source.server_id"},
        BadCase{"HostIsList", "source:\n  host: [a, b]\n  user: u\n  server_id: 1\n" + kDest,
                "mirror.yaml:2: source.host: must be a single value"},
        BadCase{"BadLostPositionPolicy",
                "source:\n  host: h\n  user: u\n  server_id: 1\n  on_lost_position: skip\n" + kDest,
                "mirror.yaml:5: source.on_lost_position: 'skip' is not one of: fail, resnapshot"},
        BadCase{"BadTlsMode", "source:\n  host: h\n  user: u\n  server_id: 1\n  tls: {mode: strict}\n" + kDest,
                "source.tls.mode: 'strict' is not one of: disabled, preferred, required, verify-ca, verify-identity"},
        BadCase{"BadUnparseableDdl",
                "source:\n  host: h\n  user: u\n  server_id: 1\n" + kDest + "pipeline: {on_unparseable_ddl: ignore}\n",
                "pipeline.on_unparseable_ddl: 'ignore' is not one of: stop, skip"},
        BadCase{"VerifyCaWithoutCa",
                "source:\n  host: h\n  user: u\n  server_id: 1\n  tls: {mode: verify-ca}\n" + kDest,
                "source.tls.ca: is required with mode verify-ca"},
        BadCase{"UnsetEnv", "source:\n  host: h\n  user: u\n  password: ${NOPE}\n  server_id: 1\n" + kDest,
                "mirror.yaml:4: source.password: environment variable NOPE is not set"},
        BadCase{"BothPasswords",
                "source:\n  host: h\n  user: u\n  password: x\n  password_file: f\n  server_id: 1\n" + kDest,
                "give either password or password_file, not both"},
        BadCase{"MissingPasswordFile",
                "source:\n  host: h\n  user: u\n  password_file: /nonexistent/pw\n  server_id: 1\n" + kDest,
                "cannot read '/nonexistent/pw'"},
        BadCase{"BadUrl", "source:\n  host: h\n  user: u\n  server_id: 1\ndestination:\n  url: ftp://x\n",
                "mirror.yaml:6: destination.url: 'ftp://x' must start with http://, https:// or chdb://"},
        BadCase{"PrefixWithoutDatabase",
                "source:\n  host: h\n  user: u\n  server_id: 1\ndestination:\n  url: http://x\n  naming: prefix\n",
                "destination.database: is required with naming: prefix"},
        BadCase{"BadSize",
                "source:\n  host: h\n  user: u\n  server_id: 1\n" + kDest + "pipeline:\n  max_batch_bytes: lots\n",
                "mirror.yaml:8: pipeline.max_batch_bytes: 'lots' is not a size"},
        BadCase{"PatternWithoutDot",
                "source:\n  host: h\n  user: u\n  server_id: 1\n" + kDest + "tables:\n  include: [shop]\n",
                "tables.include: pattern 'shop' must be db.table"},
        BadCase{"SectionNotMap", "source:\n  host: h\n  user: u\n  server_id: 1\n" + kDest + "snapshot: 4\n",
                "mirror.yaml:7: snapshot: must be a mapping"},
        BadCase{"CertWithoutKey", "source:\n  host: h\n  user: u\n  server_id: 1\n" + kDest + "  tls: {cert: c.pem}\n",
                "destination.tls.cert and destination.tls.key go together"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Config, PasswordFileTrailingNewlineStripped) {
  const std::string dir = testenv::scratch_dir("config_password_file");
  testenv::write_file(dir + "/pw", "s3cret\n");
  auto c = parse_config(std::string("source:\n  host: h\n  user: u\n  password_file: pw\n  server_id: 1\n") + kDest,
                        "x.yaml", dir, fake_env({}));
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source.password.reveal(), "s3cret");
}

TEST(Config, DollarEscapeAndEmbeddedVariables) {
  auto c =
      parse("source:\n  host: ${H}.internal\n  user: u\n  password: a$$b\n  server_id: 1\n" + kDest, {{"H", "db1"}});
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->source.host, "db1.internal");
  EXPECT_EQ(c->source.password.reveal(), "a$b");
}

TEST(Config, SecretIsNeverFormatted) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(fmt::format("{}", c->source.password), "****");
  EXPECT_EQ(fmt::format("{}", Secret()), "(none)");
}

TEST(Config, ErrorMessagesNeverContainSecrets) {
  // A bad value next to a password: the message names the bad key, never the password.
  auto c = parse("source:\n  host: h\n  user: u\n  password: hunter2\n  server_id: x\n" + kDest);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message().find("hunter2"), std::string::npos);
}

TEST(Config, MissingFile) {
  auto c = load_config("/nonexistent/mirror.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("cannot read configuration file '/nonexistent/mirror.yaml'"), std::string::npos);
}

TEST(Config, ConcurrencyBoundedByMaxConnections) {
  auto c = parse(std::string(kMinimal) + "snapshot: {concurrency: 16}\n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->snapshot.concurrency, 4u);
}

}  // namespace
}  // namespace mysql2ch

namespace mysql2ch {
namespace {

TEST(Config, DestinationTypeMappingKeys) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->destination.json, JsonMapping::kString);
  EXPECT_EQ(c->destination.zero_dates, DatePolicy::kNull);
  EXPECT_EQ(c->destination.out_of_range_dates, DatePolicy::kError);
  c = parse(std::string(kMinimal) + "  json: native\n  zero_dates: clamp\n  out_of_range_dates: null\n");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->destination.json, JsonMapping::kNative);
  EXPECT_EQ(c->destination.zero_dates, DatePolicy::kClamp);
  EXPECT_EQ(c->destination.out_of_range_dates, DatePolicy::kNull);
  c = parse(std::string(kMinimal) + "  zero_dates: epoch\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("'epoch' is not one of: null, clamp, error"), std::string::npos)
      << c.error().message();
}

}  // namespace
}  // namespace mysql2ch

namespace mysql2ch {
namespace {

TEST(Config, DestinationCompressionDefaultsToNoneAndNamesTheChoicesWithTheLine) {
  auto c = parse(kMinimal);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->destination.compression, RequestCompression::kNone);
  for (const auto& [text, want] :
       {std::pair{"gzip", RequestCompression::kGzip}, std::pair{"zstd", RequestCompression::kZstd},
        std::pair{"lz4", RequestCompression::kLz4}, std::pair{"none", RequestCompression::kNone}}) {
    c = parse(std::string(kMinimal) + "  compression: " + text + "\n");
    ASSERT_TRUE(c.ok()) << c.error().message();
    EXPECT_EQ(c->destination.compression, want) << text;
  }
  c = parse(std::string(kMinimal) + "  compression: brotli\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message().find("destination.compression"), std::string::npos) << c.error().message();
  EXPECT_NE(c.error().message().find("'brotli' is not one of: none, gzip, zstd, lz4"), std::string::npos)
      << c.error().message();
  EXPECT_NE(c.error().message().find("mirror.yaml:8:"), std::string::npos) << c.error().message();
}

}  // namespace
}  // namespace mysql2ch
