// What a schema change did to the mirrored tables, in the order the destination must replay it. TableCatalog
// (table_catalog.h) produces these from parsed DDL; the ClickHouse DDL generator consumes them.
//
// Names are the ones current when the change happened: after "ALTER TABLE a RENAME TO b, ADD c INT" the
// ColumnAdded names table b. Column definitions are complete ColumnDefs (column_resolver.h).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "schema/column.h"
#include "schema/ddl_statements.h"

namespace mysql2ch::schema {

struct TableCreated {
  TableName table;
  TableSchema schema;
};
struct TableDropped {
  TableName table;
};
struct TableRenamed {
  TableName from;
  TableName to;
};
struct TableTruncated {
  TableName table;
};
// The table's rows or columns changed in a way the binlog does not show: describe it from the server and reload it.
struct TableNeedsRefresh {
  TableName table;
  std::string reason;
};
struct ColumnAdded {
  TableName table;
  ColumnDef column;
  std::optional<std::string> after;  // the column it follows; nullopt when it is first
  // The DEFAULT clause as written (source text, e.g. "5", "'abc'", "CURRENT_TIMESTAMP"); nullopt without one.
  // The rows the table already has take this value without any row event.
  std::optional<std::string> default_value;
};
struct ColumnDropped {
  TableName table;
  std::string column;
};
struct ColumnRenamed {
  TableName table;
  std::string from;
  std::string to;
};
// Type, nullability, charset, labels, visibility or PK membership changed (the name is after.name).
struct ColumnModified {
  TableName table;
  ColumnDef before;
  ColumnDef after;
};
struct ColumnMoved {
  TableName table;
  std::string column;
  std::optional<std::string> after;  // nullopt: moved first
};
struct PrimaryKeyChanged {
  TableName table;
  std::vector<std::string> before;
  std::vector<std::string> after;
};

using TableChange =
    std::variant<TableCreated, TableDropped, TableRenamed, TableTruncated, TableNeedsRefresh, ColumnAdded,
                 ColumnDropped, ColumnRenamed, ColumnModified, ColumnMoved, PrimaryKeyChanged>;

// One line for logs and tests, e.g. "ColumnAdded shop.orders.note after id".
std::string describe(const TableChange& change);

}  // namespace mysql2ch::schema
