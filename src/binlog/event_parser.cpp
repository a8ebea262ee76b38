#include "binlog/event_parser.h"

#include <zlib.h>
#include <zstd.h>

#include <array>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "binlog/byte_reader.h"
#include "binlog/json_diff.h"
#include "binlog/table_map.h"
#include "binlog/value_decoder.h"
#include "schema/json_binary.h"
#include "schema/value_json.h"

namespace mysql2ch::binlog {

using schema::ColumnType;
using schema::Value;
using schema::ValueKind;

namespace {

constexpr size_t kChecksumSize = 4;
constexpr size_t kMaxInnerEvent = size_t{1} << 30;  // MySQL's max_allowed_packet ceiling

std::string hex_uuid(const std::array<uint8_t, 16>& u) {
  std::string s;
  s.reserve(36);
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t k = 0; k < 16; ++k) {
    if (k == 4 || k == 6 || k == 8 || k == 10) s.push_back('-');
    s.push_back(kHex[u[k] >> 4]);
    s.push_back(kHex[u[k] & 15]);
  }
  return s;
}

bool bit_lsb(std::span<const uint8_t> bits, size_t k) {
  return (bits[k / 8] >> (k % 8) & 1) != 0;
}

// MariaDB's compressed payloads: one header byte (0x80 | count of length bytes), the uncompressed length
// big-endian in that many bytes, then a zlib stream.
Status mariadb_uncompress(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  ByteReader r(in);
  uint8_t head;
  TRY(r.le(head, "compressed header"));
  const size_t len_bytes = head & 0x07;
  if ((head & 0x80) == 0 || len_bytes == 0 || len_bytes > 4) {
    return make_error(ErrorCode::kCorrupt, "compressed data header {:#x}", head);
  }
  std::span<const uint8_t> lb;
  TRY(r.bytes(len_bytes, lb, "uncompressed length"));
  uint64_t len = 0;
  for (uint8_t b : lb) len = len << 8 | b;
  const auto rest = r.rest();
  // zlib cannot expand more than about 1032:1; a larger declared length is corrupt and must not drive an allocation.
  if (len > kMaxInnerEvent || len > rest.size() * 1032 + 64) {
    return make_error(ErrorCode::kCorrupt, "uncompressed length {} is implausible for {} compressed bytes", len,
                      rest.size());
  }
  out.resize(static_cast<size_t>(len));
  uLongf out_len = static_cast<uLongf>(len);
  const int rc = uncompress(out.data(), &out_len, rest.data(), static_cast<uLong>(rest.size()));
  if (rc != Z_OK || out_len != len) {
    return make_error(ErrorCode::kCorrupt, "zlib could not decompress {} bytes to the declared {} (zlib code {})",
                      rest.size(), len, rc);
  }
  return {};
}

}  // namespace

std::string_view row_op_name(RowOp op) {
  switch (op) {
    case RowOp::kInsert: return "insert";
    case RowOp::kUpdate: return "update";
    case RowOp::kDelete: return "delete";
  }
  return "?";
}

std::string GtidEvent::text() const {
  if (mariadb) return fmt::format("{}-{}-{}", domain_id, server_id, seq_no);
  if (anonymous) return "ANONYMOUS";
  if (tag.empty()) return fmt::format("{}:{}", hex_uuid(uuid), gno);
  return fmt::format("{}:{}:{}", hex_uuid(uuid), tag, gno);
}

std::string PreviousGtids::text() const {
  std::string s;
  for (const auto& sid : sids) {
    if (!s.empty()) s += ',';
    s += hex_uuid(sid.uuid);
    if (!sid.tag.empty()) s += ":" + sid.tag;
    for (const auto& [start, end] : sid.intervals) {
      s += end == start + 1 ? fmt::format(":{}", start) : fmt::format(":{}-{}", start, end - 1);
    }
  }
  return s;
}

std::string MariaGtidList::text() const {
  std::string s;
  for (const auto& g : gtids) {
    if (!s.empty()) s += ',';
    s += fmt::format("{}-{}-{}", g.domain_id, g.server_id, g.seq_no);
  }
  return s;
}

struct EventParser::State {
  FormatDescription fde;
  bool have_fde = false;
  ChecksumAlg checksum_before_fde = ChecksumAlg::kOff;
  std::string file;
  std::unordered_map<uint64_t, TableMap> tables;
  std::unordered_set<uint64_t> skipped_tables;  // table ids whose rows the handler declined (wants_rows)
  // Reused buffers: row values, decompressed data, partial-JSON results.
  std::vector<Value> before, after;
  std::vector<uint8_t> inflated_query, inflated_rows;
  std::deque<std::string> json_results;
  std::string json_scratch;
  ZSTD_DCtx* zstd = nullptr;
  std::vector<uint8_t> payload_window;

  ~State() { ZSTD_freeDCtx(zstd); }

  Status dispatch(std::span<const uint8_t> event, const EventHeader& h, EventInfo& info, bool checksummed,
                  EventHandler& handler);
  Status format_description(std::span<const uint8_t> event, const EventHeader& h, EventInfo& info,
                            EventHandler& handler);
  Status query(std::span<const uint8_t> body, uint8_t ph, bool compressed, const EventInfo& info,
               EventHandler& handler);
  Status gtid_mysql(std::span<const uint8_t> body, bool anonymous, const EventInfo& info, EventHandler& handler);
  Status gtid_tagged(std::span<const uint8_t> body, const EventInfo& info, EventHandler& handler);
  Status previous_gtids(std::span<const uint8_t> body, const EventInfo& info, EventHandler& handler);
  Status rows(std::span<const uint8_t> body, uint8_t type, uint8_t ph, const EventInfo& info, EventHandler& handler);
  Status row_image(ByteReader& r, const TableMap& tm, std::span<const uint8_t> present, size_t present_count,
                   std::vector<Value>& values, bool partial_after, const std::vector<Value>* before_image);
  Status payload(std::span<const uint8_t> body, const EventInfo& info, EventHandler& handler);
};

EventParser::EventParser() : state_(std::make_unique<State>()) {}
EventParser::~EventParser() = default;
void EventParser::set_file(std::string_view name) {
  state_->file = std::string(name);
}
const std::string& EventParser::file() const {
  return state_->file;
}
void EventParser::set_checksum_before_format_description(ChecksumAlg alg) {
  state_->checksum_before_fde = alg;
}
const FormatDescription& EventParser::format_description() const {
  return state_->fde;
}

Status EventParser::parse(std::span<const uint8_t> event, uint64_t pos, EventHandler& handler) {
  auto header = parse_event_header(event);
  if (!header.ok()) {
    return std::move(header).error().context(fmt::format("event at {}:{}", state_->file, pos));
  }
  if (header->event_size != event.size()) {
    return make_error(ErrorCode::kCorrupt, "{} at {}:{} declares {} bytes but {} were given",
                      event_type_name(header->type), state_->file, pos, header->event_size, event.size());
  }
  EventInfo info{&header.value(), state_->file, pos, false};
  Status st = state_->dispatch(event, *header, info, true, handler);
  if (!st.ok()) {
    return std::move(st).error().context(fmt::format("{} at {}:{}", event_type_name(header->type), info.file, pos));
  }
  return {};
}

Status EventParser::State::dispatch(std::span<const uint8_t> event, const EventHeader& h, EventInfo& info,
                                    bool checksummed, EventHandler& handler) {
  if (h.type == static_cast<uint8_t>(EventType::kFormatDescription)) {
    if (!checksummed) return make_error(ErrorCode::kCorrupt, "FORMAT_DESCRIPTION inside a transaction payload");
    return format_description(event, h, info, handler);
  }
  const ChecksumAlg alg = have_fde ? fde.checksum : checksum_before_fde;
  size_t body_end = event.size();
  if (checksummed && alg == ChecksumAlg::kCrc32) {
    if (event.size() < kEventHeaderSize + kChecksumSize)
      return make_error(ErrorCode::kCorrupt, "event too short for its CRC32");
    body_end -= kChecksumSize;
    uint32_t stored = 0;
    for (size_t k = 4; k > 0; --k) stored = stored << 8 | event[body_end + k - 1];
    const auto computed = static_cast<uint32_t>(crc32(0, event.data(), static_cast<uInt>(body_end)));
    if (stored != computed) {
      return make_error(ErrorCode::kCorrupt,
                        "CRC32 mismatch (stored {:#010x}, computed {:#010x}): the binlog is damaged", stored, computed);
    }
  }
  const std::span<const uint8_t> body = event.subspan(kEventHeaderSize, body_end - kEventHeaderSize);
  const uint8_t ph = fde.post_header_length(h.type);
  switch (static_cast<EventType>(h.type)) {
    case EventType::kRotate: {
      ByteReader r(body, kEventHeaderSize);
      RotateEvent ev;
      // A replication stream opens with an artificial ROTATE before any FORMAT_DESCRIPTION; its post-header is
      // the 8-byte position as in every v4 binlog.
      const uint8_t rotate_ph = fde.post_header_lengths.empty() ? 8 : ph;
      if (rotate_ph >= 8) TRY(r.le(ev.position, "rotate position"));
      if (rotate_ph > 8) TRY(r.skip(rotate_ph - 8u, "post-header"));
      TRY(r.text(r.remaining(), ev.next_file, "file name"));
      TRY(handler.on_rotate(info, ev));
      file = std::string(ev.next_file);
      return {};
    }
    case EventType::kQuery: return query(body, ph, false, info, handler);
    case EventType::kMariaQueryCompressed: return query(body, ph, true, info, handler);
    case EventType::kXid: {
      ByteReader r(body, kEventHeaderSize);
      uint64_t xid;
      TRY(r.le(xid, "xid"));
      return handler.on_xid(info, xid);
    }
    case EventType::kXaPrepare: {
      // one_phase (1), formatID (4), gtrid_length (4), bqual_length (4), then gtrid and bqual bytes.
      ByteReader r(body, kEventHeaderSize);
      uint8_t one_phase = 0;
      uint32_t format_id = 0, gtrid_length = 0, bqual_length = 0;
      XaPrepareEvent xa;
      TRY(r.le(one_phase, "one_phase"));
      TRY(r.le(format_id, "format id"));
      xa.format_id = static_cast<int32_t>(format_id);
      TRY(r.le(gtrid_length, "gtrid length"));
      TRY(r.le(bqual_length, "bqual length"));
      // The XA standard caps both parts at 64 bytes; a larger length is corrupt, not a long XID.
      if (gtrid_length < 1 || gtrid_length > 64 || bqual_length > 64) {
        return make_error(ErrorCode::kCorrupt, "XA_PREPARE gtrid length {} / bqual length {} outside the XA limits",
                          gtrid_length, bqual_length);
      }
      TRY(r.text(gtrid_length, xa.gtrid, "gtrid"));
      TRY(r.text(bqual_length, xa.bqual, "bqual"));
      xa.one_phase = one_phase != 0;
      return handler.on_xa_prepare(info, xa);
    }
    case EventType::kGtid: return gtid_mysql(body, false, info, handler);
    case EventType::kAnonymousGtid: return gtid_mysql(body, true, info, handler);
    case EventType::kGtidTagged: return gtid_tagged(body, info, handler);
    case EventType::kPreviousGtids: return previous_gtids(body, info, handler);
    case EventType::kTableMap: {
      TRY_ASSIGN(TableMap tm, parse_table_map(body, ph == 0 ? 8 : ph));
      const uint64_t id = tm.table_id;
      auto& slot = tables[id];
      slot = std::move(tm);
      TRY(handler.on_table_map(info, slot));
      if (handler.wants_rows(slot)) {
        skipped_tables.erase(id);
      } else {
        skipped_tables.insert(id);
      }
      return {};
    }
    case EventType::kWriteRowsV1:
    case EventType::kUpdateRowsV1:
    case EventType::kDeleteRowsV1:
    case EventType::kWriteRowsV2:
    case EventType::kUpdateRowsV2:
    case EventType::kDeleteRowsV2:
    case EventType::kPartialUpdateRows:
    case EventType::kMariaWriteRowsCompressedV1:
    case EventType::kMariaUpdateRowsCompressedV1:
    case EventType::kMariaDeleteRowsCompressedV1:
    case EventType::kMariaWriteRowsCompressed:
    case EventType::kMariaUpdateRowsCompressed:
    case EventType::kMariaDeleteRowsCompressed: return rows(body, h.type, ph, info, handler);
    case EventType::kRowsQuery: {
      ByteReader r(body, kEventHeaderSize);
      TRY(r.skip(1, "length byte"));  // a one-byte length that long statements overflow; the rest is the text
      std::string_view q;
      TRY(r.text(r.remaining(), q, "query"));
      return handler.on_rows_query(info, q);
    }
    case EventType::kMariaAnnotateRows: {
      const std::string_view q(reinterpret_cast<const char*>(body.data()), body.size());
      return handler.on_rows_query(info, q);
    }
    case EventType::kTransactionPayload:
      if (!checksummed) return make_error(ErrorCode::kCorrupt, "TRANSACTION_PAYLOAD nested in another");
      return payload(body, info, handler);
    case EventType::kMariaGtid: {
      ByteReader r(body, kEventHeaderSize);
      GtidEvent g;
      g.mariadb = true;
      g.server_id = h.server_id;
      TRY(r.le(g.seq_no, "sequence number"));
      TRY(r.le(g.domain_id, "domain id"));
      TRY(r.le(g.flags, "flags"));
      g.standalone = (g.flags & 1) != 0;
      tables.clear();
      skipped_tables.clear();
      return handler.on_gtid(info, g);
    }
    case EventType::kMariaGtidList: {
      ByteReader r(body, kEventHeaderSize);
      uint32_t count;
      TRY(r.le(count, "GTID count"));
      count &= 0x0FFFFFFF;  // the top bits are flags
      if (count > r.remaining() / 16) return make_error(ErrorCode::kCorrupt, "GTID_LIST of {} entries", count);
      MariaGtidList list;
      list.gtids.resize(count);
      for (auto& g : list.gtids) {
        TRY(r.le(g.domain_id, "domain id"));
        TRY(r.le(g.server_id, "server id"));
        TRY(r.le(g.seq_no, "sequence number"));
      }
      return handler.on_gtid_list(info, list);
    }
    case EventType::kMariaBinlogCheckpoint: {
      ByteReader r(body, kEventHeaderSize);
      uint32_t len;
      TRY(r.le(len, "file name length"));
      std::string_view name;
      TRY(r.text(len, name, "file name"));
      return handler.on_binlog_checkpoint(info, name);
    }
    case EventType::kStop:
    case EventType::kHeartbeat:
    case EventType::kHeartbeatV2: return handler.on_other(info);
    default: break;
  }
  if ((h.flags & kFlagIgnorable) != 0) return handler.on_other(info);
  return make_error(ErrorCode::kUnsupported,
                    "event type {} ({}) cannot be decoded and is not marked ignorable; mysql2ch stops rather than "
                    "skip changes (check binlog_format=ROW and binlog encryption)",
                    h.type, event_type_name(h.type));
}

Status EventParser::State::format_description(std::span<const uint8_t> event, const EventHeader&, EventInfo& info,
                                              EventHandler& handler) {
  constexpr size_t kFixed = 2 + 50 + 4 + 1;
  if (event.size() < kEventHeaderSize + kFixed + 1)
    return make_error(ErrorCode::kCorrupt, "FORMAT_DESCRIPTION too short");
  // The checksum algorithm byte comes after the post-header lengths, followed by the CRC32 when it is on.
  size_t alg_pos;
  ChecksumAlg alg;
  const uint8_t with_crc = event[event.size() - 5];
  if (event.size() >= kEventHeaderSize + kFixed + 5 && with_crc == 1) {
    alg_pos = event.size() - 5;
    alg = ChecksumAlg::kCrc32;
    uint32_t stored = 0;
    for (size_t k = 4; k > 0; --k) stored = stored << 8 | event[event.size() - 4 + k - 1];
    // The server clears LOG_EVENT_BINLOG_IN_USE_F in place when it closes the file, so the checksum is over the
    // flags without it: a copy of the binlog being written still has the flag set.
    constexpr size_t kFlagsOffset = 17;
    constexpr uint8_t kBinlogInUse = 0x01;
    uint8_t flags_low = event[kFlagsOffset];
    flags_low &= static_cast<uint8_t>(~kBinlogInUse);
    auto computed = static_cast<uint32_t>(crc32(0, event.data(), static_cast<uInt>(kFlagsOffset)));
    computed = static_cast<uint32_t>(crc32(computed, &flags_low, 1));
    computed = static_cast<uint32_t>(
        crc32(computed, event.data() + kFlagsOffset + 1, static_cast<uInt>(event.size() - 4 - kFlagsOffset - 1)));
    if (stored != computed) return make_error(ErrorCode::kCorrupt, "CRC32 mismatch in FORMAT_DESCRIPTION");
  } else if (event.back() == 0) {
    alg_pos = event.size() - 1;
    alg = ChecksumAlg::kOff;
  } else if (event.size() >= kEventHeaderSize + kFixed + 5 && with_crc == 0) {
    alg_pos = event.size() - 5;
    alg = ChecksumAlg::kOff;
  } else {
    return make_error(ErrorCode::kUnsupported, "FORMAT_DESCRIPTION names an unknown checksum algorithm");
  }
  ByteReader r(event.subspan(0, alg_pos));
  TRY(r.skip(kEventHeaderSize, "header"));
  FormatDescription f;
  TRY(r.le(f.binlog_version, "binlog version"));
  std::string_view version;
  TRY(r.text(50, version, "server version"));
  f.server_version = std::string(version.substr(0, version.find('\0')));
  TRY(r.le(f.created, "creation time"));
  TRY(r.le(f.header_length, "header length"));
  if (f.binlog_version != 4 || f.header_length != kEventHeaderSize) {
    return make_error(ErrorCode::kUnsupported, "binlog version {} with {}-byte headers (only v4, 19 bytes)",
                      f.binlog_version, f.header_length);
  }
  const auto lengths = r.rest();
  f.post_header_lengths.assign(lengths.begin(), lengths.end());
  f.checksum = alg;
  f.mariadb = f.server_version.find("MariaDB") != std::string::npos;
  fde = std::move(f);
  have_fde = true;
  return handler.on_format_description(info, fde);
}

Status EventParser::State::query(std::span<const uint8_t> body, uint8_t ph, bool compressed, const EventInfo& info,
                                 EventHandler& handler) {
  ByteReader r(body, kEventHeaderSize);
  QueryEvent q;
  if (info.header != nullptr) q.start_seconds = info.header->timestamp;
  uint8_t db_len;
  uint16_t status_len;
  TRY(r.le(q.thread_id, "thread id"));
  TRY(r.le(q.exec_time, "execution time"));
  TRY(r.le(db_len, "database length"));
  TRY(r.le(q.error_code, "error code"));
  TRY(r.le(status_len, "status variables length"));
  if (ph > 13) TRY(r.skip(ph - 13u, "post-header"));
  std::span<const uint8_t> status;
  TRY(r.bytes(status_len, status, "status variables"));
  ByteReader s(status, r.offset() - status_len);
  // Status variables: a code byte then a value whose size the code fixes. An unknown code ends the walk (the
  // server does the same): it can only be followed by other status variables, never by the statement.
  bool known = true;
  while (!s.empty() && known) {
    uint8_t code;
    TRY(s.le(code, "status variable code"));
    uint8_t len8;
    switch (code) {
      case 0: {
        uint32_t v;
        TRY(s.le(v, "flags2"));
        q.flags2 = v;
        break;
      }
      case 1: {
        uint64_t v;
        TRY(s.le(v, "sql_mode"));
        q.sql_mode = v;
        break;
      }
      case 2:
        TRY(s.le(len8, "catalog"));
        TRY(s.skip(len8 + 1u, "catalog"));
        break;
      case 3: TRY(s.skip(4, "auto_increment")); break;
      case 4: {
        uint16_t a, b, c;
        TRY(s.le(a, "charset"));
        TRY(s.le(b, "charset"));
        TRY(s.le(c, "charset"));
        q.client_charset = a;
        q.connection_collation = b;
        q.server_collation = c;
        break;
      }
      case 5:
        TRY(s.le(len8, "time zone"));
        TRY(s.text(len8, q.time_zone, "time zone"));
        break;
      case 6:
        TRY(s.le(len8, "catalog"));
        TRY(s.skip(len8, "catalog"));
        break;
      case 7: TRY(s.skip(2, "lc_time_names")); break;
      case 8: {
        uint16_t v;
        TRY(s.le(v, "database collation"));
        q.database_collation = v;
        break;
      }
      case 9: TRY(s.skip(8, "table map for update")); break;
      case 10: TRY(s.skip(4, "master data written")); break;
      case 11:
        TRY(s.le(len8, "invoker user"));
        TRY(s.skip(len8, "invoker user"));
        TRY(s.le(len8, "invoker host"));
        TRY(s.skip(len8, "invoker host"));
        break;
      case 12: {
        uint8_t count;
        TRY(s.le(count, "updated databases"));
        if (count != 254) {
          for (uint8_t k = 0; k < count; ++k) {
            while (true) {
              uint8_t c;
              TRY(s.le(c, "updated database name"));
              if (c == 0) break;
            }
          }
        }
        break;
      }
      case 13: {
        uint64_t v;
        TRY(s.uint_le(3, v, "microseconds"));
        q.start_microseconds = static_cast<uint32_t>(v);
        break;
      }
      case 16: TRY(s.skip(1, "explicit_defaults_for_timestamp")); break;
      case 17: {
        uint64_t v;
        TRY(s.le(v, "ddl xid"));
        q.ddl_xid = v;
        break;
      }
      case 18: TRY(s.skip(2, "default utf8mb4 collation")); break;
      case 19: TRY(s.skip(1, "sql_require_primary_key")); break;
      case 20: TRY(s.skip(1, "default_table_encryption")); break;
      case 128: {
        uint64_t v;
        TRY(s.uint_le(3, v, "hrnow"));
        q.start_microseconds = static_cast<uint32_t>(v);
        break;
      }
      case 129: TRY(s.skip(8, "xid")); break;
      case 130: TRY(s.skip(1, "gtid flags3")); break;
      default: known = false; break;
    }
  }
  TRY(r.text(db_len, q.database, "database"));
  TRY(r.skip(1, "database terminator"));
  if (compressed) {
    TRY(mariadb_uncompress(r.rest(), inflated_query));
    q.query = std::string_view(reinterpret_cast<const char*>(inflated_query.data()), inflated_query.size());
  } else {
    TRY(r.text(r.remaining(), q.query, "query"));
  }
  return handler.on_query(info, q);
}

Status EventParser::State::gtid_mysql(std::span<const uint8_t> body, bool anonymous, const EventInfo& info,
                                      EventHandler& handler) {
  ByteReader r(body, kEventHeaderSize);
  GtidEvent g;
  g.anonymous = anonymous;
  TRY(r.le(g.flags, "flags"));
  std::span<const uint8_t> sid;
  TRY(r.bytes(16, sid, "source uuid"));
  std::memcpy(g.uuid.data(), sid.data(), 16);
  TRY(r.le(g.gno, "gno"));
  if (!r.empty()) {
    uint8_t typecode;
    TRY(r.le(typecode, "logical clock type"));
    if (typecode == 2) {
      TRY(r.le(g.last_committed, "last_committed"));
      TRY(r.le(g.sequence_number, "sequence_number"));
      if (r.remaining() >= 7) {
        uint64_t ts;
        TRY(r.uint_le(7, ts, "commit timestamp"));
        const uint64_t has_original = uint64_t{1} << 55;
        g.immediate_commit_us = ts & ~has_original;
        g.original_commit_us = g.immediate_commit_us;
        if ((ts & has_original) != 0) {
          TRY(r.uint_le(7, g.original_commit_us, "original commit timestamp"));
        }
        if (!r.empty()) TRY(r.packed(g.transaction_length, "transaction length"));
        if (r.remaining() >= 4) {
          TRY(r.le(g.immediate_server_version, "server version"));
          g.original_server_version = g.immediate_server_version;
          if ((g.immediate_server_version & 0x80000000u) != 0) {
            g.immediate_server_version &= 0x7FFFFFFFu;
            TRY(r.le(g.original_server_version, "original server version"));
          }
        }
      }
    }
  }
  tables.clear();
  skipped_tables.clear();
  return handler.on_gtid(info, g);
}

Status EventParser::State::gtid_tagged(std::span<const uint8_t> body, const EventInfo& info, EventHandler& handler) {
  // MySQL serialization library message: version byte, payload size (counting from the version byte),
  // last non-ignorable field id, then (field id, value) pairs.
  ByteReader r(body, kEventHeaderSize);
  uint8_t version;
  TRY(r.le(version, "serialization version"));
  uint64_t payload_size, last_non_ignorable;
  TRY(r.serialized_uint(payload_size, "payload size"));
  TRY(r.serialized_uint(last_non_ignorable, "last non-ignorable field"));
  if (payload_size < r.consumed() || payload_size > body.size()) {
    return make_error(ErrorCode::kCorrupt, "tagged GTID payload size {} for a {}-byte body", payload_size, body.size());
  }
  ByteReader f(body.subspan(r.consumed(), static_cast<size_t>(payload_size) - r.consumed()), r.offset());
  GtidEvent g;
  bool original_ts = false, original_version = false;
  auto signed_field = [&f](uint64_t& v, std::string_view what) -> Status {
    uint64_t z;
    TRY(f.serialized_uint(z, what));
    if ((z & 1) != 0) return make_error(ErrorCode::kCorrupt, "negative {} in tagged GTID", what);
    v = z >> 1;
    return {};
  };
  while (!f.empty()) {
    uint64_t id, v;
    TRY(f.serialized_uint(id, "field id"));
    switch (id) {
      case 0:
        TRY(f.serialized_uint(v, "flags"));
        g.flags = static_cast<uint8_t>(v);
        break;
      case 1:
        for (auto& b : g.uuid) {
          TRY(f.serialized_uint(v, "uuid byte"));
          if (v > 255) return make_error(ErrorCode::kCorrupt, "uuid byte {} in tagged GTID", v);
          b = static_cast<uint8_t>(v);
        }
        break;
      case 2: TRY(signed_field(g.gno, "gno")); break;
      case 3: {
        size_t len;
        uint64_t l;
        TRY(f.serialized_uint(l, "tag length"));
        if (l > f.remaining()) return make_error(ErrorCode::kCorrupt, "tag of {} bytes", l);
        len = static_cast<size_t>(l);
        TRY(f.text(len, g.tag, "tag"));
        break;
      }
      case 4: TRY(signed_field(g.last_committed, "last_committed")); break;
      case 5: TRY(signed_field(g.sequence_number, "sequence_number")); break;
      case 6: TRY(f.serialized_uint(g.immediate_commit_us, "immediate commit timestamp")); break;
      case 7:
        TRY(f.serialized_uint(g.original_commit_us, "original commit timestamp"));
        original_ts = true;
        break;
      case 8: TRY(f.serialized_uint(g.transaction_length, "transaction length")); break;
      case 9:
        TRY(f.serialized_uint(v, "server version"));
        g.immediate_server_version = static_cast<uint32_t>(v);
        break;
      case 10:
        TRY(f.serialized_uint(v, "original server version"));
        g.original_server_version = static_cast<uint32_t>(v);
        original_version = true;
        break;
      case 11: TRY(f.serialized_uint(v, "commit group ticket")); break;
      default:
        if (id <= last_non_ignorable) {
          return make_error(ErrorCode::kUnsupported, "tagged GTID has unknown non-ignorable field {}", id);
        }
        // Ignorable fields of a newer server: their sizes are unknown, and everything known came before them.
        f = ByteReader(std::span<const uint8_t>());
        break;
    }
  }
  if (!original_ts) g.original_commit_us = g.immediate_commit_us;
  if (!original_version) g.original_server_version = g.immediate_server_version;
  tables.clear();
  skipped_tables.clear();
  return handler.on_gtid(info, g);
}

Status EventParser::State::previous_gtids(std::span<const uint8_t> body, const EventInfo& info, EventHandler& handler) {
  ByteReader r(body, kEventHeaderSize);
  uint64_t head;
  TRY(r.le(head, "sid count"));
  const bool tagged = (head >> 56) == 1;
  const uint64_t n = tagged ? (head >> 8) & 0xFFFFFFFFFFFFULL : head & 0x00FFFFFFFFFFFFFFULL;
  if (n > r.remaining() / 24) return make_error(ErrorCode::kCorrupt, "PREVIOUS_GTIDS with {} sids", n);
  PreviousGtids p;
  p.sids.resize(static_cast<size_t>(n));
  for (auto& sid : p.sids) {
    std::span<const uint8_t> u;
    TRY(r.bytes(16, u, "uuid"));
    std::memcpy(sid.uuid.data(), u.data(), 16);
    if (tagged) {
      uint64_t len;
      TRY(r.serialized_uint(len, "tag length"));
      std::string_view tag;
      if (len > r.remaining()) return make_error(ErrorCode::kCorrupt, "tag of {} bytes", len);
      TRY(r.text(static_cast<size_t>(len), tag, "tag"));
      sid.tag = std::string(tag);
    }
    uint64_t intervals;
    TRY(r.le(intervals, "interval count"));
    if (intervals > r.remaining() / 16) return make_error(ErrorCode::kCorrupt, "{} intervals", intervals);
    sid.intervals.resize(static_cast<size_t>(intervals));
    for (auto& iv : sid.intervals) {
      TRY(r.le(iv.first, "interval start"));
      TRY(r.le(iv.second, "interval end"));
    }
  }
  return handler.on_previous_gtids(info, p);
}

Status EventParser::State::row_image(ByteReader& r, const TableMap& tm, std::span<const uint8_t> present,
                                     size_t present_count, std::vector<Value>& values, bool partial_after,
                                     const std::vector<Value>* before_image) {
  const auto& cols = tm.schema.columns;
  // Every slot is overwritten below (absent, null or decoded): resizing keeps the vector's storage without
  // first filling each wide Value with a default.
  values.resize(cols.size());
  std::span<const uint8_t> partial_bits;
  if (partial_after) {
    uint64_t options;
    TRY(r.packed(options, "value options"));
    if ((options & 1) != 0) {
      size_t json_columns = 0;
      for (size_t k = 0; k < cols.size(); ++k) {
        if (bit_lsb(present, k) && cols[k].type == ColumnType::kJson) ++json_columns;
      }
      TRY(r.bytes((json_columns + 7) / 8, partial_bits, "partial JSON bitmap"));
    }
  }
  std::span<const uint8_t> nulls;
  TRY(r.bytes((present_count + 7) / 8, nulls, "null bitmap"));
  size_t ordinal = 0, json_ordinal = 0;
  for (size_t k = 0; k < cols.size(); ++k) {
    if (!bit_lsb(present, k)) {
      values[k].set_absent();
      continue;
    }
    const bool is_null = bit_lsb(nulls, ordinal++);
    const bool is_json = cols[k].type == ColumnType::kJson;
    const bool partial = is_json && !partial_bits.empty() && bit_lsb(partial_bits, json_ordinal);
    if (is_json) ++json_ordinal;
    if (is_null) {
      values[k].set_null();
      continue;
    }
    if (!partial) {
      TRY(decode_column_value(cols[k], r, values[k]));
      continue;
    }
    // A JSON diff vector in place of the document: apply it to the before image.
    uint64_t len;
    TRY(r.uint_le(cols[k].length_bytes, len, "JSON diff length"));
    std::span<const uint8_t> diffs;
    TRY(r.bytes(static_cast<size_t>(len), diffs, "JSON diffs"));
    const Value* old = before_image != nullptr && k < before_image->size() ? &(*before_image)[k] : nullptr;
    if (old == nullptr || (old->kind != ValueKind::kJsonBinary && old->kind != ValueKind::kJsonText)) {
      return make_error(ErrorCode::kUnsupported,
                        "column {}: partial JSON update without the document in the before image (set "
                        "binlog_row_image=FULL)",
                        cols[k].name);
    }
    json_scratch.clear();
    TRY(schema::append_value_json(*old, &cols[k], json_scratch));
    std::string& result = json_results.emplace_back();
    Status st = apply_json_diffs(json_scratch, diffs, result);
    if (!st.ok()) return std::move(st).error().context(fmt::format("column {}", cols[k].name));
    values[k].set_bytes(ValueKind::kJsonText, result);
  }
  return {};
}

Status EventParser::State::rows(std::span<const uint8_t> body, uint8_t type, uint8_t ph, const EventInfo& info,
                                EventHandler& handler) {
  const auto t = static_cast<EventType>(type);
  RowOp op;
  switch (t) {
    case EventType::kWriteRowsV1:
    case EventType::kWriteRowsV2:
    case EventType::kMariaWriteRowsCompressedV1:
    case EventType::kMariaWriteRowsCompressed: op = RowOp::kInsert; break;
    case EventType::kDeleteRowsV1:
    case EventType::kDeleteRowsV2:
    case EventType::kMariaDeleteRowsCompressedV1:
    case EventType::kMariaDeleteRowsCompressed: op = RowOp::kDelete; break;
    default: op = RowOp::kUpdate; break;
  }
  const bool partial = t == EventType::kPartialUpdateRows;
  const bool compressed = type >= static_cast<uint8_t>(EventType::kMariaWriteRowsCompressedV1) &&
                          type <= static_cast<uint8_t>(EventType::kMariaDeleteRowsCompressed);
  if (ph == 0)
    ph = (t == EventType::kWriteRowsV2 || t == EventType::kUpdateRowsV2 || t == EventType::kDeleteRowsV2 || partial)
             ? 10
             : 8;

  ByteReader r(body, kEventHeaderSize);
  uint64_t table_id;
  uint16_t flags;
  TRY(r.uint_le(ph == 6 ? 4 : 6, table_id, "table id"));
  TRY(r.le(flags, "flags"));
  if (ph >= 10) {
    uint16_t extra;
    TRY(r.le(extra, "extra data length"));
    if (extra < 2) return make_error(ErrorCode::kCorrupt, "extra data length {}", extra);
    TRY(r.skip(extra - 2u, "extra data"));
    if (ph > 10) TRY(r.skip(ph - 10u, "post-header"));
  } else if (ph > 8) {
    TRY(r.skip(ph - 8u, "post-header"));
  }
  const auto it = tables.find(table_id);
  if (it == tables.end()) {
    return make_error(ErrorCode::kCorrupt, "rows for table id {} without a preceding TABLE_MAP in the transaction",
                      table_id);
  }
  if (skipped_tables.count(table_id) != 0) return {};
  const TableMap& tm = it->second;
  size_t n;
  TRY(r.packed_count(n, 0, "column count"));
  if (n != tm.schema.columns.size()) {
    return make_error(ErrorCode::kCorrupt, "rows event has {} columns, its TABLE_MAP {}", n, tm.schema.columns.size());
  }
  std::span<const uint8_t> present_before, present_after;
  TRY(r.bytes((n + 7) / 8, present_before, "columns-present bitmap"));
  present_after = present_before;
  if (op == RowOp::kUpdate) TRY(r.bytes((n + 7) / 8, present_after, "after-image columns bitmap"));
  auto popcount = [n](std::span<const uint8_t> bits) {
    size_t c = 0;
    for (size_t k = 0; k < n; ++k) c += bit_lsb(bits, k) ? 1 : 0;
    return c;
  };
  const size_t count_before = popcount(present_before), count_after = popcount(present_after);

  ByteReader rows_reader = r;
  if (compressed) {
    TRY(mariadb_uncompress(r.rest(), inflated_rows));
    rows_reader = ByteReader(inflated_rows);
  }
  json_results.clear();
  while (!rows_reader.empty()) {
    const size_t row_start = rows_reader.consumed();
    RowChange change;
    change.op = op;
    change.table = &tm;
    if (op == RowOp::kInsert) {
      TRY(row_image(rows_reader, tm, present_before, count_before, after, false, nullptr));
      change.after = after;
    } else if (op == RowOp::kDelete) {
      TRY(row_image(rows_reader, tm, present_before, count_before, before, false, nullptr));
      change.before = before;
    } else {
      TRY(row_image(rows_reader, tm, present_before, count_before, before, false, nullptr));
      TRY(row_image(rows_reader, tm, present_after, count_after, after, partial, &before));
      change.before = before;
      change.after = after;
    }
    // A row that occupies no bytes (no columns present) would repeat forever.
    if (rows_reader.consumed() == row_start) {
      return make_error(ErrorCode::kCorrupt, "rows event with an empty row image at offset {}", rows_reader.offset());
    }
    TRY(handler.on_row(info, change));
    json_results.clear();
  }
  return {};
}

Status EventParser::State::payload(std::span<const uint8_t> body, const EventInfo& info, EventHandler& handler) {
  ByteReader r(body, kEventHeaderSize);
  TransactionPayload tp;
  bool have_size = false;
  while (true) {
    uint64_t field;
    TRY(r.packed(field, "payload field type"));
    if (field == 0) break;  // end of the header fields; the payload follows
    size_t len;
    TRY(r.packed_count(len, 1, "payload field length"));
    std::span<const uint8_t> value;
    TRY(r.bytes(len, value, "payload field"));
    ByteReader v(value);
    uint64_t x;
    switch (field) {
      case 1:
        TRY(v.packed(x, "payload size"));
        tp.compressed_size = x;
        have_size = true;
        break;
      case 2:
        TRY(v.packed(x, "compression type"));
        tp.compression = static_cast<uint8_t>(x);
        break;
      case 3:
        TRY(v.packed(x, "uncompressed size"));
        tp.uncompressed_size = x;
        break;
      default: break;  // later fields describe the payload further; the size and compression above suffice
    }
  }
  std::span<const uint8_t> data = r.rest();
  if (have_size && tp.compressed_size != data.size()) {
    return make_error(ErrorCode::kCorrupt, "payload declares {} bytes but carries {}", tp.compressed_size, data.size());
  }
  if (tp.compression != 0 && tp.compression != 255) {
    return make_error(ErrorCode::kUnsupported, "transaction payload compressed with unknown algorithm {}",
                      tp.compression);
  }
  TRY(handler.on_transaction_payload(info, tp));

  EventInfo inner_info = info;
  inner_info.in_payload = true;
  // Inner events come out of the decompressor in a window that holds at most one partial event plus one
  // output chunk: memory is bounded by the largest inner event, not by the transaction.
  auto drain = [&](std::vector<uint8_t>& window, size_t& start, bool final) -> Status {
    while (window.size() - start >= kEventHeaderSize) {
      const uint8_t* p = window.data() + start;
      const uint32_t size = static_cast<uint32_t>(p[9]) | static_cast<uint32_t>(p[10]) << 8 |
                            static_cast<uint32_t>(p[11]) << 16 | static_cast<uint32_t>(p[12]) << 24;
      if (size < kEventHeaderSize || size > kMaxInnerEvent) {
        return make_error(ErrorCode::kCorrupt, "inner event of {} bytes in the payload", size);
      }
      if (window.size() - start < size) break;
      const std::span<const uint8_t> ev(p, size);
      TRY_ASSIGN(EventHeader h, parse_event_header(ev));
      inner_info.header = &h;
      Status st = dispatch(ev, h, inner_info, false, handler);
      if (!st.ok()) return std::move(st).error().context(fmt::format("inner {}", event_type_name(h.type)));
      start += size;
    }
    if (final && start != window.size()) {
      return make_error(ErrorCode::kCorrupt, "payload ends inside an inner event ({} bytes left)",
                        window.size() - start);
    }
    return {};
  };

  if (tp.compression == 255) {
    std::vector<uint8_t> copy(data.begin(), data.end());
    size_t start = 0;
    return drain(copy, start, true);
  }
  if (zstd == nullptr) zstd = ZSTD_createDCtx();
  if (zstd == nullptr) return make_error(ErrorCode::kInternal, "cannot create a zstd context");
  ZSTD_DCtx_reset(zstd, ZSTD_reset_session_only);
  std::vector<uint8_t>& window = payload_window;
  window.clear();
  size_t start = 0;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  const size_t chunk = ZSTD_DStreamOutSize();
  size_t last = 1;
  uint64_t produced = 0;
  while (in.pos < in.size || last != 0) {
    if (start > 0 && start == window.size()) {
      window.clear();
      start = 0;
    } else if (start > (size_t{1} << 20)) {
      window.erase(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(start));
      start = 0;
    }
    const size_t old = window.size();
    window.resize(old + chunk);
    ZSTD_outBuffer out{window.data() + old, chunk, 0};
    last = ZSTD_decompressStream(zstd, &out, &in);
    if (ZSTD_isError(last)) {
      return make_error(ErrorCode::kCorrupt, "zstd: {}", ZSTD_getErrorName(last));
    }
    window.resize(old + out.pos);
    produced += out.pos;
    if (tp.uncompressed_size != 0 && produced > tp.uncompressed_size) {
      return make_error(ErrorCode::kCorrupt, "payload decompresses beyond its declared {} bytes", tp.uncompressed_size);
    }
    TRY(drain(window, start, false));
    if (out.pos == 0 && in.pos == in.size && last != 0) {
      return make_error(ErrorCode::kCorrupt, "zstd payload is truncated");
    }
  }
  return drain(window, start, true);
}

}  // namespace mysql2ch::binlog
