#include "pipeline/schema_ddl_handler.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "common/strings.h"
#include "schema/ddl_parser.h"
#include "schema/value_json.h"

namespace mysql2ch::pipeline {
namespace {

using schema::TableName;

constexpr uint64_t kModeAnsiQuotes = 4;  // sql_mode bit MODE_ANSI_QUOTES
constexpr uint64_t kModeNoBackslashEscapes =
    1u << 20;  // sql_mode bit MODE_NO_BACKSLASH_ESCAPES (1u << 21 is STRICT_TRANS_TABLES)

std::string qualified(const TableName& n) {
  return n.database + "." + n.table;
}

// The statement as UTF-8, from the character_set_client the QUERY event names.
Result<std::string> statement_utf8(const binlog::QueryEvent& q) {
  schema::Charset charset = schema::Charset::kUtf8mb4;
  if (q.client_charset) charset = schema::charset_of_collation(*q.client_charset);
  if (charset == schema::Charset::kBinary) return std::string(q.query);
  std::string out;
  Status st = schema::append_utf8(q.query, charset, out);
  if (!st.ok()) {
    return std::move(st).error().context(fmt::format("converting the statement from character_set_client {} ({})",
                                                     q.client_charset.value_or(0), schema::charset_name(charset)));
  }
  return out;
}

// The tables a statement reads or changes, as the parser resolved their names.
std::vector<TableName> statement_tables(const schema::SchemaChange& change, const schema::TableCatalog& catalog) {
  std::vector<TableName> out;
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, schema::CreateTable> || std::is_same_v<T, schema::TruncateTable>) {
          out.push_back(s.name);
        } else if constexpr (std::is_same_v<T, schema::CreateTableLike>) {
          out.push_back(s.name);
          out.push_back(s.source);
        } else if constexpr (std::is_same_v<T, schema::NeedsRefresh> || std::is_same_v<T, schema::DropTables>) {
          out = s.tables;
        } else if constexpr (std::is_same_v<T, schema::AlterTable>) {
          out.push_back(s.name);
          for (const auto& op : s.ops) {
            if (const auto* r = std::get_if<schema::alter::RenameTable>(&op)) out.push_back(r->to);
            if (const auto* p = std::get_if<schema::alter::RowsChangedOutsideBinlog>(&op)) {
              out.insert(out.end(), p->other_tables.begin(), p->other_tables.end());
            }
          }
        } else if constexpr (std::is_same_v<T, schema::RenameTables>) {
          for (const auto& [from, to] : s.renames) {
            out.push_back(from);
            out.push_back(to);
          }
        } else if constexpr (std::is_same_v<T, schema::DropDatabase>) {
          for (const auto& t : catalog.tables()) {
            if (t.database == s.name) out.push_back(t);
          }
        }
      },
      change);
  return out;
}

// A table as the destination has it between the changes of one statement: columns and the key by name.
struct WorkingTable {
  schema::TableSchema schema;
  std::vector<std::string> key;

  static WorkingTable of(const schema::TableSchema& s) {
    WorkingTable w{s, {}};
    for (uint32_t k : s.primary_key) w.key.push_back(s.columns[k].name);
    return w;
  }
  std::optional<size_t> index(std::string_view name) const {
    for (size_t k = 0; k < schema.columns.size(); ++k) {
      if (to_lower(schema.columns[k].name) == to_lower(name)) return k;
    }
    return std::nullopt;
  }
  void rekey() {
    schema.primary_key.clear();
    for (auto& c : schema.columns) c.in_primary_key = false;
    for (const auto& n : key) {
      if (auto k = index(n)) {
        schema.primary_key.push_back(static_cast<uint32_t>(*k));
        schema.columns[*k].in_primary_key = true;
      }
    }
  }
};

Error needs_resnapshot(const TableName& table, std::string_view change, std::string_view why,
                       const std::string& where) {
  return make_error(ErrorCode::kUnsupported,
                    "DDL at {}: {} on {}: {}. The mirror of {} can no longer be kept exact from the binlog: "
                    "re-snapshot the table (drop its destination table and its snapshot state, then run sync "
                    "again)",
                    where, change, qualified(table), why, qualified(table));
}

}  // namespace

TrackingDdlHandler::TrackingDdlHandler(SchemaTracker& tracker, ClickHouseSchemaApplier& destination,
                                       TableBatches& batches, TableFilter& filter, UnparseableDdl on_unparseable)
    : tracker_(tracker),
      destination_(destination),
      batches_(batches),
      filter_(filter),
      on_unparseable_(on_unparseable) {}

Result<schema::TableSchema> TrackingDdlHandler::rows_schema(const schema::TableSchema& table_map,
                                                            const std::string& where) {
  return tracker_.rows_schema(table_map, where);
}

bool TrackingDdlHandler::names_selected_table(std::string_view statement, const std::string& database) {
  // Without a parse, a selected table is named if its name occurs as a word of the statement and it is in the
  // statement's database or qualified with its own.
  const std::string text(statement);
  const auto is_word = [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
  };
  for (const auto& t : tracker_.catalog().tables()) {
    if (!filter_.selected(t.database, t.table)) continue;
    if (t.database != database && text.find(t.database) == std::string::npos) continue;
    for (size_t at = text.find(t.table); at != std::string::npos; at = text.find(t.table, at + 1)) {
      const bool starts = at == 0 || !is_word(text[at - 1]);
      const size_t end = at + t.table.size();
      const bool ends = end >= text.size() || !is_word(text[end]);
      if (starts && ends) return true;
    }
  }
  return false;
}

Status TrackingDdlHandler::refuse_or_skip(const Error& error, std::string_view statement, const std::string& where,
                                          const std::vector<std::string>& selected) {
  const std::string tables =
      selected.empty() ? std::string("a selected table") : fmt::format("{}", fmt::join(selected, ", "));
  if (on_unparseable_ == UnparseableDdl::kSkip) {
    spdlog::warn(
        "SKIPPING DDL at {} on {} (pipeline.on_unparseable_ddl: skip): {}. Statement: {}. If it changed columns, "
        "the table's next rows will stop the stream and the table must be re-snapshotted",
        where, tables, error.message(), statement.substr(0, 1000));
    return {};
  }
  return make_error(ErrorCode::kUnsupported,
                    "DDL at {} on {} cannot be applied exactly: {}. Statement: {}. To go on, re-snapshot the table "
                    "after removing it from the stream, or set pipeline.on_unparseable_ddl: skip to ignore this "
                    "statement (only safe if it does not change the table's columns)",
                    where, tables, error.message(), statement.substr(0, 1000));
}

Result<bool> TrackingDdlHandler::on_ddl(const binlog::QueryEvent& q, const std::string& where,
                                        const CheckpointHere& checkpoint_here) {
  const std::string database(q.database);
  auto text = statement_utf8(q);
  if (!text.ok()) {
    if (!names_selected_table(q.query, database)) {
      spdlog::debug("ignoring DDL at {} (names no selected table): {}", where, text.error().message());
      return false;
    }
    TRY(refuse_or_skip(text.error(), q.query, where, {}));
    return false;
  }
  schema::ParseOptions options;
  options.flavor = tracker_.catalog().flavor();
  options.server_version = tracker_.server_version();
  options.ansi_quotes = q.sql_mode && (*q.sql_mode & kModeAnsiQuotes) != 0;
  options.no_backslash_escapes = q.sql_mode && (*q.sql_mode & kModeNoBackslashEscapes) != 0;
  options.default_database = database;
  auto parsed = schema::parse_ddl(*text, options);
  if (!parsed.ok()) {
    if (!names_selected_table(*text, database)) {
      spdlog::debug("ignoring DDL at {} (names no selected table, not parsed: {}): {}", where, parsed.error().message(),
                    text->substr(0, 300));
      return false;
    }
    TRY(refuse_or_skip(parsed.error(), *text, where, {}));
    return false;
  }
  std::vector<std::string> selected;
  for (const auto& t : statement_tables(*parsed, tracker_.catalog())) {
    if (filter_.selected(t.database, t.table)) selected.push_back(qualified(t));
  }
  schema::TableCatalog next = tracker_.catalog();
  auto changes = next.apply(*parsed);
  if (!changes.ok()) {
    if (selected.empty()) {
      spdlog::debug("ignoring DDL at {} on unselected tables ({}): {}", where, changes.error().message(),
                    text->substr(0, 300));
      return false;
    }
    TRY(refuse_or_skip(changes.error(), *text, where, selected));
    return false;
  }
  // The selected tables this statement changes in the destination (a rename names both).
  std::vector<TableName> changed;
  const auto note = [&](const TableName& t) {
    if (filter_.selected(t.database, t.table) && std::find(changed.begin(), changed.end(), t) == changed.end()) {
      changed.push_back(t);
    }
  };
  for (const auto& change : *changes) {
    std::visit(
        [&](const auto& c) {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, schema::TableRenamed>) {
            note(c.from);
            note(c.to);
          } else {
            note(c.table);
          }
        },
        change);
  }
  // TRUNCATE changes rows only (see the header): the history and its checkpoints stay as they are.
  const bool rows_only = std::holds_alternative<schema::TruncateTable>(*parsed);
  if (!changed.empty()) {
    spdlog::info("DDL at {}: {}", where, text->substr(0, 300));
    // A restart after an interruption below replays this statement (not the rows before it) from here.
    if (!rows_only) TRY(checkpoint_here(changed));
    TRY(apply_changes(*changes, tracker_.catalog(), where,
                      schema::StatementClock{q.time_zone, q.start_seconds, q.start_microseconds}));
  }
  if (rows_only) return false;
  next.set_position(where);
  tracker_.replace(std::move(next));
  return true;
}

Status TrackingDdlHandler::apply_changes(const std::vector<schema::TableChange>& changes,
                                         const schema::TableCatalog& before, const std::string& where,
                                         const schema::StatementClock& statement) {
  std::map<TableName, WorkingTable> working;
  const auto table = [&](const TableName& name) -> Result<WorkingTable*> {
    auto it = working.find(name);
    if (it == working.end()) {
      const schema::TableSchema* s = before.find(name);
      if (s == nullptr) {
        return make_error(ErrorCode::kInternal, "DDL at {}: table {} changed before it was known", where,
                          qualified(name));
      }
      it = working.emplace(name, WorkingTable::of(*s)).first;
    }
    return &it->second;
  };
  // A destination outage stalls the statement until the destination answers (or the stream is stopped); each
  // applier step checks what the destination already has, so repeating it after a failure is safe.
  const auto retried = [&](const std::function<Status()>& step) {
    return batches_.with_retry("applying DDL to the destination", step);
  };
  const auto context = [&](Status st, const TableName& name, const std::string& change) -> Status {
    if (st.ok()) return st;
    if (st.error().code() == ErrorCode::kUnsupported) {
      return needs_resnapshot(name, change, st.error().message(), where);
    }
    return std::move(st).error().context(fmt::format("DDL at {}: {} on {}", where, change, qualified(name)));
  };

  for (const auto& change : changes) {
    const std::string what = schema::describe(change);
    spdlog::debug("DDL at {}: {}", where, what);
    if (const auto* c = std::get_if<schema::TableCreated>(&change)) {
      working.insert_or_assign(c->table, WorkingTable::of(c->schema));
      if (filter_.selected(c->table.database, c->table.table)) {
        batches_.forget(c->table.database, c->table.table);
        TRY(context(retried([&] { return destination_.create_table(c->schema); }), c->table, "CREATE TABLE"));
        if (on_target_created_) TRY(on_target_created_(c->schema, nullptr));
      }
      continue;
    }
    if (const auto* c = std::get_if<schema::TableRenamed>(&change)) {
      TRY_ASSIGN(WorkingTable * w, table(c->from));
      WorkingTable moved = *w;
      working.erase(c->from);
      moved.schema.database = c->to.database;
      moved.schema.table = c->to.table;
      const bool from_selected = filter_.selected(c->from.database, c->from.table);
      const bool to_selected = filter_.selected(c->to.database, c->to.table);
      batches_.forget(c->from.database, c->from.table);
      batches_.forget(c->to.database, c->to.table);
      if (from_selected && to_selected) {
        schema::TableSchema from_schema = moved.schema;
        from_schema.database = c->from.database;
        from_schema.table = c->from.table;
        TRY(context(retried([&] { return destination_.rename_table(from_schema, moved.schema); }), c->from,
                    "RENAME TABLE"));
        if (on_target_created_) TRY(on_target_created_(moved.schema, &c->from));
      } else if (from_selected) {
        spdlog::info("DDL at {}: {} left the selection ({}): its destination table is dropped", where,
                     qualified(c->from), qualified(c->to));
        TRY(context(retried([&] { return destination_.drop_table(c->from.database, c->from.table); }), c->from,
                    "RENAME TABLE"));
      } else if (to_selected) {
        return needs_resnapshot(c->to, "RENAME TABLE " + qualified(c->from) + " TO " + qualified(c->to),
                                "the table enters the selection with rows the mirror never copied", where);
      }
      working.insert_or_assign(c->to, std::move(moved));
      continue;
    }
    // Every other change names one table; unselected ones only matter to the history.
    const TableName name = std::visit(
        [](const auto& c) -> TableName {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, schema::TableRenamed>) {
            return c.to;
          } else {
            return c.table;
          }
        },
        change);
    if (!filter_.selected(name.database, name.table)) continue;
    if (const auto* c = std::get_if<schema::TableDropped>(&change)) {
      working.erase(c->table);
      batches_.forget(c->table.database, c->table.table);
      TRY(context(retried([&] { return destination_.drop_table(c->table.database, c->table.table); }), c->table,
                  "DROP TABLE"));
      continue;
    }
    if (const auto* c = std::get_if<schema::TableTruncated>(&change)) {
      TRY(batches_.truncate(c->table.database, c->table.table));
      continue;
    }
    if (const auto* c = std::get_if<schema::TableNeedsRefresh>(&change)) {
      return needs_resnapshot(c->table, "the statement", c->reason, where);
    }
    if (const auto* c = std::get_if<schema::PrimaryKeyChanged>(&change)) {
      return needs_resnapshot(
          c->table, fmt::format("PRIMARY KEY ({}) → ({})", fmt::join(c->before, ", "), fmt::join(c->after, ", ")),
          "the destination's sort key (ORDER BY) is the primary key and cannot change in place", where);
    }
    TRY_ASSIGN(WorkingTable * w, table(name));
    batches_.forget(name.database, name.table);
    const WorkingTable previous = *w;
    if (const auto* added = std::get_if<schema::ColumnAdded>(&change)) {
      size_t at = 0;
      if (added->after) {
        auto k = w->index(*added->after);
        if (!k) return make_error(ErrorCode::kInternal, "DDL at {}: {}: no column `{}`", where, what, *added->after);
        at = *k + 1;
      }
      w->schema.columns.insert(w->schema.columns.begin() + static_cast<std::ptrdiff_t>(at), added->column);
      w->rekey();
      TRY(context(retried([&] { return destination_.add_column(w->schema, at, added->default_value, statement); }),
                  name,
                  fmt::format("ADD COLUMN `{}`{}", added->column.name,
                              added->default_value ? " DEFAULT " + *added->default_value : "")));
    } else if (const auto* dropped = std::get_if<schema::ColumnDropped>(&change)) {
      auto k = w->index(dropped->column);
      if (!k) return make_error(ErrorCode::kInternal, "DDL at {}: {}: no such column", where, what);
      w->schema.columns.erase(w->schema.columns.begin() + static_cast<std::ptrdiff_t>(*k));
      w->rekey();
      TRY(context(retried([&] {
                    return destination_.drop_column(previous.schema, w->schema, previous.schema.columns[*k].name);
                  }),
                  name, fmt::format("DROP COLUMN `{}`", dropped->column)));
    } else if (const auto* renamed = std::get_if<schema::ColumnRenamed>(&change)) {
      auto k = w->index(renamed->from);
      if (!k) return make_error(ErrorCode::kInternal, "DDL at {}: {}: no such column", where, what);
      w->schema.columns[*k].name = renamed->to;
      for (auto& key : w->key) {
        if (to_lower(key) == to_lower(renamed->from)) key = renamed->to;
      }
      w->rekey();
      TRY(context(retried([&] {
                    return destination_.rename_column(previous.schema, w->schema, previous.schema.columns[*k].name, *k);
                  }),
                  name, fmt::format("RENAME COLUMN `{}` TO `{}`", renamed->from, renamed->to)));
    } else if (const auto* modified = std::get_if<schema::ColumnModified>(&change)) {
      auto k = w->index(modified->after.name);
      if (!k) return make_error(ErrorCode::kInternal, "DDL at {}: {}: no such column", where, what);
      w->schema.columns[*k] = modified->after;
      w->rekey();
      TRY(context(retried([&] { return destination_.modify_column(previous.schema, w->schema, *k); }), name,
                  fmt::format("MODIFY COLUMN `{}`", modified->after.name)));
    } else if (const auto* moved_column = std::get_if<schema::ColumnMoved>(&change)) {
      // The destination's column order does not matter (rows are inserted by column name); the working copy
      // follows the source so later changes find their predecessors.
      auto k = w->index(moved_column->column);
      if (!k) return make_error(ErrorCode::kInternal, "DDL at {}: {}: no such column", where, what);
      schema::ColumnDef moving = w->schema.columns[*k];
      w->schema.columns.erase(w->schema.columns.begin() + static_cast<std::ptrdiff_t>(*k));
      size_t at = 0;
      if (moved_column->after) {
        auto p = w->index(*moved_column->after);
        if (!p)
          return make_error(ErrorCode::kInternal, "DDL at {}: {}: no column `{}`", where, what, *moved_column->after);
        at = *p + 1;
      }
      w->schema.columns.insert(w->schema.columns.begin() + static_cast<std::ptrdiff_t>(at), moving);
      w->rekey();
    }
  }
  return {};
}

}  // namespace mysql2ch::pipeline
