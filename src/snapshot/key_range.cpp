#include "snapshot/key_range.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "schema/value_json.h"

namespace mysql2ch::snapshot {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;

enum class KeyForm { kNumber, kHex, kText, kUnbounded };

KeyForm key_form(const ColumnDef& c) {
  switch (c.type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kYear:
    case ColumnType::kNewDecimal:
    case ColumnType::kDecimal:
    case ColumnType::kBit:
    case ColumnType::kEnum:
    case ColumnType::kSet: return KeyForm::kNumber;
    case ColumnType::kString:
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
    case ColumnType::kBlob:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob: return c.charset == Charset::kBinary ? KeyForm::kHex : KeyForm::kText;
    case ColumnType::kDate:
    case ColumnType::kNewDate:
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
    case ColumnType::kTime:
    case ColumnType::kTime2: return KeyForm::kText;
    default: return KeyForm::kUnbounded;
  }
}

bool valid_number(std::string_view s) {
  if (s.empty()) return false;
  size_t at = s[0] == '-' ? 1 : 0;
  bool digits = false, point = false;
  for (; at < s.size(); ++at) {
    if (s[at] >= '0' && s[at] <= '9') {
      digits = true;
    } else if (s[at] == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits;
}

bool valid_hex(std::string_view s) {
  if (s.size() % 2 != 0) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> literal(const Connection& conn, const ColumnDef& c, const std::string& text) {
  switch (key_form(c)) {
    case KeyForm::kNumber:
      if (!valid_number(text)) break;
      return text;
    case KeyForm::kHex:
      if (!valid_hex(text)) break;
      return text.empty() ? std::string("''") : "X'" + text + "'";
    case KeyForm::kText: return conn.quote(text);
    case KeyForm::kUnbounded: break;
  }
  return make_error(ErrorCode::kInvalidArgument, "key column {} ({}): '{}' is not a valid bound", c.name,
                    schema::column_type_name(c.type), text.substr(0, 80));
}

// (k1, .., kn) > (v1, .., vn) as k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...: both servers' range optimizers
// turn it into an index range.
std::string compare(const std::vector<std::string>& cols, const std::vector<std::string>& lits, bool greater,
                    bool or_equal) {
  std::string out = "(";
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i > 0) out += " OR ";
    out += "(";
    for (size_t j = 0; j < i; ++j) out += fmt::format("{} = {} AND ", cols[j], lits[j]);
    const bool last = i + 1 == cols.size();
    out += fmt::format("{} {}{} {}", cols[i], greater ? ">" : "<", last && or_equal ? "=" : "", lits[i]);
    out += ")";
  }
  out += ")";
  return out;
}

}  // namespace

bool chunkable(const schema::TableSchema& table) {
  if (table.primary_key.empty()) return false;
  for (uint32_t k : table.primary_key) {
    if (key_form(table.columns[k]) == KeyForm::kUnbounded) return false;
  }
  return true;
}

std::string encode_key(const KeyTuple& key) { return nlohmann::json(key).dump(); }

Result<KeyTuple> decode_key(const std::string& json, size_t width) {
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.size() != width) {
    return make_error(ErrorCode::kCorrupt, "state database: '{}' is not a key tuple of {} columns",
                      json.substr(0, 200), width);
  }
  KeyTuple out;
  for (const auto& v : doc) {
    if (!v.is_string()) {
      return make_error(ErrorCode::kCorrupt, "state database: key tuple '{}' holds a non-string", json.substr(0, 200));
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string key_select_list(const schema::TableSchema& table) {
  std::string out;
  for (uint32_t k : table.primary_key) {
    const ColumnDef& c = table.columns[k];
    if (!out.empty()) out += ", ";
    const std::string id = mysql_identifier(c.name);
    switch (c.type) {
      case ColumnType::kBit:
      case ColumnType::kEnum:
      case ColumnType::kSet: out += id + " + 0"; break;
      default: out += key_form(c) == KeyForm::kHex ? "HEX(" + id + ")" : id;
    }
  }
  return out;
}

std::string key_order_list(const schema::TableSchema& table) {
  std::string out;
  for (uint32_t k : table.primary_key) {
    if (!out.empty()) out += ", ";
    out += mysql_identifier(table.columns[k].name);
  }
  return out;
}

Result<std::string> key_predicate(const Connection& conn, const schema::TableSchema& table,
                                  const std::optional<KeyTuple>& lower, const std::optional<KeyTuple>& upper) {
  std::vector<std::string> cols;
  for (uint32_t k : table.primary_key) cols.push_back(mysql_identifier(table.columns[k].name));
  auto literals = [&](const KeyTuple& key) -> Result<std::vector<std::string>> {
    if (key.size() != cols.size()) {
      return make_error(ErrorCode::kInvalidArgument, "{}.{}: key tuple of {} values for a key of {} columns",
                        table.database, table.table, key.size(), cols.size());
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < key.size(); ++i) {
      TRY_ASSIGN(std::string lit, literal(conn, table.columns[table.primary_key[i]], key[i]));
      out.push_back(std::move(lit));
    }
    return out;
  };
  std::string out;
  if (lower) {
    TRY_ASSIGN(auto lits, literals(*lower));
    out = compare(cols, lits, true, false);
  }
  if (upper) {
    TRY_ASSIGN(auto lits, literals(*upper));
    out += (out.empty() ? "" : " AND ") + compare(cols, lits, false, true);
  }
  return out.empty() ? std::string("1") : out;
}

}  // namespace mysql2ch::snapshot
