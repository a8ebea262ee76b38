#include "support/random_workload.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace mysql2ch::test {

namespace {

const char* const kEnumLabels[] = {"red", "green", "blue", "grün"};

// Pieces of text values: ASCII, accents, CJK, 4-byte emoji, and the characters quoting and TSV care about.
const char* const kTextPieces[] = {"a", "Z", "0", " ", "é", "ü", "中", "😀", "'", "\"", "\\", "\t", "\n", "%", "x"};

}  // namespace

RandomWorkload::RandomWorkload(Connection& source, WorkloadOptions options)
    : source_(source), options_(std::move(options)), rng_(options_.seed) {
  if (!options_.log_path.empty()) log_.open(options_.log_path, std::ios::trunc);
}

void RandomWorkload::run(const std::string& sql) {
  if (log_.is_open()) log_ << sql << ";\n";
  ++statements_;
  Status st = source_.execute(sql);
  if (!st.ok()) {
    throw std::runtime_error(fmt::format("workload step {} (seed {}): {} failed: {}", steps_, options_.seed,
                                         sql.substr(0, 400), st.error().message()));
  }
}

std::string RandomWorkload::qualified(const TableModel& t) const {
  return mysql_identifier(options_.database) + "." + mysql_identifier(t.name);
}

std::string RandomWorkload::type_sql(const ColumnModel& c) {
  std::string type;
  switch (c.kind) {
    case Kind::kInt: type = "INT"; break;
    case Kind::kBigInt: type = "BIGINT"; break;
    case Kind::kBigUnsigned: type = "BIGINT UNSIGNED"; break;
    case Kind::kDecimal: type = "DECIMAL(20,6)"; break;
    case Kind::kVarchar: type = fmt::format("VARCHAR({}) CHARACTER SET utf8mb4", c.width); break;
    case Kind::kDateTime: type = "DATETIME(6)"; break;
    case Kind::kJson: type = "JSON"; break;
    case Kind::kEnum: type = "ENUM('red','green','blue','grün')"; break;
    case Kind::kBlob: type = "BLOB"; break;
  }
  return type + (c.nullable ? " NULL" : " NOT NULL");
}

std::string RandomWorkload::text_value(int max_chars) {
  const int n = static_cast<int>(pick(static_cast<uint64_t>(max_chars) + 1));
  std::string s;
  for (int k = 0; k < n; ++k) s += kTextPieces[pick(std::size(kTextPieces))];
  return s;
}

std::string RandomWorkload::value_sql(const ColumnModel& c) {
  if (c.nullable && chance(10)) return "NULL";
  switch (c.kind) {
    case Kind::kInt: {
      if (chance(5)) return chance(50) ? "2147483647" : "-2147483648";
      return std::to_string(static_cast<int64_t>(pick(2000000001)) - 1000000000);
    }
    case Kind::kBigInt: {
      if (chance(5)) return chance(50) ? "9223372036854775807" : "-9223372036854775808";
      return std::to_string(static_cast<int64_t>(rng_()));
    }
    case Kind::kBigUnsigned: {
      if (chance(5)) return "18446744073709551615";
      return std::to_string(chance(50) ? rng_() : pick(100000));
    }
    case Kind::kDecimal: {
      uint64_t scale = 1;
      for (uint64_t d = pick(15); d > 0; --d) scale *= 10;
      return fmt::format("{}{}.{:06}", chance(30) ? "-" : "", pick(scale), pick(1000000));
    }
    case Kind::kVarchar: return source_.quote(text_value(c.width));
    case Kind::kDateTime:
      return fmt::format("'{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}'", 1950 + pick(300), 1 + pick(12), 1 + pick(28),
                         pick(24), pick(60), pick(60), chance(20) ? 0 : pick(1000000));
    case Kind::kJson: {
      nlohmann::json doc = nlohmann::json::object();
      doc["n"] = static_cast<int64_t>(pick(2000001)) - 1000000;
      doc["s"] = text_value(8);
      if (chance(50)) doc["a"] = nlohmann::json::array({1, "two", nullptr, true, nlohmann::json{{"x", 1.5}}});
      if (chance(30)) doc["big"] = static_cast<int64_t>(rng_() >> 1);
      if (chance(20)) return source_.quote(nlohmann::json::array({pick(10), text_value(3)}).dump());
      return source_.quote(doc.dump());
    }
    case Kind::kEnum: return source_.quote(kEnumLabels[pick(std::size(kEnumLabels))]);
    case Kind::kBlob: {
      const size_t n = pick(chance(10) ? 2000 : 64);
      std::string hex;
      for (size_t k = 0; k < n; ++k) hex += fmt::format("{:02X}", pick(256));
      return "X'" + hex + "'";
    }
  }
  return "NULL";
}

std::string RandomWorkload::column_list(const TableModel& t) const {
  std::string list;
  for (const auto& c : t.columns) list += (list.empty() ? "" : ", ") + mysql_identifier(c.name);
  return list;
}

std::string RandomWorkload::row_values(TableModel& t, int64_t id) {
  std::string row;
  for (const auto& c : t.columns) {
    std::string v;
    if (c.name == "id") {
      v = std::to_string(id);
    } else if (c.in_key) {
      v = std::to_string(pick(3));
    } else {
      v = value_sql(c);
    }
    row += (row.empty() ? "(" : ", ") + v;
  }
  return row + ")";
}

std::string RandomWorkload::key_range(const TableModel& t) {
  const int64_t from = 1 + static_cast<int64_t>(pick(static_cast<uint64_t>(t.next_id)));
  return fmt::format("id BETWEEN {} AND {}", from, from + static_cast<int64_t>(pick(12)));
}

RandomWorkload::TableModel& RandomWorkload::random_table(bool include_skipped) {
  std::vector<TableModel*> candidates;
  for (auto& t : tables_) {
    if (include_skipped || t.name.rfind("skip_", 0) != 0) candidates.push_back(&t);
  }
  return *candidates[pick(candidates.size())];
}

std::vector<RandomWorkload::TableModel*> RandomWorkload::tables_with_value_columns(int minimum) {
  std::vector<TableModel*> out;
  for (auto& t : tables_) {
    if (t.name.rfind("skip_", 0) == 0) continue;
    const auto values = std::count_if(t.columns.begin(), t.columns.end(), [](const auto& c) { return !c.in_key; });
    if (values >= minimum) out.push_back(&t);
  }
  return out;
}

RandomWorkload::ColumnModel RandomWorkload::random_column(TableModel& t) {
  static const Kind kinds[] = {Kind::kInt,      Kind::kBigUnsigned, Kind::kDecimal, Kind::kVarchar,
                               Kind::kDateTime, Kind::kJson,        Kind::kEnum,    Kind::kBlob};
  ColumnModel c;
  c.name = fmt::format("c{}", ++t.column_counter);
  c.kind = kinds[pick(std::size(kinds))];
  c.width = c.kind == Kind::kVarchar ? 10 + static_cast<int>(pick(30)) : 0;
  return c;
}

void RandomWorkload::create(int rows_per_table) {
  run("DROP DATABASE IF EXISTS " + mysql_identifier(options_.database));
  run(fmt::format("CREATE DATABASE {} CHARACTER SET utf8mb4", mysql_identifier(options_.database)));
  if (options_.compressed_partial_json) {
    run("SET SESSION binlog_transaction_compression = ON");
    run("SET SESSION binlog_row_value_options = 'PARTIAL_JSON'");
  }
  auto col = [](std::string name, Kind kind, int width = 0, bool nullable = true, bool in_key = false) {
    return ColumnModel{std::move(name), kind, width, nullable, in_key};
  };
  tables_.push_back({"wide",
                     {col("id", Kind::kBigInt, 0, false, true), col("i", Kind::kInt), col("u", Kind::kBigUnsigned),
                      col("d", Kind::kDecimal), col("s", Kind::kVarchar, 20), col("dt", Kind::kDateTime),
                      col("j", Kind::kJson), col("e", Kind::kEnum), col("b", Kind::kBlob)}});
  tables_.push_back({"pairs",
                     {col("id", Kind::kBigInt, 0, false, true), col("k", Kind::kInt, 0, false, true),
                      col("v", Kind::kVarchar, 30, false), col("n", Kind::kInt)}});
  tables_.push_back({"events",
                     {col("id", Kind::kBigInt, 0, false, true), col("at", Kind::kDateTime, 0, false),
                      col("doc", Kind::kJson), col("amount", Kind::kDecimal, 0, false)}});
  tables_.push_back({"skip_log", {col("id", Kind::kBigInt, 0, false, true), col("note", Kind::kVarchar, 20)}});
  for (auto& t : tables_) {
    std::string defs, keys;
    for (const auto& c : t.columns) {
      defs += (defs.empty() ? "" : ", ") + mysql_identifier(c.name) + " " + type_sql(c);
      if (c.in_key) keys += (keys.empty() ? "" : ", ") + mysql_identifier(c.name);
    }
    run(fmt::format("CREATE TABLE {} ({}, PRIMARY KEY ({}))", qualified(t), defs, keys));
  }
  for (auto& t : tables_) {
    for (int done = 0; done < rows_per_table; done += 500) {
      std::string rows;
      for (int k = done; k < std::min(rows_per_table, done + 500); ++k) {
        rows += (rows.empty() ? "" : ", ") + row_values(t, t.next_id++);
      }
      run(fmt::format("INSERT INTO {} ({}) VALUES {}", qualified(t), column_list(t), rows));
    }
  }
}

void RandomWorkload::insert_rows(TableModel& t, int count) {
  std::string rows;
  // Now and then over existing keys: REPLACE deletes and re-inserts, ON DUPLICATE KEY UPDATE updates.
  const bool existing = chance(15) && t.next_id > 20;
  for (int k = 0; k < count; ++k) {
    // Existing keys are below next_id: next_id itself is the next fresh one.
    const int64_t id = existing ? 1 + static_cast<int64_t>(pick(static_cast<uint64_t>(t.next_id - 1))) : t.next_id++;
    rows += (rows.empty() ? "" : ", ") + row_values(t, id);
  }
  if (!existing) {
    run(fmt::format("INSERT INTO {} ({}) VALUES {}", qualified(t), column_list(t), rows));
  } else if (chance(50)) {
    run(fmt::format("REPLACE INTO {} ({}) VALUES {}", qualified(t), column_list(t), rows));
  } else {
    std::string set;
    for (const auto& c : t.columns) {
      if (c.in_key) continue;
      set += (set.empty() ? "" : ", ") + fmt::format("{0} = VALUES({0})", mysql_identifier(c.name));
    }
    run(fmt::format("INSERT INTO {} ({}) VALUES {} ON DUPLICATE KEY UPDATE {}", qualified(t), column_list(t), rows,
                    set));
  }
}

void RandomWorkload::update_rows(TableModel& t) {
  std::vector<const ColumnModel*> values;
  for (const auto& c : t.columns) {
    if (!c.in_key) values.push_back(&c);
  }
  std::string set;
  const size_t n = 1 + pick(2);
  for (size_t k = 0; k < n && !values.empty(); ++k) {
    const ColumnModel& c = *values[pick(values.size())];
    if (set.find(mysql_identifier(c.name) + " =") != std::string::npos) continue;
    const std::string id = mysql_identifier(c.name);
    std::string v;
    if (c.kind == Kind::kJson && chance(70)) {
      // In-place JSON changes: the ones MySQL logs as partial JSON under PARTIAL_JSON.
      switch (pick(3)) {
        case 0: v = fmt::format("JSON_SET({}, '$.n', {})", id, pick(1000)); break;
        case 1: v = fmt::format("JSON_REPLACE({}, '$.s', {})", id, source_.quote(text_value(6))); break;
        default: v = fmt::format("JSON_REMOVE({}, '$.a')", id); break;
      }
    } else {
      v = value_sql(c);
    }
    set += (set.empty() ? "" : ", ") + id + " = " + v;
  }
  run(fmt::format("UPDATE {} SET {} WHERE {}", qualified(t), set, key_range(t)));
}

void RandomWorkload::delete_rows(TableModel& t) {
  run(fmt::format("DELETE FROM {} WHERE {}", qualified(t), key_range(t)));
}

void RandomWorkload::change_keys(TableModel& t) {
  const int64_t from = 1 + static_cast<int64_t>(pick(static_cast<uint64_t>(t.next_id)));
  const int64_t width = static_cast<int64_t>(pick(8));
  const bool has_k = std::any_of(t.columns.begin(), t.columns.end(), [](const auto& c) { return c.name == "k"; });
  if (has_k && chance(40)) {
    run(fmt::format("UPDATE IGNORE {} SET k = k + 10 WHERE id BETWEEN {} AND {}", qualified(t), from, from + width));
    return;
  }
  // The new keys are fresh, so no row of the range collides with another.
  const int64_t shift = t.next_id + 1 - from;
  t.next_id += width + 2;
  run(fmt::format("UPDATE {} SET id = id + {} WHERE id BETWEEN {} AND {} ORDER BY id DESC", qualified(t), shift, from,
                  from + width));
}

int RandomWorkload::transaction() {
  run("BEGIN");
  int statements = 1;
  const int ops = 2 + static_cast<int>(pick(4));
  for (int k = 0; k < ops; ++k) {
    TableModel& t = random_table(chance(15));
    switch (pick(4)) {
      case 0: insert_rows(t, 1 + static_cast<int>(pick(5))); break;
      case 1: update_rows(t); break;
      case 2: delete_rows(t); break;
      default: change_keys(t); break;
    }
    ++statements;
  }
  run(chance(10) ? "ROLLBACK" : "COMMIT");
  return statements + 1;
}

int RandomWorkload::large_transaction() {
  ++steps_;
  TableModel& t = random_table();
  const int64_t first = t.next_id;
  run("BEGIN");
  int statements = 1;
  for (int done = 0; done < options_.large_transaction_rows; done += 500) {
    std::string rows;
    for (int k = done; k < std::min(options_.large_transaction_rows, done + 500); ++k) {
      rows += (rows.empty() ? "" : ", ") + row_values(t, t.next_id++);
    }
    run(fmt::format("INSERT INTO {} ({}) VALUES {}", qualified(t), column_list(t), rows));
    ++statements;
  }
  const int64_t third = options_.large_transaction_rows / 3;
  for (const auto& c : t.columns) {
    if (c.in_key) continue;
    run(fmt::format("UPDATE {} SET {} = {} WHERE id BETWEEN {} AND {}", qualified(t), mysql_identifier(c.name),
                    value_sql(c), first, first + third));
    break;
  }
  run(fmt::format("DELETE FROM {} WHERE id BETWEEN {} AND {}", qualified(t), first + third, first + third + 50));
  run("COMMIT");
  return statements + 3;
}

int RandomWorkload::schema_change() {
  enum Op { kAdd, kAddDefault, kDrop, kModify, kRenameColumn, kCreate, kRenameTable, kDropTable };
  std::vector<Op> ops;
  const DdlKinds& d = options_.ddl;
  if (d.add_column) ops.push_back(kAdd);
  if (d.add_column_default) ops.push_back(kAddDefault);
  if (d.drop_column) ops.push_back(kDrop);
  if (d.modify_column) ops.push_back(kModify);
  if (d.rename_column) ops.push_back(kRenameColumn);
  if (d.create_table) ops.push_back(kCreate);
  if (d.rename_table) ops.push_back(kRenameTable);
  if (d.drop_table) ops.push_back(kDropTable);
  if (ops.empty()) return 0;
  const size_t mirrored = tables_with_value_columns(0).size();
  TableModel* touched = nullptr;
  switch (ops[pick(ops.size())]) {
    case kAdd: {
      TableModel& t = random_table();
      ColumnModel c = random_column(t);
      run(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", qualified(t), mysql_identifier(c.name), type_sql(c)));
      t.columns.push_back(c);
      touched = &t;
      break;
    }
    case kAddDefault: {
      TableModel& t = random_table();
      ColumnModel c = random_column(t);
      // JSON and BLOB columns cannot have a literal DEFAULT.
      if (c.kind == Kind::kJson || c.kind == Kind::kBlob) c.kind = Kind::kDecimal;
      c.nullable = false;
      std::string def = value_sql(c);
      run(fmt::format("ALTER TABLE {} ADD COLUMN {} {} DEFAULT {}", qualified(t), mysql_identifier(c.name), type_sql(c),
                      def));
      t.columns.push_back(c);
      touched = &t;
      break;
    }
    case kDrop: {
      auto candidates = tables_with_value_columns(2);
      if (candidates.empty()) return 0;
      TableModel& t = *candidates[pick(candidates.size())];
      std::vector<size_t> values;
      for (size_t k = 0; k < t.columns.size(); ++k) {
        if (!t.columns[k].in_key) values.push_back(k);
      }
      const size_t at = values[pick(values.size())];
      run(fmt::format("ALTER TABLE {} DROP COLUMN {}", qualified(t), mysql_identifier(t.columns[at].name)));
      t.columns.erase(t.columns.begin() + static_cast<std::ptrdiff_t>(at));
      touched = &t;
      break;
    }
    case kModify: {
      std::vector<std::pair<TableModel*, size_t>> candidates;
      for (auto& t : tables_) {
        if (t.name.rfind("skip_", 0) == 0) continue;
        for (size_t k = 0; k < t.columns.size(); ++k) {
          const auto& c = t.columns[k];
          if (c.in_key) continue;
          if (c.kind == Kind::kInt || (c.kind == Kind::kVarchar && c.width < 170)) candidates.emplace_back(&t, k);
        }
      }
      if (candidates.empty()) return 0;
      auto [t, at] = candidates[pick(candidates.size())];
      ColumnModel& c = t->columns[at];
      if (c.kind == Kind::kInt) {
        c.kind = Kind::kBigInt;
      } else {
        c.width += 30;
      }
      run(fmt::format("ALTER TABLE {} MODIFY COLUMN {} {}", qualified(*t), mysql_identifier(c.name), type_sql(c)));
      touched = t;
      break;
    }
    case kRenameColumn: {
      auto candidates = tables_with_value_columns(1);
      if (candidates.empty()) return 0;
      TableModel& t = *candidates[pick(candidates.size())];
      std::vector<size_t> values;
      for (size_t k = 0; k < t.columns.size(); ++k) {
        if (!t.columns[k].in_key) values.push_back(k);
      }
      ColumnModel& c = t.columns[values[pick(values.size())]];
      const std::string renamed = fmt::format("r{}_{}", ++t.column_counter, c.name.substr(0, 20));
      run(fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", qualified(t), mysql_identifier(c.name),
                      mysql_identifier(renamed)));
      c.name = renamed;
      touched = &t;
      break;
    }
    case kCreate: {
      TableModel t;
      t.name = fmt::format("t_new{}", ++table_counter_);
      t.columns.push_back({"id", Kind::kBigInt, 0, false, true});
      const int n = 1 + static_cast<int>(pick(4));
      for (int k = 0; k < n; ++k) t.columns.push_back(random_column(t));
      std::string defs;
      for (const auto& c : t.columns) defs += (defs.empty() ? "" : ", ") + mysql_identifier(c.name) + " " + type_sql(c);
      run(fmt::format("CREATE TABLE {} ({}, PRIMARY KEY (id))", qualified(t), defs));
      tables_.push_back(std::move(t));
      touched = &tables_.back();
      break;
    }
    case kRenameTable: {
      TableModel& t = random_table();
      const std::string renamed = fmt::format("{}_r{}", t.name.substr(0, 30), ++table_counter_);
      run(fmt::format("RENAME TABLE {} TO {}.{}", qualified(t), mysql_identifier(options_.database),
                      mysql_identifier(renamed)));
      t.name = renamed;
      touched = &t;
      break;
    }
    case kDropTable: {
      if (mirrored < 3) return 0;
      TableModel& t = random_table();
      run(fmt::format("DROP TABLE {}", qualified(t)));
      const std::string name = t.name;
      tables_.erase(std::remove_if(tables_.begin(), tables_.end(), [&](const auto& m) { return m.name == name; }),
                    tables_.end());
      return 1;
    }
  }
  if (options_.row_after_ddl && touched != nullptr) {
    insert_rows(*touched, 1 + static_cast<int>(pick(3)));
    return 2;
  }
  return 1;
}

int RandomWorkload::step() {
  ++steps_;
  if (log_.is_open()) log_ << "-- step " << steps_ << "\n";
  const uint64_t r = pick(1000);
  if (r < 280) {
    insert_rows(random_table(chance(3)), 1 + static_cast<int>(pick(10)));
    return 1;
  }
  if (r < 480) {
    update_rows(random_table());
    return 1;
  }
  if (r < 590) {
    delete_rows(random_table());
    return 1;
  }
  if (r < 660) {
    change_keys(random_table());
    return 1;
  }
  if (r < 840) return transaction();
  if (r < 850) {
    run("TRUNCATE TABLE " + qualified(random_table()));
    return 1;
  }
  if (r < 920) return schema_change();
  insert_rows(random_table(), 1 + static_cast<int>(pick(3)));
  return 1;
}

std::vector<std::string> RandomWorkload::mirrored_tables() const {
  std::vector<std::string> out;
  for (const auto& t : tables_) {
    if (t.name.rfind("skip_", 0) != 0) out.push_back(t.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace mysql2ch::test
