#include "clickhouse/chdb_library.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <system_error>
#include <vector>

namespace mysql2ch {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLibraryName = "libchdb.so";
constexpr const char* kHowToGet =
    "get it with `npm pack @chdb/lib-linux-x64-gnu` (the .tgz holds package/libchdb.so) or "
    "`scripts/testenv.sh start chdb`, then put it next to mysql2ch, in ~/.cache/mysql2ch/chdb/, or point "
    "MYSQL2CH_LIBCHDB at it";

std::string executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

std::vector<std::string> candidates(const EnvLookup& env) {
  if (auto explicit_path = env("MYSQL2CH_LIBCHDB"); explicit_path && !explicit_path->empty()) return {*explicit_path};
  std::vector<std::string> out;
  if (auto dir = executable_dir(); !dir.empty()) out.push_back(dir + "/" + kLibraryName);
  std::string cache;
  if (auto c = env("MYSQL2CH_CACHE"); c && !c->empty()) {
    cache = *c;
  } else if (auto x = env("XDG_CACHE_HOME"); x && !x->empty()) {
    cache = *x + "/mysql2ch";
  } else if (auto home = env("HOME"); home && !home->empty()) {
    cache = *home + "/.cache/mysql2ch";
  }
  if (!cache.empty()) out.push_back(cache + "/chdb/" + kLibraryName);
  return out;
}

template <typename Fn>
bool bind(void* handle, const char* name, Fn& fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  return fn != nullptr;
}

Result<ChdbApi> load_from(void* handle, const std::string& path) {
  ChdbApi api;
  api.path = path;
  const bool all = bind(handle, "chdb_connect", api.connect) && bind(handle, "chdb_close_conn", api.close_conn) &&
                   bind(handle, "chdb_query_n", api.query_n) && bind(handle, "chdb_result_buffer", api.result_buffer) &&
                   bind(handle, "chdb_result_length", api.result_length) &&
                   bind(handle, "chdb_result_error", api.result_error) &&
                   bind(handle, "chdb_destroy_query_result", api.destroy_query_result);
  if (!all) {
    return make_error(ErrorCode::kUnsupported,
                      "{} lacks the chDB 3.x C API (chdb_connect, chdb_query_n, ...): it is too old; {}", path,
                      kHowToGet);
  }
  return api;
}

Result<ChdbApi> try_load(const EnvLookup& env) {
  std::vector<std::string> tried;
  const auto paths = candidates(env);
  const bool explicit_only = env("MYSQL2CH_LIBCHDB").has_value() && !env("MYSQL2CH_LIBCHDB")->empty();
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried.push_back(fmt::format("{} (no such file)", path));
      continue;
    }
    if (!chdb_loadable_in_this_build()) {
      return make_error(ErrorCode::kUnsupported,
                        "{} cannot be loaded into this build: it was compiled with AddressSanitizer, under which "
                        "libchdb.so crashes while loading; use a build without MYSQL2CH_SANITIZE",
                        path);
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      return make_error(ErrorCode::kIo, "cannot load {}: {}", path, why != nullptr ? why : "dlopen failed");
    }
    return load_from(handle, path);
  }
  if (!explicit_only && chdb_loadable_in_this_build()) {
    if (void* handle = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL); handle != nullptr) {
      return load_from(handle, kLibraryName);
    }
    tried.push_back(fmt::format("{} on the system library path (not found)", kLibraryName));
  }
  return make_error(ErrorCode::kNotFound, "libchdb.so not found; looked at: {}. {}", fmt::join(tried, "; "), kHowToGet);
}

}  // namespace

bool chdb_loadable_in_this_build() {
#ifdef __SANITIZE_ADDRESS__
  return false;
#else
  return true;
#endif
}

Result<const ChdbApi*> load_chdb(const EnvLookup& env) {
  // A failed load is not remembered: a later call (after the file appears, or with another env) tries again.
  static std::mutex mutex;
  static std::unique_ptr<ChdbApi> loaded;
  std::lock_guard lock(mutex);
  if (loaded) {
    // An explicit path other than the loaded library's is answered truthfully rather than silently ignored.
    const auto wanted = env("MYSQL2CH_LIBCHDB");
    if (wanted && !wanted->empty() && *wanted != loaded->path) {
      std::error_code ec;
      if (!fs::exists(*wanted, ec)) {
        return make_error(ErrorCode::kNotFound, "libchdb.so not found; looked at: {} (no such file). {}", *wanted,
                          kHowToGet);
      }
      return make_error(ErrorCode::kInvalidArgument,
                        "MYSQL2CH_LIBCHDB names {}, but this process already loaded chDB from {}", *wanted,
                        loaded->path);
    }
    return static_cast<const ChdbApi*>(loaded.get());
  }
  TRY_ASSIGN(ChdbApi api, try_load(env));
  loaded = std::make_unique<ChdbApi>(std::move(api));
  return static_cast<const ChdbApi*>(loaded.get());
}

}  // namespace mysql2ch
