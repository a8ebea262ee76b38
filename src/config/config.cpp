#include "config/config.h"

#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "common/strings.h"

namespace mysql2ch {
namespace {

namespace fs = std::filesystem;

Error config_error(const std::string& origin, const YAML::Node& node, const std::string& key, const std::string& what) {
  const auto mark = node.Mark();
  if (mark.is_null()) return make_error(ErrorCode::kConfig, "{}: {}: {}", origin, key, what);
  return make_error(ErrorCode::kConfig, "{}:{}: {}: {}", origin, mark.line + 1, key, what);
}

// Reads one YAML mapping against the keys a section accepts. Every accessor records its key as known;
// finish() then rejects the keys nobody asked for, suggesting the closest known one.
class Section {
 public:
  Section(const YAML::Node& node, std::string path, const std::string& origin, const std::string& base_dir,
          const EnvLookup& env)
      : node_(node), path_(std::move(path)), origin_(origin), base_dir_(base_dir), env_(env) {}

  Status check_is_map() const {
    if (!node_ || node_.IsNull() || node_.IsMap()) return {};
    return config_error(origin_, node_, path_, "must be a mapping of keys to values");
  }

  bool has(const std::string& key) {
    known_.push_back(key);
    return node_ && node_.IsMap() && node_[key] && !node_[key].IsNull();
  }

  YAML::Node child(const std::string& key) {
    known_.push_back(key);
    if (!node_ || !node_.IsMap()) return YAML::Node();
    return node_[key];
  }

  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  Result<std::string> scalar_text(const std::string& key, const YAML::Node& v) {
    if (!v.IsScalar()) return config_error(origin_, v, key_path(key), "must be a single value, not a list or mapping");
    return expand_env(key, v);
  }

  Status string(const std::string& key, std::string& out, bool required = false) {
    if (!has(key)) return missing(key, required);
    TRY_ASSIGN(out, scalar_text(key, node_[key]));
    if (required && out.empty()) return config_error(origin_, node_[key], key_path(key), "must not be empty");
    return {};
  }

  Status path(const std::string& key, std::string& out) {
    TRY(string(key, out));
    if (!out.empty()) out = resolve(out);
    return {};
  }

  template <typename Int>
  Status integer(const std::string& key, Int& out, uint64_t min, uint64_t max, bool required = false) {
    if (!has(key)) return missing(key, required);
    const YAML::Node v = node_[key];
    TRY_ASSIGN(std::string text, scalar_text(key, v));
    auto parsed = parse_uint(text);
    if (!parsed || *parsed < min || *parsed > max) {
      return config_error(origin_, v, key_path(key),
                          fmt::format("'{}' is not a whole number between {} and {}", text, min, max));
    }
    out = static_cast<Int>(*parsed);
    return {};
  }

  Status byte_size(const std::string& key, uint64_t& out) {
    if (!has(key)) return {};
    const YAML::Node v = node_[key];
    TRY_ASSIGN(std::string text, scalar_text(key, v));
    auto parsed = parse_byte_size(text);
    if (!parsed || *parsed == 0) {
      return config_error(origin_, v, key_path(key),
                          fmt::format("'{}' is not a size (a number of bytes, or with KiB, MiB or GiB)", text));
    }
    out = *parsed;
    return {};
  }

  Status boolean(const std::string& key, bool& out) {
    if (!has(key)) return {};
    const YAML::Node v = node_[key];
    TRY_ASSIGN(std::string text, scalar_text(key, v));
    std::string lower = to_lower(text);
    if (lower == "true" || lower == "yes" || lower == "on") {
      out = true;
    } else if (lower == "false" || lower == "no" || lower == "off") {
      out = false;
    } else {
      return config_error(origin_, v, key_path(key), fmt::format("'{}' is not true or false", text));
    }
    return {};
  }

  template <typename Enum>
  Status choice(const std::string& key, Enum& out, const std::vector<std::pair<std::string, Enum>>& options) {
    if (!has(key)) return {};
    const YAML::Node v = node_[key];
    TRY_ASSIGN(std::string text, scalar_text(key, v));
    for (const auto& [name, value] : options) {
      if (name == text) {
        out = value;
        return {};
      }
    }
    std::vector<std::string> names;
    for (const auto& o : options) names.push_back(o.first);
    return config_error(origin_, v, key_path(key), fmt::format("'{}' is not one of: {}", text, fmt::join(names, ", ")));
  }

  Status string_list(const std::string& key, std::vector<std::string>& out) {
    if (!has(key)) return {};
    const YAML::Node v = node_[key];
    out.clear();
    if (v.IsScalar()) {
      TRY_ASSIGN(std::string one, expand_env(key, v));
      out.push_back(std::move(one));
      return {};
    }
    if (!v.IsSequence()) return config_error(origin_, v, key_path(key), "must be a list of strings");
    for (const auto& item : v) {
      if (!item.IsScalar()) return config_error(origin_, item, key_path(key), "must be a list of strings");
      TRY_ASSIGN(std::string s, expand_env(key, item));
      out.push_back(std::move(s));
    }
    return {};
  }

  Status password(const std::string& key, const std::string& file_key, Secret& out) {
    const bool inline_pw = has(key);
    const bool file_pw = has(file_key);
    if (inline_pw && file_pw) {
      return config_error(origin_, node_[file_key], key_path(file_key),
                          fmt::format("give either {} or {}, not both", key, file_key));
    }
    if (inline_pw) {
      TRY_ASSIGN(std::string pw, scalar_text(key, node_[key]));
      out = Secret(std::move(pw));
    } else if (file_pw) {
      std::string p;
      TRY(path(file_key, p));
      std::ifstream in(p, std::ios::binary);
      if (!in) {
        return config_error(origin_, node_[file_key], key_path(file_key), fmt::format("cannot read '{}'", p));
      }
      std::stringstream ss;
      ss << in.rdbuf();
      std::string pw = ss.str();
      // A trailing newline is what editors and `echo` leave; it is never part of the password.
      while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
      out = Secret(std::move(pw));
    }
    return {};
  }

  Status finish() const {
    if (!node_ || !node_.IsMap()) return {};
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      std::string msg = "unknown key";
      if (auto near = closest(key, known_)) msg += fmt::format(" (did you mean '{}'?)", *near);
      if (!known_.empty()) msg += fmt::format("; known keys here: {}", fmt::join(sorted(known_), ", "));
      return config_error(origin_, kv.first, key_path(key), msg);
    }
    return {};
  }

  // An error about `key` of this section, at its line (or the section's line when the key is absent).
  Error error_at(const std::string& key, const std::string& what) const {
    const bool present = node_ && node_.IsMap() && node_[key];
    return config_error(origin_, present ? node_[key] : node_, key_path(key), what);
  }

  Section sub(const std::string& key) { return Section(child(key), key_path(key), origin_, base_dir_, env_); }

 private:
  Status missing(const std::string& key, bool required) const {
    if (!required) return {};
    return config_error(origin_, node_, key_path(key), "is required");
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base_dir_) / p).lexically_normal().string();
  }

  // ${NAME} is replaced by the environment variable NAME; $$ is a literal $. An unset variable is an error,
  // because an empty password or host silently substituted is worse than a refusal.
  Result<std::string> expand_env(const std::string& key, const YAML::Node& v) const {
    const std::string raw = v.as<std::string>();
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '$' || i + 1 >= raw.size()) {
        out += raw[i];
      } else if (raw[i + 1] == '$') {
        out += '$';
        ++i;
      } else if (raw[i + 1] == '{') {
        const size_t end = raw.find('}', i + 2);
        if (end == std::string::npos) {
          return config_error(origin_, v, key_path(key), "unterminated ${ in value");
        }
        const std::string name = raw.substr(i + 2, end - i - 2);
        auto value = env_(name);
        if (!value) {
          return config_error(origin_, v, key_path(key), fmt::format("environment variable {} is not set", name));
        }
        out += *value;
        i = end;
      } else {
        out += raw[i];
      }
    }
    return out;
  }

  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }

  YAML::Node node_;
  std::string path_;
  const std::string& origin_;
  const std::string& base_dir_;
  const EnvLookup& env_;
  std::vector<std::string> known_;
};

Status parse_source(Section s, SourceConfig& c) {
  TRY(s.check_is_map());
  TRY(s.string("host", c.host, true));
  TRY(s.integer("port", c.port, 1, 65535));
  TRY(s.string("user", c.user, true));
  TRY(s.password("password", "password_file", c.password));
  TRY(s.integer("server_id", c.server_id, 1, std::numeric_limits<uint32_t>::max(), true));
  TRY(s.integer("max_connections", c.max_connections, 1, 256));
  TRY(s.integer("connect_timeout_s", c.connect_timeout_s, 1, 3600));
  TRY(s.integer("read_timeout_s", c.read_timeout_s, 1, 86400));
  TRY(s.choice("on_lost_position", c.on_lost_position,
               {{"fail", LostPositionPolicy::kFail}, {"resnapshot", LostPositionPolicy::kResnapshot}}));
  Section tls = s.sub("tls");
  TRY(tls.check_is_map());
  TRY(tls.choice("mode", c.tls.mode,
                 {{"disabled", TlsMode::kDisabled},
                  {"preferred", TlsMode::kPreferred},
                  {"required", TlsMode::kRequired},
                  {"verify-ca", TlsMode::kVerifyCa},
                  {"verify-identity", TlsMode::kVerifyIdentity}}));
  TRY(tls.path("ca", c.tls.ca));
  TRY(tls.path("cert", c.tls.cert));
  TRY(tls.path("key", c.tls.key));
  if ((c.tls.mode == TlsMode::kVerifyCa || c.tls.mode == TlsMode::kVerifyIdentity) && c.tls.ca.empty()) {
    return tls.error_at("ca", fmt::format("is required with mode {} (the CA file that signed the server's certificate)",
                                          tls_mode_name(c.tls.mode)));
  }
  if (c.tls.cert.empty() != c.tls.key.empty()) {
    return tls.error_at(c.tls.cert.empty() ? "key" : "cert",
                        "source.tls.cert and source.tls.key go together: give both or neither");
  }
  TRY(tls.finish());
  return s.finish();
}

Status parse_destination(Section s, DestinationConfig& c) {
  TRY(s.check_is_map());
  TRY(s.string("url", c.url, true));
  if (!starts_with(c.url, "http://") && !starts_with(c.url, "https://") && !starts_with(c.url, "chdb://")) {
    return s.error_at("url", fmt::format("'{}' must start with http://, https:// or chdb://", c.url));
  }
  TRY(s.string("user", c.user));
  TRY(s.password("password", "password_file", c.password));
  TRY(s.string("database", c.database));
  TRY(s.choice("naming", c.naming, {{"mirror", Naming::kMirror}, {"prefix", Naming::kPrefix}}));
  if (c.naming == Naming::kPrefix && c.database.empty()) {
    return s.error_at("database", "is required with naming: prefix");
  }
  TRY(s.integer("connect_timeout_s", c.connect_timeout_s, 1, 3600));
  TRY(s.integer("request_timeout_s", c.request_timeout_s, 1, 86400));
  TRY(s.choice("json", c.json, {{"string", JsonMapping::kString}, {"native", JsonMapping::kNative}}));
  TRY(s.choice("compression", c.compression,
               {{"none", RequestCompression::kNone},
                {"gzip", RequestCompression::kGzip},
                {"zstd", RequestCompression::kZstd},
                {"lz4", RequestCompression::kLz4}}));
  const std::vector<std::pair<std::string, DatePolicy>> date_policies = {
      {"null", DatePolicy::kNull}, {"clamp", DatePolicy::kClamp}, {"error", DatePolicy::kError}};
  for (auto [key, out] :
       {std::pair{"zero_dates", &c.zero_dates}, std::pair{"out_of_range_dates", &c.out_of_range_dates}}) {
    // `null` is YAML's null, which elsewhere means "not set": here it names the policy.
    const YAML::Node v = s.child(key);
    if (v.IsDefined() && v.IsNull()) {
      *out = DatePolicy::kNull;
      continue;
    }
    TRY(s.choice(key, *out, date_policies));
  }
  Section tls = s.sub("tls");
  TRY(tls.check_is_map());
  TRY(tls.path("ca", c.tls.ca));
  TRY(tls.path("cert", c.tls.cert));
  TRY(tls.path("key", c.tls.key));
  TRY(tls.boolean("verify", c.tls.verify));
  if (c.tls.cert.empty() != c.tls.key.empty()) {
    return tls.error_at(c.tls.cert.empty() ? "key" : "cert",
                        "destination.tls.cert and destination.tls.key go together: give both or neither");
  }
  TRY(tls.finish());
  return s.finish();
}

Status check_patterns(Section& s, const std::vector<std::string>& patterns, const char* key) {
  for (const auto& p : patterns) {
    if (p.find('.') == std::string::npos) {
      return s.error_at(key, fmt::format("pattern '{}' must be db.table (e.g. '{}.*')", p, p));
    }
  }
  return {};
}

}  // namespace

const char* tls_mode_name(TlsMode mode) {
  switch (mode) {
    case TlsMode::kDisabled: return "disabled";
    case TlsMode::kPreferred: return "preferred";
    case TlsMode::kRequired: return "required";
    case TlsMode::kVerifyCa: return "verify-ca";
    case TlsMode::kVerifyIdentity: return "verify-identity";
  }
  return "?";
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<Config> parse_config(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                            const EnvLookup& env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kConfig, "{}:{}: not valid YAML: {}", origin, e.mark.line + 1, e.msg);
  }
  if (!root || root.IsNull()) return make_error(ErrorCode::kConfig, "{}: the file is empty", origin);
  if (!root.IsMap())
    return make_error(ErrorCode::kConfig, "{}: must be a mapping with source: and destination:", origin);

  Config c;
  c.file = origin;
  try {
    Section top(root, "", origin, base_dir, env);
    if (!top.has("source")) return make_error(ErrorCode::kConfig, "{}: source: is required", origin);
    if (!top.has("destination")) return make_error(ErrorCode::kConfig, "{}: destination: is required", origin);
    TRY(parse_source(top.sub("source"), c.source));
    TRY(parse_destination(top.sub("destination"), c.destination));

    Section tables = top.sub("tables");
    TRY(tables.check_is_map());
    TRY(tables.string_list("include", c.tables.include));
    TRY(tables.string_list("exclude", c.tables.exclude));
    TRY(check_patterns(tables, c.tables.include, "include"));
    TRY(check_patterns(tables, c.tables.exclude, "exclude"));
    TRY(tables.finish());

    Section snapshot = top.sub("snapshot");
    TRY(snapshot.check_is_map());
    TRY(snapshot.integer("concurrency", c.snapshot.concurrency, 1, 64));
    TRY(snapshot.integer("chunk_rows", c.snapshot.chunk_rows, 1, 100'000'000));
    TRY(snapshot.finish());

    Section pipeline = top.sub("pipeline");
    TRY(pipeline.check_is_map());
    TRY(pipeline.integer("max_batch_rows", c.pipeline.max_batch_rows, 1, 100'000'000));
    TRY(pipeline.byte_size("max_batch_bytes", c.pipeline.max_batch_bytes));
    TRY(pipeline.integer("max_delay_ms", c.pipeline.max_delay_ms, 1, 3'600'000));
    TRY(pipeline.integer("insert_concurrency", c.pipeline.insert_concurrency, 1, 64));
    TRY(pipeline.integer("checkpoint_interval_s", c.pipeline.checkpoint_interval_s, 1, 86400));
    TRY(pipeline.choice("on_unparseable_ddl", c.pipeline.on_unparseable_ddl,
                        {{"stop", UnparseableDdl::kStop}, {"skip", UnparseableDdl::kSkip}}));
    TRY(pipeline.finish());

    Section state = top.sub("state");
    TRY(state.check_is_map());
    TRY(state.path("path", c.state.path));
    TRY(state.finish());
    if (!top.has("state") || c.state.path.empty()) {
      c.state.path = (fs::path(base_dir) / "mysql2ch-state").lexically_normal().string();
    }

    TRY(top.finish());
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kConfig, "{}:{}: {}", origin, e.mark.line + 1, e.msg);
  }
  if (c.snapshot.concurrency > c.source.max_connections) {
    // One connection stays for the binlog stream and the coordinator.
    c.snapshot.concurrency = c.source.max_connections;
  }
  return c;
}

Result<Config> load_config(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kConfig, "cannot read configuration file '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  const fs::path p(path);
  std::string base = p.has_parent_path() ? p.parent_path().string() : ".";
  return parse_config(ss.str(), path, base, env);
}

}  // namespace mysql2ch
