// Decoded binlog events, as the EventParser hands them to an EventHandler. Views (std::string_view, spans)
// point into the event buffer passed to EventParser::parse or into the parser's own decompression buffers;
// they are valid only during the handler call. Copy what must outlive it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/event_header.h"
#include "schema/column.h"
#include "schema/value.h"

namespace mysql2ch::binlog {

enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1, kUndefined = 255 };

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;
  uint32_t created = 0;
  uint8_t header_length = 19;
  std::vector<uint8_t> post_header_lengths;  // index = event type - 1
  ChecksumAlg checksum = ChecksumAlg::kOff;
  bool mariadb = false;

  uint8_t post_header_length(uint8_t type) const {
    return type >= 1 && type <= post_header_lengths.size() ? post_header_lengths[type - 1] : 0;
  }
};

// Where an event is: the binlog file it came from and its offset there (the offset of the enclosing
// TRANSACTION_PAYLOAD_EVENT for events inside one).
struct EventInfo {
  const EventHeader* header = nullptr;
  std::string_view file;
  uint64_t pos = 0;
  bool in_payload = false;
};

struct RotateEvent {
  uint64_t position = 0;
  std::string_view next_file;
};

// MySQL GTID / ANONYMOUS_GTID / GTID_TAGGED, or MariaDB GTID.
struct GtidEvent {
  bool mariadb = false;
  bool anonymous = false;
  // MySQL
  std::array<uint8_t, 16> uuid{};
  std::string_view tag;  // empty when untagged
  uint64_t gno = 0;
  uint8_t flags = 0;
  uint64_t last_committed = 0;
  uint64_t sequence_number = 0;
  uint64_t immediate_commit_us = 0;  // microseconds since the epoch; 0 when absent
  uint64_t original_commit_us = 0;
  uint64_t transaction_length = 0;
  uint32_t immediate_server_version = 0;
  uint32_t original_server_version = 0;
  // MariaDB
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;
  bool standalone = false;  // MariaDB FL_STANDALONE: no BEGIN/COMMIT around the event group (DDL)

  // "uuid:gno", "uuid:tag:gno", or MariaDB "domain-server-seq"; "ANONYMOUS" for anonymous ones.
  std::string text() const;
};

struct PreviousGtids {
  struct Sid {
    std::array<uint8_t, 16> uuid{};
    std::string tag;
    std::vector<std::pair<uint64_t, uint64_t>> intervals;  // [start, end) as stored
  };
  std::vector<Sid> sids;
  std::string text() const;  // "uuid:1-5:7,uuid:tag:1-3" style
};

struct MariaGtidList {
  struct Entry {
    uint32_t domain_id, server_id;
    uint64_t seq_no;
  };
  std::vector<Entry> gtids;
  std::string text() const;  // "0-1-100,1-2-5"
};

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string_view database;  // default database ("" when none)
  std::string_view query;     // decompressed for QUERY_COMPRESSED_EVENT
  std::optional<uint64_t> sql_mode;
  std::optional<uint32_t> flags2;
  std::optional<uint16_t> client_charset, connection_collation, server_collation;
  std::optional<uint16_t> database_collation;
  std::string_view time_zone;
  uint32_t start_seconds = 0;  // the event header's timestamp: when the statement started (seconds since the epoch)
  // Q_MICROSECONDS (MySQL) / Q_HRNOW (MariaDB): the microseconds of the statement's start, logged when the
  // statement used them (e.g. CURRENT_TIMESTAMP(6)); with start_seconds, the instant NOW(6) returned.
  std::optional<uint32_t> start_microseconds;
  std::optional<uint64_t> ddl_xid;  // MySQL Q_DDL_LOGGED_WITH_XID: an atomic DDL committed with this xid

  bool is_begin() const { return query == "BEGIN"; }
  bool is_commit() const { return query == "COMMIT"; }
  bool is_rollback() const { return query == "ROLLBACK"; }
};

// A TABLE_MAP: the table's columns as the row images encode them, with everything the optional metadata said.
struct TableMap {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  schema::TableSchema schema;
  std::vector<uint8_t> column_types;  // raw type codes as in the event
  std::vector<uint16_t> column_meta;  // raw per-column metadata
  bool has_signedness = false;
  bool has_charsets = false;
};

enum class RowOp : uint8_t { kInsert, kUpdate, kDelete };
std::string_view row_op_name(RowOp op);

// One row of a WRITE/UPDATE/DELETE/PARTIAL_UPDATE rows event. Both images have one Value per table column;
// columns missing from an image (MINIMAL/NOBLOB) are kAbsent; `before` is empty for inserts, `after` for
// deletes. For PARTIAL_UPDATE_ROWS the JSON diffs are already applied: `after` holds the full documents.
struct RowChange {
  RowOp op = RowOp::kInsert;
  const TableMap* table = nullptr;
  std::span<const schema::Value> before;
  std::span<const schema::Value> after;
};

// XA_PREPARE_LOG_EVENT (MySQL and MariaDB): the end of an XA transaction's event group. Two-phase
// (one_phase false): the transaction is prepared; a later "XA COMMIT"/"XA ROLLBACK" QUERY with the same XID
// decides it. One-phase: the transaction committed here (MySQL's XA COMMIT ... ONE PHASE).
struct XaPrepareEvent {
  bool one_phase = false;
  int32_t format_id = 0;
  std::string_view gtrid;  // raw bytes, 1..64
  std::string_view bqual;  // raw bytes, 0..64
};

struct TransactionPayload {
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint8_t compression = 0;  // 0 = zstd, 255 = none
};

}  // namespace mysql2ch::binlog
