// The typed result of parsing one DDL statement (ddl_parser.h): what it does to the set of tables, as written.
// Column definitions stay as written (ColumnSpec); column_resolver.h turns them into ColumnDefs once the table's
// and database's default charsets are known, which only the catalog (table_catalog.h) knows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mysql2ch::schema {

struct TableName {
  std::string database;  // always filled: the statement's qualifier or the QUERY event's default database
  std::string table;
  bool operator==(const TableName&) const = default;
  auto operator<=>(const TableName&) const = default;
};

// CHARACTER SET / COLLATE as written (lower case); empty when not given.
struct CharsetSpec {
  std::string charset;
  std::string collation;
  bool empty() const { return charset.empty() && collation.empty(); }
};

enum class Generated : uint8_t { kNone, kVirtual, kStored };

struct ColumnSpec {
  std::string name;
  std::string type;                  // canonical lower-case type word: "int", "varchar", "mediumtext", "enum", ...
  std::optional<uint32_t> length;    // (M): display width, characters, bytes, bits, precision or fsp by type
  std::optional<uint32_t> scale;     // (M,D)
  bool is_unsigned = false;
  bool zerofill = false;
  bool binary_collation = false;     // the BINARY attribute of a character type: the charset's _bin collation
  std::vector<std::string> labels;   // ENUM/SET values, unescaped, trailing spaces removed as the server does
  CharsetSpec charset;
  std::optional<bool> nullable;      // explicit NULL / NOT NULL
  std::optional<std::string> default_value;  // DEFAULT as written (source text)
  bool auto_increment = false;
  bool primary_key = false;          // inline PRIMARY KEY (or KEY)
  bool unique_key = false;           // inline UNIQUE [KEY]
  bool invisible = false;
  Generated generated = Generated::kNone;
  std::optional<std::string> comment;
};

enum class PositionKind : uint8_t { kLast, kFirst, kAfter };
struct ColumnPosition {
  PositionKind kind = PositionKind::kLast;
  std::string after;  // kAfter: the column it follows
};

namespace alter {
struct AddColumn {
  ColumnSpec column;
  ColumnPosition position;
  bool if_not_exists = false;  // MariaDB
};
struct DropColumn {
  std::string name;
  bool if_exists = false;
};
// MODIFY (old_name == column.name) and CHANGE (old_name may differ).
struct ModifyColumn {
  std::string old_name;
  ColumnSpec column;
  ColumnPosition position;
  bool if_exists = false;
};
struct RenameColumn {
  std::string from;
  std::string to;
};
// ALTER COLUMN c SET DEFAULT x / DROP DEFAULT / SET [IN]VISIBLE.
struct AlterColumnDefault {
  std::string column;
  std::optional<std::string> default_value;  // nullopt: DROP DEFAULT
};
struct AlterColumnVisibility {
  std::string column;
  bool visible = true;
};
struct AddPrimaryKey {
  std::vector<std::string> columns;
};
struct DropPrimaryKey {};
struct RenameTable {
  TableName to;
};
struct ConvertCharset {  // CONVERT TO CHARACTER SET: the table default and every character column
  CharsetSpec charset;
};
struct SetTableCharset {  // [DEFAULT] CHARACTER SET / COLLATE: the default for columns added later
  CharsetSpec charset;
};
// Partition maintenance that adds, removes or swaps rows without row events (DROP/TRUNCATE/EXCHANGE PARTITION,
// IMPORT TABLESPACE, ...): the mirror of the table (and of `other_tables`) must be reloaded.
struct RowsChangedOutsideBinlog {
  std::string clause;  // e.g. "TRUNCATE PARTITION"
  std::vector<TableName> other_tables;
};
}  // namespace alter

using AlterOp = std::variant<alter::AddColumn, alter::DropColumn, alter::ModifyColumn, alter::RenameColumn,
                             alter::AlterColumnDefault, alter::AlterColumnVisibility, alter::AddPrimaryKey,
                             alter::DropPrimaryKey, alter::RenameTable, alter::ConvertCharset,
                             alter::SetTableCharset, alter::RowsChangedOutsideBinlog>;

struct CreateTable {
  TableName name;
  bool temporary = false;
  bool if_not_exists = false;
  bool or_replace = false;  // MariaDB CREATE OR REPLACE
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;  // from a PRIMARY KEY clause or an inline PRIMARY KEY
  CharsetSpec table_charset;
};
struct CreateTableLike {
  TableName name;
  TableName source;
  bool temporary = false;
  bool if_not_exists = false;
  bool or_replace = false;
};
// A statement whose resulting columns cannot be known from its text (CREATE TABLE … SELECT): the tables must be
// described from the server.
struct NeedsRefresh {
  std::vector<TableName> tables;
  std::string reason;
};
struct AlterTable {
  TableName name;
  bool if_exists = false;  // MariaDB
  std::vector<AlterOp> ops;  // in statement order; index and option clauses that change no column are omitted
};
struct RenameTables {
  std::vector<std::pair<TableName, TableName>> renames;  // applied in order (a TO b, b TO c is legal)
  bool if_exists = false;
};
struct DropTables {
  std::vector<TableName> tables;
  bool if_exists = false;
  bool temporary = false;
};
struct TruncateTable {
  TableName name;
};
struct CreateDatabase {
  std::string name;
  bool if_not_exists = false;
  bool or_replace = false;
  CharsetSpec charset;
};
struct AlterDatabase {
  std::string name;
  CharsetSpec charset;  // empty when the statement changes other options only
};
struct DropDatabase {
  std::string name;
  bool if_exists = false;
};
// Statements that change no table's columns: CREATE INDEX, views, routines, users, grants, transaction control…
struct NoSchemaChange {
  std::string kind;  // e.g. "CREATE INDEX", "GRANT", "BEGIN"
};
// INSERT/UPDATE/DELETE/… logged as a statement: its row changes are not in row events.
struct StatementDml {
  std::string verb;
};

using SchemaChange = std::variant<CreateTable, CreateTableLike, NeedsRefresh, AlterTable, RenameTables, DropTables,
                                  TruncateTable, CreateDatabase, AlterDatabase, DropDatabase, NoSchemaChange,
                                  StatementDml>;

}  // namespace mysql2ch::schema
