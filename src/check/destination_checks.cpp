#include "check/destination_checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <vector>

#include "check/privilege_probe.h"
#include "clickhouse/connection.h"
#include "clickhouse/request_body_encoder.h"
#include "clickhouse/server_error.h"
#include "common/strings.h"

namespace mysql2ch {
namespace {

constexpr const char* kProbeDatabase = "mysql2ch_check_probe";
// A check waits at most this long for one answer, whatever request_timeout_s says: it must not hang.
constexpr unsigned kCheckRequestTimeoutS = 30;

struct TargetDatabases {
  std::vector<std::string> names;
  std::string origin;  // how they were chosen, for the report
};

TargetDatabases target_databases(const Config& config) {
  if (!config.destination.database.empty()) {
    return {{config.destination.database}, "destination.database"};
  }
  std::set<std::string> plain;
  bool wildcard = false;
  for (const auto& pattern : config.tables.include) {
    const std::string db = pattern.substr(0, pattern.find('.'));
    if (db.find_first_of("*?") != std::string::npos) {
      wildcard = true;
    } else {
      plain.insert(db);
    }
  }
  TargetDatabases t;
  t.names.assign(plain.begin(), plain.end());
  t.origin = "naming: mirror, the databases of tables.include";
  if (wildcard) {
    t.names.emplace_back(kProbeDatabase);
    t.origin += fmt::format(
        "; `{}` stands in for the databases a wildcard pattern selects (created and dropped "
        "again by this check)",
        kProbeDatabase);
  }
  return t;
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || starts_with(host, "127.");
}

std::string reachability_fix(const Error& e, const DestinationUrl& url) {
  const std::string& m = e.message();
  if (m.find("use https://") != std::string::npos) {
    return fmt::format(
        "this port closed a plain-HTTP request: if it serves HTTPS, write https:// in destination.url "
        "(ClickHouse's https_port, default 8443)");
  }
  switch (e.code()) {
    case ErrorCode::kTimeout:
      return fmt::format(
          "{}:{} did not answer within destination.connect_timeout_s: check the host and port, "
          "firewalls and IP allow-lists between this machine and ClickHouse",
          url.host, url.port);
    case ErrorCode::kProtocol:
      return "point destination.url at ClickHouse's HTTP(S) interface (http_port 8123 / https_port 8443 in "
             "config.xml), not at the native protocol port (9000) or another service";
    default:
      return fmt::format(
          "check that ClickHouse runs and listens on {}:{} (http_port / https_port and listen_host "
          "in config.xml) and that this machine may connect to it",
          url.host, url.port);
  }
}

std::string tls_fix(const Error& e, const DestinationConfig& d) {
  const std::string& m = e.message();
  if (m.find("plain HTTP") != std::string::npos) {
    return "this port does not speak TLS: use http:// in destination.url, or the server's https_port";
  }
  if (m.find("not trusted") != std::string::npos) {
    return d.tls.ca.empty()
               ? "set destination.tls.ca to the CA file (PEM) that signed the server's certificate"
               : fmt::format(
                     "destination.tls.ca ({}) did not sign the server's certificate: set it to the CA that "
                     "did (openssl s_client -connect host:port -showcerts shows the chain)",
                     d.tls.ca);
  }
  if (m.find("TLS setup failed") != std::string::npos) {
    return "check that the files in destination.tls (ca, cert, key) exist, are readable and are PEM, and that "
           "cert and key belong together";
  }
  return "check destination.tls (ca, cert, key) and the server's <openSSL> settings in config.xml";
}

std::string auth_fix(const Error& e, const DestinationConfig& d) {
  const auto code = clickhouse_exception_code(e);
  if (code == 192)
    return fmt::format(
        "user '{}' does not exist on the server: create it (users.xml, or CREATE USER on 20.4+) or fix "
        "destination.user",
        d.user);
  if (code == 195)
    return "the user may not connect from this address: add it to the user's <networks> in users.xml (or HOST in "
           "CREATE USER)";
  return fmt::format(
      "check destination.user ('{}') and destination.password / password_file: the server refused "
      "them",
      d.user);
}

std::string privilege_fix(const PrivilegeProbeOutcome& o, const std::string& db, const std::string& user,
                          const ServerCapabilities& caps) {
  if (clickhouse_exception_code(o.error) == 164) {
    return fmt::format(
        "user '{}' runs with readonly = 1, which forbids every write: give it a profile with "
        "readonly = 0 in users.xml{}",
        user, caps.sql_access_control ? " (or a settings profile via ALTER USER ... SETTINGS readonly = 0)" : "");
  }
  if (caps.sql_access_control) {
    return fmt::format("GRANT CREATE DATABASE, CREATE TABLE, INSERT, SELECT, ALTER, DROP ON `{}`.* TO `{}`", db, user);
  }
  return fmt::format(
      "ClickHouse {} has no GRANT: in users.xml give user '{}' a profile with readonly = 0 and "
      "allow database '{}' (<allow_databases>)",
      caps.version.text, user, db);
}

class DestinationChecker {
 public:
  DestinationChecker(const Config& config, CheckReport& report) : config_(config), report_(report) {}

  void run() {
    auto url = parse_destination_url(config_.destination.url, config_base_dir(config_));
    if (!url.ok()) {
      report_.fail("destination.reachable", "destination reachable", url.error().message(),
                   "write destination.url as http(s)://host:port or chdb:///path");
      return;
    }
    url_ = std::move(url).value();
    DestinationConfig d = config_.destination;
    d.request_timeout_s = std::min(d.request_timeout_s, kCheckRequestTimeoutS);
    auto opened = open_clickhouse(d, config_base_dir(config_));
    if (!opened.ok()) {
      report_opening_failure(opened.error());
      return;
    }
    connection_ = std::move(opened).value();
    if (!check_reachable()) return;
    check_transport_security();
    if (!check_auth_and_version()) return;
    check_compression();
    check_privileges();
  }

 private:
  bool chdb() const { return url_.kind == DestinationUrl::Kind::kChdb; }

  void report_opening_failure(const Error& e) {
    std::string fix;
    if (e.code() == ErrorCode::kNotFound) {
      fix =
          "download libchdb.so: `npm pack @chdb/lib-linux-x64-gnu && tar xzf chdb-lib-linux-x64-gnu-*.tgz` "
          "(it is package/libchdb.so) or `scripts/testenv.sh start chdb`; put it next to mysql2ch or in "
          "~/.cache/mysql2ch/chdb/, or set MYSQL2CH_LIBCHDB to its path";
    } else if (e.code() == ErrorCode::kIo) {
      fix =
          "make the chDB storage directory writable by this user, or point destination.url at a writable "
          "directory (chdb:///absolute/path or chdb://path/relative/to/the/config/file)";
    } else {
      fix = "check destination.url";
    }
    report_.fail("destination.reachable", "destination reachable", e.message(), fix);
  }

  bool check_reachable() {
    auto st = connection_->ping();
    if (st.ok()) {
      report_.pass("destination.reachable", "destination reachable",
                   chdb() ? fmt::format("embedded ClickHouse (chDB) storage open at {}", url_.path)
                          : fmt::format("{} answered /ping", url_.endpoint));
      return true;
    }
    if (st.error().code() == ErrorCode::kTls) {
      // The TCP connection was made; what failed is TLS, reported as its own item.
      report_.pass("destination.reachable", "destination reachable",
                   fmt::format("{}:{} accepts connections (TLS failed, see below)", url_.host, url_.port));
      report_.fail("destination.tls", "TLS to the destination", st.error().message(),
                   tls_fix(st.error(), config_.destination));
      return false;
    }
    report_.fail("destination.reachable", "destination reachable", st.error().message(),
                 chdb() ? "check the chDB storage directory" : reachability_fix(st.error(), url_));
    return false;
  }

  void check_transport_security() {
    const auto& tls = config_.destination.tls;
    switch (url_.kind) {
      case DestinationUrl::Kind::kChdb:
        report_.info("destination.tls", "TLS to the destination", "not applicable: embedded engine, no network");
        return;
      case DestinationUrl::Kind::kHttp:
        if (is_loopback(url_.host)) {
          report_.info("destination.tls", "TLS to the destination", "plain HTTP on the loopback interface");
        } else {
          report_.warn("destination.tls", "TLS to the destination",
                       "plain HTTP: the password and the data cross the network unencrypted",
                       "use https:// (ClickHouse's https_port) and destination.tls.ca");
        }
        return;
      case DestinationUrl::Kind::kHttps:
        if (!tls.verify) {
          report_.warn("destination.tls", "TLS to the destination",
                       "TLS without certificate verification (destination.tls.verify: false): anyone in between "
                       "can impersonate the server",
                       "set destination.tls.verify: true and destination.tls.ca to the CA that signed the server's "
                       "certificate");
          return;
        }
        report_.pass("destination.tls", "TLS to the destination",
                     fmt::format("TLS, server certificate verified against {}{}",
                                 tls.ca.empty() ? std::string("the system CA store") : tls.ca,
                                 tls.cert.empty() ? "" : fmt::format("; client certificate {}", tls.cert)));
        return;
    }
  }

  bool check_auth_and_version() {
    auto caps = connection_->capabilities();
    if (!caps.ok()) {
      const Error& e = caps.error();
      if (e.code() == ErrorCode::kAuth) {
        report_.fail("destination.auth", "authentication", e.message(), auth_fix(e, config_.destination));
      } else {
        report_.fail("destination.version", "ClickHouse version", e.message(),
                     "the server answered /ping but not SELECT version(); see its log");
      }
      return false;
    }
    capabilities_ = std::move(caps).value();
    if (chdb()) {
      report_.info("destination.auth", "authentication", "not applicable: embedded engine");
    } else {
      report_.pass("destination.auth", "authentication",
                   fmt::format("user '{}' authenticated", config_.destination.user));
    }
    report_.pass(
        "destination.version", "ClickHouse version",
        fmt::format("{}{} ({})", capabilities_.version.text, chdb() ? " (chDB)" : "", capabilities_.summary()));
    return true;
  }

  void check_compression() {
    const RequestCompression c = config_.destination.compression;
    const std::string title = "insert compression (destination.compression)";
    if (chdb()) {
      report_.info("destination.compression", title, "not applicable: embedded engine, no network");
    } else if (c == RequestCompression::kNone) {
      report_.info("destination.compression", title, "none: insert bodies are sent uncompressed");
    } else if (c == RequestCompression::kGzip || capabilities_.zstd_lz4_bodies) {
      report_.pass("destination.compression", title,
                   fmt::format("{}: accepted by ClickHouse {}", content_encoding(c), capabilities_.version.text));
    } else {
      report_.fail("destination.compression", title,
                   fmt::format("{}: ClickHouse {} accepts only gzip request bodies (zstd and lz4 need 22.10 or newer)",
                               content_encoding(c), capabilities_.version.text),
                   "set destination.compression to gzip or none");
    }
  }

  void check_privileges() {
    const TargetDatabases targets = target_databases(config_);
    report_.info("destination.database", "target databases",
                 fmt::format("{} ({})", fmt::join(targets.names, ", "), targets.origin));
    std::vector<std::string> good;
    for (const auto& db : targets.names) {
      PrivilegeProbe probe(*connection_, db);
      const PrivilegeProbeOutcome o = probe.run();
      if (!o.allowed) {
        std::string found = fmt::format("{} in `{}` refused: {}", o.failed_step, db, o.error.message());
        if (!o.cleanup_problem.empty()) found += "; " + o.cleanup_problem;
        report_.fail("destination.privileges", "CREATE, INSERT, SELECT, ALTER, DROP in the target databases", found,
                     privilege_fix(o, db, config_.destination.user, capabilities_));
        return;
      }
      good.push_back(fmt::format("`{}`", db));
    }
    report_.pass("destination.privileges", "CREATE, INSERT, SELECT, ALTER, DROP in the target databases",
                 fmt::format("all allowed in {} (probe table created, written, read, altered and dropped)",
                             fmt::join(good, ", ")));
  }

  const Config& config_;
  CheckReport& report_;
  DestinationUrl url_;
  std::unique_ptr<ClickHouseConnection> connection_;
  ServerCapabilities capabilities_;
};

}  // namespace

void check_destination(const Config& config, CheckReport& report) {
  DestinationChecker(config, report).run();
}

}  // namespace mysql2ch
