// The connection part of the source check: items source.reachable, source.tls and source.auth, from either a
// failed connection attempt (an Error of Connection::open) or an open connection. Pure functions.
#pragma once

#include <string>

#include "check/report.h"
#include "common/result.h"
#include "config/config.h"
#include "mysql/connection.h"

namespace mysql2ch {

// Items for a connection that could not be opened: the item that failed (reachable, tls or auth, with the fix
// for this kind of failure) preceded by source.reachable passing when the server did answer, and followed by
// one source.not_checked item saying the remaining source checks were not run.
void report_connect_failure(const SourceConfig& source, const Error& error, CheckReport& report);

// source.reachable for an open connection: flavor and version, failing for versions mysql2ch does not
// support (MySQL before 8.0, MariaDB before 10.5).
CheckItem reachable_item(const ServerInfo& server, const std::string& endpoint);

// source.tls for an open connection: whether TLS is used, its protocol and cipher, whether the certificate was
// verified. Warns when traffic is unencrypted or the certificate is not verified.
CheckItem tls_item(const SourceTls& config, const TlsInfo& tls);

// source.auth for an open connection. `auth_plugin` may be empty when the server would not tell.
CheckItem auth_item(const std::string& current_user, const std::string& auth_plugin, const TlsInfo& tls);

}  // namespace mysql2ch
