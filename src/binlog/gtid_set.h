// GTID sets of both server families, as the replication client tracks them and as users write them.
//
// MySQL: a set of transactions, "uuid[:tag]:intervals" blocks joined by commas, e.g.
//   "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11-18:tag1:1-3,uuid2:7"  (tags: MySQL 8.4+).
// MariaDB: a replication *position*, one last GTID per replication domain, "domain-server-seq" joined by
//   commas, e.g. "0-1-100,1-2-5". A domain's position includes every earlier seq_no of that domain.
//
// Both are plain values (copyable, no shared state, not thread-safe for concurrent mutation). Parsing is
// strict: an error (kInvalidArgument) quotes the offending part. to_string() is canonical: for MySQL, uuids
// lowercase, sorted by uuid then tag (untagged first), intervals merged and sorted; parse(to_string(s)) == s.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace mysql2ch::binlog {

// A server uuid (MySQL's source_uuid / SID), 16 bytes in the order the text form spells them.
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  static Result<Uuid> parse(std::string_view text);  // 8-4-4-4-12 hex digits, any case
  std::string to_string() const;                     // lowercase
  auto operator<=>(const Uuid&) const = default;
};

// The largest transaction number MySQL assigns (2^63 - 1).
inline constexpr uint64_t kMaxGno = (uint64_t{1} << 63) - 1;
// Tags: [a-z_][a-z0-9_]{0,31}, stored lowercase (MySQL compares them case-insensitively).
inline constexpr size_t kMaxTagLength = 32;

// One MySQL transaction id: uuid[:tag]:gno.
struct MysqlGtid {
  Uuid uuid;
  std::string tag;  // empty: untagged
  uint64_t gno = 0;

  static Result<MysqlGtid> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const MysqlGtid&) const = default;
};

class MysqlGtidSet {
 public:
  struct Interval {
    uint64_t first = 0;  // inclusive
    uint64_t last = 0;   // inclusive
    bool operator==(const Interval&) const = default;
  };
  struct Source {  // a "TSID": uuid plus optional tag
    Uuid uuid;
    std::string tag;
    auto operator<=>(const Source&) const = default;
  };

  MysqlGtidSet() = default;

  // Accepts what servers print (@@gtid_executed has ",\n" between blocks): whitespace around separators is
  // ignored; an empty string is the empty set. Within a block, a tag applies to the intervals after it.
  static Result<MysqlGtidSet> parse(std::string_view text);
  std::string to_string() const;

  bool empty() const { return intervals_.empty(); }
  // Adds one transaction. Fails (kInvalidArgument) for gno 0 or above kMaxGno.
  Status add(const MysqlGtid& gtid);
  // Adds [first, last]. Fails (kInvalidArgument) unless 1 <= first <= last <= kMaxGno, or for a bad tag.
  Status add_interval(const Uuid& uuid, std::string_view tag, uint64_t first, uint64_t last);
  void unite(const MysqlGtidSet& other);
  void subtract(const MysqlGtidSet& other);
  bool contains(const MysqlGtid& gtid) const;
  bool contains(const MysqlGtidSet& other) const;
  bool operator==(const MysqlGtidSet&) const = default;

  // Per source, sorted disjoint non-adjacent intervals.
  const std::map<Source, std::vector<Interval>>& intervals() const { return intervals_; }

  // The binary form of COM_BINLOG_DUMP_GTID and PREVIOUS_GTIDS_LOG_EVENT bodies. Untagged sets use the
  // classic layout (u64 count, then per uuid: 16 bytes, u64 interval count, [start, end) pairs as u64 LE);
  // a set with any tag uses the 8.4+ tagged layout (format byte 1 in the top and bottom byte of the count,
  // the count in between, and a length-prefixed tag after each uuid).
  std::vector<uint8_t> encode() const;
  // Decodes either layout. `data` must be exactly the encoding (kCorrupt otherwise, naming the byte offset).
  static Result<MysqlGtidSet> decode(std::span<const uint8_t> data);

 private:
  std::map<Source, std::vector<Interval>> intervals_;
};

// One MariaDB GTID: domain-server-seq.
struct MariadbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;

  static Result<MariadbGtid> parse(std::string_view text);
  std::string to_string() const;
  auto operator<=>(const MariadbGtid&) const = default;
};

// A MariaDB GTID position: the last GTID applied per domain (what @@gtid_binlog_pos, @@gtid_slave_pos and
// @slave_connect_state hold). As a set it stands for every seq_no up to the listed one in each domain.
class MariadbGtidSet {
 public:
  MariadbGtidSet() = default;

  // "0-1-100,1-2-5"; whitespace around commas ignored; empty string: empty position. Two GTIDs of the same
  // domain are an error (a position has one per domain).
  static Result<MariadbGtidSet> parse(std::string_view text);
  std::string to_string() const;  // sorted by domain

  bool empty() const { return last_.empty(); }
  // Records `gtid` as its domain's position (a replica moves to each GTID it applies, in stream order).
  void add(const MariadbGtid& gtid);
  // Per domain, the GTID with the larger seq_no.
  void unite(const MariadbGtidSet& other);
  // Removes the domains whose position `other` contains.
  void subtract(const MariadbGtidSet& other);
  // The domain is present with a seq_no >= gtid.seq_no.
  bool contains(const MariadbGtid& gtid) const;
  bool contains(const MariadbGtidSet& other) const;
  bool operator==(const MariadbGtidSet&) const = default;

  const std::map<uint32_t, MariadbGtid>& domains() const { return last_; }

 private:
  std::map<uint32_t, MariadbGtid> last_;
};

}  // namespace mysql2ch::binlog
