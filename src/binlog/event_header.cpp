#include "binlog/event_header.h"

#include <array>
#include <string>

namespace mysql2ch::binlog {

namespace {
uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
}  // namespace

std::string_view event_type_name(uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::kUnknown: return "UNKNOWN_EVENT";
    case EventType::kStartV3: return "START_EVENT_V3";
    case EventType::kQuery: return "QUERY_EVENT";
    case EventType::kStop: return "STOP_EVENT";
    case EventType::kRotate: return "ROTATE_EVENT";
    case EventType::kIntvar: return "INTVAR_EVENT";
    case EventType::kSlave: return "SLAVE_EVENT";
    case EventType::kAppendBlock: return "APPEND_BLOCK_EVENT";
    case EventType::kDeleteFile: return "DELETE_FILE_EVENT";
    case EventType::kRand: return "RAND_EVENT";
    case EventType::kUserVar: return "USER_VAR_EVENT";
    case EventType::kFormatDescription: return "FORMAT_DESCRIPTION_EVENT";
    case EventType::kXid: return "XID_EVENT";
    case EventType::kBeginLoadQuery: return "BEGIN_LOAD_QUERY_EVENT";
    case EventType::kExecuteLoadQuery: return "EXECUTE_LOAD_QUERY_EVENT";
    case EventType::kTableMap: return "TABLE_MAP_EVENT";
    case EventType::kWriteRowsV1: return "WRITE_ROWS_EVENT_V1";
    case EventType::kUpdateRowsV1: return "UPDATE_ROWS_EVENT_V1";
    case EventType::kDeleteRowsV1: return "DELETE_ROWS_EVENT_V1";
    case EventType::kIncident: return "INCIDENT_EVENT";
    case EventType::kHeartbeat: return "HEARTBEAT_LOG_EVENT";
    case EventType::kIgnorable: return "IGNORABLE_LOG_EVENT";
    case EventType::kRowsQuery: return "ROWS_QUERY_LOG_EVENT";
    case EventType::kWriteRowsV2: return "WRITE_ROWS_EVENT";
    case EventType::kUpdateRowsV2: return "UPDATE_ROWS_EVENT";
    case EventType::kDeleteRowsV2: return "DELETE_ROWS_EVENT";
    case EventType::kGtid: return "GTID_LOG_EVENT";
    case EventType::kAnonymousGtid: return "ANONYMOUS_GTID_LOG_EVENT";
    case EventType::kPreviousGtids: return "PREVIOUS_GTIDS_LOG_EVENT";
    case EventType::kTransactionContext: return "TRANSACTION_CONTEXT_EVENT";
    case EventType::kViewChange: return "VIEW_CHANGE_EVENT";
    case EventType::kXaPrepare: return "XA_PREPARE_LOG_EVENT";
    case EventType::kPartialUpdateRows: return "PARTIAL_UPDATE_ROWS_EVENT";
    case EventType::kTransactionPayload: return "TRANSACTION_PAYLOAD_EVENT";
    case EventType::kHeartbeatV2: return "HEARTBEAT_LOG_EVENT_V2";
    case EventType::kGtidTagged: return "GTID_TAGGED_LOG_EVENT";
    case EventType::kMariaAnnotateRows: return "ANNOTATE_ROWS_EVENT";
    case EventType::kMariaBinlogCheckpoint: return "BINLOG_CHECKPOINT_EVENT";
    case EventType::kMariaGtid: return "GTID_EVENT";
    case EventType::kMariaGtidList: return "GTID_LIST_EVENT";
    case EventType::kMariaStartEncryption: return "START_ENCRYPTION_EVENT";
    case EventType::kMariaQueryCompressed: return "QUERY_COMPRESSED_EVENT";
    case EventType::kMariaWriteRowsCompressedV1: return "WRITE_ROWS_COMPRESSED_EVENT_V1";
    case EventType::kMariaUpdateRowsCompressedV1: return "UPDATE_ROWS_COMPRESSED_EVENT_V1";
    case EventType::kMariaDeleteRowsCompressedV1: return "DELETE_ROWS_COMPRESSED_EVENT_V1";
    case EventType::kMariaWriteRowsCompressed: return "WRITE_ROWS_COMPRESSED_EVENT";
    case EventType::kMariaUpdateRowsCompressed: return "UPDATE_ROWS_COMPRESSED_EVENT";
    case EventType::kMariaDeleteRowsCompressed: return "DELETE_ROWS_COMPRESSED_EVENT";
  }
  // Unlisted codes: a fixed table of names keeps the returned view valid forever.
  static const std::array<std::string, 256> names = [] {
    std::array<std::string, 256> a;
    for (size_t i = 0; i < a.size(); ++i) a[i] = "UNKNOWN_EVENT_TYPE(" + std::to_string(i) + ")";
    return a;
  }();
  return names[type];
}

Result<EventHeader> parse_event_header(std::span<const uint8_t> event) {
  if (event.size() < kEventHeaderSize) {
    return make_error(ErrorCode::kCorrupt, "event of {} bytes is shorter than the {}-byte header", event.size(),
                      kEventHeaderSize);
  }
  const uint8_t* p = event.data();
  EventHeader h;
  h.timestamp = le32(p);
  h.type = p[4];
  h.server_id = le32(p + 5);
  h.event_size = le32(p + 9);
  h.log_pos = le32(p + 13);
  h.flags = static_cast<uint16_t>(p[17] | p[18] << 8);
  if (h.event_size < kEventHeaderSize) {
    return make_error(ErrorCode::kCorrupt, "{} declares size {}, smaller than its header", event_type_name(h.type),
                      h.event_size);
  }
  if (h.event_size > event.size()) {
    return make_error(ErrorCode::kCorrupt, "{} declares size {} but only {} bytes are present",
                      event_type_name(h.type), h.event_size, event.size());
  }
  return h;
}

}  // namespace mysql2ch::binlog
