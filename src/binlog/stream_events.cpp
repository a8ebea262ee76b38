#include "binlog/stream_events.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/strings.h"

namespace mysql2ch::binlog {

namespace {

uint64_t le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i > 0; --i) v = (v << 8) | p[i - 1];
  return v;
}

// The event body without the header and the checksum footer.
Result<std::span<const uint8_t>> body_of(std::span<const uint8_t> event, size_t checksum_size) {
  TRY_ASSIGN(EventHeader h, parse_event_header(event));
  if (h.event_size < kEventHeaderSize + checksum_size) {
    return make_error(ErrorCode::kCorrupt, "{} of {} bytes has no room for its {}-byte checksum",
                      event_type_name(h.type), h.event_size, checksum_size);
  }
  return event.subspan(kEventHeaderSize, h.event_size - kEventHeaderSize - checksum_size);
}

Error short_body(uint8_t type, size_t offset, const char* what) {
  return make_error(ErrorCode::kCorrupt, "{} ends at body offset {} inside its {}", event_type_name(type), offset,
                    what);
}

// A variable-length unsigned integer of MySQL's serialization library (used by GTID_TAGGED_LOG_EVENT): the
// number of trailing one bits of the first byte, plus one, is the byte count; the value is the little-endian
// number shifted right by that count, or, for 9 bytes, the 8 bytes after the first.
class VarlenReader {
 public:
  explicit VarlenReader(std::span<const uint8_t> data) : data_(data) {}

  Result<uint64_t> next(uint8_t type) {
    if (pos_ >= data_.size()) return short_body(type, pos_, "serialized field");
    uint8_t first = data_[pos_];
    size_t n = 1;
    while (n < 9 && (first >> (n - 1) & 1) != 0) ++n;
    if (data_.size() - pos_ < n) return short_body(type, pos_, "serialized integer");
    uint64_t v = 0;
    if (n == 9) {
      v = le(data_.data() + pos_ + 1, 8);
    } else {
      v = le(data_.data() + pos_, n) >> n;
    }
    pos_ += n;
    return v;
  }
  Result<std::string_view> bytes(uint8_t type, size_t n) {
    if (data_.size() - pos_ < n) return short_body(type, pos_, "serialized string");
    std::string_view s(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= data_.size(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

Result<MysqlGtid> parse_tagged_gtid(std::span<const uint8_t> body) {
  constexpr uint8_t kType = static_cast<uint8_t>(EventType::kGtidTagged);
  // Envelope: format version byte, then the message size and the last non-ignorable field id as varlen
  // integers, then (field id, value) pairs in field-id order: 0 flags, 1 uuid (16 varlen bytes), 2 gno
  // (zig-zag signed), 3 tag (varlen length + bytes), and later fields we do not need.
  // The message size counts from the version byte to the end of the body (the checksum excluded).
  if (body.empty()) return short_body(kType, 0, "format version");
  VarlenReader head(body.subspan(1));
  TRY_ASSIGN(uint64_t message_size, head.next(kType));
  size_t envelope = 1 + head.pos();
  if (message_size > body.size() || message_size < envelope) {
    return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT declares {} bytes but has {}", message_size,
                      body.size());
  }
  VarlenReader r(body.subspan(envelope, message_size - envelope));
  TRY(r.next(kType).ok() ? Status{} : Status(short_body(kType, envelope, "last field id")));
  MysqlGtid gtid;
  bool have_uuid = false;
  bool have_gno = false;
  bool have_tag = false;
  while (!(have_uuid && have_gno && have_tag) && !r.done()) {
    TRY_ASSIGN(uint64_t field, r.next(kType));
    switch (field) {
      case 0: {
        TRY(r.next(kType).ok() ? Status{} : Status(short_body(kType, r.pos() + 1, "flags")));
        break;
      }
      case 1: {
        for (auto& b : gtid.uuid.bytes) {
          TRY_ASSIGN(uint64_t v, r.next(kType));
          if (v > 0xff) return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT uuid byte {} > 255", v);
          b = static_cast<uint8_t>(v);
        }
        have_uuid = true;
        break;
      }
      case 2: {
        TRY_ASSIGN(uint64_t zigzag, r.next(kType));
        if ((zigzag & 1) != 0) return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT has a negative gno");
        gtid.gno = zigzag >> 1;
        have_gno = true;
        break;
      }
      case 3: {
        TRY_ASSIGN(uint64_t len, r.next(kType));
        if (len > kMaxTagLength) {
          return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT tag of {} bytes (max {})", len,
                            kMaxTagLength);
        }
        TRY_ASSIGN(std::string_view tag, r.bytes(kType, len));
        gtid.tag = to_lower(tag);
        have_tag = true;
        break;
      }
      default:
        return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT: field {} before the uuid, gno and tag",
                          field);
    }
  }
  if (!have_uuid || !have_gno) {
    return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT without {}", have_uuid ? "gno" : "uuid");
  }
  if (gtid.gno == 0 || gtid.gno > kMaxGno) {
    return make_error(ErrorCode::kCorrupt, "GTID_TAGGED_LOG_EVENT has gno {} out of range", gtid.gno);
  }
  return gtid;
}

bool starts_with_word(std::string_view s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != word[i]) return false;
  }
  if (s.size() == word.size()) return true;
  char next = s[word.size()];
  return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') ||
           next == '_');
}

}  // namespace

Status verify_crc32(std::span<const uint8_t> event) {
  TRY_ASSIGN(EventHeader h, parse_event_header(event));
  if (h.event_size < kEventHeaderSize + kChecksumSize) {
    return make_error(ErrorCode::kCorrupt, "{} of {} bytes has no room for a checksum", event_type_name(h.type),
                      h.event_size);
  }
  size_t covered = h.event_size - kChecksumSize;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, event.data(), static_cast<uInt>(covered));
  auto stored = static_cast<uint32_t>(le(event.data() + covered, 4));
  if (static_cast<uint32_t>(crc) != stored) {
    return make_error(ErrorCode::kCorrupt, "{} (end_log_pos {}) fails its CRC32: stored {:08x}, computed {:08x}",
                      event_type_name(h.type), h.log_pos, stored, static_cast<uint32_t>(crc));
  }
  return {};
}

Result<ChecksumAlgorithm> format_description_checksum(std::span<const uint8_t> event) {
  TRY_ASSIGN(EventHeader h, parse_event_header(event));
  // binlog version (2), server version (50), timestamp (4), header length (1), then one post-header length
  // per event type; the algorithm byte and a 4-byte checksum slot close the event.
  constexpr size_t kFixed = 2 + 50 + 4 + 1;
  if (h.event_size < kEventHeaderSize + kFixed + 1 + kChecksumSize) return ChecksumAlgorithm::kOff;
  std::string_view version(reinterpret_cast<const char*>(event.data() + kEventHeaderSize + 2), 50);
  version = version.substr(0, version.find('\0'));
  // Checksums exist from MySQL 5.6.1 / MariaDB 5.3; older servers have no algorithm byte.
  unsigned major = 0, minor = 0, patch = 0;
  if (std::sscanf(std::string(version).c_str(), "%u.%u.%u", &major, &minor, &patch) == 3 &&
      (major < 5 || (major == 5 && (minor < 6 || (minor == 6 && patch < 1))))) {
    return ChecksumAlgorithm::kOff;
  }
  uint8_t alg = event[h.event_size - kChecksumSize - 1];
  switch (alg) {
    case 0: return ChecksumAlgorithm::kOff;
    case 1: return ChecksumAlgorithm::kCrc32;
    default:
      return make_error(ErrorCode::kUnsupported,
                        "FORMAT_DESCRIPTION_EVENT announces checksum algorithm {}; only NONE (0) and CRC32 (1) exist",
                        alg);
  }
}

Result<RotateTarget> parse_rotate(std::span<const uint8_t> event, size_t checksum_size) {
  TRY_ASSIGN(auto body, body_of(event, checksum_size));
  if (body.size() < 8) return short_body(static_cast<uint8_t>(EventType::kRotate), body.size(), "position");
  RotateTarget r;
  r.position = le(body.data(), 8);
  r.file = std::string_view(reinterpret_cast<const char*>(body.data() + 8), body.size() - 8);
  if (r.file.empty()) return make_error(ErrorCode::kCorrupt, "ROTATE_EVENT without a file name");
  return r;
}

Result<MysqlGtid> parse_mysql_gtid_event(std::span<const uint8_t> event, size_t checksum_size) {
  TRY_ASSIGN(EventHeader h, parse_event_header(event));
  TRY_ASSIGN(auto body, body_of(event, checksum_size));
  if (h.type == static_cast<uint8_t>(EventType::kGtidTagged)) return parse_tagged_gtid(body);
  if (h.type != static_cast<uint8_t>(EventType::kGtid)) {
    return make_error(ErrorCode::kInternal, "{} is not a GTID event", event_type_name(h.type));
  }
  // flags (1), uuid (16), gno (8), then logical clock fields we do not need here.
  if (body.size() < 25) return short_body(h.type, body.size(), "uuid and gno");
  MysqlGtid gtid;
  std::copy_n(body.begin() + 1, 16, gtid.uuid.bytes.begin());
  gtid.gno = le(body.data() + 17, 8);
  if (gtid.gno == 0 || gtid.gno > kMaxGno) {
    return make_error(ErrorCode::kCorrupt, "GTID_LOG_EVENT has gno {} out of range", gtid.gno);
  }
  return gtid;
}

Result<MariadbGtidEventInfo> parse_mariadb_gtid_event(std::span<const uint8_t> event, size_t checksum_size) {
  TRY_ASSIGN(EventHeader h, parse_event_header(event));
  TRY_ASSIGN(auto body, body_of(event, checksum_size));
  // seq_no (8), domain_id (4), flags (1), then commit id or XA data.
  if (body.size() < 13) return short_body(h.type, body.size(), "seq_no, domain and flags");
  MariadbGtidEventInfo info;
  info.gtid.seq_no = le(body.data(), 8);
  info.gtid.domain_id = static_cast<uint32_t>(le(body.data() + 8, 4));
  info.gtid.server_id = h.server_id;
  info.flags = body[12];
  return info;
}

Result<std::string_view> query_event_statement(std::span<const uint8_t> event, size_t checksum_size) {
  TRY_ASSIGN(EventHeader h, parse_event_header(event));
  TRY_ASSIGN(auto body, body_of(event, checksum_size));
  // thread id (4), exec time (4), db length (1), error code (2), status vars length (2).
  constexpr size_t kPostHeader = 13;
  if (body.size() < kPostHeader) return short_body(h.type, body.size(), "post-header");
  size_t db_len = body[8];
  size_t status_len = le(body.data() + 11, 2);
  size_t at = kPostHeader + status_len + db_len + 1;
  if (at > body.size()) return short_body(h.type, body.size(), "status variables and database name");
  return std::string_view(reinterpret_cast<const char*>(body.data() + at), body.size() - at);
}

StatementRole classify_statement(std::string_view statement) {
  while (!statement.empty() && (statement.front() == ' ' || statement.front() == '\n' || statement.front() == '\t')) {
    statement.remove_prefix(1);
  }
  if (starts_with_word(statement, "BEGIN")) return StatementRole::kBegin;
  if (starts_with_word(statement, "COMMIT")) return StatementRole::kCommit;
  if (starts_with_word(statement, "ROLLBACK")) {
    std::string_view rest = statement.substr(8);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    // ROLLBACK TO SAVEPOINT stays inside the transaction.
    return starts_with_word(rest, "TO") ? StatementRole::kOther : StatementRole::kCommit;
  }
  if (starts_with_word(statement, "XA")) {
    std::string_view rest = statement.substr(2);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (starts_with_word(rest, "START") || starts_with_word(rest, "BEGIN")) return StatementRole::kBegin;
    if (starts_with_word(rest, "PREPARE")) return StatementRole::kXaPrepare;
    if (starts_with_word(rest, "COMMIT") || starts_with_word(rest, "ROLLBACK")) return StatementRole::kCommit;
  }
  return StatementRole::kOther;
}

}  // namespace mysql2ch::binlog
