// Randomized differential test of issue 3 against the real servers: a seeded random workload of INSERT /
// UPDATE (also of the primary key) / DELETE statements, single- and multi-row, inside and outside explicit
// transactions (some rolled back), runs on a table of many column types. The binlog from before the workload
// is then streamed with the ReplicationClient (non-blocking dump), every row change replayed into a map keyed
// by the primary key, and that final state must equal what SELECT returns, both sides rendered by the one
// canonical renderer (value_json.h; SELECT text through value_from_select_text).
//
// Other tests write to the same servers concurrently: only row events of this test's database count.
#include <gtest/gtest.h>

#include <fmt/core.h>

#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "binlog/event_parser.h"
#include "binlog/replication_client.h"
#include "mysql/connection.h"
#include "schema/text_value.h"
#include "schema/value_json.h"
#include "support/testenv.h"

namespace mysql2ch::binlog {
namespace {

using nlohmann::json;

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message());
  return std::move(r).value();
}
void must(Status s) {
  if (!s.ok()) throw std::runtime_error(s.error().message());
}

ConnectOptions options_for(int port, const std::string& user, const std::string& password) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = user;
  o.password = Secret(password);
  o.tls.mode = TlsMode::kDisabled;
  return o;
}

// How the session that runs the workload logs it.
enum class Logging { kPlain, kCompressed, kPartialJson };

struct WorkloadCase {
  const char* name;
  bool mysql;
  Logging logging;
  uint64_t seed;
  uint32_t server_id;  // this file's replica ids: 9311 (MariaDB), 9321.. (MySQL)
};

std::string PrintCase(const testing::TestParamInfo<WorkloadCase>& info) { return info.param.name; }

// Random statements over table `t`, keeping the set of ids that exist so that updates and deletes hit rows.
class WorkloadGenerator {
 public:
  explicit WorkloadGenerator(uint64_t seed) : rng_(seed) {}

  // The statements of the next unit of work: one autocommitted statement, or BEGIN .. COMMIT/ROLLBACK.
  std::vector<std::string> next_unit() {
    std::vector<std::string> out;
    if (chance(15)) {
      const std::set<int> saved = ids_;
      const int saved_next = next_id_;
      out.emplace_back("BEGIN");
      const int n = between(2, 8);
      for (int k = 0; k < n; ++k) out.push_back(statement());
      // Roll back one transaction in eight, and certainly the first (so every seed has one).
      if (!rolled_back_ || chance(12)) {
        rolled_back_ = true;
        out.emplace_back("ROLLBACK");
        ids_ = saved;
        next_id_ = saved_next;
      } else {
        out.emplace_back("COMMIT");
      }
      return out;
    }
    out.push_back(statement());
    return out;
  }

 private:
  bool chance(int percent) { return between(0, 99) < percent; }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  int64_t between64(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  uint64_t any_u64() { return rng_(); }

  int fresh_id() {
    next_id_ += between(1, 3);
    return next_id_;
  }
  std::optional<int> existing_id() {
    if (ids_.empty()) return std::nullopt;
    auto it = ids_.lower_bound(between(*ids_.begin(), *ids_.rbegin()));
    return *it;
  }

  static std::string quote(std::string_view s) {
    std::string q = "'";
    for (char c : s) {
      if (c == '\'' || c == '\\') q.push_back('\\');
      q.push_back(c);
    }
    q.push_back('\'');
    return q;
  }

  std::string text(size_t max_pieces) {
    static const char* const kPieces[] = {"a", "Zürich", "日本語", "😀", "\"q\"", "back\\slash", "it's", "\n", "\t",
                                          " ", "x", "0", "ÿ", "€", "\x01"};
    std::string s;
    const auto n = static_cast<size_t>(between(0, static_cast<int>(max_pieces)));
    for (size_t k = 0; k < n; ++k) s += kPieces[between(0, static_cast<int>(std::size(kPieces)) - 1)];
    return s;
  }

  std::string bytes_literal() {
    const int n = between(0, 40);
    if (n == 0) return "''";
    std::string h = "X'";
    static const char kHex[] = "0123456789ABCDEF";
    for (int k = 0; k < n; ++k) {
      const int b = between(0, 255);
      h.push_back(kHex[b >> 4]);
      h.push_back(kHex[b & 15]);
    }
    h.push_back('\'');
    return h;
  }

  json json_value(int depth) {
    switch (between(0, depth > 2 ? 3 : 6)) {
      case 0: return between64(-1000000000000LL, 1000000000000LL);
      case 1: return text(3);
      case 2: return chance(50);
      case 3: return nullptr;
      case 4: return static_cast<double>(between(-100000, 100000)) / 4;
      case 5: {
        json a = json::array();
        for (int k = between(0, 4); k > 0; --k) a.push_back(json_value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (int k = between(0, 4); k > 0; --k) {
          o[std::string(1, static_cast<char>('a' + between(0, 5)))] = json_value(depth + 1);
        }
        return o;
      }
    }
  }

  std::string datetime(int year_lo, int year_hi, int fsp) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "'%04d-%02d-%02d %02d:%02d:%02d.%06d'", between(year_lo, year_hi), between(1, 12),
                  between(1, 28), between(0, 23), between(0, 59), between(0, 59), between(0, 999999));
    std::string s(buf);
    if (fsp < 6) s.erase(s.size() - 1 - static_cast<size_t>(6 - fsp), static_cast<size_t>(6 - fsp));
    return s;
  }

  std::string double_literal() {
    const double v = static_cast<double>(between64(-(1LL << 53), 1LL << 53)) * std::pow(10.0, between(-30, 30)) / 7;
    char buf[40];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  }

  // The value of column `name` (nullable columns are NULL now and then).
  std::string value(std::string_view name) {
    if (name != "id" && chance(8)) return "NULL";
    if (name == "i8") return std::to_string(between(-128, 127));
    if (name == "u8") return std::to_string(between(0, 255));
    if (name == "i32") return std::to_string(between(-2147483647, 2147483647));
    if (name == "u64") return std::to_string(any_u64());
    if (name == "i64") return std::to_string(static_cast<int64_t>(any_u64()));
    if (name == "amount") {
      return fmt::format("'{}{}.{:04}'", chance(50) ? "-" : "", between64(0, 99999999999999LL), between(0, 9999));
    }
    if (name == "dbl") return double_literal();
    if (name == "flt") return fmt::format("{}", static_cast<double>(between(-1000000, 1000000)) / 64);
    if (name == "dt") return datetime(1000, 9999, 6);
    if (name == "ts") return datetime(1971, 2037, 3);
    if (name == "d") return fmt::format("'{:04}-{:02}-{:02}'", between(1000, 9999), between(1, 12), between(1, 28));
    if (name == "vc") return quote(text(6));
    if (name == "bl") return bytes_literal();
    if (name == "e") {
      static const char* const kLabels[] = {"'red'", "'green'", "'blue'", "'ünïcode'"};
      return kLabels[between(0, 3)];
    }
    if (name == "st") {
      static const char* const kLabels[] = {"a", "b", "c", "d"};
      std::string s;
      for (const char* l : kLabels) {
        if (!chance(50)) continue;
        if (!s.empty()) s += ",";
        s += l;
      }
      return fmt::format("'{}'", s);
    }
    if (name == "j") return quote(json_value(0).dump());
    if (name == "bt") return std::to_string(between(0, 1023));
    throw std::runtime_error("no generator for column " + std::string(name));
  }

  static constexpr const char* kColumns[] = {"i8", "u8", "i32", "u64", "i64", "amount", "dbl", "flt", "dt",
                                             "ts", "d",  "vc",  "bl",  "e",   "st",  "j",   "bt"};

  std::string row_values(int id) {
    std::string s = "(";
    s += std::to_string(id);
    for (const char* c : kColumns) {
      s += ", ";
      s += value(c);
    }
    s += ")";
    return s;
  }

  std::string insert(int rows) {
    std::string s = "INSERT INTO t (id";
    for (const char* c : kColumns) s += std::string(", ") + c;
    s += ") VALUES ";
    for (int k = 0; k < rows; ++k) {
      const int id = fresh_id();
      ids_.insert(id);
      if (k != 0) s += ", ";
      s += row_values(id);
    }
    return s;
  }

  std::string json_update(int id) {
    const std::string path = fmt::format("'$.{}'", static_cast<char>('a' + between(0, 5)));
    switch (between(0, 2)) {
      case 0: return fmt::format("UPDATE t SET j = JSON_SET(j, {}, {}) WHERE id = {}", path, between(-999, 999), id);
      case 1: return fmt::format("UPDATE t SET j = JSON_REPLACE(j, {}, {}) WHERE id = {}", path, quote(text(2)), id);
      default: return fmt::format("UPDATE t SET j = JSON_REMOVE(j, {}) WHERE id = {}", path, id);
    }
  }

  std::string statement() {
    const int kind = between(0, 99);
    const std::optional<int> id = existing_id();
    if (kind < 30 || !id) return insert(1);
    if (kind < 38) return insert(between(2, 6));
    if (kind < 58) {
      std::string s = "UPDATE t SET ";
      const int n = between(1, 4);
      for (int k = 0; k < n; ++k) {
        const char* c = kColumns[between(0, static_cast<int>(std::size(kColumns)) - 1)];
        if (k != 0) s += ", ";
        s += c;
        s += " = ";
        s += value(c);
      }
      return fmt::format("{} WHERE id = {}", s, *id);
    }
    if (kind < 64) {  // the primary key changes
      const int to = fresh_id();
      ids_.erase(*id);
      ids_.insert(to);
      return fmt::format("UPDATE t SET id = {}, vc = {} WHERE id = {}", to, value("vc"), *id);
    }
    if (kind < 70) {  // several rows at once
      return fmt::format("UPDATE t SET u8 = 255 - u8, e = {} WHERE id BETWEEN {} AND {}", value("e"), *id,
                         *id + between(0, 12));
    }
    if (kind < 82) return json_update(*id);
    if (kind < 90) {
      ids_.erase(*id);
      return fmt::format("DELETE FROM t WHERE id = {}", *id);
    }
    if (kind < 94) {
      const int to = *id + between(0, 8);
      ids_.erase(ids_.lower_bound(*id), ids_.upper_bound(to));
      return fmt::format("DELETE FROM t WHERE id BETWEEN {} AND {}", *id, to);
    }
    return insert(1);
  }

  std::mt19937_64 rng_;
  std::set<int> ids_;
  int next_id_ = 0;
  bool rolled_back_ = false;
};

// A JSON document is compared as its text, byte for byte (the mirror keeps the text; parsing would hide a
// difference of spelling between the binlog's and SELECT's renderings); other values as parsed JSON.
json as_compared(const schema::Value& v, const std::string& text) {
  if (v.kind == schema::ValueKind::kJsonBinary || v.kind == schema::ValueKind::kJsonText) return json(text);
  return json::parse(text);
}

json render(const schema::TableSchema& s, std::span<const schema::Value> values) {
  json out = json::object();
  std::string text;
  for (size_t k = 0; k < values.size(); ++k) {
    if (values[k].kind == schema::ValueKind::kAbsent) continue;
    text.clear();
    must(schema::append_value_json(values[k], &s.columns[k], text));
    out[s.columns[k].name] = as_compared(values[k], text);
  }
  return out;
}

// Replays the row changes of one database's table `t` into rows by primary key (the id's JSON text).
class StateReplayer : public EventHandler {
 public:
  explicit StateReplayer(std::string db) : db_(std::move(db)) {}

  std::map<std::string, json> rows;
  std::optional<schema::TableSchema> schema;
  std::map<RowOp, int> changes;
  int partial_rows = 0, payloads = 0;

  Status on_transaction_payload(const EventInfo& info, const TransactionPayload&) override {
    if (info.header != nullptr) ++payloads;
    return {};
  }
  Status on_row(const EventInfo& info, const RowChange& row) override {
    const auto& s = row.table->schema;
    if (s.database != db_ || s.table != "t") return {};
    if (info.header->type == static_cast<uint8_t>(EventType::kPartialUpdateRows)) ++partial_rows;
    schema = s;
    ++changes[row.op];
    const json before = render(s, row.before), after = render(s, row.after);
    if (row.op != RowOp::kInsert) {
      const std::string key = before.at("id").dump();
      auto it = rows.find(key);
      if (it == rows.end()) return make_error(ErrorCode::kNotFound, "no row with id {} to change", key);
      json merged = it->second;
      rows.erase(it);
      if (row.op == RowOp::kDelete) return {};
      for (auto& [k, v] : after.items()) merged[k] = v;
      return put(std::move(merged));
    }
    return put(after);
  }

 private:
  Status put(json row) {
    const std::string key = row.at("id").dump();
    if (!rows.emplace(key, std::move(row)).second) {
      return make_error(ErrorCode::kCorrupt, "a second row with id {}", key);
    }
    return {};
  }
  std::string db_;
};

class RandomWorkloadTest : public testing::TestWithParam<WorkloadCase> {};

TEST_P(RandomWorkloadTest, StateReplayedFromTheBinlogEqualsSelect) {
  const WorkloadCase& c = GetParam();
  const int port = c.mysql ? testenv::mysql_port() : testenv::mariadb_port();
  const std::string db = std::string("binperf_it_") + c.name;
  Connection root = must(Connection::open(options_for(port, "root", "rootpass")));
  must(root.execute("DROP DATABASE IF EXISTS " + db));
  must(root.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4"));
  must(root.execute("USE " + db));
  must(root.execute("SET SESSION time_zone = '+00:00'"));
  const StreamPosition start = must(current_position(root));
  must(root.execute(
      "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, i8 TINYINT, u8 TINYINT UNSIGNED, i32 INT, u64 BIGINT UNSIGNED, "
      "i64 BIGINT, amount DECIMAL(18,4), dbl DOUBLE, flt FLOAT, dt DATETIME(6), ts TIMESTAMP(3) NULL, "
      "d DATE, vc VARCHAR(64) CHARACTER SET utf8mb4, bl BLOB, e ENUM('red','green','blue','ünïcode'), "
      "st SET('a','b','c','d'), j JSON, bt BIT(10)) ENGINE=InnoDB"));
  if (c.logging == Logging::kCompressed) must(root.execute("SET SESSION binlog_transaction_compression = ON"));
  if (c.logging == Logging::kPartialJson) must(root.execute("SET SESSION binlog_row_value_options = 'PARTIAL_JSON'"));

  WorkloadGenerator gen(c.seed);
  int statements = 0;
  while (statements < 2000) {
    for (const std::string& sql : gen.next_unit()) {
      // The model of existing ids assumes every statement succeeds.
      const Status st = root.execute(sql);
      ASSERT_TRUE(st.ok()) << sql << ": " << st.error().message();
      ++statements;
    }
  }

  ReplicationOptions ro;
  ro.server_id = c.server_id;
  ro.stop_at_end = true;
  ReplicationClient client = must(ReplicationClient::start(options_for(port, "repl", "replpass"), ro,
                                                           StreamPosition::at_file(start.file, start.pos)));
  EventParser parser;
  parser.set_file(start.file);
  parser.set_checksum_before_format_description(ChecksumAlg::kCrc32);
  StateReplayer replayer(db);
  while (true) {
    const StreamItem item = must(client.next());
    if (item.kind == StreamItem::Kind::kEndOfStream) break;
    ASSERT_NE(item.kind, StreamItem::Kind::kTransactionDiscarded);
    if (item.kind != StreamItem::Kind::kEvent) continue;
    const uint64_t pos =
        item.header.log_pos >= item.header.event_size ? item.header.log_pos - item.header.event_size : 0;
    const Status st = parser.parse(item.event, pos, replayer);
    ASSERT_TRUE(st.ok()) << st.error().message();
  }
  ASSERT_TRUE(replayer.schema.has_value()) << "no row events of " << db;
  const schema::TableSchema& s = *replayer.schema;
  EXPECT_GT(replayer.changes[RowOp::kInsert], 500);
  EXPECT_GT(replayer.changes[RowOp::kUpdate], 300);
  EXPECT_GT(replayer.changes[RowOp::kDelete], 100);
  if (c.logging == Logging::kCompressed) {
    EXPECT_GT(replayer.payloads, 100);
  }
  if (c.logging == Logging::kPartialJson) {
    EXPECT_GT(replayer.partial_rows, 50);
  }

  // SELECT, with the expressions text_value.h asks for where plain text loses information.
  std::string select = "SELECT ";
  for (size_t k = 0; k < s.columns.size(); ++k) {
    const auto& col = s.columns[k];
    if (k != 0) select += ", ";
    if (col.type == schema::ColumnType::kFloat) {
      select += "CAST(" + col.name + " AS DOUBLE)";
    } else if (col.type == schema::ColumnType::kBit) {
      select += col.name + " + 0";
    } else {
      select += col.name;
    }
  }
  const QueryResult result = must(root.query(select + " FROM t"));
  std::map<std::string, json> expected;
  for (const auto& r : result.rows) {
    ASSERT_EQ(r.size(), s.columns.size());
    json row = json::object();
    for (size_t k = 0; k < r.size(); ++k) {
      if (!r[k]) {
        row[s.columns[k].name] = nullptr;
        continue;
      }
      const schema::Value v = must(schema::value_from_select_text(s.columns[k], *r[k]));
      std::string text;
      must(schema::append_value_json(v, &s.columns[k], text));
      row[s.columns[k].name] = as_compared(v, text);
    }
    expected[row.at("id").dump()] = row;
  }
  EXPECT_GT(expected.size(), 300u);
  EXPECT_EQ(replayer.rows.size(), expected.size());
  int differences = 0;
  for (const auto& [id, row] : expected) {
    const auto it = replayer.rows.find(id);
    if (it == replayer.rows.end()) {
      ADD_FAILURE() << "SELECT row " << id << " missing from the replayed state";
    } else if (it->second != row && ++differences <= 5) {
      ADD_FAILURE() << "row " << id << "\n  SELECT:   " << row.dump() << "\n  replayed: " << it->second.dump();
    }
  }
  EXPECT_EQ(differences, 0);
  for (const auto& [id, row] : replayer.rows) {
    EXPECT_TRUE(expected.count(id) != 0) << "replayed row " << id << " that SELECT lacks";
  }
  must(root.execute("DROP DATABASE " + db));
}

INSTANTIATE_TEST_SUITE_P(
    Servers, RandomWorkloadTest,
    testing::Values(WorkloadCase{"mariadb", false, Logging::kPlain, 20261124, 9311},
                    WorkloadCase{"mysql", true, Logging::kPlain, 20261125, 9321},
                    WorkloadCase{"mysql_compressed", true, Logging::kCompressed, 20261126, 9322},
                    WorkloadCase{"mysql_partial_json", true, Logging::kPartialJson, 20261127, 9323}),
    PrintCase);

}  // namespace
}  // namespace mysql2ch::binlog
