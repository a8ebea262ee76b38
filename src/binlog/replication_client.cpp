#include "binlog/replication_client.h"

#include <mysql.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "common/log.h"
#include "common/strings.h"

namespace mysql2ch::binlog {

namespace {

// Command codes the libmariadb header does not name (it calls 30 COM_UNSUPPORTED).
constexpr uint8_t kComBinlogDump = 0x12;
constexpr uint8_t kComRegisterSlave = 0x15;
constexpr uint8_t kComBinlogDumpGtid = 0x1e;

constexpr uint16_t kDumpNonBlock = 0x01;     // BINLOG_DUMP_NON_BLOCK: EOF at the end instead of waiting
constexpr uint16_t kDumpThroughGtid = 0x04;  // BINLOG_THROUGH_GTID: the GTID set positions the dump
// MariaDB's BINLOG_SEND_ANNOTATE_ROWS_EVENT: without it the server drops ANNOTATE_ROWS events from the
// stream, which would then differ from the binlog file (and lose the statement text).
constexpr uint16_t kDumpSendAnnotateRows = 0x02;

constexpr unsigned long kPacketError = static_cast<unsigned int>(-1);  // libmariadb's packet_error
constexpr unsigned long kMaxEventPacket = 1UL << 30;                   // slave_max_allowed_packet's maximum

// Client-side error numbers (errmsg.h) that mean the connection is gone.
constexpr unsigned kCrServerGone = 2006;
constexpr unsigned kCrServerLost = 2013;
// Server errors sent to a dump thread that is being stopped from outside.
constexpr unsigned kErServerShutdown = 1053;
constexpr unsigned kErQueryInterrupted = 1317;
constexpr unsigned kErConnectionKilled = 1927;  // MariaDB
// MariaDB refuses a dump while its dump thread for the same server_id still runs: after the previous client
// died (kill -9), until the server notices the dead socket at its next write (an event or a heartbeat).
constexpr unsigned kErSlaveSameId = 4052;  // MariaDB
constexpr unsigned kErSpecificAccessDenied = 1227;
constexpr unsigned kErAccessDenied = 1045;
constexpr unsigned kErSourceFatalReadingBinlog = 1236;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

bool retryable_errno(unsigned err) {
  return err == kCrServerGone || err == kCrServerLost || err == kErServerShutdown || err == kErQueryInterrupted ||
         err == kErConnectionKilled || err == kErSlaveSameId;
}

bool is_heartbeat(uint8_t type) {
  return type == static_cast<uint8_t>(EventType::kHeartbeat) || type == static_cast<uint8_t>(EventType::kHeartbeatV2);
}

}  // namespace

// ---- StreamPosition ------------------------------------------------------------------------------------

StreamPosition StreamPosition::at_file(std::string file, uint64_t pos) {
  StreamPosition p;
  p.mode = Mode::kFile;
  p.file = std::move(file);
  p.pos = pos;
  return p;
}

StreamPosition StreamPosition::after_gtids(MysqlGtidSet gtids) {
  StreamPosition p;
  p.mode = Mode::kMysqlGtid;
  p.mysql_gtids = std::move(gtids);
  return p;
}

StreamPosition StreamPosition::after_gtids(MariadbGtidSet gtids) {
  StreamPosition p;
  p.mode = Mode::kMariadbGtid;
  p.mariadb_gtids = std::move(gtids);
  return p;
}

std::string StreamPosition::to_string() const {
  switch (mode) {
    case Mode::kFile: return fmt::format("{}:{}", file, pos);
    case Mode::kMysqlGtid: return fmt::format("gtid '{}'", mysql_gtids.to_string());
    case Mode::kMariadbGtid: return fmt::format("gtid '{}'", mariadb_gtids.to_string());
  }
  return {};
}

// ---- ReplicationClient: connecting ---------------------------------------------------------------------

ReplicationClient::ReplicationClient(ConnectOptions connect, ReplicationOptions options, StreamPosition start)
    : connect_(std::move(connect)), options_(options), committed_(std::move(start)) {
  // A read blocks at most one heartbeat period on a healthy connection; three periods of silence mean the
  // connection is dead.
  auto period_s = std::chrono::ceil<std::chrono::seconds>(options_.heartbeat_period).count();
  connect_.read_timeout_s = static_cast<unsigned>(std::max<long long>(2, 3 * period_s));
  current_file_ = committed_.file;
}

Result<ReplicationClient> ReplicationClient::start(const ConnectOptions& connect, const ReplicationOptions& options,
                                                   StreamPosition start) {
  if (options.server_id == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "server_id 0 cannot register as a replica: set source.server_id to a number unique among "
                      "the source's replicas (and different from the source's own @@server_id)");
  }
  if (options.heartbeat_period.count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "heartbeat period must be positive");
  }
  if (start.mode == StreamPosition::Mode::kFile && start.file.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a file:pos start position needs a binlog file name");
  }
  if (start.mode == StreamPosition::Mode::kFile && (start.pos < 4 || start.pos > UINT32_MAX)) {
    return make_error(ErrorCode::kInvalidArgument, "binlog position {} is outside 4..{}", start.pos, UINT32_MAX);
  }
  ReplicationClient client(connect, options, std::move(start));
  TRY(client.connect_and_dump());
  return client;
}

uint64_t ReplicationClient::connection_id() const { return conn_ ? mysql_thread_id(conn_->handle()) : 0; }

Error ReplicationClient::dump_error(const char* what) const {
  MYSQL* m = conn_->handle();
  unsigned err = mysql_errno(m);
  std::string message = fmt::format("{} from {} at {}: {} (error {})", what, conn_->endpoint(),
                                    committed_.to_string(), mysql_error(m), err);
  if (err == kErSpecificAccessDenied || err == kErAccessDenied) {
    return Error(ErrorCode::kAuth, message + fmt::format("; grant it with: GRANT REPLICATION SLAVE ON *.* TO "
                                                         "'{}'@'<host>'",
                                                         connect_.user));
  }
  if (retryable_errno(err)) return Error(ErrorCode::kUnavailable, std::move(message));
  if (err == kErSourceFatalReadingBinlog) {
    return Error(ErrorCode::kNotFound,
                 message + "; the start position is not available on the source (purged binlog, unknown file or "
                           "GTID): start from the source's current position and re-snapshot");
  }
  return Error(ErrorCode::kServer, std::move(message));
}

Status ReplicationClient::connect_and_dump() {
  conn_.reset();
  TRY_ASSIGN(Connection c, Connection::open(connect_));
  flavor_ = c.server().flavor;
  if (committed_.mode == StreamPosition::Mode::kMysqlGtid && flavor_ != ServerFlavor::kMySQL) {
    return make_error(ErrorCode::kInvalidArgument, "{} is MariaDB: a MySQL GTID set ('{}') cannot position it",
                      c.endpoint(), committed_.mysql_gtids.to_string());
  }
  if (committed_.mode == StreamPosition::Mode::kMariadbGtid && flavor_ != ServerFlavor::kMariaDB) {
    return make_error(ErrorCode::kInvalidArgument, "{} is MySQL: a MariaDB GTID position ('{}') cannot position it",
                      c.endpoint(), committed_.mariadb_gtids.to_string());
  }
  if (c.server().server_id == options_.server_id) {
    return make_error(ErrorCode::kInvalidArgument,
                      "server_id {} is {}'s own @@server_id: choose another source.server_id for this replica",
                      options_.server_id, c.endpoint());
  }
  c.handle()->net.max_packet_size = std::max(c.handle()->net.max_packet_size, kMaxEventPacket);
  conn_.emplace(std::move(c));
  TRY(prepare_session(*conn_));
  TRY(register_replica(*conn_));
  TRY(send_dump(*conn_));
  checksum_ = negotiated_checksum_;
  return {};
}

Status ReplicationClient::prepare_session(Connection& c) {
  TRY_ASSIGN(auto checksum, c.query_value("SELECT @@global.binlog_checksum"));
  std::string alg = to_lower(checksum.value_or("NONE"));
  if (alg == "crc32") {
    negotiated_checksum_ = ChecksumAlgorithm::kCrc32;
  } else if (alg == "none") {
    negotiated_checksum_ = ChecksumAlgorithm::kOff;
  } else {
    return make_error(ErrorCode::kUnsupported, "{}: binlog_checksum is '{}'; only NONE and CRC32 exist",
                      c.endpoint(), alg);
  }
  auto period_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.heartbeat_period).count();
  // Both spellings: servers read the one of their generation, the other is an unused user variable.
  TRY(c.execute(fmt::format("SET @source_binlog_checksum = @@global.binlog_checksum, "
                            "@master_binlog_checksum = @@global.binlog_checksum, "
                            "@source_heartbeat_period = {0}, @master_heartbeat_period = {0}",
                            period_ns)));
  if (flavor_ == ServerFlavor::kMariaDB) {
    // 4 = MARIA_SLAVE_CAPABILITY_GTID: send GTID events as they are (not rewritten to BEGIN queries).
    TRY(c.execute("SET @mariadb_slave_capability = 4"));
    if (committed_.mode == StreamPosition::Mode::kMariadbGtid) {
      TRY(c.execute(fmt::format("SET @slave_connect_state = {}, @slave_gtid_strict_mode = 1, "
                                "@slave_gtid_ignore_duplicates = 0",
                                c.quote(committed_.mariadb_gtids.to_string()))));
    }
  }
  return {};
}

Status ReplicationClient::register_replica(Connection& c) {
  std::string packet;
  put_le(packet, options_.server_id, 4);
  packet.push_back(0);  // hostname: reported by SHOW REPLICAS only
  packet.push_back(0);  // user
  packet.push_back(0);  // password
  put_le(packet, 0, 2);  // port
  put_le(packet, 0, 4);  // replication rank (unused)
  put_le(packet, 0, 4);  // source id (filled in by the server)
  MYSQL* m = c.handle();
  if (m->methods->db_command(m, static_cast<enum_server_command>(kComRegisterSlave), packet.data(), packet.size(), 0,
                             nullptr) != 0) {
    return dump_error("registering as replica");
  }
  return {};
}

Status ReplicationClient::send_dump(Connection& c) {
  uint16_t flags = options_.stop_at_end ? kDumpNonBlock : 0;
  if (flavor_ == ServerFlavor::kMariaDB) flags |= kDumpSendAnnotateRows;
  std::string packet;
  uint8_t command = kComBinlogDump;
  switch (committed_.mode) {
    case StreamPosition::Mode::kFile:
      put_le(packet, committed_.pos, 4);
      put_le(packet, flags, 2);
      put_le(packet, options_.server_id, 4);
      packet += committed_.file;
      current_file_ = committed_.file;
      break;
    case StreamPosition::Mode::kMariadbGtid:
      // The position comes from @slave_connect_state; the file name must be empty.
      put_le(packet, 4, 4);
      put_le(packet, flags, 2);
      put_le(packet, options_.server_id, 4);
      break;
    case StreamPosition::Mode::kMysqlGtid: {
      command = kComBinlogDumpGtid;
      std::vector<uint8_t> gtids = committed_.mysql_gtids.encode();
      put_le(packet, flags | kDumpThroughGtid, 2);
      put_le(packet, options_.server_id, 4);
      put_le(packet, 0, 4);  // file name length: the GTID set alone positions the dump
      put_le(packet, 4, 8);
      put_le(packet, gtids.size(), 4);
      packet.append(reinterpret_cast<const char*>(gtids.data()), gtids.size());
      break;
    }
  }
  MYSQL* m = c.handle();
  if (m->methods->db_command(m, static_cast<enum_server_command>(command), packet.data(), packet.size(), 1,
                             nullptr) != 0) {
    return dump_error("starting the binlog dump");
  }
  return {};
}

// ---- ReplicationClient: reading ------------------------------------------------------------------------

Result<StreamItem> ReplicationClient::next() {
  if (ended_) return StreamItem{};
  while (true) {
    if (discard_pending_) {
      discard_pending_ = false;
      StreamItem item;
      item.kind = StreamItem::Kind::kTransactionDiscarded;
      return item;
    }
    auto item = read_one();
    if (item.ok()) return item;
    if (!item.error().retryable() || options_.max_reconnect_attempts == 0) return std::move(item).error();
    TRY(reconnect(item.error()));
  }
}

Result<StreamItem> ReplicationClient::read_one() {
  if (!conn_) return make_error(ErrorCode::kUnavailable, "{}: not connected", connect_.host);
  MYSQL* m = conn_->handle();
  unsigned long len = mysql_net_read_packet(m);
  if (len == kPacketError) return dump_error("reading the binlog stream");
  last_received_ = std::chrono::steady_clock::now();
  const uint8_t* p = m->net.read_pos;
  if (len == 0) return make_error(ErrorCode::kProtocol, "{}: empty packet in the binlog stream", conn_->endpoint());
  if (p[0] == 0xfe && len < 9) {  // EOF packet: the non-blocking dump reached the end
    ended_ = true;
    failed_attempts_ = 0;
    return StreamItem{};
  }
  if (p[0] != 0x00) {
    return make_error(ErrorCode::kProtocol, "{}: binlog stream packet starts with 0x{:02x}, expected 0x00",
                      conn_->endpoint(), p[0]);
  }
  std::span<const uint8_t> event(p + 1, len - 1);
  auto header = parse_event_header(event);
  if (!header.ok()) {
    return Error(ErrorCode::kCorrupt, fmt::format("{}: after {} in {}: {}", conn_->endpoint(), committed_.to_string(),
                                                  current_file_, header.error().message()));
  }
  if (header->event_size != event.size()) {
    return make_error(ErrorCode::kProtocol, "{}: {} declares {} bytes but its packet holds {}", conn_->endpoint(),
                      event_type_name(header->type), header->event_size, event.size());
  }
  bool is_fde = header->type == static_cast<uint8_t>(EventType::kFormatDescription);
  ChecksumAlgorithm alg = checksum_;
  if (is_fde) {
    auto fde_alg = format_description_checksum(event);
    if (!fde_alg.ok()) return std::move(fde_alg).error();
    alg = *fde_alg;
  }
  size_t checksum_size = alg == ChecksumAlgorithm::kCrc32 ? kChecksumSize : 0;
  if (checksum_size != 0) {
    if (auto st = verify_crc32(event); !st.ok()) {
      return Error(ErrorCode::kCorrupt,
                   fmt::format("{}: in {}: {}", conn_->endpoint(), current_file_, st.error().message()));
    }
  }
  if (is_fde) checksum_ = alg;

  StreamItem item;
  item.header = *header;
  if (is_heartbeat(header->type)) {
    ++heartbeats_;
    failed_attempts_ = 0;
    item.kind = StreamItem::Kind::kHeartbeat;
    return item;
  }
  TRY(track(*header, event, checksum_size));
  item.kind = StreamItem::Kind::kEvent;
  item.event = event;
  item.checksum_size = checksum_size;
  return item;
}

Status ReplicationClient::track(const EventHeader& header, std::span<const uint8_t> event, size_t checksum_size) {
  auto type = static_cast<EventType>(header.type);
  auto start_transaction = [&]() -> Status {
    if (in_transaction_) {
      return make_error(ErrorCode::kProtocol, "{}: {} at {}:{} starts a transaction before the previous one ended",
                        conn_->endpoint(), event_type_name(header.type), current_file_, header.log_pos);
    }
    in_transaction_ = true;
    in_begin_ = false;
    pending_mysql_.reset();
    pending_mariadb_.reset();
    return {};
  };
  switch (type) {
    case EventType::kRotate: {
      TRY_ASSIGN(RotateTarget target, parse_rotate(event, checksum_size));
      current_file_ = std::string(target.file);
      if (!in_transaction_) {
        committed_.file = current_file_;
        committed_.pos = target.position;
      }
      return {};
    }
    case EventType::kGtid:
    case EventType::kGtidTagged: {
      TRY_ASSIGN(MysqlGtid gtid, parse_mysql_gtid_event(event, checksum_size));
      TRY(start_transaction());
      pending_mysql_ = std::move(gtid);
      break;
    }
    case EventType::kAnonymousGtid:
      TRY(start_transaction());
      break;
    case EventType::kMariaGtid: {
      TRY_ASSIGN(MariadbGtidEventInfo info, parse_mariadb_gtid_event(event, checksum_size));
      TRY(start_transaction());
      pending_mariadb_ = info.gtid;
      in_begin_ = !info.standalone();  // the GTID event stands for BEGIN
      break;
    }
    case EventType::kQuery: {
      TRY_ASSIGN(std::string_view statement, query_event_statement(event, checksum_size));
      StatementRole role = classify_statement(statement);
      if (!in_transaction_) {
        // No GTID event before it (servers older than MySQL 5.7 with gtid_mode off): BEGIN opens a
        // transaction, any other statement is one by itself.
        if (role == StatementRole::kBegin) {
          in_transaction_ = true;
          in_begin_ = true;
          pending_mysql_.reset();
          pending_mariadb_.reset();
        } else {
          end_transaction(header);
        }
      } else if (in_begin_) {
        if (role == StatementRole::kCommit || role == StatementRole::kXaPrepare) end_transaction(header);
      } else if (role == StatementRole::kBegin) {
        in_begin_ = true;
      } else {
        end_transaction(header);  // a standalone statement (DDL)
      }
      break;
    }
    case EventType::kXid:
    case EventType::kXaPrepare:
    case EventType::kTransactionPayload:
      if (in_transaction_) end_transaction(header);
      break;
    default:
      if (!in_transaction_ && header.log_pos != 0) {
        // Events between transactions (FORMAT_DESCRIPTION, PREVIOUS_GTIDS, GTID_LIST, BINLOG_CHECKPOINT):
        // resuming after them is the same as resuming before the next transaction.
        committed_.file = current_file_;
        committed_.pos = header.log_pos;
      } else if (in_transaction_ && type == EventType::kMariaQueryCompressed && !in_begin_) {
        end_transaction(header);  // a compressed standalone DDL
      }
      break;
  }
  if (in_transaction_) delivered_partial_ = true;
  return {};
}

void ReplicationClient::end_transaction(const EventHeader& header) {
  if (header.log_pos != 0) {
    committed_.file = current_file_;
    committed_.pos = header.log_pos;
  }
  if (pending_mysql_ && committed_.mode == StreamPosition::Mode::kMysqlGtid) {
    // add() only fails for gno 0 / above the maximum, which parse_mysql_gtid_event already rejected.
    (void)committed_.mysql_gtids.add(*pending_mysql_);
  }
  if (pending_mariadb_ && committed_.mode == StreamPosition::Mode::kMariadbGtid) {
    committed_.mariadb_gtids.add(*pending_mariadb_);
  }
  pending_mysql_.reset();
  pending_mariadb_.reset();
  in_transaction_ = false;
  in_begin_ = false;
  delivered_partial_ = false;
  failed_attempts_ = 0;  // progress: a drop from here on starts a fresh series of attempts
}

Status ReplicationClient::reconnect(const Error& cause) {
  conn_.reset();
  if (delivered_partial_) discard_pending_ = true;
  in_transaction_ = false;
  in_begin_ = false;
  delivered_partial_ = false;
  pending_mysql_.reset();
  pending_mariadb_.reset();
  Error last = cause;
  // Attempts count across drops until the stream makes progress again, so a server that accepts the dump
  // and drops it at once does not keep the client looping at the shortest backoff.
  while (failed_attempts_ < options_.max_reconnect_attempts) {
    auto backoff = options_.initial_backoff;
    for (unsigned i = 0; i < failed_attempts_ && backoff < options_.max_backoff; ++i) backoff *= 2;
    backoff = std::min(backoff, options_.max_backoff);
    ++failed_attempts_;
    spdlog::warn("binlog stream from {}:{} dropped ({}); reconnecting in {} ms to resume at {} (attempt {}/{})",
                 connect_.host, connect_.port, last.message(), backoff.count(), committed_.to_string(),
                 failed_attempts_, options_.max_reconnect_attempts);
    std::this_thread::sleep_for(backoff);
    auto st = connect_and_dump();
    if (st.ok()) {
      ++reconnects_;
      return {};
    }
    last = std::move(st).error();
    if (!last.retryable()) return last;
  }
  return last.context(fmt::format("giving up after {} reconnect attempts without progress",
                                  options_.max_reconnect_attempts));
}

// ---- current position ----------------------------------------------------------------------------------

Result<StreamPosition> current_position(Connection& connection) {
  bool mysql = connection.server().flavor == ServerFlavor::kMySQL;
  // MySQL 8.2 renamed SHOW MASTER STATUS (removed in 8.4).
  bool new_syntax = mysql && connection.server().version_id >= 80200;
  TRY_ASSIGN(QueryResult status, connection.query(new_syntax ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS"));
  int file_col = status.column("File");
  int pos_col = status.column("Position");
  if (status.rows.empty() || file_col < 0 || pos_col < 0 || !status.rows[0][static_cast<size_t>(file_col)] ||
      !status.rows[0][static_cast<size_t>(pos_col)]) {
    return make_error(ErrorCode::kUnsupported, "{}: binary logging is off (no binlog status); enable log_bin",
                      connection.endpoint());
  }
  StreamPosition p;
  p.file = *status.rows[0][static_cast<size_t>(file_col)];
  auto pos = parse_uint(*status.rows[0][static_cast<size_t>(pos_col)]);
  if (!pos) return make_error(ErrorCode::kProtocol, "{}: binlog position is not a number", connection.endpoint());
  p.pos = *pos;
  if (mysql) {
    TRY_ASSIGN(auto mode, connection.query_value("SELECT @@global.gtid_mode"));
    if (mode && to_lower(*mode) == "on") {
      TRY_ASSIGN(auto executed, connection.query_value("SELECT @@global.gtid_executed"));
      TRY_ASSIGN(p.mysql_gtids, MysqlGtidSet::parse(executed.value_or("")));
      p.mode = StreamPosition::Mode::kMysqlGtid;
    }
  } else {
    TRY_ASSIGN(auto binlog_pos, connection.query_value("SELECT @@global.gtid_binlog_pos"));
    TRY_ASSIGN(p.mariadb_gtids, MariadbGtidSet::parse(binlog_pos.value_or("")));
    if (!p.mariadb_gtids.empty()) p.mode = StreamPosition::Mode::kMariadbGtid;
  }
  return p;
}

}  // namespace mysql2ch::binlog
