#include "binlog/network_source.h"

namespace mysql2ch::binlog {

Result<ReplicationClient> open_network_source(const SourceConfig& source, const NetworkSourceRequest& request) {
  if (request.from_gtid && (request.from_file || request.from_pos)) {
    return make_error(ErrorCode::kInvalidArgument, "--from-gtid cannot be combined with --from-file/--from-pos");
  }
  if (request.from_pos && !request.from_file) {
    return make_error(ErrorCode::kInvalidArgument, "--from-pos needs --from-file");
  }
  ConnectOptions connect = ConnectOptions::from_source(source);
  StreamPosition start;
  if (request.from_file) {
    start = StreamPosition::at_file(*request.from_file, request.from_pos.value_or(4));
  } else {
    TRY_ASSIGN(Connection probe, Connection::open(connect));
    if (!request.from_gtid) {
      TRY_ASSIGN(start, current_position(probe));
    } else if (probe.server().flavor == ServerFlavor::kMySQL) {
      auto set = MysqlGtidSet::parse(*request.from_gtid);
      if (!set.ok()) return std::move(set).error().context("--from-gtid");
      start = StreamPosition::after_gtids(std::move(*set));
    } else {
      auto position = MariadbGtidSet::parse(*request.from_gtid);
      if (!position.ok()) return std::move(position).error().context("--from-gtid");
      start = StreamPosition::after_gtids(std::move(*position));
    }
  }
  ReplicationOptions options;
  options.server_id = source.server_id;
  options.stop_at_end = request.until_end;
  return ReplicationClient::start(connect, options, std::move(start));
}

}  // namespace mysql2ch::binlog
