#include "check/source_connection_items.h"

#include <fmt/format.h>

namespace mysql2ch {
namespace {

constexpr const char* kReachableTitle = "source server reachable";
constexpr const char* kTlsTitle = "source connection TLS";
constexpr const char* kAuthTitle = "source authentication";

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::string endpoint_of(const SourceConfig& s) {
  return fmt::format("{}:{}", s.host, s.port);
}

std::string tls_fix(const SourceConfig& s, const std::string& message) {
  if (contains(message, "Validation of SSL server certificate failed") && s.tls.mode == TlsMode::kVerifyIdentity) {
    return fmt::format(
        "the certificate does not name host '{}': set source.host to a name in its subjectAltName, "
        "or set source.tls.mode: verify-ca (checks the CA but not the name)",
        s.host);
  }
  if (contains(message, "certificate") || contains(message, "verify")) {
    return fmt::format(
        "set source.tls.ca to the CA file that signed the server's certificate (the server's ssl_ca);\n"
        "check with: openssl s_client -starttls mysql -connect {} -CAfile {}",
        endpoint_of(s), s.tls.ca.empty() ? "CA.pem" : s.tls.ca);
  }
  if (contains(message, "support") || contains(message, "not enabled") || contains(message, "required")) {
    return fmt::format(
        "enable TLS on the server (my.cnf [mysqld]: ssl_cert = ..., ssl_key = ..., then restart), or set "
        "source.tls.mode: preferred (currently {})",
        tls_mode_name(s.tls.mode));
  }
  return "check source.tls (mode, ca, cert, key) against the server's TLS setup (ssl_ca, ssl_cert, ssl_key)";
}

std::string auth_fix(const SourceConfig& s, const std::string& message) {
  if (contains(message, "caching_sha2") || contains(message, "sha256") || contains(message, "RSA") ||
      contains(message, "secure connection")) {
    return "caching_sha2_password over plain TCP needs the server's RSA public key: set source.tls.mode: required "
           "(the password then travels over TLS), or let the server provide its key "
           "(caching_sha2_password_auto_generate_rsa_keys = ON, the default)";
  }
  std::string fix = fmt::format(
      "check source.user and source.password; the account must exist for the host mysql2ch connects from: "
      "CREATE USER '{}'@'%' IDENTIFIED BY '...';",
      s.user);
  if (s.tls.mode == TlsMode::kDisabled) {
    fix =
        "if the account requires TLS (REQUIRE SSL / X509), set source.tls.mode: required "
        "(it is disabled)\notherwise " +
        fix;
  }
  return fix;
}

std::string failure_fix(const SourceConfig& s, ErrorCode code) {
  if (code == ErrorCode::kProtocol) {
    return fmt::format(
        "{} answered but is not a MySQL/MariaDB server: set source.port to the server's MySQL port "
        "(3306 by default)",
        endpoint_of(s));
  }
  return fmt::format(
      "check source.host and source.port, that the server runs and listens on that address (bind_address, "
      "skip_networking) and that no firewall blocks port {}",
      s.port);
}

std::string version_text(const ServerInfo& server) {
  return fmt::format("{} {}.{}.{}", server.flavor == ServerFlavor::kMariaDB ? "MariaDB" : "MySQL",
                     server.version_id / 10000, server.version_id / 100 % 100, server.version_id % 100);
}

}  // namespace

void report_connect_failure(const SourceConfig& source, const Error& error, CheckReport& report) {
  const std::string& message = error.message();
  switch (error.code()) {
    case ErrorCode::kTls:
      report.pass("source.reachable", kReachableTitle, fmt::format("{} answered", endpoint_of(source)));
      report.fail("source.tls", kTlsTitle, fmt::format("mode {}: {}", tls_mode_name(source.tls.mode), message),
                  tls_fix(source, message));
      break;
    case ErrorCode::kAuth:
      report.pass("source.reachable", kReachableTitle, fmt::format("{} answered", endpoint_of(source)));
      report.fail("source.auth", kAuthTitle, message, auth_fix(source, message));
      break;
    default: report.fail("source.reachable", kReachableTitle, message, failure_fix(source, error.code())); break;
  }
  report.info("source.not_checked", "remaining source checks", "not run: there is no connection to the source");
}

CheckItem reachable_item(const ServerInfo& server, const std::string& endpoint) {
  const std::string found = fmt::format("{} at {} ({})", version_text(server), endpoint, server.version);
  const bool mariadb = server.flavor == ServerFlavor::kMariaDB;
  const uint32_t minimum = mariadb ? 100500 : 80000;
  if (server.version_id >= minimum) return {"source.reachable", CheckState::kPass, kReachableTitle, found, {}};
  return {"source.reachable", CheckState::kFail, kReachableTitle, found + ": not supported",
          mariadb ? "upgrade the source to MariaDB 10.5 or later" : "upgrade the source to MySQL 8.0 or later"};
}

CheckItem tls_item(const SourceTls& config, const TlsInfo& tls) {
  if (!tls.used) {
    const bool by_config = config.mode == TlsMode::kDisabled;
    return {"source.tls", CheckState::kWarn, kTlsTitle,
            by_config ? "not used (source.tls.mode: disabled): passwords and row data travel unencrypted"
                      : "not used: the server does not offer TLS, passwords and row data travel unencrypted",
            by_config ? "set source.tls.mode: verify-ca with source.tls.ca: the CA file of the server's certificate"
                      : "enable TLS on the server (my.cnf [mysqld]: ssl_cert = ..., ssl_key = ..., ssl_ca = ...), "
                        "then set source.tls.mode: verify-ca"};
  }
  std::string used = fmt::format("{}, {}", tls.version.empty() ? "TLS" : tls.version, tls.cipher);
  if (!config.cert.empty()) used += fmt::format(", client certificate {}", config.cert);
  if (!tls.verified) {
    return {"source.tls", CheckState::kWarn, kTlsTitle,
            fmt::format("{}; server certificate not verified (mode {})", used, tls_mode_name(config.mode)),
            "set source.tls.mode: verify-ca (or verify-identity) and source.tls.ca: the CA file of the server's "
            "certificate"};
  }
  return {"source.tls",
          CheckState::kPass,
          kTlsTitle,
          fmt::format("{}; certificate verified against {}{}", used, config.ca,
                      tls.host_verified ? " including the host name" : " (host name not checked: verify-ca)"),
          {}};
}

CheckItem auth_item(const std::string& current_user, const std::string& auth_plugin, const TlsInfo& tls) {
  std::string found = fmt::format("authenticated as {}", current_user);
  if (!auth_plugin.empty()) found += fmt::format(" with {}", auth_plugin);
  if (auth_plugin == "caching_sha2_password" && !tls.used) {
    found += " over plain TCP (full authentication uses the server's RSA public key, fetched by the client)";
  }
  return {"source.auth", CheckState::kPass, kAuthTitle, found, {}};
}

}  // namespace mysql2ch
