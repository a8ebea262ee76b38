#include "clickhouse/connection.h"

#include <fmt/format.h>

#include <filesystem>

#include "clickhouse/chdb_connection.h"
#include "clickhouse/http_connection.h"
#include "common/strings.h"

namespace mysql2ch {

namespace fs = std::filesystem;

Result<ServerCapabilities> ClickHouseConnection::capabilities() {
  if (capabilities_) return *capabilities_;
  TRY_ASSIGN(std::string text, query("SELECT version()", "TabSeparated"));
  const auto version = ServerVersion::parse(text);
  if (!version) {
    return make_error(ErrorCode::kProtocol, "{}: SELECT version() returned '{}', not a version", endpoint(), text);
  }
  capabilities_ = ServerCapabilities::from_version(*version);
  return *capabilities_;
}

Result<DestinationUrl> parse_destination_url(std::string_view url, const std::string& base_dir) {
  DestinationUrl out;
  std::string_view rest;
  if (starts_with(url, "chdb://")) {
    rest = url.substr(7);
    if (rest.empty()) return make_error(ErrorCode::kConfig, "destination.url '{}' names no storage directory", url);
    fs::path p(std::string{rest});
    if (p.is_relative()) p = fs::path(base_dir) / p;
    out.kind = DestinationUrl::Kind::kChdb;
    out.path = p.lexically_normal().string();
    out.endpoint = "chdb://" + out.path;
    return out;
  }
  if (starts_with(url, "https://")) {
    out.kind = DestinationUrl::Kind::kHttps;
    rest = url.substr(8);
    out.port = 8443;
  } else if (starts_with(url, "http://")) {
    out.kind = DestinationUrl::Kind::kHttp;
    rest = url.substr(7);
    out.port = 8123;
  } else {
    return make_error(ErrorCode::kConfig, "destination.url '{}' must start with http://, https:// or chdb://", url);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.path = std::string(path);
  }
  if (authority.find('@') != std::string_view::npos) {
    return make_error(ErrorCode::kConfig,
                      "destination.url must not carry credentials; use destination.user and destination.password");
  }
  if (authority.find('?') != std::string_view::npos) {
    return make_error(ErrorCode::kConfig, "destination.url '{}' must not have a query string", url);
  }
  // [v6addr]:port, host:port or host.
  size_t colon = std::string_view::npos;
  if (starts_with(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return make_error(ErrorCode::kConfig, "destination.url '{}': unclosed '['", url);
    out.host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return make_error(ErrorCode::kConfig, "destination.url '{}': bad host", url);
      colon = close + 1;
    }
  } else {
    colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
  }
  if (colon != std::string_view::npos) {
    const auto port = parse_uint(authority.substr(colon + 1));
    if (!port || *port == 0 || *port > 65535) {
      return make_error(ErrorCode::kConfig, "destination.url '{}': the port must be 1..65535", url);
    }
    out.port = static_cast<uint16_t>(*port);
  }
  if (out.host.empty()) return make_error(ErrorCode::kConfig, "destination.url '{}' names no host", url);
  out.endpoint = fmt::format("{}://{}:{}{}", out.kind == DestinationUrl::Kind::kHttps ? "https" : "http", out.host,
                             out.port, out.path);
  return out;
}

std::string config_base_dir(const Config& config) {
  std::error_code ec;
  if (config.file.empty()) return fs::current_path(ec).string();
  const fs::path absolute = fs::absolute(config.file, ec);
  return (ec ? fs::path(config.file) : absolute).parent_path().lexically_normal().string();
}

Result<std::unique_ptr<ClickHouseConnection>> open_clickhouse(const DestinationConfig& destination,
                                                              const std::string& base_dir, const EnvLookup& env) {
  TRY_ASSIGN(DestinationUrl url, parse_destination_url(destination.url, base_dir));
  if (url.kind == DestinationUrl::Kind::kChdb) {
    // destination.compression concerns the network between us and a server; an embedded engine has none.
    TRY_ASSIGN(auto chdb, ChdbConnection::open(url.path, env));
    return std::unique_ptr<ClickHouseConnection>(std::move(chdb));
  }
  HttpOptions options;
  options.url = std::move(url);
  options.user = destination.user;
  options.password = destination.password;
  options.tls = destination.tls;
  options.connect_timeout_s = destination.connect_timeout_s;
  options.request_timeout_s = destination.request_timeout_s;
  options.compression = destination.compression;
  TRY_ASSIGN(auto http, HttpConnection::open(std::move(options)));
  return std::unique_ptr<ClickHouseConnection>(std::move(http));
}

}  // namespace mysql2ch
