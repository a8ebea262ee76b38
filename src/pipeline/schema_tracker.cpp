#include "pipeline/schema_tracker.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "config/table_filter.h"
#include "mysql/table_schema_loader.h"
#include "schema/column_resolver.h"

namespace mysql2ch::pipeline {
namespace {

schema::Flavor flavor_of(const Connection& conn) {
  return conn.server().flavor == ServerFlavor::kMySQL ? schema::Flavor::kMySQL : schema::Flavor::kMariaDB;
}

// Whether some include pattern can select a table of `database`: its part before the first '.' matches (a
// pattern without a '.' can match anything).
bool database_watched(const TablesConfig& tables, const std::string& database) {
  if (is_system_schema(database)) return false;
  for (const auto& p : tables.include) {
    const size_t dot = p.find('.');
    if (dot == std::string::npos || glob_match(p.substr(0, dot), database)) return true;
  }
  return false;
}

std::string cell(const QueryResult& r, size_t row, size_t col) {
  return r.rows[row][col].value_or("");
}

// Adds one table as information_schema describes it now.
Status add_table(Connection& conn, schema::TableCatalog& catalog, const std::string& database, const std::string& table,
                 const std::string& table_collation) {
  TRY_ASSIGN(schema::TableSchema ts, load_table_schema(conn, database, table));
  TRY_ASSIGN(QueryResult cols,
             conn.query(fmt::format("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {} "
                                    "AND TABLE_NAME = {} ORDER BY ORDINAL_POSITION",
                                    conn.quote(database), conn.quote(table))));
  if (cols.rows.size() != ts.columns.size()) {
    return make_error(ErrorCode::kUnavailable, "table {}.{} changed while it was being described", database, table);
  }
  std::vector<std::string> collations;
  for (size_t k = 0; k < cols.rows.size(); ++k) {
    std::string c = cell(cols, k, 0);
    // Binary strings have no collation in information_schema; the catalog names theirs "binary".
    if (c.empty() && schema::has_collation(ts.columns[k]) && ts.columns[k].charset == schema::Charset::kBinary) {
      c = "binary";
    }
    collations.push_back(std::move(c));
  }
  return catalog.add_table(ts, table_collation, collations);
}

// Adds the watched base tables of `database`. A table gone since the listing (dropped or renamed: that DDL comes
// before any position fixed after the description) is left out with a warning. Another table that cannot be
// described is fatal when selected, else left out (it can only matter if it is renamed into the selection,
// which then stops with its name).
Status add_database_tables(Connection& conn, schema::TableCatalog& catalog, const TablesConfig& tables,
                           const std::string& database) {
  TRY_ASSIGN(QueryResult rows,
             conn.query(fmt::format("SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE "
                                    "TABLE_SCHEMA = {} AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
                                    conn.quote(database))));
  for (size_t r = 0; r < rows.rows.size(); ++r) {
    const std::string table = cell(rows, r, 0);
    const bool selected = table_selected(tables, database, table);
    Status st = add_table(conn, catalog, database, table, cell(rows, r, 1));
    if (st.ok()) continue;
    if (selected && st.error().code() == ErrorCode::kNotFound) {
      spdlog::warn("{}.{} is gone from the source since it was listed: it is not described, nor snapshotted", database,
                   table);
      continue;
    }
    if (selected) return std::move(st).error().context(fmt::format("describing {}.{}", database, table));
    spdlog::debug("schema history: leaving out unselected table {}.{}: {}", database, table, st.error().message());
  }
  return {};
}

Status add_databases(Connection& conn, schema::TableCatalog& catalog, const TablesConfig& tables) {
  TRY_ASSIGN(QueryResult dbs,
             conn.query("SELECT SCHEMA_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA ORDER BY 1"));
  for (size_t r = 0; r < dbs.rows.size(); ++r) {
    const std::string name = cell(dbs, r, 0);
    if (is_system_schema(name)) continue;
    TRY(catalog.add_database(name, cell(dbs, r, 1)));
    if (database_watched(tables, name)) TRY(add_database_tables(conn, catalog, tables, name));
  }
  return {};
}

bool same_name(std::string_view a, std::string_view b) {
  return to_lower(a) == to_lower(b);
}

}  // namespace

Result<SchemaTracker> SchemaTracker::seed(Connection& conn, const TablesConfig& tables) {
  TRY_ASSIGN(std::optional<std::string> server_collation, conn.query_value("SELECT @@collation_server"));
  if (!server_collation) return make_error(ErrorCode::kProtocol, "the source did not say its @@collation_server");
  TRY_ASSIGN(schema::TableCatalog catalog, schema::TableCatalog::create(flavor_of(conn), *server_collation));
  TRY(add_databases(conn, catalog, tables));
  spdlog::info("source schema: {} tables described from information_schema", catalog.tables().size());
  return SchemaTracker(std::move(catalog), conn.server().version_id);
}

Result<SchemaTracker> SchemaTracker::restore(std::string_view history, Connection& conn) {
  const auto json = nlohmann::json::parse(history, nullptr, false);
  if (json.is_discarded()) return make_error(ErrorCode::kCorrupt, "the checkpoint's schema history is not JSON");
  auto catalog = schema::TableCatalog::from_json(json);
  if (!catalog.ok()) return std::move(catalog).error().context("the checkpoint's schema history");
  if (catalog->flavor() != flavor_of(conn)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the checkpoint's schema history is of a {} source, but the source is now {}",
                      catalog->flavor() == schema::Flavor::kMySQL ? "MySQL" : "MariaDB", conn.server().version);
  }
  spdlog::info("schema history: {} tables restored from the checkpoint", catalog->tables().size());
  return SchemaTracker(std::move(catalog).value(), conn.server().version_id);
}

void SchemaTracker::replace(schema::TableCatalog next) {
  catalog_ = std::move(next);
  history_current_ = false;
}

const std::string& SchemaTracker::history() {
  if (!history_current_) {
    history_ = catalog_.to_json().dump();
    history_current_ = true;
  }
  return history_;
}

Result<schema::TableSchema> SchemaTracker::rows_schema(const schema::TableSchema& map, const std::string& where) const {
  const schema::TableSchema* tracked = catalog_.find(schema::TableName{map.database, map.table});
  if (tracked == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "rows of {}.{} at {}: the schema history does not know the table (its CREATE was skipped, or "
                      "the configuration now selects a database the first start did not watch); re-snapshot the "
                      "table",
                      map.database, map.table, where);
  }
  const auto differ = [&](const std::string& what) {
    return make_error(ErrorCode::kCorrupt,
                      "rows of {}.{} at {} do not match the schema history: {}. The history missed a schema change "
                      "(a DDL skipped by pipeline.on_unparseable_ddl, or made before the stream's start position): "
                      "re-snapshot the table",
                      map.database, map.table, where, what);
  };
  if (map.columns.size() != tracked->columns.size()) {
    return differ(
        fmt::format("the binlog has {} columns, the history {}", map.columns.size(), tracked->columns.size()));
  }
  for (size_t k = 0; k < map.columns.size(); ++k) {
    const auto& m = map.columns[k];
    const auto& t = tracked->columns[k];
    const std::string column = fmt::format("column {} (`{}`)", k + 1, t.name);
    if (map.column_names_known && !same_name(m.name, t.name)) {
      return differ(fmt::format("{} is named `{}` in the binlog", column, m.name));
    }
    if (m.type != t.type) {
      return differ(fmt::format("{} is {} in the binlog, {} in the history", column, schema::column_type_name(m.type),
                                schema::column_type_name(t.type)));
    }
    if (m.type == schema::ColumnType::kNewDecimal && (m.precision != t.precision || m.scale != t.scale)) {
      return differ(fmt::format("{} is DECIMAL({},{}) in the binlog, DECIMAL({},{}) in the history", column,
                                m.precision, m.scale, t.precision, t.scale));
    }
    if (m.fsp != t.fsp) {
      return differ(
          fmt::format("{} has {} fractional second digits in the binlog, {} in the history", column, m.fsp, t.fsp));
    }
  }
  if (map.column_names_known) return map;
  return *tracked;
}

}  // namespace mysql2ch::pipeline
