// The common 19-byte header of every binlog event (v4 format, MySQL 5.0+ and MariaDB), and the event type
// codes. Shared by the replication client (which follows positions) and the event decoders.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/result.h"

namespace mysql2ch::binlog {

inline constexpr size_t kEventHeaderSize = 19;

// Event type codes (MySQL's Log_event_type; MariaDB's own start at 160).
enum class EventType : uint8_t {
  kUnknown = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kSlave = 7,
  kAppendBlock = 9,
  kDeleteFile = 11,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kBeginLoadQuery = 17,
  kExecuteLoadQuery = 18,
  kTableMap = 19,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kGtid = 33,
  kAnonymousGtid = 34,
  kPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,
  kTransactionPayload = 40,
  kHeartbeatV2 = 41,
  kGtidTagged = 42,
  // MariaDB
  kMariaAnnotateRows = 160,
  kMariaBinlogCheckpoint = 161,
  kMariaGtid = 162,
  kMariaGtidList = 163,
  kMariaStartEncryption = 164,
  kMariaQueryCompressed = 165,
  kMariaWriteRowsCompressedV1 = 166,
  kMariaUpdateRowsCompressedV1 = 167,
  kMariaDeleteRowsCompressedV1 = 168,
  kMariaWriteRowsCompressed = 169,
  kMariaUpdateRowsCompressed = 170,
  kMariaDeleteRowsCompressed = 171,
};

// Name for messages ("WRITE_ROWS_EVENT_V2"); "UNKNOWN_EVENT(n)" style text for codes not listed.
std::string_view event_type_name(uint8_t type);

// Header flags.
inline constexpr uint16_t kFlagArtificial = 0x20;     // LOG_EVENT_ARTIFICIAL_F: fake ROTATE at stream start
inline constexpr uint16_t kFlagIgnorable = 0x80;      // LOG_EVENT_IGNORABLE_F: may be skipped if unknown

struct EventHeader {
  uint32_t timestamp = 0;  // seconds since the epoch, when the statement started
  uint8_t type = 0;        // EventType, kept raw: unknown codes must be reportable
  uint32_t server_id = 0;
  uint32_t event_size = 0;  // header + body + checksum
  uint32_t log_pos = 0;     // position of the next event in the source's binlog file (0 for artificial events)
  uint16_t flags = 0;
};

// Parses the header at the start of `event`. Fails (kCorrupt) when `event` is shorter than the header or
// than the event_size it declares, or when event_size is smaller than the header.
Result<EventHeader> parse_event_header(std::span<const uint8_t> event);

}  // namespace mysql2ch::binlog
