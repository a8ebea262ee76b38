// The few event bodies a replication client must read to follow its own position: ROTATE (next file),
// FORMAT_DESCRIPTION's checksum algorithm, the GTID of MySQL GTID / GTID_TAGGED and MariaDB GTID events,
// the statement of a QUERY event (BEGIN / COMMIT / DDL decide transaction boundaries), and the CRC32 footer.
// Full decoding of these and every other event belongs to the event decoders; these functions are small on
// purpose and are shared with them.
//
// Every function takes one whole event as it appears in a binlog file or on the wire (header + body +
// footer). `checksum_size` is 4 when the event ends with a CRC32 (binlog_checksum=CRC32), else 0. Returned
// views point into `event` and live as long as it does. Errors are kCorrupt and name the event type and the
// offset inside the event.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "binlog/event_header.h"
#include "binlog/gtid_set.h"
#include "common/result.h"

namespace mysql2ch::binlog {

inline constexpr size_t kChecksumSize = 4;

enum class ChecksumAlgorithm : uint8_t { kOff = 0, kCrc32 = 1 };

// The CRC32 stored in the last 4 bytes matches the bytes before it.
Status verify_crc32(std::span<const uint8_t> event);

// The checksum algorithm a FORMAT_DESCRIPTION_EVENT announces for the events after it (the byte before its
// own 4-byte checksum slot; servers older than 5.6.1 have none and mean kOff). Also the size of this event's
// own footer: 4 when the result is kCrc32.
Result<ChecksumAlgorithm> format_description_checksum(std::span<const uint8_t> event);

struct RotateTarget {
  uint64_t position = 0;
  std::string_view file;  // view into the event
};
Result<RotateTarget> parse_rotate(std::span<const uint8_t> event, size_t checksum_size);

// GTID_LOG_EVENT (33) or GTID_TAGGED_LOG_EVENT (42): the transaction's GTID.
Result<MysqlGtid> parse_mysql_gtid_event(std::span<const uint8_t> event, size_t checksum_size);

// MariaDB GTID_EVENT (162). server_id is taken from the event header.
struct MariadbGtidEventInfo {
  MariadbGtid gtid;
  uint8_t flags = 0;
  // FL_STANDALONE: the group is this event plus one statement (DDL), with no terminating COMMIT / XID.
  bool standalone() const { return (flags & 0x01) != 0; }
};
Result<MariadbGtidEventInfo> parse_mariadb_gtid_event(std::span<const uint8_t> event, size_t checksum_size);

// QUERY_EVENT (2): the statement text (not NUL-terminated; view into the event).
Result<std::string_view> query_event_statement(std::span<const uint8_t> event, size_t checksum_size);

// How a QUERY statement bears on transaction boundaries.
enum class StatementRole {
  kBegin,     // BEGIN, XA START: a transaction's events follow
  kCommit,    // COMMIT, ROLLBACK (not ROLLBACK TO SAVEPOINT), XA COMMIT, XA ROLLBACK
  kXaPrepare, // XA PREPARE: ends the prepared part (MariaDB logs it as a query)
  kOther,     // DDL and anything else: a whole transaction when not inside BEGIN
};
StatementRole classify_statement(std::string_view statement);

}  // namespace mysql2ch::binlog
