// libchdb.so (embedded ClickHouse), loaded with dlopen at run time so that the program builds and runs without
// it when the destination is a server. Looked up in this order:
//   1. $MYSQL2CH_LIBCHDB (a file path; when set it is the only place looked at)
//   2. libchdb.so next to the running executable
//   3. $MYSQL2CH_CACHE/chdb/libchdb.so, default ${XDG_CACHE_HOME:-~/.cache}/mysql2ch/chdb/libchdb.so
//      (where scripts/testenv.sh start chdb puts it)
//   4. "libchdb.so" through the system loader path (ld.so.conf, LD_LIBRARY_PATH)
//
// The library is loaded at most once per process and never unloaded (it cannot be: it starts threads);
// the returned reference stays valid until exit. Loading is thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace mysql2ch {

// The part of chDB's C API this program uses. Handles are opaque to us.
struct ChdbApi {
  using Connection = void*;  // chdb_connection (a pointer to chDB's connection struct)
  using QueryResult = void;  // chdb_result

  Connection* (*connect)(int argc, char** argv) = nullptr;
  void (*close_conn)(Connection* conn) = nullptr;
  QueryResult* (*query_n)(Connection conn, const char* query, size_t query_len, const char* format,
                          size_t format_len) = nullptr;
  char* (*result_buffer)(QueryResult* result) = nullptr;
  size_t (*result_length)(QueryResult* result) = nullptr;
  const char* (*result_error)(QueryResult* result) = nullptr;
  void (*destroy_query_result)(QueryResult* result) = nullptr;

  std::string path;  // the file that was loaded
};

// False in AddressSanitizer builds, which refuse to load libchdb.so with an error instead of crashing: its
// static initialisers call __pthread_mutex_lock, which GCC 12's libasan intercepts, but glibc ≥ 2.34 exports
// that name only as a compat version, so the interceptor's pointer to the real function is null (a jump to
// address 0 inside dlopen; seen with chDB 26.5 on Debian's glibc).
bool chdb_loadable_in_this_build();

// Loads libchdb.so (or returns the one already loaded). A missing library is a kNotFound error listing the
// places looked at and how to get it.
Result<const ChdbApi*> load_chdb(const EnvLookup& env);

}  // namespace mysql2ch
