#include "schema/table_catalog.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "schema/column_resolver.h"

namespace mysql2ch::schema {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return to_lower(a) == to_lower(b);
}

std::string qualified(const TableName& n) {
  return fmt::format("`{}`.`{}`", n.database, n.table);
}

bool same_definition(const ColumnDef& a, const ColumnDef& b) {
  return a.type == b.type && a.is_unsigned == b.is_unsigned && a.nullable == b.nullable &&
         a.in_primary_key == b.in_primary_key && a.visible == b.visible && a.charset == b.charset &&
         a.collation_id == b.collation_id && a.fsp == b.fsp && a.precision == b.precision && a.scale == b.scale &&
         a.max_length == b.max_length && a.length_bytes == b.length_bytes && a.geometry_type == b.geometry_type &&
         a.labels == b.labels;
}

bool valid_utf8(std::string_view s) {
  size_t k = 0;
  while (k < s.size()) {
    const auto c = static_cast<unsigned char>(s[k]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || k + n > s.size()) return false;
    for (size_t i = 1; i < n; ++i) {
      if ((static_cast<unsigned char>(s[k + i]) & 0xC0) != 0x80) return false;
    }
    k += n;
  }
  return true;
}

// Names and labels are persisted as JSON strings, which must be UTF-8; the caller converts statements from
// character_set_client to UTF-8 before parsing, so anything else here is a caller error, reported, not stored.
Status check_utf8(std::string_view what, std::string_view text) {
  if (valid_utf8(text)) return {};
  return make_error(ErrorCode::kInvalidArgument,
                    "{} is not valid UTF-8; convert the statement from its character_set_client to UTF-8 before "
                    "parsing it",
                    what);
}

using TrackedTable = TableCatalog::TrackedTable;

Status check_utf8(const TrackedTable& t) {
  TRY(check_utf8("database name", t.name.database));
  TRY(check_utf8("table name", t.name.table));
  for (const auto& c : t.columns) {
    TRY(check_utf8("column name", c.def.name));
    for (const auto& l : c.def.labels) TRY(check_utf8(fmt::format("ENUM/SET value of column {}", c.def.name), l));
  }
  return {};
}
using TrackedColumn = TableCatalog::TrackedColumn;

std::optional<size_t> column_index(const TrackedTable& t, std::string_view name) {
  for (size_t k = 0; k < t.columns.size(); ++k) {
    if (same_name(t.columns[k].def.name, name)) return k;
  }
  return std::nullopt;
}

// Where a column lands: kLast appends, kFirst is 0, kAfter follows the named column.
Result<size_t> insert_index(const TrackedTable& t, const ColumnPosition& p) {
  switch (p.kind) {
    case PositionKind::kLast: return t.columns.size();
    case PositionKind::kFirst: return size_t{0};
    case PositionKind::kAfter: {
      auto k = column_index(t, p.after);
      if (!k) {
        return make_error(ErrorCode::kInvalidArgument, "{}: AFTER names unknown column `{}`", qualified(t.name),
                          p.after);
      }
      return *k + 1;
    }
  }
  return t.columns.size();
}

std::optional<std::string> predecessor(const TrackedTable& t, size_t index) {
  if (index == 0) return std::nullopt;
  return t.columns[index - 1].def.name;
}

// Applies one ALTER TABLE to a copy of the table, collecting what changed.
class AlterApplier {
 public:
  AlterApplier(Flavor flavor, TrackedTable table, std::vector<TableChange>& changes)
      : flavor_(flavor), t_(std::move(table)), changes_(changes) {}

  TrackedTable& table() { return t_; }

  Status apply(const AlterOp& op, const std::function<Result<CollationInfo>(const CharsetSpec&)>& table_charset) {
    return std::visit([&](const auto& o) { return apply_one(o, table_charset); }, op);
  }

 private:
  using CharsetFn = std::function<Result<CollationInfo>(const CharsetSpec&)>;

  Error fail(std::string_view what) const {
    return make_error(ErrorCode::kInvalidArgument, "{}: {}", qualified(t_.name), what);
  }

  Result<TrackedColumn> resolve(const ColumnSpec& spec) {
    auto r = resolve_column(flavor_, spec, t_.default_collation);
    if (!r.ok()) return std::move(r).error().context(qualified(t_.name));
    return TrackedColumn{std::move(r->def), std::move(r->collation)};
  }

  // Primary key columns are NOT NULL whatever the definition says, as the server makes them.
  void enforce_key_not_null(TrackedColumn& c) const {
    for (const auto& k : t_.primary_key) {
      if (same_name(k, c.def.name)) c.def.nullable = false;
    }
  }

  Status apply_one(const alter::AddColumn& op, const CharsetFn&) {
    if (column_index(t_, op.column.name)) {
      if (op.if_not_exists) return {};
      return fail(fmt::format("column `{}` already exists", op.column.name));
    }
    TRY_ASSIGN(TrackedColumn c, resolve(op.column));
    if (op.column.primary_key) TRY(set_primary_key({op.column.name}, /*adding=*/true, &c));
    TRY_ASSIGN(size_t at, insert_index(t_, op.position));
    t_.columns.insert(t_.columns.begin() + static_cast<std::ptrdiff_t>(at), c);
    refresh_flags();
    changes_.push_back(ColumnAdded{t_.name, t_.columns[at].def, predecessor(t_, at), op.column.default_value});
    return {};
  }

  Status apply_one(const alter::DropColumn& op, const CharsetFn&) {
    auto k = column_index(t_, op.name);
    if (!k) {
      if (op.if_exists) return {};
      return fail(fmt::format("cannot drop unknown column `{}`", op.name));
    }
    if (t_.columns.size() == 1) return fail("cannot drop the only column; use DROP TABLE");
    const std::string name = t_.columns[*k].def.name;
    t_.columns.erase(t_.columns.begin() + static_cast<std::ptrdiff_t>(*k));
    changes_.push_back(ColumnDropped{t_.name, name});
    // The server drops the column from every index; a primary key that loses all its columns is gone.
    auto before = t_.primary_key;
    std::erase_if(t_.primary_key, [&](const std::string& p) { return same_name(p, name); });
    if (before != t_.primary_key) changes_.push_back(PrimaryKeyChanged{t_.name, before, t_.primary_key});
    refresh_flags();
    return {};
  }

  Status apply_one(const alter::ModifyColumn& op, const CharsetFn&) {
    auto k = column_index(t_, op.old_name);
    if (!k) {
      if (op.if_exists) return {};
      return fail(fmt::format("unknown column `{}`", op.old_name));
    }
    if (!same_name(op.old_name, op.column.name) && column_index(t_, op.column.name)) {
      return fail(fmt::format("column `{}` already exists", op.column.name));
    }
    TrackedColumn old = t_.columns[*k];
    TRY_ASSIGN(TrackedColumn c, resolve(op.column));
    if (old.def.name != c.def.name) rename_in_key(old.def.name, c.def.name);
    if (op.column.primary_key) TRY(set_primary_key({c.def.name}, true, &c));
    enforce_key_not_null(c);
    c.def.in_primary_key = old.def.in_primary_key;
    t_.columns[*k] = c;
    if (old.def.name != c.def.name) changes_.push_back(ColumnRenamed{t_.name, old.def.name, c.def.name});
    refresh_flags();
    if (!same_definition(old.def, t_.columns[*k].def)) {
      ColumnDef before = old.def;
      before.name = c.def.name;
      changes_.push_back(ColumnModified{t_.name, before, t_.columns[*k].def});
    }
    if (op.position.kind != PositionKind::kLast) {
      TrackedColumn moving = t_.columns[*k];
      t_.columns.erase(t_.columns.begin() + static_cast<std::ptrdiff_t>(*k));
      auto at = insert_index(t_, op.position);
      if (!at.ok()) return std::move(at).error();
      t_.columns.insert(t_.columns.begin() + static_cast<std::ptrdiff_t>(*at), moving);
      if (*at != *k) changes_.push_back(ColumnMoved{t_.name, moving.def.name, predecessor(t_, *at)});
    }
    return {};
  }

  Status apply_one(const alter::RenameColumn& op, const CharsetFn&) {
    auto k = column_index(t_, op.from);
    if (!k) return fail(fmt::format("cannot rename unknown column `{}`", op.from));
    if (!same_name(op.from, op.to) && column_index(t_, op.to)) {
      return fail(fmt::format("column `{}` already exists", op.to));
    }
    const std::string from = t_.columns[*k].def.name;
    rename_in_key(from, op.to);
    t_.columns[*k].def.name = op.to;
    changes_.push_back(ColumnRenamed{t_.name, from, op.to});
    return {};
  }

  Status apply_one(const alter::AlterColumnDefault& op, const CharsetFn&) {
    if (!column_index(t_, op.column)) return fail(fmt::format("unknown column `{}`", op.column));
    return {};  // defaults are not part of row images
  }

  Status apply_one(const alter::AlterColumnVisibility& op, const CharsetFn&) {
    auto k = column_index(t_, op.column);
    if (!k) return fail(fmt::format("unknown column `{}`", op.column));
    ColumnDef before = t_.columns[*k].def;
    t_.columns[*k].def.visible = op.visible;
    if (!same_definition(before, t_.columns[*k].def))
      changes_.push_back(ColumnModified{t_.name, before, t_.columns[*k].def});
    return {};
  }

  Status apply_one(const alter::AddPrimaryKey& op, const CharsetFn&) {
    return set_primary_key(op.columns, true, nullptr);
  }

  Status apply_one(const alter::DropPrimaryKey&, const CharsetFn&) {
    if (t_.primary_key.empty()) return fail("DROP PRIMARY KEY on a table without one");
    changes_.push_back(PrimaryKeyChanged{t_.name, t_.primary_key, {}});
    t_.primary_key.clear();
    refresh_flags();
    return {};
  }

  Status apply_one(const alter::RenameTable& op, const CharsetFn&) {
    if (op.to == t_.name) return {};
    changes_.push_back(TableRenamed{t_.name, op.to});
    t_.name = op.to;
    return {};
  }

  Status apply_one(const alter::ConvertCharset& op, const CharsetFn& table_charset) {
    TRY_ASSIGN(CollationInfo coll, table_charset(op.charset));
    t_.default_collation = coll;
    const uint32_t to_width = max_bytes_per_char(coll.charset);
    for (auto& c : t_.columns) {
      if (c.collation.empty() || c.def.charset == Charset::kBinary) continue;
      auto from = find_collation(flavor_, c.collation);
      const uint32_t from_width = from ? max_bytes_per_char(from->charset) : 1;
      ColumnDef before = c.def;
      if (c.def.type == ColumnType::kString || c.def.type == ColumnType::kVarchar) {
        const uint64_t bytes = uint64_t{c.def.max_length} / from_width * to_width;
        if (bytes > 65535) {
          return make_error(ErrorCode::kUnsupported,
                            "{}: CONVERT TO {} makes column `{}` longer than 65535 bytes; the server turns it into a "
                            "TEXT type mysql2ch does not derive: refresh the table",
                            qualified(t_.name), coll.charset, c.def.name);
        }
        c.def.max_length = static_cast<uint32_t>(bytes);
      } else if (c.def.type == ColumnType::kBlob) {
        c.def.length_bytes = blob_length_bytes_for(blob_capacity(c.def.length_bytes) / from_width * to_width);
      }
      c.def.charset = charset_from_name(coll.charset);
      c.def.collation_id = coll.id;
      c.collation = coll.name;
      if (!same_definition(before, c.def)) changes_.push_back(ColumnModified{t_.name, before, c.def});
    }
    return {};
  }

  Status apply_one(const alter::SetTableCharset& op, const CharsetFn& table_charset) {
    TRY_ASSIGN(t_.default_collation, table_charset(op.charset));
    return {};
  }

  Status apply_one(const alter::RowsChangedOutsideBinlog& op, const CharsetFn&) {
    const std::string reason = fmt::format("ALTER TABLE … {} changes rows without row events", op.clause);
    changes_.push_back(TableNeedsRefresh{t_.name, reason});
    for (const auto& other : op.other_tables) changes_.push_back(TableNeedsRefresh{other, reason});
    return {};
  }

  Status set_primary_key(const std::vector<std::string>& columns, bool adding, TrackedColumn* pending) {
    if (adding && !t_.primary_key.empty()) return fail("Multiple primary key defined");
    std::vector<std::string> names;
    for (const auto& n : columns) {
      if (pending != nullptr && same_name(pending->def.name, n)) {
        names.push_back(pending->def.name);
        pending->def.nullable = false;
        continue;
      }
      auto k = column_index(t_, n);
      if (!k) return fail(fmt::format("PRIMARY KEY names unknown column `{}`", n));
      names.push_back(t_.columns[*k].def.name);
      if (t_.columns[*k].def.nullable) {
        ColumnDef before = t_.columns[*k].def;
        t_.columns[*k].def.nullable = false;
        changes_.push_back(ColumnModified{t_.name, before, t_.columns[*k].def});
      }
    }
    changes_.push_back(PrimaryKeyChanged{t_.name, t_.primary_key, names});
    t_.primary_key = std::move(names);
    refresh_flags();
    return {};
  }

  void rename_in_key(const std::string& from, const std::string& to) {
    for (auto& k : t_.primary_key) {
      if (same_name(k, from)) k = to;
    }
  }

  void refresh_flags() {
    for (auto& c : t_.columns) {
      c.def.in_primary_key = std::any_of(t_.primary_key.begin(), t_.primary_key.end(),
                                         [&](const std::string& k) { return same_name(k, c.def.name); });
      if (c.def.in_primary_key) c.def.nullable = false;
    }
  }

  Flavor flavor_;
  TrackedTable t_;
  std::vector<TableChange>& changes_;
};

}  // namespace

void TableCatalog::TrackedTable::refresh() {
  schema.database = name.database;
  schema.table = name.table;
  schema.column_names_known = true;
  schema.columns.clear();
  schema.primary_key.clear();
  for (const auto& c : columns) schema.columns.push_back(c.def);
  for (const auto& k : primary_key) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      if (same_name(schema.columns[i].name, k)) schema.primary_key.push_back(static_cast<uint32_t>(i));
    }
  }
  for (auto& c : schema.columns) c.in_primary_key = false;
  for (uint32_t i : schema.primary_key) schema.columns[i].in_primary_key = true;
}

Result<TableCatalog> TableCatalog::create(Flavor flavor, std::string_view server_collation) {
  auto coll = find_collation(flavor, server_collation);
  if (!coll) return make_error(ErrorCode::kInvalidArgument, "unknown server collation '{}'", server_collation);
  return TableCatalog(flavor, *coll);
}

Status TableCatalog::add_database(const std::string& name, std::string_view default_collation) {
  TRY(check_utf8("database name", name));
  auto coll = find_collation(flavor_, default_collation);
  if (!coll)
    return make_error(ErrorCode::kInvalidArgument, "database `{}`: unknown collation '{}'", name, default_collation);
  databases_[name] = *coll;
  return {};
}

Status TableCatalog::add_table(const TableSchema& schema, std::string_view default_collation,
                               const std::vector<std::string>& column_collations) {
  if (column_collations.size() != schema.columns.size()) {
    return make_error(ErrorCode::kInvalidArgument, "table `{}`.`{}`: {} collations for {} columns", schema.database,
                      schema.table, column_collations.size(), schema.columns.size());
  }
  auto coll = find_collation(flavor_, default_collation);
  if (!coll) {
    return make_error(ErrorCode::kInvalidArgument, "table `{}`.`{}`: unknown collation '{}'", schema.database,
                      schema.table, default_collation);
  }
  TrackedTable t;
  t.name = TableName{schema.database, schema.table};
  t.default_collation = *coll;
  for (size_t k = 0; k < schema.columns.size(); ++k) t.columns.push_back({schema.columns[k], column_collations[k]});
  for (uint32_t i : schema.primary_key) {
    if (i >= schema.columns.size())
      return make_error(ErrorCode::kInvalidArgument, "primary key column {} out of range", i);
    t.primary_key.push_back(schema.columns[i].name);
  }
  TRY(check_utf8(t));
  t.refresh();
  tables_[t.name] = std::move(t);
  return {};
}

const TableSchema* TableCatalog::find(const TableName& name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second.schema;
}

std::vector<TableName> TableCatalog::tables() const {
  std::vector<TableName> out;
  for (const auto& [name, t] : tables_) out.push_back(name);
  return out;
}

std::optional<std::string> TableCatalog::table_collation(const TableName& name) const {
  auto it = tables_.find(name);
  if (it == tables_.end()) return std::nullopt;
  return it->second.default_collation.name;
}

std::optional<std::string> TableCatalog::column_collation(const TableName& name, std::string_view column) const {
  auto it = tables_.find(name);
  if (it == tables_.end()) return std::nullopt;
  auto k = column_index(it->second, column);
  if (!k) return std::nullopt;
  return it->second.columns[*k].collation;
}

Result<CollationInfo> TableCatalog::database_collation(const std::string& database) const {
  auto it = databases_.find(database);
  if (it == databases_.end()) {
    return make_error(ErrorCode::kNotFound,
                      "database `{}` is not known to the schema history (it was not present at the start position "
                      "and no CREATE DATABASE was seen)",
                      database);
  }
  return it->second;
}

// Applies one SchemaChange; validation precedes every mutation so that errors leave the catalog unchanged.
class CatalogUpdate {
 public:
  explicit CatalogUpdate(TableCatalog& catalog) : c_(catalog) {}

  Result<std::vector<TableChange>> run(const SchemaChange& change) {
    TRY(std::visit([&](const auto& s) { return apply(s); }, change));
    return std::move(changes_);
  }

 private:
  Error not_found(const TableName& n) const {
    return make_error(ErrorCode::kNotFound,
                      "table {} is not known to the schema history; describe it from the server (or exclude it)",
                      qualified(n));
  }

  // A table's default collation from its CHARACTER SET/COLLATE, else the database's.
  Result<CollationInfo> table_charset(const CharsetSpec& spec, const std::string& database) {
    TRY_ASSIGN(CollationInfo db, c_.database_collation(database));
    return resolve_collation(c_.flavor_, spec, db);
  }

  Status apply(const CreateTable& s) {
    if (s.temporary) return {};  // temporary tables' rows are not in row events
    if (c_.tables_.count(s.name) != 0 && !s.or_replace) {
      if (s.if_not_exists) return {};
      return make_error(ErrorCode::kInvalidArgument, "CREATE TABLE {}: the table already exists", qualified(s.name));
    }
    TableCatalog::TrackedTable t;
    t.name = s.name;
    auto default_collation = table_charset(s.table_charset, s.name.database);
    if (!default_collation.ok()) return std::move(default_collation).error().context(qualified(s.name));
    t.default_collation = *default_collation;
    for (const auto& spec : s.columns) {
      if (column_index(t, spec.name)) {
        return make_error(ErrorCode::kInvalidArgument, "{}: duplicate column `{}`", qualified(s.name), spec.name);
      }
      auto r = resolve_column(c_.flavor_, spec, t.default_collation);
      if (!r.ok()) return std::move(r).error().context(qualified(s.name));
      t.columns.push_back({std::move(r->def), std::move(r->collation)});
    }
    for (const auto& k : s.primary_key) {
      auto i = column_index(t, k);
      if (!i)
        return make_error(ErrorCode::kInvalidArgument, "{}: PRIMARY KEY names unknown column `{}`", qualified(s.name),
                          k);
      t.primary_key.push_back(t.columns[*i].def.name);
      t.columns[*i].def.nullable = false;
    }
    TRY(check_utf8(t));
    t.refresh();
    if (c_.tables_.count(s.name) != 0) changes_.push_back(TableDropped{s.name});
    changes_.push_back(TableCreated{s.name, t.schema});
    c_.tables_[s.name] = std::move(t);
    return {};
  }

  Status apply(const CreateTableLike& s) {
    if (s.temporary) return {};
    auto src = c_.tables_.find(s.source);
    if (src == c_.tables_.end()) return not_found(s.source);
    if (c_.tables_.count(s.name) != 0 && !s.or_replace) {
      if (s.if_not_exists) return {};
      return make_error(ErrorCode::kInvalidArgument, "CREATE TABLE {}: the table already exists", qualified(s.name));
    }
    TableCatalog::TrackedTable t = src->second;
    t.name = s.name;
    TRY(check_utf8(t));
    t.refresh();
    if (c_.tables_.count(s.name) != 0) changes_.push_back(TableDropped{s.name});
    changes_.push_back(TableCreated{s.name, t.schema});
    c_.tables_[s.name] = std::move(t);
    return {};
  }

  Status apply(const NeedsRefresh& s) {
    for (const auto& n : s.tables) {
      c_.tables_.erase(n);
      changes_.push_back(TableNeedsRefresh{n, s.reason});
    }
    return {};
  }

  Status apply(const AlterTable& s) {
    auto it = c_.tables_.find(s.name);
    if (it == c_.tables_.end()) {
      if (s.if_exists) return {};
      return not_found(s.name);
    }
    AlterApplier applier(c_.flavor_, it->second, changes_);
    std::function<Result<CollationInfo>(const CharsetSpec&)> charset_fn = [&](const CharsetSpec& spec) {
      if (spec.charset == "default") return table_charset(CharsetSpec{}, applier.table().name.database);
      return table_charset(spec, applier.table().name.database);
    };
    for (const auto& op : s.ops) TRY(applier.apply(op, charset_fn));
    TableCatalog::TrackedTable result = std::move(applier.table());
    if (result.name != s.name && c_.tables_.count(result.name) != 0) {
      return make_error(ErrorCode::kInvalidArgument, "ALTER TABLE {} RENAME: {} already exists", qualified(s.name),
                        qualified(result.name));
    }
    TRY(check_utf8(result));
    result.refresh();
    c_.tables_.erase(it);
    c_.tables_[result.name] = std::move(result);
    return {};
  }

  Status apply(const RenameTables& s) {
    // Validate the whole chain first (a TO b, b TO c is legal), on names only.
    std::map<TableName, bool> present;
    auto exists = [&](const TableName& n) {
      auto p = present.find(n);
      return p != present.end() ? p->second : c_.tables_.count(n) != 0;
    };
    for (const auto& [from, to] : s.renames) {
      if (!exists(from)) {
        if (s.if_exists) continue;
        return not_found(from);
      }
      if (exists(to)) return make_error(ErrorCode::kInvalidArgument, "RENAME TABLE: {} already exists", qualified(to));
      TRY(check_utf8("database name", to.database));
      TRY(check_utf8("table name", to.table));
      present[from] = false;
      present[to] = true;
    }
    for (const auto& [from, to] : s.renames) {
      auto node = c_.tables_.extract(from);
      if (node.empty()) continue;
      node.key() = to;
      node.mapped().name = to;
      node.mapped().refresh();
      c_.tables_.insert(std::move(node));
      changes_.push_back(TableRenamed{from, to});
    }
    return {};
  }

  Status apply(const DropTables& s) {
    if (s.temporary) return {};
    for (const auto& n : s.tables) {
      // A table the catalog does not have is absent either way: nothing to drop.
      if (c_.tables_.erase(n) != 0) changes_.push_back(TableDropped{n});
    }
    return {};
  }

  Status apply(const TruncateTable& s) {
    if (c_.tables_.count(s.name) == 0) return not_found(s.name);
    changes_.push_back(TableTruncated{s.name});
    return {};
  }

  Status apply(const CreateDatabase& s) {
    if (c_.databases_.count(s.name) != 0 && !s.or_replace) {
      if (s.if_not_exists) return {};
      return make_error(ErrorCode::kInvalidArgument, "CREATE DATABASE `{}`: the database already exists", s.name);
    }
    TRY(check_utf8("database name", s.name));
    TRY_ASSIGN(CollationInfo coll, resolve_collation(c_.flavor_, s.charset, c_.server_collation_));
    if (s.or_replace) drop_database_tables(s.name);
    c_.databases_[s.name] = coll;
    return {};
  }

  Status apply(const AlterDatabase& s) {
    TRY_ASSIGN(CollationInfo current, c_.database_collation(s.name));
    if (s.charset.empty()) return {};
    TRY_ASSIGN(CollationInfo coll, resolve_collation(c_.flavor_, s.charset, current));
    c_.databases_[s.name] = coll;
    return {};
  }

  Status apply(const DropDatabase& s) {
    drop_database_tables(s.name);
    c_.databases_.erase(s.name);
    return {};
  }

  Status apply(const NoSchemaChange&) { return {}; }
  Status apply(const StatementDml&) { return {}; }

  void drop_database_tables(const std::string& database) {
    for (auto it = c_.tables_.begin(); it != c_.tables_.end();) {
      if (it->first.database == database) {
        changes_.push_back(TableDropped{it->first});
        it = c_.tables_.erase(it);
      } else {
        ++it;
      }
    }
  }

  TableCatalog& c_;
  std::vector<TableChange> changes_;
};

Result<std::vector<TableChange>> TableCatalog::apply(const SchemaChange& change) {
  return CatalogUpdate(*this).run(change);
}

}  // namespace mysql2ch::schema
