#include "schema/value_json.h"

#include <array>
#include <charconv>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

#include "schema/json_binary.h"

namespace mysql2ch::schema {

std::string_view value_kind_name(ValueKind kind) {
  static constexpr std::string_view kNames[] = {
      "absent", "null",  "int",  "uint", "float", "double", "decimal",     "date",      "datetime", "timestamp",
      "time",   "string", "bytes", "enum", "set",  "bit",    "json_binary", "json_text", "geometry", "vector"};
  const auto i = static_cast<size_t>(kind);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

namespace {

// Writes `v` as exactly `width` decimal digits (zero-padded; the caller guarantees v < 10^width) at `p`.
char* put_digits(uint32_t v, int width, char* p) {
  for (int k = width - 1; k >= 0; --k) {
    p[k] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

// Writes `v` zero-padded to at least `width` digits at `p` (YEAR and TIME hours fit in fixed widths, but
// values read from odd SELECT text may not).
char* put_min_digits(uint32_t v, int width, char* p) {
  int n = 1;
  for (uint32_t x = v; x >= 10; x /= 10) ++n;
  return put_digits(v, n > width ? n : width, p);
}

char* put_fraction(const Temporal& t, char* p) {
  if (t.fsp == 0) return p;
  *p++ = '.';
  char six[6];
  put_digits(t.microsecond % 1000000, 6, six);
  const int n = t.fsp > 6 ? 6 : t.fsp;
  std::memcpy(p, six, static_cast<size_t>(n));
  return p + n;
}

char* put_date(const Temporal& t, char* p) {
  p = put_min_digits(t.year, 4, p);
  *p++ = '-';
  p = put_min_digits(t.month, 2, p);
  *p++ = '-';
  return put_min_digits(t.day, 2, p);
}

char* put_clock(const Temporal& t, char* p) {
  p = put_min_digits(t.hour, 2, p);
  *p++ = ':';
  p = put_min_digits(t.minute, 2, p);
  *p++ = ':';
  p = put_min_digits(t.second, 2, p);
  return put_fraction(t, p);
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Windows-1252 code points of 0x80..0x9F as MySQL maps them (undefined bytes pass through as C1 controls).
constexpr uint16_t kCp1252High[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                      0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// Appends `n` bytes for the caller to overwrite and returns where they start.
char* extend(std::string& out, size_t n) {
  const size_t at = out.size();
  out.resize(at + n);
  return out.data() + at;
}
char* extend(CharBuffer& out, size_t n) {
  char* p = out.room(n);
  out.commit(p + n);
  return p;
}

// Appends the text `put(p)` writes at p (at most N bytes; it returns the end). A CharBuffer takes the text in
// place; a std::string through a stack copy, as resizing it would first zero-fill.
template <size_t N, typename Put>
void put_bounded(std::string& out, Put put) {
  char buf[N];
  const char* end = put(buf);
  out.append(buf, static_cast<size_t>(end - buf));
}
template <size_t N, typename Put>
void put_bounded(CharBuffer& out, Put put) {
  out.commit(put(out.room(N)));
}

template <typename Out>
void append_code_point(uint32_t cp, Out& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the UTF-8 sequence starting at s[i] (max_len 3 for utf8mb3), 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i, size_t max_len) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (n > max_len || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (cc & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return n;
}

bool valid_utf8(std::string_view s, size_t max_len) {
  for (size_t i = 0; i < s.size();) {
    // ASCII runs, eight bytes at a time.
    uint64_t chunk;
    while (i + 8 <= s.size() && (std::memcpy(&chunk, s.data() + i, 8), (chunk & 0x8080808080808080ULL) == 0)) i += 8;
    if (i == s.size()) break;
    const size_t n = utf8_sequence(s, i, max_len);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

template <typename Out>
void append_float_to(float v, Out& out) {
  put_bounded<32>(out, [v](char* p) { return std::to_chars(p, p + 32, v).ptr; });
}

template <typename Out>
void append_double_to(double v, Out& out) {
  put_bounded<32>(out, [v](char* p) { return std::to_chars(p, p + 32, v).ptr; });
}

template <typename Out>
Status append_vector(std::string_view bytes, Out& out) {
  if (bytes.size() % 4 != 0) {
    return make_error(ErrorCode::kCorrupt, "VECTOR value of {} bytes is not a whole number of float32", bytes.size());
  }
  out.push_back('[');
  for (size_t k = 0; k < bytes.size(); k += 4) {
    uint32_t bits = 0;
    for (int b = 3; b >= 0; --b) bits = bits << 8 | static_cast<unsigned char>(bytes[k + static_cast<size_t>(b)]);
    float v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) return make_error(ErrorCode::kCorrupt, "VECTOR element {} is not finite", k / 4);
    if (k != 0) out.push_back(',');
    append_float_to(v, out);
  }
  out.push_back(']');
  return {};
}

}  // namespace

bool is_valid_utf8(std::string_view s) { return valid_utf8(s, 4); }

namespace {
template <typename Out>
void append_latin1_to(std::string_view latin1, Out& out) {
  for (char ch : latin1) {
    const auto c = static_cast<unsigned char>(ch);
    append_code_point(c >= 0x80 && c < 0xA0 ? kCp1252High[c - 0x80] : c, out);
  }
}
}  // namespace

void append_latin1_as_utf8(std::string_view latin1, std::string& out) { append_latin1_to(latin1, out); }

size_t latin1_utf8_length(std::string_view latin1) {
  size_t n = 0;
  for (char ch : latin1) {
    const auto c = static_cast<unsigned char>(ch);
    const uint32_t cp = c >= 0x80 && c < 0xA0 ? kCp1252High[c - 0x80] : c;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
  }
  return n;
}

namespace {

constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

template <typename Out>
void append_json_string_to(std::string_view s, Out& out) {
  out.push_back('"');
  size_t run = 0;
  for (size_t k = 0; k < s.size(); ++k) {
    // Eight bytes at a time while none is a control character, '"' or '\\'.
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    uint64_t w;
    while (k + 8 <= s.size()) {
      std::memcpy(&w, s.data() + k, 8);
      const uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
      const uint64_t special = ((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
      if ((special & kHigh) != 0) break;
      k += 8;
    }
    if (k >= s.size()) break;
    const auto c = static_cast<unsigned char>(s[k]);
    if (!kNeedsEscape[c]) continue;
    out.append(s.data() + run, k - run);
    run = k + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

template <typename Out>
void append_base64_to(std::string_view bytes, Out& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  char* o = extend(out, (n + 2) / 3 * 4);
  size_t k = 0;
  for (; k + 3 <= n; k += 3) {
    const uint32_t v = static_cast<uint32_t>(p[k]) << 16 | static_cast<uint32_t>(p[k + 1]) << 8 | p[k + 2];
    o[0] = kB64[v >> 18];
    o[1] = kB64[(v >> 12) & 63];
    o[2] = kB64[(v >> 6) & 63];
    o[3] = kB64[v & 63];
    o += 4;
  }
  if (n - k == 1) {
    const uint32_t v = static_cast<uint32_t>(p[k]) << 16;
    o[0] = kB64[v >> 18];
    o[1] = kB64[(v >> 12) & 63];
    o[2] = '=';
    o[3] = '=';
  } else if (n - k == 2) {
    const uint32_t v = static_cast<uint32_t>(p[k]) << 16 | static_cast<uint32_t>(p[k + 1]) << 8;
    o[0] = kB64[v >> 18];
    o[1] = kB64[(v >> 12) & 63];
    o[2] = kB64[(v >> 6) & 63];
    o[3] = '=';
  }
}

template <typename Out>
void append_base64_json(std::string_view bytes, Out& out) {
  out += "{\"base64\":\"";
  append_base64_to(bytes, out);
  out += "\"}";
}

Status check_utf8(std::string_view text, Charset charset) {
  if (!valid_utf8(text, charset == Charset::kUtf8mb3 ? 3 : charset == Charset::kAscii ? 1 : 4)) {
    return make_error(ErrorCode::kCorrupt, "text is not valid {}", charset_name(charset));
  }
  return {};
}

template <typename Out>
Status append_text_json_to(std::string_view text, Charset charset, Out& out) {
  switch (charset) {
    case Charset::kUtf8mb4:
    case Charset::kUtf8mb3:
    case Charset::kAscii:
      TRY(check_utf8(text, charset));
      append_json_string_to(text, out);
      return {};
    case Charset::kLatin1: {
      std::string utf8;  // latin1 text is rare enough on the hot path to afford a conversion buffer
      utf8.reserve(text.size() * 2);
      append_latin1_to(text, utf8);
      append_json_string_to(std::string_view(utf8), out);
      return {};
    }
    case Charset::kUnknown:
      if (is_valid_utf8(text)) {
        append_json_string_to(text, out);
      } else {
        append_base64_json(text, out);
      }
      return {};
    case Charset::kBinary:
      append_base64_json(text, out);
      return {};
    case Charset::kUnsupported: break;
  }
  return make_error(ErrorCode::kUnsupported, "text in an unsupported character set");
}

template <typename Out>
void append_uint_to(uint64_t v, Out& out) {
  put_bounded<24>(out, [v](char* p) { return std::to_chars(p, p + 24, v).ptr; });
}

template <typename Out>
Status append_value_json_to(const Value& v, const ColumnDef* column, Out& out) {
  switch (v.kind) {
    case ValueKind::kAbsent: return {};
    case ValueKind::kNull: out += "null"; return {};
    case ValueKind::kInt:
      put_bounded<24>(out, [&v](char* p) { return std::to_chars(p, p + 24, v.i).ptr; });
      return {};
    case ValueKind::kUint:
    case ValueKind::kBit:
      append_uint_to(v.u, out);
      return {};
    case ValueKind::kFloat:
      if (!std::isfinite(v.f)) return make_error(ErrorCode::kCorrupt, "FLOAT value is not finite");
      append_float_to(v.f, out);
      return {};
    case ValueKind::kDouble:
      if (!std::isfinite(v.d)) return make_error(ErrorCode::kCorrupt, "DOUBLE value is not finite");
      append_double_to(v.d, out);
      return {};
    case ValueKind::kDecimal: {
      const std::string_view digits = v.decimal();
      put_bounded<kMaxDecimalText + 2>(out, [digits](char* p) {
        *p++ = '"';
        std::memcpy(p, digits.data(), digits.size());
        p += digits.size();
        *p++ = '"';
        return p;
      });
      return {};
    }
    case ValueKind::kDate:
    case ValueKind::kDateTime:
    case ValueKind::kTimestamp:
    case ValueKind::kTime:
      // The widest: "-" + 10-digit hours + ":mm:ss.ffffff" + quotes, or a date and a clock.
      put_bounded<64>(out, [&v](char* p) {
        *p++ = '"';
        if (v.kind == ValueKind::kTime) {
          if (v.t.negative) *p++ = '-';
          p = put_clock(v.t, p);
        } else {
          p = put_date(v.t, p);
          if (v.kind != ValueKind::kDate) {
            *p++ = ' ';
            p = put_clock(v.t, p);
          }
        }
        *p++ = '"';
        return p;
      });
      return {};
    case ValueKind::kString: return append_text_json_to(v.bytes, v.charset, out);
    case ValueKind::kBytes:
      if (column != nullptr && column->type == ColumnType::kString && v.bytes.size() < column->max_length) {
        // BINARY(n) is n bytes; row images drop its trailing zero bytes.
        std::string padded(v.bytes);
        padded.resize(column->max_length, '\0');
        append_base64_json(std::string_view(padded), out);
        return {};
      }
      [[fallthrough]];
    case ValueKind::kGeometry:
      append_base64_json(v.bytes, out);
      return {};
    case ValueKind::kEnum: {
      if (column == nullptr || column->labels.empty()) {
        append_uint_to(v.u, out);
        return {};
      }
      if (v.u == 0) {
        out += "\"\"";
        return {};
      }
      if (v.u > column->labels.size()) {
        return make_error(ErrorCode::kCorrupt, "ENUM index {} beyond the {} labels of column {}", v.u,
                          column->labels.size(), column->name);
      }
      append_json_string_to(std::string_view(column->labels[v.u - 1]), out);
      return {};
    }
    case ValueKind::kSet: {
      if (column == nullptr || column->labels.empty()) {
        append_uint_to(v.u, out);
        return {};
      }
      if (column->labels.size() < 64 && (v.u >> column->labels.size()) != 0) {
        return make_error(ErrorCode::kCorrupt, "SET bits {:#x} beyond the {} labels of column {}", v.u,
                          column->labels.size(), column->name);
      }
      out.push_back('[');
      bool first = true;
      for (size_t k = 0; k < column->labels.size() && k < 64; ++k) {
        if ((v.u >> k & 1) == 0) continue;
        if (!first) out.push_back(',');
        first = false;
        append_json_string_to(std::string_view(column->labels[k]), out);
      }
      out.push_back(']');
      return {};
    }
    case ValueKind::kJsonBinary: {
      const std::span<const uint8_t> doc(reinterpret_cast<const uint8_t*>(v.bytes.data()), v.bytes.size());
      if constexpr (std::is_same_v<Out, std::string>) {
        return append_json_binary(doc, out);
      } else {
        std::string text;  // the binary JSON renderer writes to a std::string; JSON columns are the rarer kind
        TRY(append_json_binary(doc, text));
        out += std::string_view(text);
        return {};
      }
    }
    case ValueKind::kJsonText: out += v.bytes; return {};
    case ValueKind::kVector: return append_vector(v.bytes, out);
  }
  return make_error(ErrorCode::kInternal, "value of unknown kind");
}

}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  out.reserve(out.size() + s.size() + 2);
  append_json_string_to(s, out);
}

void append_json_string(std::string_view s, CharBuffer& out) {
  out.room(s.size() + 2);
  append_json_string_to(s, out);
}

Status append_utf8(std::string_view text, Charset charset, std::string& out) {
  switch (charset) {
    case Charset::kUtf8mb4:
    case Charset::kUtf8mb3:
    case Charset::kAscii:
      TRY(check_utf8(text, charset));
      out += text;
      return {};
    case Charset::kLatin1:
      append_latin1_to(text, out);
      return {};
    default: break;
  }
  return make_error(ErrorCode::kUnsupported, "no UTF-8 conversion from {}", charset_name(charset));
}

Status append_text_json(std::string_view text, Charset charset, std::string& out) {
  return append_text_json_to(text, charset, out);
}

Status append_text_json(std::string_view text, Charset charset, CharBuffer& out) {
  return append_text_json_to(text, charset, out);
}

void append_base64(std::string_view bytes, std::string& out) { append_base64_to(bytes, out); }

void append_double(double v, std::string& out) { append_double_to(v, out); }

void append_float(float v, std::string& out) { append_float_to(v, out); }

Status append_value_json(const Value& v, const ColumnDef* column, std::string& out) {
  return append_value_json_to(v, column, out);
}

Status append_value_json(const Value& v, const ColumnDef* column, CharBuffer& out) {
  return append_value_json_to(v, column, out);
}

}  // namespace mysql2ch::schema
