#include "clickhouse/http_connection.h"

#include <fmt/format.h>

#include <cstring>
#include <mutex>

#include "clickhouse/request_body_encoder.h"
#include "clickhouse/server_error.h"
#include "common/strings.h"

namespace mysql2ch {
namespace {

constexpr size_t kMaxErrorExcerpt = 300;

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

Status append_header(HeaderList& list, const std::string& header) {
  curl_slist* next = curl_slist_append(list.get(), header.c_str());
  if (next == nullptr) return make_error(ErrorCode::kInternal, "out of memory building HTTP headers");
  (void)list.release();
  list.reset(next);
  return {};
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "x-clickhouse-exception-code:";
  if (line.size() > kName.size() && to_lower(line.substr(0, kName.size())) == kName) {
    std::string_view v = line.substr(kName.size());
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
    *static_cast<std::string*>(user) = std::string(v);
  }
  return size * count;
}

struct CompressedUpload {
  std::unique_ptr<RequestBodyEncoder> encoder;
  std::optional<Error> failure;
};

size_t on_compressed_read(char* out, size_t size, size_t count, void* user) {
  auto* upload = static_cast<CompressedUpload*>(user);
  auto n = upload->encoder->read(out, size * count);
  if (!n.ok()) {
    upload->failure = n.error();
    return CURL_READFUNC_ABORT;
  }
  return *n;
}

std::string escape(CURL* curl, std::string_view s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e != nullptr ? e : "";
  curl_free(e);
  return out;
}

std::string excerpt(std::string_view body) {
  std::string_view s = body;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  if (s.size() <= kMaxErrorExcerpt) return std::string(s);
  return fmt::format("{}...", s.substr(0, kMaxErrorExcerpt));
}

}  // namespace

Result<std::unique_ptr<HttpConnection>> HttpConnection::open(HttpOptions options) {
  if (options.url.kind == DestinationUrl::Kind::kChdb) {
    return make_error(ErrorCode::kInternal, "HttpConnection::open given a chdb:// url");
  }
  global_init_once();
  CURL* handle = curl_easy_init();
  if (handle == nullptr) return make_error(ErrorCode::kInternal, "curl_easy_init failed");
  return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(options), handle));
}

HttpConnection::HttpConnection(HttpOptions options, CURL* handle) : options_(std::move(options)), curl_(handle) {}

HttpConnection::~HttpConnection() {
  curl_easy_cleanup(curl_);
}

std::string HttpConnection::url_for(std::string_view path, std::initializer_list<Param> params,
                                    const RequestOptions& options) {
  std::string url = fmt::format("{}://{}:{}{}{}", options_.url.kind == DestinationUrl::Kind::kHttps ? "https" : "http",
                                options_.url.host, options_.url.port, options_.url.path, path);
  char sep = '?';
  auto add = [&](std::string_view name, std::string_view value) {
    url += sep;
    url += escape(curl_, name);
    url += '=';
    url += escape(curl_, value);
    sep = '&';
  };
  for (const auto& p : params) add(p.name, p.value);
  if (!options.query_id.empty()) add("query_id", options.query_id);
  for (const auto& [name, value] : options.settings) add(name, value);
  return url;
}

void HttpConnection::configure_tls() {
  if (options_.url.kind != DestinationUrl::Kind::kHttps) return;
  const auto& tls = options_.tls;
  if (!tls.ca.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, tls.ca.c_str());
  if (!tls.cert.empty()) {
    curl_easy_setopt(curl_, CURLOPT_SSLCERT, tls.cert.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLKEY, tls.key.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
}

Result<std::string> HttpConnection::perform(const std::string& url, const Body& body, bool post) {
  // Resetting keeps the live connection, the DNS cache and TLS session ids: only per-request options go.
  curl_easy_reset(curl_);
  std::string response;
  exception_code_header_.clear();
  error_buffer_[0] = '\0';
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout_s));
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(options_.request_timeout_s));
  curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &exception_code_header_);
  configure_tls();

  HeaderList headers;
  TRY(append_header(headers, "X-ClickHouse-User: " + options_.user));
  if (!options_.password.empty()) TRY(append_header(headers, "X-ClickHouse-Key: " + options_.password.reveal()));

  std::optional<CompressedUpload> upload;
  if (post) {
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    if (body.compressed) {
      TRY_ASSIGN(auto encoder, make_request_body_encoder(options_.compression, body.bytes, options_.compression_level));
      upload.emplace(CompressedUpload{std::move(encoder), std::nullopt});
      TRY(append_header(headers, fmt::format("Content-Encoding: {}", content_encoding(options_.compression))));
      // The compressed size is unknown until the end: send it chunked.
      TRY(append_header(headers, "Transfer-Encoding: chunked"));
      curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &on_compressed_read);
      curl_easy_setopt(curl_, CURLOPT_READDATA, &*upload);
    } else {
      // POSTFIELDS does not copy: libcurl sends straight from the caller's buffer.
      // (A null pointer would make libcurl read the body from stdin: an empty body is "".)
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.bytes.data() != nullptr ? body.bytes.data() : "");
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.bytes.size()));
    }
    // No "Expect: 100-continue" round trip before large bodies.
    TRY(append_header(headers, "Expect:"));
  } else {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode rc = curl_easy_perform(curl_);
  long new_connections = 0;
  if (curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &new_connections) == CURLE_OK && new_connections > 0) {
    connections_opened_ += static_cast<uint64_t>(new_connections);
  }
  if (upload && upload->failure) return *upload->failure;
  if (rc != CURLE_OK) return transfer_error(rc);
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return response_error(status, response);
  return response;
}

Error HttpConnection::transfer_error(int curl_code) const {
  const auto rc = static_cast<CURLcode>(curl_code);
  const std::string detail = error_buffer_[0] != '\0' ? std::string(error_buffer_) : curl_easy_strerror(rc);
  const bool https = options_.url.kind == DestinationUrl::Kind::kHttps;
  const std::string& where = options_.url.endpoint;
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      if (https && detail.find("SSL connection timeout") != std::string::npos) {
        // TCP connected but TLS never finished: the port is open and does not answer TLS. A plain-HTTP server
        // often waits for the rest of a request it believes it sees in the ClientHello bytes instead of
        // rejecting them, so this shows up as a timeout rather than a handshake error.
        return make_error(ErrorCode::kTls,
                          "{}: the TLS handshake did not finish within connect_timeout_s ({} s): the port accepts "
                          "connections but does not answer TLS (if it serves plain HTTP, use http://)",
                          where, options_.connect_timeout_s);
      }
      return make_error(ErrorCode::kTimeout, "{}: {} (connect_timeout_s {}, request_timeout_s {})", where, detail,
                        options_.connect_timeout_s, options_.request_timeout_s);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return make_error(ErrorCode::kUnavailable, "{}: cannot connect: {}", where, detail);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      if (!https) {
        return make_error(ErrorCode::kUnavailable,
                          "{}: the server closed the connection: {} (if this port serves HTTPS, use https://)", where,
                          detail);
      }
      return make_error(ErrorCode::kUnavailable, "{}: the server closed the connection: {}", where, detail);
    case CURLE_SSL_CONNECT_ERROR:
      if (detail.find("wrong version number") != std::string::npos ||
          detail.find("packet length too long") != std::string::npos) {
        return make_error(ErrorCode::kTls,
                          "{}: TLS handshake failed: {} (this port seems to speak plain HTTP: use http://)", where,
                          detail);
      }
      return make_error(ErrorCode::kTls, "{}: TLS handshake failed: {}", where, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
    case CURLE_SSL_CACERT:
#endif
      return make_error(ErrorCode::kTls, "{}: the server's certificate is not trusted: {}{}", where, detail,
                        options_.tls.ca.empty() ? "" : fmt::format(" (CA file {})", options_.tls.ca));
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR: return make_error(ErrorCode::kTls, "{}: TLS setup failed: {}", where, detail);
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
      return make_error(ErrorCode::kProtocol,
                        "{}: the peer does not speak HTTP as ClickHouse does: {} (is this "
                        "ClickHouse's HTTP port?)",
                        where, detail);
    default: return make_error(ErrorCode::kUnavailable, "{}: HTTP request failed: {}", where, detail);
  }
}

Error HttpConnection::response_error(long status, std::string_view body) const {
  if (auto e = parse_server_exception(body)) return server_exception_error(*e);
  if (!exception_code_header_.empty()) {
    if (auto code = parse_uint(exception_code_header_)) {
      return server_exception_error(ServerException{static_cast<int>(*code), {}, excerpt(body)});
    }
  }
  const std::string text = excerpt(body);
  const std::string& where = options_.url.endpoint;
  switch (status) {
    case 401:
    case 403: return make_error(ErrorCode::kAuth, "{}: HTTP {}: {}", where, status, text);
    case 404: return make_error(ErrorCode::kNotFound, "{}: HTTP 404 (is the URL path right?): {}", where, text);
    case 408:
    case 504: return make_error(ErrorCode::kTimeout, "{}: HTTP {}: {}", where, status, text);
    case 429:
    case 502:
    case 503: return make_error(ErrorCode::kUnavailable, "{}: HTTP {}: {}", where, status, text);
    default:
      return make_error(status >= 500 ? ErrorCode::kServer : ErrorCode::kProtocol, "{}: HTTP {}: {}", where, status,
                        text);
  }
}

Status HttpConnection::ping() {
  const std::string url = url_for("/ping", {}, {});
  TRY_ASSIGN(std::string body, perform(url, {}, false));
  if (body.rfind("Ok.", 0) != 0) {
    return make_error(ErrorCode::kProtocol,
                      "{}: /ping answered '{}' instead of 'Ok.' (is this ClickHouse's HTTP port?)",
                      options_.url.endpoint, excerpt(body));
  }
  return {};
}

Status HttpConnection::execute(std::string_view sql, const RequestOptions& options) {
  const std::string url = url_for("/", {}, options);
  TRY(perform(url, Body{sql, false}, true));
  return {};
}

Result<std::string> HttpConnection::query(std::string_view sql, std::string_view format,
                                          const RequestOptions& options) {
  // wait_end_of_query: the server buffers the result and sends the status last, so an exception in the middle
  // of a result is a failed request rather than a 200 whose body ends in an error text.
  const std::string url = url_for("/", {{"default_format", format}, {"wait_end_of_query", "1"}}, options);
  return perform(url, Body{sql, false}, true);
}

Status HttpConnection::insert(std::string_view target, std::string_view format, std::string_view data,
                              const RequestOptions& options) {
  const std::string statement = fmt::format("INSERT INTO {} FORMAT {}", target, format);
  const std::string url = url_for("/", {{"query", statement}}, options);
  const bool compressed = options_.compression != RequestCompression::kNone;
  if (compressed && options_.compression != RequestCompression::kGzip) {
    TRY_ASSIGN(ServerCapabilities caps, capabilities());
    if (!caps.zstd_lz4_bodies) {
      return make_error(ErrorCode::kConfig,
                        "destination.compression: {}: ClickHouse {} at {} accepts only gzip-compressed request bodies "
                        "(zstd and lz4 need 22.10 or newer); set compression to gzip or none",
                        content_encoding(options_.compression), caps.version.text, endpoint());
    }
  }
  TRY(perform(url, Body{data, compressed}, true));
  return {};
}

}  // namespace mysql2ch
