// The replication protocol on one Connector/C connection: registers as a replica (COM_REGISTER_SLAVE),
// starts a binlog dump by file:pos (COM_BINLOG_DUMP, both flavors), by MySQL GTID set
// (COM_BINLOG_DUMP_GTID) or by MariaDB GTID position (@slave_connect_state), and yields the raw events.
//
// How the wire is reached: libmariadb's mariadb_rpl API is not used (no MySQL GTID positioning, fails on
// event types 40-42). Commands are sent with `mysql->methods->db_command(...)` — the method table is part of
// the public MYSQL struct in mysql.h and is what every libmariadb command goes through — and packets are read
// with mysql_net_read_packet(), an exported and documented function (libmysqlclient_18 ABI) that returns one
// whole (multi-packet reassembled) packet in mysql->net.read_pos and turns server error packets into
// mysql_errno()/mysql_error(). Nothing else of libmariadb's internals is touched, except raising
// mysql->net.max_packet_size so that events up to 1 GiB are accepted.
//
// Per connection the client sets @source_binlog_checksum/@master_binlog_checksum to the server's
// binlog_checksum, @source_heartbeat_period/@master_heartbeat_period (ns), and on MariaDB
// @mariadb_slave_capability=4 (GTID events), plus @slave_connect_state and @slave_gtid_strict_mode=1 when
// positioning by GTID. The connection's read timeout is set above the heartbeat period, so a silent server
// is detected as a dropped connection.
//
// What the caller sees (contract shared with the event decoders):
// - next() returns each event exactly as in a binlog file: header + body + the 4-byte CRC32 footer when
//   checksums are on. The CRC32 is verified here (a mismatch is a kCorrupt error naming the position);
//   StreamItem::checksum_size says whether the footer is present. The view is valid until the next call.
// - The stream of each connection starts with an artificial ROTATE (flag 0x20, log_pos 0) naming the file,
//   then a FORMAT_DESCRIPTION_EVENT; after a reconnect these come again.
// - Heartbeats (HEARTBEAT_LOG_EVENT and _V2) are returned as kHeartbeat items, never as events.
// - Non-blocking mode (stop_at_end): the server stops at its current end; next() then returns kEndOfStream.
// - Position: committed_position() is the start of the next transaction after the last one whose final
//   event (XID, COMMIT, XA PREPARE, a standalone DDL, a TRANSACTION_PAYLOAD) has been returned, with the
//   GTID set/position that includes it. A caller that checkpoints committed_position() after handling such
//   an event may restart from it without losing or repeating a transaction.
// - Dropped connection (network error, read timeout, dump thread killed, server shutdown): the client
//   reconnects with exponential backoff and resumes from committed_position(). If events of an unfinished
//   transaction had been returned, the first item after the reconnect is kTransactionDiscarded: the caller
//   drops what it holds of that transaction, which then arrives again in full from its first event. Errors
//   that a reconnect cannot fix (access denied, purged binlog, unknown GTID, corrupt event) are returned.
//
// Caller guarantees: options.server_id is non-zero and unique among the source's replicas (a second replica
// registering with the same id makes the server kill this one's dump thread, which then reconnects and
// kills the other: the two fight). Threading: one thread at a time; movable, not copyable.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "binlog/event_source.h"
#include "binlog/gtid_set.h"
#include "binlog/stream_events.h"
#include "common/result.h"
#include "mysql/connection.h"

namespace mysql2ch::binlog {

// A point in the source's binlog: where a dump starts, and the resume point the client maintains.
struct StreamPosition {
  enum class Mode {
    kFile,         // position by file:pos
    kMysqlGtid,    // position by the set of executed MySQL GTIDs (COM_BINLOG_DUMP_GTID)
    kMariadbGtid,  // position by MariaDB GTID position (@slave_connect_state)
  };
  Mode mode = Mode::kFile;
  // kFile: required. GTID modes: filled in as the stream reveals it, for display only — a GTID dump skips
  // transactions the set already holds without sending them, so resuming such a stream by file:pos would
  // repeat those; it resumes by its GTIDs.
  std::string file;
  uint64_t pos = 4;   // start of the next event to read in `file`
  MysqlGtidSet mysql_gtids;      // kMysqlGtid: transactions the caller already has
  MariadbGtidSet mariadb_gtids;  // kMariadbGtid: the position after the caller's last transaction

  static StreamPosition at_file(std::string file, uint64_t pos);
  static StreamPosition after_gtids(MysqlGtidSet gtids);
  static StreamPosition after_gtids(MariadbGtidSet gtids);
  // "file:pos", "gtid <set>", for messages.
  std::string to_string() const;
};

struct ReplicationOptions {
  uint32_t server_id = 0;  // this replica's id: non-zero, unique on the source
  bool stop_at_end = false;  // non-blocking dump: end of stream at the source's current end
  std::chrono::milliseconds heartbeat_period{5000};
  // Reconnect attempts without progress (a completed transaction, a heartbeat, the end of a non-blocking
  // stream) before next() returns the error. 0: never reconnect.
  unsigned max_reconnect_attempts = 8;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
};

class ReplicationClient final : public EventSource {
 public:
  // Connects, registers and starts the dump. Errors: kInvalidArgument (server_id 0 or the source's own, a
  // start position that does not fit the server's flavor), kAuth (missing REPLICATION SLAVE, with the GRANT
  // to run), kUnavailable, kServer. A start position the source no longer has (purged file, unknown GTID) is
  // reported by the first next() as kNotFound: the server only checks it once the dump runs.
  static Result<ReplicationClient> start(const ConnectOptions& connect, const ReplicationOptions& options,
                                         StreamPosition start);

  ReplicationClient(ReplicationClient&&) noexcept = default;
  ReplicationClient& operator=(ReplicationClient&&) noexcept = default;
  ReplicationClient(const ReplicationClient&) = delete;
  ReplicationClient& operator=(const ReplicationClient&) = delete;
  ~ReplicationClient() override = default;

  Result<StreamItem> next() override;

  const StreamPosition& committed_position() const { return committed_; }
  ServerFlavor flavor() const { return flavor_; }
  // The binlog file the last returned event came from.
  const std::string& current_file() const { return current_file_; }
  // The server's id for the dump connection (for KILL, and to find it in the process list).
  uint64_t connection_id() const;
  uint64_t heartbeats() const { return heartbeats_; }
  uint64_t reconnects() const { return reconnects_; }
  // When the last packet (event or heartbeat) arrived.
  std::chrono::steady_clock::time_point last_received() const { return last_received_; }

 private:
  ReplicationClient(ConnectOptions connect, ReplicationOptions options, StreamPosition start);

  Status connect_and_dump();
  Status prepare_session(Connection& c);
  Status register_replica(Connection& c);
  Status send_dump(Connection& c);
  Error dump_error(const char* what) const;
  Result<StreamItem> read_one();
  Status track(const EventHeader& header, std::span<const uint8_t> event, size_t checksum_size);
  void end_transaction(const EventHeader& header);
  Status reconnect(const Error& cause);

  ConnectOptions connect_;
  ReplicationOptions options_;
  std::optional<Connection> conn_;
  ServerFlavor flavor_ = ServerFlavor::kMySQL;
  ChecksumAlgorithm negotiated_checksum_ = ChecksumAlgorithm::kOff;
  ChecksumAlgorithm checksum_ = ChecksumAlgorithm::kOff;

  StreamPosition committed_;
  std::string current_file_;
  // The transaction being read.
  bool in_transaction_ = false;
  bool in_begin_ = false;           // inside BEGIN ... COMMIT (or a MariaDB non-standalone group)
  bool delivered_partial_ = false;  // events of the open transaction were returned
  std::optional<MysqlGtid> pending_mysql_;
  std::optional<MariadbGtid> pending_mariadb_;

  bool ended_ = false;
  bool discard_pending_ = false;
  uint64_t heartbeats_ = 0;
  uint64_t reconnects_ = 0;
  unsigned failed_attempts_ = 0;  // reconnect attempts since the stream last made progress
  std::chrono::steady_clock::time_point last_received_{};
};

// The source's current end as a start position: by GTID when the server has GTIDs (MySQL gtid_mode=ON,
// MariaDB non-empty @@gtid_binlog_pos), else by file:pos. Reads SHOW BINARY LOG STATUS (MySQL 8.2+) or
// SHOW MASTER STATUS, and @@gtid_executed / @@gtid_binlog_pos.
Result<StreamPosition> current_position(Connection& connection);

}  // namespace mysql2ch::binlog
