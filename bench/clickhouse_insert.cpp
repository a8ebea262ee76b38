// Encode + insert N rows of a wide mixed-type table through TableWriter into each ClickHouse transport, and
// the same rows as TSV through `clickhouse-client --query "INSERT … FORMAT TSV"` (the server's own client,
// native protocol) in the same run. Prints rows/s, MB/s of RowBinary, the time spent encoding, and the peak
// RSS of this process after each transport (chDB runs inside the process, so its memory counts too).
//
//   clickhouse_insert [--rows N] [--batch-rows N] [--only http|https|chdb|client]
//
// Servers and paths come from the test environment (scripts/testenv.sh env), like the integration tests.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "clickhouse/chdb_connection.h"
#include "clickhouse/http_connection.h"
#include "clickhouse/table_ddl.h"
#include "clickhouse/table_writer.h"
#include "support/testenv.h"

namespace mysql2ch {
namespace {

using schema::Charset;
using schema::ColumnDef;
using schema::ColumnType;
using schema::Temporal;
using schema::Value;
using schema::ValueKind;

using Clock = std::chrono::steady_clock;

ColumnDef def(std::string name, ColumnType type, bool is_unsigned = false) {
  ColumnDef c;
  c.name = std::move(name);
  c.type = type;
  c.is_unsigned = is_unsigned;
  c.nullable = false;
  return c;
}

schema::TableSchema wide_table() {
  schema::TableSchema s;
  s.database = "bench";
  s.table = "wide";
  auto& c = s.columns;
  c.push_back(def("id", ColumnType::kLongLong));
  c.back().in_primary_key = true;
  s.primary_key = {0};
  c.push_back(def("tiny", ColumnType::kTiny));
  c.push_back(def("small_u", ColumnType::kShort, true));
  c.push_back(def("amount_i", ColumnType::kLong));
  c.push_back(def("big_u", ColumnType::kLongLong, true));
  c.push_back(def("ratio", ColumnType::kDouble));
  c.push_back(def("price", ColumnType::kNewDecimal));
  c.back().precision = 18;
  c.back().scale = 4;
  c.push_back(def("total", ColumnType::kNewDecimal));
  c.back().precision = 38;
  c.back().scale = 10;
  c.push_back(def("created", ColumnType::kDateTime2));
  c.back().fsp = 6;
  c.push_back(def("updated", ColumnType::kTimestamp2));
  c.back().fsp = 3;
  c.push_back(def("day", ColumnType::kNewDate));
  c.push_back(def("duration", ColumnType::kTime2));
  c.back().fsp = 3;
  c.push_back(def("name", ColumnType::kVarchar));
  c.back().charset = Charset::kUtf8mb4;
  c.push_back(def("status", ColumnType::kEnum));
  c.back().labels = {"new", "paid", "shipped", "cancelled"};
  c.push_back(def("payload", ColumnType::kBlob));
  c.back().charset = Charset::kBinary;
  c.push_back(def("doc", ColumnType::kJson));
  c.push_back(def("note", ColumnType::kVarchar));
  c.back().charset = Charset::kUtf8mb4;
  c.back().nullable = true;
  return s;
}

// Row k's values; `text` holds the bytes the string values view (rewritten per row).
struct RowSource {
  std::string name, payload, doc, decimal_a, decimal_b;

  void fill(uint64_t k, std::vector<Value>& row) {
    row.clear();
    row.push_back(Value::int64(static_cast<int64_t>(k)));
    row.push_back(Value::int64(static_cast<int64_t>(k % 256) - 128));
    row.push_back(Value::uint64(k % 65536));
    row.push_back(Value::int64(static_cast<int64_t>(k * 7919 % 2000000000) - 1000000000));
    row.push_back(Value::uint64(k * 0x9E3779B97F4A7C15ull));
    row.push_back(Value::float64(static_cast<double>(k) / 7.0));
    decimal_a = fmt::format("{}.{:04}", k % 100000000, k % 10000);
    Value d1;
    d1.set_decimal(decimal_a);
    row.push_back(d1);
    decimal_b = fmt::format("{}.{:010}", k * 1000003, k % 10000000000);
    Value d2;
    d2.set_decimal(decimal_b);
    row.push_back(d2);
    Temporal t;
    t.year = static_cast<uint16_t>(2000 + k % 30);
    t.month = static_cast<uint8_t>(1 + k % 12);
    t.day = static_cast<uint8_t>(1 + k % 28);
    t.hour = static_cast<uint16_t>(k % 24);
    t.minute = static_cast<uint8_t>(k % 60);
    t.second = static_cast<uint8_t>(k / 60 % 60);
    t.microsecond = static_cast<uint32_t>(k % 1000000);
    t.fsp = 6;
    row.push_back(Value::temporal(ValueKind::kDateTime, t));
    t.fsp = 3;
    t.microsecond = t.microsecond / 1000 * 1000;
    row.push_back(Value::temporal(ValueKind::kTimestamp, t));
    row.push_back(Value::temporal(ValueKind::kDate, t));
    Temporal d;
    d.hour = static_cast<uint16_t>(k % 839);
    d.minute = static_cast<uint8_t>(k % 60);
    d.second = static_cast<uint8_t>(k % 59);
    d.microsecond = static_cast<uint32_t>(k % 1000 * 1000);
    d.fsp = 3;
    d.negative = k % 5 == 0 && k != 0;
    row.push_back(Value::temporal(ValueKind::kTime, d));
    name = fmt::format("customer {} zażółć", k);
    row.push_back(Value::string(name, Charset::kUtf8mb4));
    row.push_back(Value::with_uint(ValueKind::kEnum, 1 + k % 4));
    payload.assign(16 + k % 32, static_cast<char>(k));
    row.push_back(Value::with_bytes(ValueKind::kBytes, payload));
    doc = fmt::format("{{\"k\": {}, \"tags\": [\"a\", \"b\"]}}", k);
    row.push_back(Value::with_bytes(ValueKind::kJsonText, doc));
    row.push_back(k % 3 == 0 ? Value::null() : Value::string(name, Charset::kUtf8mb4));
  }
};

long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

void die(const std::string& what) {
  std::fprintf(stderr, "clickhouse_insert: %s\n", what.c_str());
  std::exit(1);
}

void run_writer(const std::string& label, ClickHouseConnection& conn, uint64_t rows, uint64_t batch_rows) {
  auto caps = conn.capabilities();
  if (!caps.ok()) die(label + ": " + caps.error().message());
  const schema::TableSchema source = wide_table();
  auto target = map_table(source, {"m2c_bench", "wide_" + label}, *caps, {});
  if (!target.ok()) die(target.error().message());
  auto st = conn.execute("DROP TABLE IF EXISTS " + qualified_name(target->name));
  for (const auto& sql : create_table_statements(*target, *caps)) {
    if (st.ok()) st = conn.execute(sql);
  }
  if (!st.ok()) die(label + ": " + st.error().message());
  auto writer = TableWriter::create(conn, source, *target, {});
  if (!writer.ok()) die(writer.error().message());

  RowSource gen;
  std::vector<Value> row;
  double encode_s = 0;
  uint64_t bytes = 0;
  const auto start = Clock::now();
  for (uint64_t k = 0; k < rows; ++k) {
    gen.fill(k, row);
    const auto e0 = Clock::now();
    st = writer->append(row, k + 1, false);
    encode_s += std::chrono::duration<double>(Clock::now() - e0).count();
    if (!st.ok()) die(st.error().message());
    if (writer->buffered_rows() >= batch_rows || k + 1 == rows) {
      bytes += writer->buffered_bytes();
      st = writer->flush();
      if (!st.ok()) die(st.error().message());
    }
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  auto count = conn.query("SELECT count() FROM " + qualified_name(target->name), "TabSeparated");
  if (!count.ok() || *count != fmt::format("{}\n", rows)) die(label + ": row count after insert is wrong");
  std::printf("%-22s %10.0f rows/s  %8.1f MB/s RowBinary  %6.1f s total  %6.1f s encoding  peak RSS %ld MiB\n",
              (label + " (" + caps->version.text + ")").c_str(), static_cast<double>(rows) / total_s,
              static_cast<double>(bytes) / total_s / 1e6, total_s, encode_s, peak_rss_mib());
  std::fflush(stdout);
  (void)conn.execute("DROP TABLE IF EXISTS " + qualified_name(target->name));
}

// The same rows as TSV for the legacy mapping (what ClickHouse 18.16 stores), piped to clickhouse-client.
void append_tsv_escaped(std::string_view s, std::string& out) {
  for (char c : s) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\\': out += "\\\\"; break;
      case '\0': out += "\\0"; break;
      default: out.push_back(c);
    }
  }
}

void run_client(uint64_t rows, uint64_t batch_rows) {
  auto conn = HttpConnection::open([] {
    HttpOptions o;
    o.url = *parse_destination_url("http://127.0.0.1:" + std::to_string(testenv::ch_http_port()), "/");
    return o;
  }());
  if (!conn.ok()) die(conn.error().message());
  auto caps = (*conn)->capabilities();
  if (!caps.ok()) die(caps.error().message());
  const schema::TableSchema source = wide_table();
  auto target = map_table(source, {"m2c_bench", "wide_tsv"}, *caps, {});
  if (!target.ok()) die(target.error().message());
  (void)(*conn)->execute("DROP TABLE IF EXISTS " + qualified_name(target->name));
  for (const auto& sql : create_table_statements(*target, *caps)) {
    auto st = (*conn)->execute(sql);
    if (!st.ok()) die(st.error().message());
  }
  const std::string native_port = testenv::env_or("CH_TCP_PORT", "19000");
  const std::string command = fmt::format("clickhouse-client --port {} --query \"INSERT INTO {} FORMAT TSV\"",
                                          native_port, "m2c_bench.wide_tsv");
  RowSource gen;
  std::vector<Value> row;
  std::string tsv, scratch;
  const auto start = Clock::now();
  FILE* pipe = popen(command.c_str(), "w");
  if (pipe == nullptr) die("cannot run clickhouse-client");
  const auto& labels = source.columns[13].labels;
  for (uint64_t k = 0; k < rows; ++k) {
    gen.fill(k, row);
    for (size_t c = 0; c < row.size(); ++c) {
      const Value& v = row[c];
      if (c) tsv.push_back('\t');
      switch (v.kind) {
        case ValueKind::kNull: tsv += "\\N"; break;
        case ValueKind::kInt: tsv += fmt::format("{}", v.i); break;
        case ValueKind::kUint: tsv += fmt::format("{}", v.u); break;
        case ValueKind::kDouble: tsv += fmt::format("{}", v.d); break;
        case ValueKind::kDecimal: tsv += v.decimal(); break;
        case ValueKind::kDateTime:
        case ValueKind::kTimestamp:
          tsv += fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{}", v.t.year, v.t.month, v.t.day, v.t.hour,
                             v.t.minute, v.t.second, fmt::format("{:06}", v.t.microsecond).substr(0, v.t.fsp));
          break;
        case ValueKind::kDate: tsv += fmt::format("{:04}-{:02}-{:02}", v.t.year, v.t.month, v.t.day); break;
        case ValueKind::kTime: {
          const int64_t us = (int64_t{v.t.hour} * 3600 + v.t.minute * 60 + v.t.second) * 1000000 + v.t.microsecond;
          tsv += fmt::format("{}", v.t.negative ? -us : us);
          break;
        }
        case ValueKind::kEnum: tsv += labels[v.u - 1]; break;
        default: append_tsv_escaped(v.bytes, tsv);
      }
    }
    tsv += fmt::format("\t{}\t0\n", k + 1);
    if (tsv.size() >= (1u << 20) || k + 1 == rows) {
      if (std::fwrite(tsv.data(), 1, tsv.size(), pipe) != tsv.size()) die("writing to clickhouse-client failed");
      tsv.clear();
    }
  }
  (void)batch_rows;
  if (pclose(pipe) != 0) die("clickhouse-client failed");
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  auto count = (*conn)->query("SELECT count() FROM m2c_bench.wide_tsv", "TabSeparated");
  if (!count.ok() || *count != fmt::format("{}\n", rows)) die("clickhouse-client: row count after insert is wrong");
  std::printf("%-22s %10.0f rows/s  (TSV formatted here, parsed by clickhouse-client, sent natively)  %6.1f s total\n",
              "clickhouse-client TSV", static_cast<double>(rows) / total_s, total_s);
  std::fflush(stdout);
  (void)(*conn)->execute("DROP TABLE IF EXISTS m2c_bench.wide_tsv");
}

}  // namespace
}  // namespace mysql2ch

int main(int argc, char** argv) {
  using namespace mysql2ch;
  uint64_t rows = 10'000'000, batch_rows = 100'000;
  std::string only;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string key = argv[k];
    if (key == "--rows") rows = std::stoull(argv[k + 1]);
    else if (key == "--batch-rows") batch_rows = std::stoull(argv[k + 1]);
    else if (key == "--only") only = argv[k + 1];
    else die("unknown option " + key);
  }
  std::printf("clickhouse_insert: %llu rows of a 17-column mixed-type table, batches of %llu rows\n",
              static_cast<unsigned long long>(rows), static_cast<unsigned long long>(batch_rows));
  const auto wanted = [&](const char* name) { return only.empty() || only == name; };
  for (bool https : {false, true}) {
    if (!wanted(https ? "https" : "http")) continue;
    HttpOptions o;
    const std::string url = https ? "https://127.0.0.1:" + std::to_string(testenv::ch_https_port())
                                  : "http://127.0.0.1:" + std::to_string(testenv::ch_http_port());
    o.url = *parse_destination_url(url, "/");
    if (https) o.tls.ca = testenv::certs_dir() + "/ca.pem";
    auto conn = HttpConnection::open(std::move(o));
    if (!conn.ok()) die(conn.error().message());
    run_writer(https ? "https" : "http", **conn, rows, batch_rows);
  }
  if (wanted("client")) run_client(rows, batch_rows);
  if (wanted("chdb")) {
    const std::string dir = testenv::scratch_dir("bench-chdb");
    auto conn = ChdbConnection::open(dir, [](const std::string& name) -> std::optional<std::string> {
      if (name == "MYSQL2CH_LIBCHDB") return testenv::libchdb_path();
      return process_env()(name);
    });
    if (!conn.ok()) die(conn.error().message());
    run_writer("chdb", **conn, rows, batch_rows);
  }
  return 0;
}
