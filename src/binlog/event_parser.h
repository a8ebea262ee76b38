// The binlog event parser: whole events in (the 19-byte header, body and checksum, exactly as in a binlog file
// after its 4-byte magic or as a replication packet after its OK byte), decoded events out to an EventHandler.
//
// It tracks what decoding needs across events: the FORMAT_DESCRIPTION (checksum algorithm, post-header
// lengths), the current file name (ROTATE), and the TABLE_MAPs of the current transaction. Dispatch is
// table-driven over the event type. Handled: FORMAT_DESCRIPTION, ROTATE, GTID / ANONYMOUS_GTID / GTID_TAGGED,
// PREVIOUS_GTIDS, QUERY, XID, XA_PREPARE, TABLE_MAP, WRITE/UPDATE/DELETE_ROWS v1 and v2, PARTIAL_UPDATE_ROWS,
// TRANSACTION_PAYLOAD (zstd, decompressed in a stream, inner events dispatched in order), ROWS_QUERY, and
// MariaDB's GTID, GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS, QUERY_COMPRESSED and compressed row events.
// STOP and HEARTBEAT events, and any event carrying the IGNORABLE flag, go to EventHandler::on_other. Any other
// event is an error (kUnsupported) naming the event type and position. CRC32 is verified on every event when
// the FORMAT_DESCRIPTION says so.
//
// Errors name the event, file and position: "WRITE_ROWS_EVENT at binlog.000004:1234: column x: ...".
// Not thread-safe; one parser per stream.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "binlog/event_header.h"
#include "binlog/events.h"
#include "common/result.h"

namespace mysql2ch::binlog {

// Receives decoded events. Every view in the arguments is valid only during the call. A failed Status stops
// the parse and is returned by EventParser::parse (with the position added).
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual Status on_format_description(const EventInfo&, const FormatDescription&) { return {}; }
  virtual Status on_rotate(const EventInfo&, const RotateEvent&) { return {}; }
  virtual Status on_gtid(const EventInfo&, const GtidEvent&) { return {}; }
  virtual Status on_previous_gtids(const EventInfo&, const PreviousGtids&) { return {}; }
  virtual Status on_gtid_list(const EventInfo&, const MariaGtidList&) { return {}; }
  virtual Status on_binlog_checkpoint(const EventInfo&, std::string_view /*file*/) { return {}; }
  virtual Status on_query(const EventInfo&, const QueryEvent&) { return {}; }
  virtual Status on_xid(const EventInfo&, uint64_t /*xid*/) { return {}; }
  virtual Status on_xa_prepare(const EventInfo&, const XaPrepareEvent&) { return {}; }
  virtual Status on_table_map(const EventInfo&, const TableMap&) { return {}; }
  // Asked once per TABLE_MAP, after on_table_map: false makes the parser skip the rows events of that table id
  // until the next TABLE_MAP for it, without decoding their images (no on_row calls). The rows events are
  // still checked for a preceding TABLE_MAP. The cheap way to ignore tables a caller does not replicate.
  virtual bool wants_rows(const TableMap&) { return true; }
  virtual Status on_row(const EventInfo&, const RowChange&) { return {}; }
  // ROWS_QUERY (MySQL) and ANNOTATE_ROWS (MariaDB): the statement that produced the following rows.
  virtual Status on_rows_query(const EventInfo&, std::string_view /*query*/) { return {}; }
  // Before the inner events of a TRANSACTION_PAYLOAD are dispatched.
  virtual Status on_transaction_payload(const EventInfo&, const TransactionPayload&) { return {}; }
  // STOP, HEARTBEAT and ignorable events the parser does not decode.
  virtual Status on_other(const EventInfo&) { return {}; }
};

class EventParser {
 public:
  EventParser();
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // The binlog file the next events come from (a ROTATE event changes it too).
  void set_file(std::string_view name);
  const std::string& file() const;
  // Checksum of events that precede the first FORMAT_DESCRIPTION (the artificial ROTATE of a replication
  // stream carries one when the client negotiated CRC32). Default: kOff.
  void set_checksum_before_format_description(ChecksumAlg alg);
  const FormatDescription& format_description() const;

  // Parses one whole event located at `pos` of the current file. `event` must hold exactly the event
  // (its size as the header declares).
  Status parse(std::span<const uint8_t> event, uint64_t pos, EventHandler& handler);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mysql2ch::binlog
