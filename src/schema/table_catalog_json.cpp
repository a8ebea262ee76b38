// TableCatalog <-> JSON, the form persisted with checkpoints. Layout (format 1):
// {"format":1, "flavor":"mysql"|"mariadb", "server_collation":"…", "position":"…",
//  "databases":[{"name":"…","collation":"…"}],
//  "tables":[{"database":"…","table":"…","collation":"…","primary_key":["…"],
//             "columns":[{"name":"…","type":<ColumnType code>,"unsigned":b,"nullable":b,"visible":b,
//                         "collation":"…","collation_id":n,"charset":"…","fsp":n,"precision":n,"scale":n,
//                         "max_length":n,"length_bytes":n,"geometry_type":n,"labels":["…"]}]}]}
#include <nlohmann/json.hpp>

#include "schema/table_catalog.h"

namespace mysql2ch::schema {
namespace {

constexpr int kFormat = 1;

Charset charset_from_json(const std::string& name) {
  for (auto c : {Charset::kUnknown, Charset::kBinary, Charset::kUtf8mb4, Charset::kUtf8mb3, Charset::kAscii,
                 Charset::kLatin1, Charset::kUnsupported}) {
    if (charset_name(c) == name) return c;
  }
  throw std::invalid_argument("unknown charset '" + name + "'");
}

nlohmann::json column_to_json(const TableCatalog::TrackedColumn& c) {
  const ColumnDef& d = c.def;
  return {{"name", d.name},
          {"type", static_cast<int>(d.type)},
          {"unsigned", d.is_unsigned},
          {"nullable", d.nullable},
          {"visible", d.visible},
          {"collation", c.collation},
          {"collation_id", d.collation_id},
          {"charset", std::string(charset_name(d.charset))},
          {"fsp", d.fsp},
          {"precision", d.precision},
          {"scale", d.scale},
          {"max_length", d.max_length},
          {"length_bytes", d.length_bytes},
          {"geometry_type", d.geometry_type},
          {"labels", d.labels}};
}

TableCatalog::TrackedColumn column_from_json(const nlohmann::json& j) {
  TableCatalog::TrackedColumn c;
  ColumnDef& d = c.def;
  d.name = j.at("name").get<std::string>();
  const int type = j.at("type").get<int>();
  if (type < 0 || type > 255 || column_type_name(static_cast<ColumnType>(type)) == "UNKNOWN_TYPE") {
    throw std::invalid_argument("column '" + d.name + "': unknown type code " + std::to_string(type));
  }
  d.type = static_cast<ColumnType>(type);
  d.is_unsigned = j.at("unsigned").get<bool>();
  d.nullable = j.at("nullable").get<bool>();
  d.visible = j.at("visible").get<bool>();
  c.collation = j.at("collation").get<std::string>();
  d.collation_id = j.at("collation_id").get<uint32_t>();
  d.charset = charset_from_json(j.at("charset").get<std::string>());
  d.fsp = j.at("fsp").get<uint8_t>();
  d.precision = j.at("precision").get<uint8_t>();
  d.scale = j.at("scale").get<uint8_t>();
  d.max_length = j.at("max_length").get<uint32_t>();
  d.length_bytes = j.at("length_bytes").get<uint8_t>();
  d.geometry_type = j.at("geometry_type").get<uint32_t>();
  d.labels = j.at("labels").get<std::vector<std::string>>();
  return c;
}

std::string flavor_name(Flavor f) { return f == Flavor::kMySQL ? "mysql" : "mariadb"; }

}  // namespace

nlohmann::json TableCatalog::to_json() const {
  nlohmann::json dbs = nlohmann::json::array();
  for (const auto& [name, coll] : databases_) dbs.push_back({{"name", name}, {"collation", coll.name}});
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& [name, t] : tables_) {
    nlohmann::json cols = nlohmann::json::array();
    for (const auto& c : t.columns) cols.push_back(column_to_json(c));
    tables.push_back({{"database", name.database},
                      {"table", name.table},
                      {"collation", t.default_collation.name},
                      {"primary_key", t.primary_key},
                      {"columns", std::move(cols)}});
  }
  return {{"format", kFormat},
          {"flavor", flavor_name(flavor_)},
          {"server_collation", server_collation_.name},
          {"position", position_},
          {"databases", std::move(dbs)},
          {"tables", std::move(tables)}};
}

Result<TableCatalog> TableCatalog::from_json(const nlohmann::json& json) {
  try {
    if (json.at("format").get<int>() != kFormat) {
      return make_error(ErrorCode::kCorrupt, "schema history format {} (this build reads {})", json.at("format").dump(),
                        kFormat);
    }
    const std::string flavor = json.at("flavor").get<std::string>();
    if (flavor != "mysql" && flavor != "mariadb") return make_error(ErrorCode::kCorrupt, "schema history flavor '{}'", flavor);
    auto catalog = create(flavor == "mysql" ? Flavor::kMySQL : Flavor::kMariaDB,
                          json.at("server_collation").get<std::string>());
    if (!catalog.ok()) return std::move(catalog).error().context("schema history");
    TableCatalog c = std::move(catalog).value();
    c.position_ = json.at("position").get<std::string>();
    for (const auto& d : json.at("databases")) {
      auto st = c.add_database(d.at("name").get<std::string>(), d.at("collation").get<std::string>());
      if (!st.ok()) return std::move(st).error().context("schema history");
    }
    for (const auto& tj : json.at("tables")) {
      TrackedTable t;
      t.name = TableName{tj.at("database").get<std::string>(), tj.at("table").get<std::string>()};
      auto coll = find_collation(c.flavor_, tj.at("collation").get<std::string>());
      if (!coll) return make_error(ErrorCode::kCorrupt, "schema history: table {}.{}: unknown collation", t.name.database, t.name.table);
      t.default_collation = *coll;
      for (const auto& cj : tj.at("columns")) t.columns.push_back(column_from_json(cj));
      t.primary_key = tj.at("primary_key").get<std::vector<std::string>>();
      for (const auto& k : t.primary_key) {
        bool found = false;
        for (const auto& col : t.columns) found = found || col.def.name == k;
        if (!found) {
          return make_error(ErrorCode::kCorrupt, "schema history: table {}.{}: primary key column '{}' is not a column",
                            t.name.database, t.name.table, k);
        }
      }
      t.refresh();
      c.tables_[t.name] = std::move(t);
    }
    return c;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kCorrupt, "schema history JSON: {}", e.what());
  }
}

}  // namespace mysql2ch::schema
