// The stream's schema history: a TableCatalog (schema/table_catalog.h) of the source's tables as of the stream
// position, so rows are decoded and mirrored with the columns they were written with, and DDL is replayed in
// order.
//
// Where it comes from: at the first start, information_schema (seed()), taken just before the binlog position
// the stream starts from is fixed, so a DDL between the two is the one case it can be ahead of the stream (the
// TABLE_MAP cross-check then stops the stream, naming the table). On every later start, the checkpoint's
// schema_history (restore()), which the checkpoint coordinator saves with every checkpoint at the transaction
// boundary it describes; a checkpoint written before histories were kept has none, and that start's seed()
// stands in. sync seeds once on every start (its description of the source's tables now) and uses that one
// catalog for the destination tables too.
//
// Which tables: every base table of each database an include pattern can match (so a table renamed into the
// selection, or created by CREATE TABLE … LIKE one, is known), and every database's default collation.
//
// Threading: one thread. The catalog reference stays valid until the next replace().
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "mysql/connection.h"
#include "schema/table_catalog.h"

namespace mysql2ch::pipeline {

class SchemaTracker {
 public:
  // Reads the source's databases and tables through `conn` (a repl user's SELECT on information_schema). A table
  // dropped or renamed between the listing and its description is left out (logged). sync also uses the result
  // as its one description of the source's tables at every start (prepare_selected_tables, sync_snapshots.h).
  static Result<SchemaTracker> seed(Connection& conn, const TablesConfig& tables);
  // `history` is a checkpoint's schema_history, as of the checkpoint's position: nothing is added from the
  // source as it is now (a table created since then is created again by the stream). A table of a database the
  // history never watched (the include patterns were widened to it) is unknown: its rows stop the stream.
  static Result<SchemaTracker> restore(std::string_view history, Connection& conn);

  const schema::TableCatalog& catalog() const { return catalog_; }
  // The source server's version (for the DDL parser's versioned comments).
  uint32_t server_version() const { return server_version_; }
  // Takes the catalog after a DDL statement was applied (to a copy, so a failure leaves this one unchanged).
  void replace(schema::TableCatalog next);
  // The catalog as a checkpoint's schema_history (JSON text); computed once per change.
  const std::string& history();

  // The schema rows of a selected table's TABLE_MAP are mirrored with. The TABLE_MAP must agree with the
  // catalog (column count, each column's type code, DECIMAL precision/scale, fractional seconds, and names when
  // the map has them); any disagreement is kCorrupt naming the table, `where` and the first difference. A map
  // without column names (binlog_row_metadata=MINIMAL) takes names, primary key, charsets and labels from the
  // catalog. kNotFound when the catalog does not know the table.
  Result<schema::TableSchema> rows_schema(const schema::TableSchema& table_map, const std::string& where) const;

 private:
  SchemaTracker(schema::TableCatalog catalog, uint32_t server_version)
      : catalog_(std::move(catalog)), server_version_(server_version) {}

  schema::TableCatalog catalog_;
  uint32_t server_version_;
  std::string history_;
  bool history_current_ = false;
};

}  // namespace mysql2ch::pipeline
