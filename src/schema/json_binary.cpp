#include "schema/json_binary.h"

#include <charconv>
#include <cstring>

#include "schema/column.h"
#include "schema/mysql_binary.h"
#include "schema/value_json.h"

namespace mysql2ch::schema {
namespace {

enum JsonType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0A,
  kDouble = 0x0B,
  kString = 0x0C,
  kOpaque = 0x0F,
};
constexpr int kMaxDepth = 150;

uint64_t le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t k = n; k > 0; --k) v = v << 8 | p[k - 1];
  return v;
}

class JsonBinaryWriter {
 public:
  JsonBinaryWriter(std::span<const uint8_t> doc, std::string& out) : doc_(doc), out_(out) {}

  // Renders the value of `type` whose data starts at doc offset `at`.
  Status value(uint8_t type, size_t at, int depth) {
    switch (type) {
      case kSmallObject: return container(at, false, true, depth);
      case kLargeObject: return container(at, true, true, depth);
      case kSmallArray: return container(at, false, false, depth);
      case kLargeArray: return container(at, true, false, depth);
      case kLiteral: {
        TRY(need(at, 1));
        switch (doc_[at]) {
          case 0: out_ += "null"; return {};
          case 1: out_ += "true"; return {};
          case 2: out_ += "false"; return {};
          default: return bad(at, "literal");
        }
      }
      case kInt16: TRY(need(at, 2)); number(static_cast<int16_t>(le(&doc_[at], 2))); return {};
      case kUint16: TRY(need(at, 2)); number(static_cast<uint16_t>(le(&doc_[at], 2))); return {};
      case kInt32: TRY(need(at, 4)); number(static_cast<int32_t>(le(&doc_[at], 4))); return {};
      case kUint32: TRY(need(at, 4)); number(static_cast<uint32_t>(le(&doc_[at], 4))); return {};
      case kInt64: TRY(need(at, 8)); number(static_cast<int64_t>(le(&doc_[at], 8))); return {};
      case kUint64: TRY(need(at, 8)); number(le(&doc_[at], 8)); return {};
      case kDouble: {
        TRY(need(at, 8));
        const uint64_t bits = le(&doc_[at], 8);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (d != d || d - d != 0) return bad(at, "non-finite double");
        append_mysql_json_double(d, out_);
        return {};
      }
      case kString: {
        size_t len, hdr;
        TRY(varlen(at, len, hdr));
        TRY(need(at + hdr, len));
        const std::string_view s(reinterpret_cast<const char*>(&doc_[at + hdr]), len);
        if (!is_valid_utf8(s)) return bad(at, "string that is not UTF-8");
        append_json_string(s, out_);
        return {};
      }
      case kOpaque: return opaque(at);
      default: return bad(at, "value type");
    }
  }

 private:
  Status need(size_t at, size_t n) const {
    if (at > doc_.size() || n > doc_.size() - at) {
      return make_error(ErrorCode::kCorrupt, "binary JSON truncated at offset {} (needs {} bytes, document has {})",
                        at, n, doc_.size());
    }
    return {};
  }
  Status bad(size_t at, std::string_view what) const {
    return make_error(ErrorCode::kCorrupt, "binary JSON has an invalid {} at offset {}", what, at);
  }

  // MySQL's variable-length length: 7 bits per byte, least significant first, high bit = more; at most 5 bytes.
  Status varlen(size_t at, size_t& len, size_t& hdr) const {
    uint64_t v = 0;
    for (size_t k = 0; k < 5; ++k) {
      TRY(need(at + k, 1));
      const uint8_t b = doc_[at + k];
      v |= static_cast<uint64_t>(b & 0x7F) << (7 * k);
      if ((b & 0x80) == 0) {
        if (v > UINT32_MAX) break;
        len = static_cast<size_t>(v);
        hdr = k + 1;
        return {};
      }
    }
    return bad(at, "length");
  }

  template <typename T>
  void number(T v) {
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }

  Status container(size_t start, bool large, bool object, int depth) {
    if (depth > kMaxDepth) return bad(start, "nesting deeper than 150 levels");
    const size_t w = large ? 4 : 2;
    TRY(need(start, 2 * w));
    const size_t count = static_cast<size_t>(le(&doc_[start], w));
    const size_t size = static_cast<size_t>(le(&doc_[start + w], w));
    TRY(need(start, size));
    const std::span<const uint8_t> whole = doc_;
    const size_t key_entry = w + 2, value_entry = 1 + w;
    const size_t header = 2 * w + (object ? count * key_entry : 0) + count * value_entry;
    if (count > size || header > size) return bad(start, object ? "object header" : "array header");
    out_.push_back(object ? '{' : '[');
    for (size_t k = 0; k < count; ++k) {
      if (k != 0) out_ += ", ";
      if (object) {
        const size_t e = start + 2 * w + k * key_entry;
        const size_t key_off = static_cast<size_t>(le(&whole[e], w));
        const size_t key_len = static_cast<size_t>(le(&whole[e + w], 2));
        if (key_off > size || key_len > size - key_off) return bad(e, "key entry");
        const std::string_view key(reinterpret_cast<const char*>(&whole[start + key_off]), key_len);
        if (!is_valid_utf8(key)) return bad(e, "key that is not UTF-8");
        append_json_string(key, out_);
        out_ += ": ";
      }
      const size_t e = start + 2 * w + (object ? count * key_entry : 0) + k * value_entry;
      const uint8_t type = whole[e];
      const bool inlined = type == kLiteral || type == kInt16 || type == kUint16 ||
                           (large && (type == kInt32 || type == kUint32));
      if (inlined) {
        TRY(value(type, e + 1, depth + 1));
      } else {
        const size_t off = static_cast<size_t>(le(&whole[e + 1], w));
        if (off >= size) return bad(e, "value offset");
        // The value must lie inside this container: re-check against the container's end.
        JsonBinaryWriter inner(whole.subspan(0, start + size), out_);
        TRY(inner.value(type, start + off, depth + 1));
      }
    }
    out_.push_back(object ? '}' : ']');
    return {};
  }

  Status opaque(size_t at) {
    TRY(need(at, 1));
    const auto field_type = static_cast<ColumnType>(doc_[at]);
    size_t len, hdr;
    TRY(varlen(at + 1, len, hdr));
    const size_t data = at + 1 + hdr;
    TRY(need(data, len));
    const std::span<const uint8_t> bytes = doc_.subspan(data, len);
    switch (field_type) {
      case ColumnType::kNewDecimal: {
        if (len < 2) return bad(at, "opaque DECIMAL");
        Value v;
        TRY(decode_decimal_binary(bytes.subspan(2), bytes[0], bytes[1], v));
        out_ += v.decimal();
        return {};
      }
      case ColumnType::kDate:
      case ColumnType::kDateTime:
      case ColumnType::kTimestamp:
      case ColumnType::kDateTime2:
      case ColumnType::kTimestamp2:
      case ColumnType::kTime:
      case ColumnType::kTime2: {
        if (len < 8) return bad(at, "opaque temporal");
        const auto packed = static_cast<int64_t>(le(bytes.data(), 8));
        const bool is_time = field_type == ColumnType::kTime || field_type == ColumnType::kTime2;
        Value v = Value::temporal(field_type == ColumnType::kDate ? ValueKind::kDate
                                  : is_time                       ? ValueKind::kTime
                                                                  : ValueKind::kDateTime,
                                  is_time ? temporal_from_packed_time(packed) : temporal_from_packed_datetime(packed));
        v.t.fsp = 6;
        return append_value_json(v, nullptr, out_);
      }
      default: {
        out_ += fmt::format("\"base64:type{}:", static_cast<int>(field_type));
        append_base64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), out_);
        out_.push_back('"');
        return {};
      }
    }
  }

  std::span<const uint8_t> doc_;
  std::string& out_;
};

}  // namespace

void append_mysql_json_double(double d, std::string& out) {
  // The shortest round-trip digits and decimal exponent, from the scientific form "[-]d[.ddd]e[+-]XX".
  char buf[40];
  const char* end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;
  const char* p = buf;
  if (*p == '-') {
    out.push_back('-');
    ++p;
  }
  char digits[20];
  size_t n = 0;
  for (; p != end && *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exp10 = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp10);
  while (n > 1 && digits[n - 1] == '0') --n;
  // decpt: where the decimal point falls relative to the first digit (value = 0.DIGITS x 10^decpt).
  const int decpt = exp10 + 1;
  const int len = static_cast<int>(n);
  const std::string_view ds(digits, n);
  // MySQL prints fixed notation when the point falls inside the digits, for integral values below 1e15 and for
  // magnitudes down to 1e-15; otherwise d[.ddd]eX with no '+' and no leading exponent zeros.
  if (decpt <= 0 && decpt >= -14) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += ds;
  } else if (decpt > 0 && decpt < len) {
    out += ds.substr(0, static_cast<size_t>(decpt));
    out.push_back('.');
    out += ds.substr(static_cast<size_t>(decpt));
  } else if (decpt >= len && decpt <= 15) {
    out += ds;
    out.append(static_cast<size_t>(decpt - len), '0');
    out += ".0";
  } else {
    out.push_back(ds[0]);
    if (len > 1) {
      out.push_back('.');
      out += ds.substr(1);
    }
    out += fmt::format("e{}", decpt - 1);
  }
}

Status append_json_binary(std::span<const uint8_t> doc, std::string& out) {
  if (doc.empty()) {
    out += "null";
    return {};
  }
  return JsonBinaryWriter(doc.subspan(1), out).value(doc[0], 0, 0);
}

Status append_json_binary_value(uint8_t type, std::span<const uint8_t> data, std::string& out) {
  return JsonBinaryWriter(data, out).value(type, 0, 0);
}

}  // namespace mysql2ch::schema
