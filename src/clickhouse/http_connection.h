// ClickHouse over HTTP or HTTPS with libcurl. One easy handle per connection, reused for every request, so
// the TCP/TLS connection is kept alive between requests. Authentication by the X-ClickHouse-User and
// X-ClickHouse-Key headers (accepted since 18.x; the password never goes into a URL, so it cannot leak into
// server or proxy logs). Settings and query_id travel as URL parameters.
//
// Threading: not thread-safe; one connection per thread. libcurl's global initialisation happens once per
// process on the first open().
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "clickhouse/connection.h"

namespace mysql2ch {

struct HttpOptions {
  DestinationUrl url;  // kind kHttp or kHttps
  std::string user = "default";
  Secret password;
  DestinationTls tls;  // https only: CA file, client certificate and key, verify on/off
  unsigned connect_timeout_s = 10;
  unsigned request_timeout_s = 300;  // whole request, body upload and response included
  // Insert bodies compressed on the fly with this Content-Encoding; zstd and lz4 are refused (kConfig) at the
  // first insert when the server is older than 22.10.
  RequestCompression compression = RequestCompression::kNone;
  int compression_level = 0;  // 0: the codec's fast default (request_body_encoder.h)
};

class HttpConnection final : public ClickHouseConnection {
 public:
  static Result<std::unique_ptr<HttpConnection>> open(HttpOptions options);
  ~HttpConnection() override;

  Status ping() override;
  Status execute(std::string_view sql, const RequestOptions& options = {}) override;
  Result<std::string> query(std::string_view sql, std::string_view format, const RequestOptions& options = {}) override;
  Status insert(std::string_view target, std::string_view format, std::string_view data,
                const RequestOptions& options = {}) override;
  const std::string& endpoint() const override { return options_.url.endpoint; }

  // How many TCP (and TLS) connections this object has opened so far: stays 1 while keep-alive works.
  uint64_t connections_opened() const { return connections_opened_; }

 private:
  struct Body {
    std::string_view bytes;
    bool compressed = false;  // with options_.compression
  };
  struct Param {
    std::string_view name;
    std::string_view value;
  };

  HttpConnection(HttpOptions options, CURL* handle);

  // Sends one request: GET when body is empty and !post, else POST with the body; returns the response body
  // of a 200, else the error the response or the transfer failure maps to.
  Result<std::string> perform(const std::string& url, const Body& body, bool post);
  std::string url_for(std::string_view path, std::initializer_list<Param> params, const RequestOptions& options);
  void configure_tls();
  Error transfer_error(int curl_code) const;
  Error response_error(long status, std::string_view body) const;

  HttpOptions options_;
  CURL* curl_;
  uint64_t connections_opened_ = 0;
  std::string exception_code_header_;  // X-ClickHouse-Exception-Code of the last response, when sent
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace mysql2ch
