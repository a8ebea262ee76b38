// The network event source behind `mysql2ch binlog -c FILE [--from-gtid SET | --from-file NAME --from-pos N]
// [--until-end]`: turns those options into a started ReplicationClient on config.source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "binlog/replication_client.h"
#include "config/config.h"

namespace mysql2ch::binlog {

struct NetworkSourceRequest {
  std::optional<std::string> from_gtid;  // a MySQL GTID set or a MariaDB GTID position, per the server
  std::optional<std::string> from_file;  // binlog file name
  std::optional<uint64_t> from_pos;      // with from_file; default 4 (the file's start)
  bool until_end = false;                // stop at the source's current end (non-blocking dump)
};

// Validates the request (from_gtid excludes from_file/from_pos; from_pos needs from_file), connects to find
// the server's flavor, parses from_gtid for it, and starts the dump. Without a position, starts at the
// source's current position (current_position()). Errors: kInvalidArgument naming the option, plus those of
// ReplicationClient::start.
Result<ReplicationClient> open_network_source(const SourceConfig& source, const NetworkSourceRequest& request);

}  // namespace mysql2ch::binlog
