#include "binlog/json_diff.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "binlog/byte_reader.h"
#include "schema/json_binary.h"
#include "schema/value_json.h"

namespace mysql2ch::binlog {
namespace {

// A minimal JSON document model for applying diffs: scalars keep their canonical text, objects keep MySQL's key
// order (shorter keys first, then bytewise), which is the order of the binary format.
struct JsonNode {
  enum class Type : uint8_t { kScalar, kString, kArray, kObject } type = Type::kScalar;
  std::string text;  // kScalar: literal/number text; kString: the decoded UTF-8 string
  std::vector<std::string> keys;
  std::vector<JsonNode> items;
};

bool key_before(std::string_view a, std::string_view b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

class JsonTextParser {
 public:
  explicit JsonTextParser(std::string_view s) : s_(s) {}

  Status parse(JsonNode& node) {
    TRY(value(node, 0));
    ws();
    if (at_ != s_.size()) return bad("trailing text");
    return {};
  }

 private:
  Status bad(std::string_view what) const {
    return make_error(ErrorCode::kCorrupt, "JSON text has {} at offset {}", what, at_);
  }
  void ws() {
    while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\t' || s_[at_] == '\r')) ++at_;
  }
  Status value(JsonNode& n, int depth) {
    if (depth > 200) return bad("nesting too deep");
    ws();
    if (at_ >= s_.size()) return bad("a missing value");
    const char c = s_[at_];
    if (c == '{' || c == '[') {
      const bool object = c == '{';
      n.type = object ? JsonNode::Type::kObject : JsonNode::Type::kArray;
      ++at_;
      ws();
      if (at_ < s_.size() && s_[at_] == (object ? '}' : ']')) {
        ++at_;
        return {};
      }
      while (true) {
        if (object) {
          ws();
          std::string key;
          TRY(string(key));
          ws();
          if (at_ >= s_.size() || s_[at_] != ':') return bad("a missing ':'");
          ++at_;
          n.keys.push_back(std::move(key));
        }
        n.items.emplace_back();
        TRY(value(n.items.back(), depth + 1));
        ws();
        if (at_ >= s_.size()) return bad("an unterminated container");
        if (s_[at_] == ',') {
          ++at_;
          continue;
        }
        if (s_[at_] == (object ? '}' : ']')) {
          ++at_;
          return {};
        }
        return bad("an unexpected character");
      }
    }
    if (c == '"') {
      n.type = JsonNode::Type::kString;
      return string(n.text);
    }
    const size_t start = at_;
    while (at_ < s_.size() && std::string_view("+-0123456789.eEtruefalsn").find(s_[at_]) != std::string_view::npos) ++at_;
    if (at_ == start) return bad("an unexpected character");
    n.type = JsonNode::Type::kScalar;
    n.text = std::string(s_.substr(start, at_ - start));
    return {};
  }
  Status hex4(uint32_t& v) {
    if (at_ + 4 > s_.size()) return bad("a short \\u escape");
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[at_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<uint32_t>(h - 'A' + 10);
      else return bad("a bad \\u escape");
    }
    return {};
  }
  Status string(std::string& out) {
    if (at_ >= s_.size() || s_[at_] != '"') return bad("a missing string");
    ++at_;
    while (at_ < s_.size() && s_[at_] != '"') {
      if (s_[at_] != '\\') {
        out.push_back(s_[at_++]);
        continue;
      }
      if (++at_ >= s_.size()) return bad("a bad escape");
      const char e = s_[at_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          TRY(hex4(cp));
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (at_ + 2 > s_.size() || s_[at_] != '\\' || s_[at_ + 1] != 'u') return bad("a lone surrogate");
            at_ += 2;
            TRY(hex4(lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return bad("a lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
          } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
          }
          break;
        }
        default: return bad("a bad escape");
      }
    }
    if (at_ >= s_.size()) return bad("an unterminated string");
    ++at_;
    return {};
  }

  std::string_view s_;
  size_t at_ = 0;
};

void render(const JsonNode& n, std::string& out) {
  switch (n.type) {
    case JsonNode::Type::kScalar: out += n.text; return;
    case JsonNode::Type::kString: schema::append_json_string(n.text, out); return;
    case JsonNode::Type::kArray:
    case JsonNode::Type::kObject: {
      const bool object = n.type == JsonNode::Type::kObject;
      out.push_back(object ? '{' : '[');
      for (size_t k = 0; k < n.items.size(); ++k) {
        if (k != 0) out += ", ";
        if (object) {
          schema::append_json_string(n.keys[k], out);
          out += ": ";
        }
        render(n.items[k], out);
      }
      out.push_back(object ? '}' : ']');
      return;
    }
  }
}

struct PathLeg {
  bool is_index = false;
  size_t index = 0;
  std::string key;
};

// MySQL prints diff paths canonically: $, then .key, ."quoted key" or [index] legs.
Status parse_path(std::string_view p, std::vector<PathLeg>& legs) {
  if (p.empty() || p[0] != '$') return make_error(ErrorCode::kCorrupt, "JSON diff path '{}' does not start with $", p);
  size_t at = 1;
  while (at < p.size()) {
    PathLeg leg;
    if (p[at] == '[') {
      const size_t close = p.find(']', at);
      if (close == std::string_view::npos || close == at + 1) return make_error(ErrorCode::kCorrupt, "JSON diff path '{}'", p);
      for (size_t k = at + 1; k < close; ++k) {
        if (p[k] < '0' || p[k] > '9' || leg.index > 100000000) return make_error(ErrorCode::kCorrupt, "JSON diff path '{}'", p);
        leg.index = leg.index * 10 + static_cast<size_t>(p[k] - '0');
      }
      leg.is_index = true;
      at = close + 1;
    } else if (p[at] == '.') {
      ++at;
      if (at < p.size() && p[at] == '"') {
        size_t end = at + 1;
        while (end < p.size() && p[end] != '"') end += p[end] == '\\' ? 2 : 1;
        if (end >= p.size()) return make_error(ErrorCode::kCorrupt, "JSON diff path '{}'", p);
        JsonNode n;
        TRY(JsonTextParser(p.substr(at, end + 1 - at)).parse(n));
        leg.key = n.text;
        at = end + 1;
      } else {
        const size_t end = std::min(p.find('.', at), p.find('[', at));
        const size_t stop = end == std::string_view::npos ? p.size() : end;
        if (stop == at) return make_error(ErrorCode::kCorrupt, "JSON diff path '{}'", p);
        leg.key = std::string(p.substr(at, stop - at));
        at = stop;
      }
    } else {
      return make_error(ErrorCode::kCorrupt, "JSON diff path '{}'", p);
    }
    legs.push_back(std::move(leg));
  }
  return {};
}

Status apply(JsonNode& root, uint8_t op, const std::vector<PathLeg>& legs, JsonNode* value, std::string_view path) {
  if (legs.empty()) {
    if (op != 0 || value == nullptr) return make_error(ErrorCode::kCorrupt, "JSON diff {} on the whole document", op);
    root = std::move(*value);
    return {};
  }
  JsonNode* parent = &root;
  for (size_t k = 0; k + 1 < legs.size(); ++k) {
    const PathLeg& leg = legs[k];
    JsonNode* next = nullptr;
    if (leg.is_index && parent->type == JsonNode::Type::kArray && leg.index < parent->items.size()) {
      next = &parent->items[leg.index];
    } else if (!leg.is_index && parent->type == JsonNode::Type::kObject) {
      for (size_t i = 0; i < parent->keys.size(); ++i) {
        if (parent->keys[i] == leg.key) next = &parent->items[i];
      }
    }
    if (next == nullptr) return make_error(ErrorCode::kCorrupt, "JSON diff path {} not in the before image", path);
    parent = next;
  }
  const PathLeg& last = legs.back();
  if (last.is_index) {
    if (parent->type != JsonNode::Type::kArray) {
      return make_error(ErrorCode::kCorrupt, "JSON diff path {} indexes a non-array", path);
    }
    auto& items = parent->items;
    if (op == 2 || op == 0) {
      if (last.index >= items.size()) return make_error(ErrorCode::kCorrupt, "JSON diff path {} beyond the array", path);
      if (op == 2) items.erase(items.begin() + static_cast<std::ptrdiff_t>(last.index));
      else items[last.index] = std::move(*value);
    } else {
      const size_t at = std::min(last.index, items.size());
      items.insert(items.begin() + static_cast<std::ptrdiff_t>(at), std::move(*value));
    }
    return {};
  }
  if (parent->type != JsonNode::Type::kObject) {
    return make_error(ErrorCode::kCorrupt, "JSON diff path {} names a member of a non-object", path);
  }
  auto& keys = parent->keys;
  size_t pos = 0;
  while (pos < keys.size() && key_before(keys[pos], last.key)) ++pos;
  const bool exists = pos < keys.size() && keys[pos] == last.key;
  if (op == 2) {
    if (!exists) return make_error(ErrorCode::kCorrupt, "JSON diff removes missing {}", path);
    keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(pos));
    parent->items.erase(parent->items.begin() + static_cast<std::ptrdiff_t>(pos));
    return {};
  }
  if (exists) {
    parent->items[pos] = std::move(*value);
    return {};
  }
  if (op == 0) return make_error(ErrorCode::kCorrupt, "JSON diff replaces missing {}", path);
  keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(pos), last.key);
  parent->items.insert(parent->items.begin() + static_cast<std::ptrdiff_t>(pos), std::move(*value));
  return {};
}

}  // namespace

Status apply_json_diffs(std::string_view before_text, std::span<const uint8_t> diffs, std::string& out) {
  JsonNode root;
  TRY(JsonTextParser(before_text).parse(root));
  ByteReader r(diffs);
  std::string scratch;
  std::vector<PathLeg> legs;
  while (!r.empty()) {
    uint8_t op;
    TRY(r.le(op, "JSON diff operation"));
    if (op > 2) return make_error(ErrorCode::kCorrupt, "JSON diff operation {} at offset {}", op, r.offset() - 1);
    size_t path_len;
    TRY(r.packed_count(path_len, 0, "JSON diff path length"));
    std::string_view path;
    TRY(r.text(path_len, path, "JSON diff path"));
    legs.clear();
    TRY(parse_path(path, legs));
    JsonNode value;
    if (op != 2) {
      size_t value_len;
      TRY(r.packed_count(value_len, 0, "JSON diff value length"));
      std::span<const uint8_t> bin;
      TRY(r.bytes(value_len, bin, "JSON diff value"));
      if (bin.empty()) return make_error(ErrorCode::kCorrupt, "empty JSON diff value for {}", path);
      scratch.clear();
      TRY(schema::append_json_binary(bin, scratch));
      TRY(JsonTextParser(scratch).parse(value));
    }
    TRY(apply(root, op, legs, op == 2 ? nullptr : &value, path));
  }
  render(root, out);
  return {};
}

}  // namespace mysql2ch::binlog
