// A seeded random workload against one source database, for end-to-end mirror tests: row changes (inserts,
// updates, deletes, primary-key changes, multi-table and large transactions, TRUNCATE) and schema changes of
// the kinds enabled in WorkloadOptions, over tables with several column types (INT, BIGINT UNSIGNED,
// DECIMAL(20,6), utf8mb4 VARCHAR, DATETIME(6), JSON, ENUM, BLOB).
//
// Deterministic: the same options (seed included) against the same starting state produce the same statements
// and the same source state; every statement is also appended to a log file, so a failing run can be replayed
// by hand. The generator keeps a model of the schema (tables, columns, types) it creates and changes, and
// never issues a statement the source rejects; a rejected statement throws (std::runtime_error naming the step
// and the statement).
//
// Tables whose names start with "skip_" are written to as well: the mirror's configuration must exclude them.
// Not thread-safe; the Connection must stay open while steps run.
#pragma once

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "mysql/connection.h"

namespace mysql2ch::test {

// Which schema changes the workload issues. Row changes and TRUNCATE are always on.
struct DdlKinds {
  bool add_column = true;           // nullable, no DEFAULT
  bool add_column_default = false;  // NOT NULL DEFAULT <value>: existing rows take the default
  bool drop_column = true;
  bool modify_column = true;  // widening: INT → BIGINT, VARCHAR(n) → VARCHAR(n + 30)
  bool rename_column = false;
  bool create_table = true;
  bool rename_table = false;
  bool drop_table = false;
};

struct WorkloadOptions {
  uint64_t seed = 1;
  std::string database;
  DdlKinds ddl;
  // Each column DDL is followed at once by an insert into the table (for destinations that learn a table's
  // layout only from its row events: a DROP and an ADD before the next row could not be told from a rename).
  bool row_after_ddl = false;
  // MySQL: SET SESSION binlog_transaction_compression = ON and binlog_row_value_options = PARTIAL_JSON.
  bool compressed_partial_json = false;
  int large_transaction_rows = 3000;
  std::string log_path;  // every statement, one per line (with its step number)
};

class RandomWorkload {
 public:
  RandomWorkload(Connection& source, WorkloadOptions options);

  // Creates the database, the starting tables and `rows_per_table` rows in each.
  void create(int rows_per_table);
  // One random step: one statement, or one transaction of several. Returns how many statements it ran.
  int step();
  // A large transaction (larger than the given row count in one table, plus updates of those rows).
  int large_transaction();

  // The mirrored tables as they are now (the "skip_" tables excluded), sorted.
  std::vector<std::string> mirrored_tables() const;
  int steps_done() const { return steps_; }
  int statements_done() const { return statements_; }
  uint64_t seed() const { return options_.seed; }

 private:
  enum class Kind { kInt, kBigInt, kBigUnsigned, kDecimal, kVarchar, kDateTime, kJson, kEnum, kBlob };
  struct ColumnModel {
    std::string name;
    Kind kind;
    int width = 0;  // VARCHAR length
    bool nullable = true;
    bool in_key = false;
  };
  struct TableModel {
    std::string name;
    std::vector<ColumnModel> columns;
    int64_t next_id = 1;
    int column_counter = 0;
  };

  uint64_t pick(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }
  void run(const std::string& sql);
  TableModel& random_table(bool include_skipped = false);
  std::string qualified(const TableModel& t) const;
  static std::string type_sql(const ColumnModel& c);
  std::string value_sql(const ColumnModel& c);
  std::string text_value(int max_chars);
  std::string row_values(TableModel& t, int64_t id);
  std::string column_list(const TableModel& t) const;
  std::string key_range(const TableModel& t);
  ColumnModel random_column(TableModel& t);

  void insert_rows(TableModel& t, int count);
  void update_rows(TableModel& t);
  void delete_rows(TableModel& t);
  void change_keys(TableModel& t);
  int transaction();
  int schema_change();
  std::vector<TableModel*> tables_with_value_columns(int minimum);

  Connection& source_;
  WorkloadOptions options_;
  std::mt19937_64 rng_;
  std::vector<TableModel> tables_;
  int table_counter_ = 0;
  int steps_ = 0;
  int statements_ = 0;
  std::ofstream log_;
};

}  // namespace mysql2ch::test
