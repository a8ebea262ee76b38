#include "binlog/gtid_set.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/strings.h"

namespace mysql2ch::binlog {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> parse_tag(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "bad GTID tag '{}': a tag is a letter or _ followed by up to {} letters, digits or _", text,
                      kMaxTagLength - 1);
  };
  if (text.empty() || text.size() > kMaxTagLength) return bad();
  std::string tag;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    bool letter = (lower >= 'a' && lower <= 'z') || lower == '_';
    bool digit = lower >= '0' && lower <= '9';
    if (!letter && !(digit && i > 0)) return bad();
    tag.push_back(lower);
  }
  return tag;
}

Result<uint64_t> parse_gno(std::string_view text, std::string_view whole) {
  auto n = parse_uint(text);
  if (!n || *n == 0 || *n > kMaxGno) {
    return make_error(ErrorCode::kInvalidArgument, "bad transaction number '{}' in '{}' (must be 1..{})", text,
                      whole, kMaxGno);
  }
  return *n;
}

void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

constexpr uint8_t kTaggedFormat = 1;

// Merges [first, last] into sorted, disjoint, non-adjacent intervals.
void insert_interval(std::vector<MysqlGtidSet::Interval>& ivs, uint64_t first, uint64_t last) {
  auto it = std::lower_bound(ivs.begin(), ivs.end(), first,
                             [](const MysqlGtidSet::Interval& iv, uint64_t f) { return iv.last + 1 < f; });
  // `it` is the first interval that overlaps or touches [first, last] or lies after it.
  auto end = it;
  while (end != ivs.end() && end->first <= last + 1) {
    first = std::min(first, end->first);
    last = std::max(last, end->last);
    ++end;
  }
  it = ivs.erase(it, end);
  ivs.insert(it, MysqlGtidSet::Interval{first, last});
}

void remove_interval(std::vector<MysqlGtidSet::Interval>& ivs, uint64_t first, uint64_t last) {
  std::vector<MysqlGtidSet::Interval> out;
  out.reserve(ivs.size() + 1);
  for (const auto& iv : ivs) {
    if (iv.last < first || iv.first > last) {
      out.push_back(iv);
      continue;
    }
    if (iv.first < first) out.push_back({iv.first, first - 1});
    if (iv.last > last) out.push_back({last + 1, iv.last});
  }
  ivs = std::move(out);
}

bool covers(const std::vector<MysqlGtidSet::Interval>& ivs, uint64_t first, uint64_t last) {
  auto it = std::upper_bound(ivs.begin(), ivs.end(), first,
                             [](uint64_t f, const MysqlGtidSet::Interval& iv) { return f < iv.first; });
  if (it == ivs.begin()) return false;
  --it;
  return it->first <= first && last <= it->last;
}

}  // namespace

// ---- Uuid ----------------------------------------------------------------------------------------------

Result<Uuid> Uuid::parse(std::string_view text) {
  static constexpr size_t kGroups[] = {8, 4, 4, 4, 12};
  Uuid u;
  size_t pos = 0;
  size_t byte = 0;
  for (size_t g = 0; g < 5; ++g) {
    if (g > 0) {
      if (pos >= text.size() || text[pos] != '-') break;
      ++pos;
    }
    for (size_t i = 0; i < kGroups[g]; i += 2, pos += 2) {
      if (pos + 2 > text.size()) {
        return make_error(ErrorCode::kInvalidArgument, "bad uuid '{}': expected 8-4-4-4-12 hex digits", text);
      }
      int hi = hex_value(text[pos]);
      int lo = hex_value(text[pos + 1]);
      if (hi < 0 || lo < 0) {
        return make_error(ErrorCode::kInvalidArgument, "bad uuid '{}': expected 8-4-4-4-12 hex digits", text);
      }
      u.bytes[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    }
  }
  if (byte != 16 || pos != text.size()) {
    return make_error(ErrorCode::kInvalidArgument, "bad uuid '{}': expected 8-4-4-4-12 hex digits", text);
  }
  return u;
}

std::string Uuid::to_string() const {
  std::string s;
  s.reserve(36);
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 15]);
  }
  return s;
}

// ---- MysqlGtid -----------------------------------------------------------------------------------------

Result<MysqlGtid> MysqlGtid::parse(std::string_view text) {
  std::string_view t = trim(text);
  auto parts = split(t, ':');
  if (parts.size() != 2 && parts.size() != 3) {
    return make_error(ErrorCode::kInvalidArgument, "bad GTID '{}': expected uuid[:tag]:number", text);
  }
  MysqlGtid g;
  TRY_ASSIGN(g.uuid, Uuid::parse(parts[0]));
  if (parts.size() == 3) {
    TRY_ASSIGN(g.tag, parse_tag(parts[1]));
  }
  TRY_ASSIGN(g.gno, parse_gno(parts.back(), text));
  return g;
}

std::string MysqlGtid::to_string() const {
  if (tag.empty()) return fmt::format("{}:{}", uuid.to_string(), gno);
  return fmt::format("{}:{}:{}", uuid.to_string(), tag, gno);
}

// ---- MysqlGtidSet --------------------------------------------------------------------------------------

Result<MysqlGtidSet> MysqlGtidSet::parse(std::string_view text) {
  MysqlGtidSet set;
  std::string_view all = trim(text);
  if (all.empty()) return set;
  for (std::string_view raw_block : split(all, ',')) {
    std::string_view block = trim(raw_block);
    if (block.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "empty element in GTID set '{}'", text);
    }
    auto parts = split(block, ':');
    TRY_ASSIGN(Uuid uuid, Uuid::parse(trim(parts[0])));
    if (parts.size() < 2) {
      return make_error(ErrorCode::kInvalidArgument, "GTID set element '{}' has no transaction numbers", block);
    }
    std::string tag;
    bool tag_has_intervals = true;
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view part = trim(parts[i]);
      if (!part.empty() && part[0] >= '0' && part[0] <= '9') {
        size_t dash = part.find('-');
        uint64_t first = 0;
        uint64_t last = 0;
        if (dash == std::string_view::npos) {
          TRY_ASSIGN(first, parse_gno(part, block));
          last = first;
        } else {
          TRY_ASSIGN(first, parse_gno(part.substr(0, dash), block));
          TRY_ASSIGN(last, parse_gno(part.substr(dash + 1), block));
          if (last < first) {
            return make_error(ErrorCode::kInvalidArgument, "interval '{}' in '{}' ends before it starts", part,
                              block);
          }
        }
        insert_interval(set.intervals_[Source{uuid, tag}], first, last);
        tag_has_intervals = true;
      } else {
        if (!tag_has_intervals) {
          return make_error(ErrorCode::kInvalidArgument, "tag '{}' in '{}' has no transaction numbers", tag,
                            block);
        }
        TRY_ASSIGN(tag, parse_tag(part));
        tag_has_intervals = false;
      }
    }
    if (!tag_has_intervals) {
      return make_error(ErrorCode::kInvalidArgument, "tag '{}' in '{}' has no transaction numbers", tag, block);
    }
  }
  return set;
}

std::string MysqlGtidSet::to_string() const {
  std::string out;
  const Uuid* current = nullptr;
  for (const auto& [source, ivs] : intervals_) {
    if (current == nullptr || *current != source.uuid) {
      if (current != nullptr) out.push_back(',');
      out += source.uuid.to_string();
      current = &source.uuid;
    }
    if (!source.tag.empty()) {
      out.push_back(':');
      out += source.tag;
    }
    for (const auto& iv : ivs) {
      if (iv.first == iv.last) {
        fmt::format_to(std::back_inserter(out), ":{}", iv.first);
      } else {
        fmt::format_to(std::back_inserter(out), ":{}-{}", iv.first, iv.last);
      }
    }
  }
  return out;
}

Status MysqlGtidSet::add(const MysqlGtid& gtid) { return add_interval(gtid.uuid, gtid.tag, gtid.gno, gtid.gno); }

Status MysqlGtidSet::add_interval(const Uuid& uuid, std::string_view tag, uint64_t first, uint64_t last) {
  if (first == 0 || last < first || last > kMaxGno) {
    return make_error(ErrorCode::kInvalidArgument, "bad GTID interval {}:{}-{} (must be within 1..{})",
                      uuid.to_string(), first, last, kMaxGno);
  }
  std::string t;
  if (!tag.empty()) {
    TRY_ASSIGN(t, parse_tag(tag));
  }
  insert_interval(intervals_[Source{uuid, std::move(t)}], first, last);
  return {};
}

void MysqlGtidSet::unite(const MysqlGtidSet& other) {
  for (const auto& [source, ivs] : other.intervals_) {
    auto& mine = intervals_[source];
    for (const auto& iv : ivs) insert_interval(mine, iv.first, iv.last);
  }
}

void MysqlGtidSet::subtract(const MysqlGtidSet& other) {
  for (const auto& [source, ivs] : other.intervals_) {
    auto it = intervals_.find(source);
    if (it == intervals_.end()) continue;
    for (const auto& iv : ivs) remove_interval(it->second, iv.first, iv.last);
    if (it->second.empty()) intervals_.erase(it);
  }
}

bool MysqlGtidSet::contains(const MysqlGtid& gtid) const {
  auto it = intervals_.find(Source{gtid.uuid, gtid.tag});
  return it != intervals_.end() && covers(it->second, gtid.gno, gtid.gno);
}

bool MysqlGtidSet::contains(const MysqlGtidSet& other) const {
  for (const auto& [source, ivs] : other.intervals_) {
    auto it = intervals_.find(source);
    if (it == intervals_.end()) return false;
    for (const auto& iv : ivs) {
      if (!covers(it->second, iv.first, iv.last)) return false;
    }
  }
  return true;
}

std::vector<uint8_t> MysqlGtidSet::encode() const {
  bool tagged = std::any_of(intervals_.begin(), intervals_.end(), [](const auto& e) { return !e.first.tag.empty(); });
  std::vector<uint8_t> out;
  uint64_t n = intervals_.size();
  put_u64(out, tagged ? (uint64_t{kTaggedFormat} << 56 | n << 8 | kTaggedFormat) : n);
  for (const auto& [source, ivs] : intervals_) {
    out.insert(out.end(), source.uuid.bytes.begin(), source.uuid.bytes.end());
    if (tagged) {
      // Length as a one-byte variable-length integer of MySQL's serialization library (value << 1): tags
      // are at most 32 bytes, so one byte always suffices.
      out.push_back(static_cast<uint8_t>(source.tag.size() << 1));
      out.insert(out.end(), source.tag.begin(), source.tag.end());
    }
    put_u64(out, ivs.size());
    for (const auto& iv : ivs) {
      put_u64(out, iv.first);
      put_u64(out, iv.last + 1);  // the binary form's end is exclusive
    }
  }
  return out;
}

Result<MysqlGtidSet> MysqlGtidSet::decode(std::span<const uint8_t> data) {
  auto need = [&](size_t at, size_t n, const char* what) -> Status {
    if (data.size() < at || data.size() - at < n) {
      return make_error(ErrorCode::kCorrupt, "GTID set encoding of {} bytes ends at offset {} inside the {}",
                        data.size(), at, what);
    }
    return {};
  };
  TRY(need(0, 8, "source count"));
  uint64_t head = get_u64(data.data());
  uint8_t format = static_cast<uint8_t>(head >> 56);
  uint64_t count = 0;
  bool tagged = false;
  if (format == 0) {
    count = head;
  } else if (format == kTaggedFormat && (head & 0xff) == kTaggedFormat) {
    tagged = true;
    count = (head >> 8) & 0xffffffffffffULL;
  } else {
    return make_error(ErrorCode::kCorrupt, "GTID set encoding has unknown format byte {} at offset 7", format);
  }
  MysqlGtidSet set;
  size_t pos = 8;
  for (uint64_t s = 0; s < count; ++s) {
    TRY(need(pos, 16, "uuid"));
    Source source;
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), 16, source.uuid.bytes.begin());
    pos += 16;
    if (tagged) {
      TRY(need(pos, 1, "tag length"));
      uint8_t len_byte = data[pos];
      if ((len_byte & 1) != 0) {
        return make_error(ErrorCode::kCorrupt, "GTID set encoding: tag length at offset {} is not a one-byte length",
                          pos);
      }
      size_t len = len_byte >> 1;
      ++pos;
      TRY(need(pos, len, "tag"));
      if (len > 0) {
        std::string_view raw(reinterpret_cast<const char*>(data.data() + pos), len);
        auto tag = parse_tag(raw);
        if (!tag.ok()) return Error(ErrorCode::kCorrupt, fmt::format("GTID set encoding at offset {}: {}", pos,
                                                                     tag.error().message()));
        source.tag = std::move(*tag);
      }
      pos += len;
    }
    TRY(need(pos, 8, "interval count"));
    uint64_t n_intervals = get_u64(data.data() + pos);
    pos += 8;
    if (n_intervals > (data.size() - pos) / 16) TRY(need(pos, n_intervals * 16, "intervals"));
    auto& ivs = set.intervals_[source];
    uint64_t previous_end = 0;
    for (uint64_t i = 0; i < n_intervals; ++i) {
      uint64_t start = get_u64(data.data() + pos);
      uint64_t end = get_u64(data.data() + pos + 8);
      if (start <= previous_end || end <= start || end - 1 > kMaxGno) {
        return make_error(ErrorCode::kCorrupt,
                          "GTID set encoding: interval [{}, {}) at offset {} is empty, out of order or out of range",
                          start, end, pos);
      }
      insert_interval(ivs, start, end - 1);
      previous_end = end;
      pos += 16;
    }
    if (ivs.empty()) set.intervals_.erase(source);
  }
  if (pos != data.size()) {
    return make_error(ErrorCode::kCorrupt, "GTID set encoding has {} trailing bytes after offset {}",
                      data.size() - pos, pos);
  }
  return set;
}

// ---- MariaDB -------------------------------------------------------------------------------------------

Result<MariadbGtid> MariadbGtid::parse(std::string_view text) {
  std::string_view t = trim(text);
  auto parts = split(t, '-');
  auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument, "bad MariaDB GTID '{}': expected domain-server-sequence", text);
  };
  if (parts.size() != 3) return bad();
  auto domain = parse_uint(parts[0]);
  auto server = parse_uint(parts[1]);
  auto seq = parse_uint(parts[2]);
  if (!domain || !server || !seq || *domain > UINT32_MAX || *server > UINT32_MAX) return bad();
  return MariadbGtid{static_cast<uint32_t>(*domain), static_cast<uint32_t>(*server), *seq};
}

std::string MariadbGtid::to_string() const { return fmt::format("{}-{}-{}", domain_id, server_id, seq_no); }

Result<MariadbGtidSet> MariadbGtidSet::parse(std::string_view text) {
  MariadbGtidSet set;
  std::string_view all = trim(text);
  if (all.empty()) return set;
  for (std::string_view part : split(all, ',')) {
    TRY_ASSIGN(MariadbGtid gtid, MariadbGtid::parse(part));
    if (set.last_.count(gtid.domain_id) != 0) {
      return make_error(ErrorCode::kInvalidArgument, "GTID position '{}' lists domain {} twice (at '{}')", text,
                        gtid.domain_id, trim(part));
    }
    set.last_[gtid.domain_id] = gtid;
  }
  return set;
}

std::string MariadbGtidSet::to_string() const {
  std::string out;
  for (const auto& [domain, gtid] : last_) {
    if (!out.empty()) out.push_back(',');
    out += gtid.to_string();
  }
  return out;
}

void MariadbGtidSet::add(const MariadbGtid& gtid) { last_[gtid.domain_id] = gtid; }

void MariadbGtidSet::unite(const MariadbGtidSet& other) {
  for (const auto& [domain, gtid] : other.last_) {
    auto it = last_.find(domain);
    if (it == last_.end() || it->second.seq_no < gtid.seq_no) last_[domain] = gtid;
  }
}

void MariadbGtidSet::subtract(const MariadbGtidSet& other) {
  for (auto it = last_.begin(); it != last_.end();) {
    if (other.contains(it->second)) {
      it = last_.erase(it);
    } else {
      ++it;
    }
  }
}

bool MariadbGtidSet::contains(const MariadbGtid& gtid) const {
  auto it = last_.find(gtid.domain_id);
  return it != last_.end() && it->second.seq_no >= gtid.seq_no;
}

bool MariadbGtidSet::contains(const MariadbGtidSet& other) const {
  return std::all_of(other.last_.begin(), other.last_.end(), [&](const auto& e) { return contains(e.second); });
}

}  // namespace mysql2ch::binlog
