#include "schema/table_change.h"

#include <fmt/format.h>

namespace mysql2ch::schema {
namespace {

std::string name(const TableName& t) { return t.database + "." + t.table; }

template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

std::string describe(const TableChange& change) {
  return std::visit(
      Overloaded{
          [](const TableCreated& c) { return fmt::format("TableCreated {} ({} columns)", name(c.table), c.schema.columns.size()); },
          [](const TableDropped& c) { return fmt::format("TableDropped {}", name(c.table)); },
          [](const TableRenamed& c) { return fmt::format("TableRenamed {} to {}", name(c.from), name(c.to)); },
          [](const TableTruncated& c) { return fmt::format("TableTruncated {}", name(c.table)); },
          [](const TableNeedsRefresh& c) { return fmt::format("TableNeedsRefresh {}: {}", name(c.table), c.reason); },
          [](const ColumnAdded& c) {
            return fmt::format("ColumnAdded {}.{} {}", name(c.table), c.column.name,
                               c.after ? "after " + *c.after : std::string("first"));
          },
          [](const ColumnDropped& c) { return fmt::format("ColumnDropped {}.{}", name(c.table), c.column); },
          [](const ColumnRenamed& c) { return fmt::format("ColumnRenamed {}.{} to {}", name(c.table), c.from, c.to); },
          [](const ColumnModified& c) {
            return fmt::format("ColumnModified {}.{} {} to {}", name(c.table), c.after.name,
                               column_type_name(c.before.type), column_type_name(c.after.type));
          },
          [](const ColumnMoved& c) {
            return fmt::format("ColumnMoved {}.{} {}", name(c.table), c.column,
                               c.after ? "after " + *c.after : std::string("first"));
          },
          [](const PrimaryKeyChanged& c) {
            return fmt::format("PrimaryKeyChanged {} ({}) to ({})", name(c.table), fmt::join(c.before, ","),
                               fmt::join(c.after, ","));
          },
      },
      change);
}

}  // namespace mysql2ch::schema
