// The tables of the source as of a position in the binlog: their columns (TableSchema) and default collations,
// and the databases' default collations. Parsed DDL (ddl_parser.h) is applied in stream order; each application
// says what changed for the destination (table_change.h). Serializable to JSON so it is persisted with
// checkpoints and a restarted stream decodes rows with the columns they were written with.
//
// Threading: not thread-safe; one stream owns it. Pointers returned by find() stay valid until the next
// non-const call. apply() is atomic: on error the catalog is unchanged.
//
// Names: database and table names compare exactly (lower_case_table_names=0 servers), column names without
// regard to case, as the server does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "schema/charset_catalog.h"
#include "schema/column.h"
#include "schema/ddl_statements.h"
#include "schema/table_change.h"

namespace mysql2ch::schema {

class TableCatalog {
 public:
  // `server_collation` is @@collation_server: the default of databases created without a charset.
  static Result<TableCatalog> create(Flavor flavor, std::string_view server_collation);

  // Seeding from information_schema at the start position. `default_collation` is the database's or table's
  // default collation name; `column_collations` has one entry per column (empty for non-character columns).
  Status add_database(const std::string& name, std::string_view default_collation);
  Status add_table(const TableSchema& schema, std::string_view default_collation,
                   const std::vector<std::string>& column_collations);

  const TableSchema* find(const TableName& name) const;
  std::vector<TableName> tables() const;
  bool has_database(const std::string& name) const { return databases_.count(name) != 0; }
  // Default collation name of a table (nullopt when the table is unknown).
  std::optional<std::string> table_collation(const TableName& name) const;
  // The collation name of a column ("" for non-character columns); nullopt when table or column is unknown.
  std::optional<std::string> column_collation(const TableName& name, std::string_view column) const;

  // Applies one statement. Errors: kNotFound for ALTER/RENAME/TRUNCATE of a table it does not know,
  // kInvalidArgument for changes the server would have refused (duplicate column, unknown AFTER column, …),
  // kUnsupported for changes it cannot model exactly. NoSchemaChange and StatementDml change nothing.
  Result<std::vector<TableChange>> apply(const SchemaChange& change);

  // The binlog position the catalog is at (opaque to it: a GTID set or file:pos), persisted with it.
  const std::string& position() const { return position_; }
  void set_position(std::string position) { position_ = std::move(position); }

  Flavor flavor() const { return flavor_; }

  nlohmann::json to_json() const;
  // Errors: kCorrupt naming the field for anything to_json() would not have written.
  static Result<TableCatalog> from_json(const nlohmann::json& json);

  struct TrackedColumn {
    ColumnDef def;
    std::string collation;  // "" for non-character columns
  };
  struct TrackedTable {
    TableName name;
    CollationInfo default_collation;
    std::vector<TrackedColumn> columns;
    std::vector<std::string> primary_key;  // column names in key order
    TableSchema schema;                    // derived from the above by refresh()
    void refresh();
  };

 private:
  TableCatalog(Flavor flavor, CollationInfo server_collation)
      : flavor_(flavor), server_collation_(std::move(server_collation)) {}

  Result<CollationInfo> database_collation(const std::string& database) const;

  Flavor flavor_;
  CollationInfo server_collation_;
  std::map<std::string, CollationInfo> databases_;
  std::map<TableName, TrackedTable> tables_;
  std::string position_;

  friend class CatalogUpdate;
};

}  // namespace mysql2ch::schema
