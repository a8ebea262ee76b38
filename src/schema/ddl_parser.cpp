#include "schema/ddl_parser.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "common/strings.h"
#include "schema/ddl_lexer.h"

namespace mysql2ch::schema {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    const auto x = static_cast<unsigned char>(a[k]), y = static_cast<unsigned char>(b[k]);
    if (std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> list) {
  return std::any_of(list.begin(), list.end(), [&](std::string_view k) { return iequals(word, k); });
}

// Table options that take a value (NAME [=] value); anything else where an option may stand is an error.
constexpr std::array<std::string_view, 40> kTableOptions = {"ENGINE",
                                                            "TYPE",
                                                            "AUTO_INCREMENT",
                                                            "AVG_ROW_LENGTH",
                                                            "CHECKSUM",
                                                            "TABLE_CHECKSUM",
                                                            "COMMENT",
                                                            "COMPRESSION",
                                                            "CONNECTION",
                                                            "DELAY_KEY_WRITE",
                                                            "ENCRYPTION",
                                                            "ENCRYPTED",
                                                            "ENCRYPTION_KEY_ID",
                                                            "IETF_QUOTES",
                                                            "INSERT_METHOD",
                                                            "KEY_BLOCK_SIZE",
                                                            "MAX_ROWS",
                                                            "MIN_ROWS",
                                                            "PACK_KEYS",
                                                            "PASSWORD",
                                                            "ROW_FORMAT",
                                                            "STATS_AUTO_RECALC",
                                                            "STATS_PERSISTENT",
                                                            "STATS_SAMPLE_PAGES",
                                                            "TABLESPACE",
                                                            "STORAGE",
                                                            "UNION",
                                                            "PAGE_CHECKSUM",
                                                            "PAGE_COMPRESSED",
                                                            "PAGE_COMPRESSION_LEVEL",
                                                            "TRANSACTIONAL",
                                                            "SEQUENCE",
                                                            "SECONDARY_ENGINE",
                                                            "SECONDARY_ENGINE_ATTRIBUTE",
                                                            "ENGINE_ATTRIBUTE",
                                                            "AUTOEXTEND_SIZE",
                                                            "STATS_PERSISTENT",
                                                            "ROW_FORMAT",
                                                            "DATA",
                                                            "INDEX"};

struct TypeWord {
  std::string_view word;
  std::string_view canonical;
};
constexpr TypeWord kTypeWords[] = {
    {"tinyint", "tinyint"},
    {"int1", "tinyint"},
    {"bool", "tinyint"},
    {"boolean", "tinyint"},
    {"smallint", "smallint"},
    {"int2", "smallint"},
    {"mediumint", "mediumint"},
    {"int3", "mediumint"},
    {"middleint", "mediumint"},
    {"int", "int"},
    {"integer", "int"},
    {"int4", "int"},
    {"bigint", "bigint"},
    {"int8", "bigint"},
    {"serial", "bigint"},
    {"float", "float"},
    {"float4", "float"},
    {"double", "double"},
    {"float8", "double"},
    {"real", "double"},
    {"decimal", "decimal"},
    {"dec", "decimal"},
    {"numeric", "decimal"},
    {"fixed", "decimal"},
    {"bit", "bit"},
    {"date", "date"},
    {"datetime", "datetime"},
    {"timestamp", "timestamp"},
    {"time", "time"},
    {"year", "year"},
    {"char", "char"},
    {"character", "char"},
    {"nchar", "char"},
    {"varchar", "varchar"},
    {"varcharacter", "varchar"},
    {"nvarchar", "varchar"},
    {"binary", "binary"},
    {"varbinary", "varbinary"},
    {"tinytext", "tinytext"},
    {"text", "text"},
    {"mediumtext", "mediumtext"},
    {"longtext", "longtext"},
    {"tinyblob", "tinyblob"},
    {"blob", "blob"},
    {"mediumblob", "mediumblob"},
    {"longblob", "longblob"},
    {"json", "json"},
    {"enum", "enum"},
    {"set", "set"},
    {"geometry", "geometry"},
    {"point", "point"},
    {"linestring", "linestring"},
    {"polygon", "polygon"},
    {"multipoint", "multipoint"},
    {"multilinestring", "multilinestring"},
    {"multipolygon", "multipolygon"},
    {"geometrycollection", "geometrycollection"},
    {"geomcollection", "geometrycollection"},
    {"vector", "vector"},
    {"long", "mediumtext"},
};

// The status of a Result whose value is not needed (a name that is parsed to be passed over).
template <typename T>
Status discard(Result<T> r) {
  if (!r.ok()) return std::move(r).error();
  return {};
}

class Parser {
 public:
  Parser(std::string_view sql, std::vector<Token> tokens, const ParseOptions& options)
      : sql_(sql), tokens_(std::move(tokens)), options_(options) {}

  Result<SchemaChange> statement() {
    if (at_end()) return SchemaChange{NoSchemaChange{"empty statement"}};
    if (peek().kind != TokenKind::kWord) return error("a statement keyword");
    const std::string verb = upper(peek().text);
    ++pos_;
    Result<SchemaChange> result = dispatch(verb);
    if (!result.ok()) return result;
    if (std::holds_alternative<NoSchemaChange>(*result) || std::holds_alternative<StatementDml>(*result) ||
        std::holds_alternative<NeedsRefresh>(*result)) {
      return result;
    }
    accept_symbol(";");
    if (!at_end()) return error("the end of the statement");
    return result;
  }

 private:
  // ---- token access -------------------------------------------------------------------------------------------
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  bool at_end() const {
    return peek().kind == TokenKind::kEnd ||
           (peek().text == ";" && peek(1).kind == TokenKind::kEnd && peek().kind == TokenKind::kSymbol);
  }
  bool at_kw(std::string_view kw, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.kind == TokenKind::kWord && iequals(t.text, kw);
  }
  bool accept_kw(std::string_view kw) {
    if (!at_kw(kw)) return false;
    ++pos_;
    return true;
  }
  Status expect_kw(std::string_view kw) {
    if (!accept_kw(kw)) return error(kw);
    return {};
  }
  bool at_symbol(std::string_view s, size_t ahead = 0) const {
    const Token& t = peek(ahead);
    return t.kind == TokenKind::kSymbol && t.text == s;
  }
  bool accept_symbol(std::string_view s) {
    if (!at_symbol(s)) return false;
    ++pos_;
    return true;
  }
  Status expect_symbol(std::string_view s) {
    if (!accept_symbol(s)) return error(fmt::format("\"{}\"", s));
    return {};
  }
  static std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  Error error(std::string_view expected) const {
    const Token& t = peek();
    if (t.kind == TokenKind::kEnd) {
      return make_error(ErrorCode::kInvalidArgument, "DDL offset {}: expected {} but the statement ends", t.offset,
                        expected);
    }
    return make_error(ErrorCode::kInvalidArgument, "DDL offset {} near \"{}\": expected {}", t.offset,
                      near_text(sql_, t.offset), expected);
  }
  Error unsupported(std::string_view what) const {
    return make_error(ErrorCode::kUnsupported, "DDL offset {} near \"{}\": {}", peek().offset,
                      near_text(sql_, peek().offset), what);
  }

  // ---- names and values ---------------------------------------------------------------------------------------
  Result<std::string> identifier(std::string_view what) {
    const Token& t = peek();
    if (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent) {
      ++pos_;
      return t.text;
    }
    return error(what);
  }

  Result<TableName> table_name() {
    TRY_ASSIGN(std::string first, identifier("a table name"));
    TableName name;
    if (accept_symbol(".")) {
      TRY_ASSIGN(name.table, identifier("a table name after the database name"));
      name.database = std::move(first);
    } else {
      name.table = std::move(first);
      if (options_.default_database.empty()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "DDL offset {}: table `{}` is not qualified and the statement has no default database",
                          peek().offset, name.table);
      }
      name.database = options_.default_database;
    }
    return name;
  }

  // A word, quoted name or string: charset and collation names, option values.
  Result<std::string> name_value(std::string_view what) {
    const Token& t = peek();
    if (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent || t.kind == TokenKind::kString) {
      ++pos_;
      return to_lower(t.text);
    }
    return error(what);
  }

  Result<uint32_t> number(std::string_view what) {
    const Token& t = peek();
    if (t.kind != TokenKind::kNumber) return error(what);
    const auto v = parse_uint(t.text);
    if (!v || *v > 0xFFFFFFFFu) return error(what);
    ++pos_;
    return static_cast<uint32_t>(*v);
  }

  // At "(": skips to the matching ")".
  Status skip_group() {
    const size_t open = peek().offset;
    TRY(expect_symbol("("));
    int depth = 1;
    while (depth > 0) {
      const Token& t = peek();
      if (t.kind == TokenKind::kEnd) {
        return make_error(ErrorCode::kInvalidArgument, "DDL offset {} near \"{}\": \"(\" is not closed", open,
                          near_text(sql_, open));
      }
      if (t.kind == TokenKind::kSymbol && t.text == "(") ++depth;
      if (t.kind == TokenKind::kSymbol && t.text == ")") --depth;
      ++pos_;
    }
    return {};
  }

  // Skips a clause whose content changes no column: up to a top-level "," or ")" or the end.
  Status skip_clause() {
    while (!at_end() && !at_symbol(",") && !at_symbol(")")) {
      if (at_symbol("(")) {
        TRY(skip_group());
      } else {
        ++pos_;
      }
    }
    return {};
  }

  // An expression's source text (DEFAULT values): terms joined by operators.
  Result<std::string> expression_text() {
    const size_t first = pos_;
    const size_t start = peek().offset;
    size_t end = start;
    while (true) {
      while (at_symbol("-") || at_symbol("+") || at_symbol("~") || at_symbol("!")) ++pos_;
      const Token& t = peek();
      if (at_symbol("(")) {
        TRY(skip_group());
      } else if (t.kind == TokenKind::kString || t.kind == TokenKind::kNumber || t.kind == TokenKind::kHexOrBit ||
                 t.kind == TokenKind::kQuotedIdent) {
        ++pos_;
      } else if (t.kind == TokenKind::kWord) {
        ++pos_;
        if (at_symbol("(")) TRY(skip_group());
      } else {
        return error("an expression");
      }
      end = tokens_[pos_ - 1].end;
      const Token& op = peek();
      const bool binary_op = op.kind == TokenKind::kSymbol &&
                             one_of(op.text, {"+", "-", "*", "/", "%", "|", "&", "^", "||", "&&", "<<", ">>"});
      if (!binary_op) break;
      ++pos_;
    }
    if (!options_.no_backslash_escapes) return std::string(sql_.substr(start, end - start));
    // Under NO_BACKSLASH_ESCAPES a backslash in a string stands for itself, while readers of the returned text
    // (column_default.h) take the server's default spelling, backslash escapes: the strings are written again in
    // that spelling from the lexer's unescaped text, so 'c:\dir' keeps its backslash.
    std::string out;
    size_t copied = start;
    for (size_t k = first; k < pos_ && tokens_[k].end <= end; ++k) {
      const Token& t = tokens_[k];
      if (t.kind != TokenKind::kString) continue;
      out.append(sql_.substr(copied, t.offset - copied));
      out.push_back('\'');
      for (const char ch : t.text) {
        if (ch == '\\' || ch == '\'') out.push_back('\\');
        out.push_back(ch);
      }
      out.push_back('\'');
      copied = t.end;
    }
    out.append(sql_.substr(copied, end - copied));
    return out;
  }

  // ---- dispatch -----------------------------------------------------------------------------------------------
  Result<SchemaChange> dispatch(const std::string& verb) {
    if (verb == "CREATE") return create();
    if (verb == "ALTER") return alter();
    if (verb == "DROP") return drop();
    if (verb == "RENAME") {
      if (at_kw("TABLE") || at_kw("TABLES")) {
        ++pos_;
        return rename_tables();
      }
      if (at_kw("USER")) return SchemaChange{NoSchemaChange{"RENAME USER"}};
      return error("TABLE or USER after RENAME");
    }
    if (verb == "TRUNCATE") {
      accept_kw("TABLE");
      TRY_ASSIGN(TableName name, table_name());
      skip_wait();
      return SchemaChange{TruncateTable{std::move(name)}};
    }
    if (one_of(verb, {"INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD", "CALL", "HANDLER", "IMPORT"})) {
      return SchemaChange{StatementDml{verb}};
    }
    if (one_of(verb, {"BEGIN",  "COMMIT", "ROLLBACK", "XA",       "SAVEPOINT", "RELEASE", "SET",     "GRANT",
                      "REVOKE", "FLUSH",  "ANALYZE",  "OPTIMIZE", "REPAIR",    "CHECK",   "INSTALL", "UNINSTALL",
                      "START",  "USE",    "DO",       "SELECT",   "LOCK",      "UNLOCK",  "RESET",   "PURGE",
                      "CHANGE", "STOP",   "KILL",     "SHOW",     "BACKUP"})) {
      return SchemaChange{NoSchemaChange{verb}};
    }
    return make_error(ErrorCode::kInvalidArgument, "DDL offset {} near \"{}\": unrecognized statement",
                      tokens_[0].offset, near_text(sql_, tokens_[0].offset));
  }

  Result<SchemaChange> create() {
    bool or_replace = false, temporary = false;
    if (accept_kw("OR")) {
      TRY(expect_kw("REPLACE"));
      or_replace = true;
    }
    if (accept_kw("TEMPORARY")) temporary = true;
    if (accept_kw("TABLE")) return create_table(temporary, or_replace);
    if (accept_kw("DATABASE") || accept_kw("SCHEMA")) return create_database(or_replace);
    if (peek().kind == TokenKind::kWord &&
        one_of(peek().text,
               {"INDEX",      "UNIQUE",    "FULLTEXT", "SPATIAL",   "VIEW",    "ALGORITHM", "DEFINER", "SQL",
                "TRIGGER",    "PROCEDURE", "FUNCTION", "AGGREGATE", "EVENT",   "USER",      "ROLE",    "SERVER",
                "TABLESPACE", "LOGFILE",   "RESOURCE", "SEQUENCE",  "PACKAGE", "UNDO",      "ONLINE",  "OFFLINE"})) {
      return SchemaChange{NoSchemaChange{"CREATE " + upper(peek().text)}};
    }
    return error("TABLE, DATABASE or another object kind after CREATE");
  }

  Result<SchemaChange> alter() {
    bool online = accept_kw("ONLINE") || accept_kw("OFFLINE");
    bool ignore = accept_kw("IGNORE");
    if (accept_kw("TABLE")) return alter_table();
    if (online || ignore) return error("TABLE");
    if (accept_kw("DATABASE") || accept_kw("SCHEMA")) return alter_database();
    if (peek().kind == TokenKind::kWord &&
        one_of(peek().text, {"VIEW", "ALGORITHM", "DEFINER", "SQL", "USER", "EVENT", "FUNCTION", "PROCEDURE", "SERVER",
                             "TABLESPACE", "LOGFILE", "INSTANCE", "RESOURCE", "UNDO", "SEQUENCE", "ROLE"})) {
      return SchemaChange{NoSchemaChange{"ALTER " + upper(peek().text)}};
    }
    return error("TABLE, DATABASE or another object kind after ALTER");
  }

  Result<SchemaChange> drop() {
    const bool temporary = accept_kw("TEMPORARY");
    if (accept_kw("TABLE") || accept_kw("TABLES")) return drop_tables(temporary);
    if (temporary) return error("TABLE");
    if (accept_kw("DATABASE") || accept_kw("SCHEMA")) {
      DropDatabase d;
      if (accept_kw("IF")) {
        TRY(expect_kw("EXISTS"));
        d.if_exists = true;
      }
      TRY_ASSIGN(d.name, identifier("a database name"));
      return SchemaChange{std::move(d)};
    }
    if (at_kw("INDEX") && names_primary(1)) {  // DROP INDEX `PRIMARY` ON t drops the primary key
      pos_ += 2;
      TRY(expect_kw("ON"));
      AlterTable at;
      TRY_ASSIGN(at.name, table_name());
      at.ops.push_back(alter::DropPrimaryKey{});
      while (!at_end()) {  // ALGORITHM / LOCK options
        TRY(discard(identifier("ALGORITHM or LOCK")));
        accept_symbol("=");
        TRY(discard(identifier("a value")));
      }
      return SchemaChange{std::move(at)};
    }
    if (peek().kind == TokenKind::kWord &&
        one_of(peek().text,
               {"INDEX", "VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "USER", "ROLE", "SERVER", "TABLESPACE",
                "LOGFILE", "RESOURCE", "SEQUENCE", "PACKAGE", "SPATIAL", "UNDO", "ONLINE", "OFFLINE"})) {
      return SchemaChange{NoSchemaChange{"DROP " + upper(peek().text)}};
    }
    return error("TABLE, DATABASE or another object kind after DROP");
  }

  void skip_wait() {
    if (accept_kw("NOWAIT")) return;
    if (at_kw("WAIT") && peek(1).kind == TokenKind::kNumber) pos_ += 2;
  }

  // ---- CREATE TABLE -------------------------------------------------------------------------------------------
  Result<SchemaChange> create_table(bool temporary, bool or_replace) {
    bool if_not_exists = false;
    if (accept_kw("IF")) {
      TRY(expect_kw("NOT"));
      TRY(expect_kw("EXISTS"));
      if_not_exists = true;
    }
    TRY_ASSIGN(TableName name, table_name());
    const bool paren_like = at_symbol("(") && at_kw("LIKE", 1);
    if (paren_like) ++pos_;
    if (accept_kw("LIKE")) {
      TRY_ASSIGN(TableName source, table_name());
      if (paren_like) TRY(expect_symbol(")"));
      return SchemaChange{CreateTableLike{std::move(name), std::move(source), temporary, if_not_exists, or_replace}};
    }
    CreateTable ct;
    ct.name = name;
    ct.temporary = temporary;
    ct.if_not_exists = if_not_exists;
    ct.or_replace = or_replace;
    if (at_symbol("(") && !at_kw("SELECT", 1) && !at_kw("WITH", 1) && !at_symbol("(", 1)) {
      ++pos_;
      while (true) {
        TRY(table_element(ct));
        if (accept_symbol(",")) continue;
        TRY(expect_symbol(")"));
        break;
      }
    }
    while (!at_end()) {
      if (at_kw("SELECT") || at_kw("AS") || at_kw("IGNORE") || at_kw("REPLACE") || at_kw("WITH") || at_symbol("(") ||
          at_kw("TABLE") || at_kw("VALUES")) {
        if (at_kw("WITH") && at_kw("SYSTEM", 1))
          return unsupported("system-versioned tables carry hidden row_start/row_end columns mysql2ch does not model");
        return SchemaChange{NeedsRefresh{{name}, "CREATE TABLE … SELECT: the columns come from the query"}};
      }
      if (at_kw("PARTITION")) {
        for (size_t k = pos_; tokens_[k].kind != TokenKind::kEnd; ++k) {
          if (tokens_[k].kind == TokenKind::kWord && iequals(tokens_[k].text, "SELECT")) {
            return SchemaChange{NeedsRefresh{{name}, "CREATE TABLE … SELECT: the columns come from the query"}};
          }
        }
        TRY(skip_clause());
        if (!at_end()) return error("the end of the partition clause");
        break;
      }
      if (accept_kw("START")) {
        TRY(expect_kw("TRANSACTION"));  // MySQL's atomic CREATE TABLE … SELECT logs its columns, then the rows
        continue;
      }
      TRY(table_option(ct.table_charset));
      accept_symbol(",");
    }
    if (ct.columns.empty()) return error("column definitions");
    for (const auto& c : ct.columns) {
      if (c.primary_key && ct.primary_key.empty()) ct.primary_key.push_back(c.name);
    }
    return SchemaChange{std::move(ct)};
  }

  Status table_element(CreateTable& ct) {
    if (accept_kw("CONSTRAINT")) {
      if (!at_kw("PRIMARY") && !at_kw("UNIQUE") && !at_kw("FOREIGN") && !at_kw("CHECK")) {
        TRY(discard(identifier("a constraint name")));
      }
      if (!at_kw("PRIMARY") && !at_kw("UNIQUE") && !at_kw("FOREIGN") && !at_kw("CHECK")) {
        return error("PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT");
      }
    }
    if (at_kw("PRIMARY")) {
      ++pos_;
      TRY(expect_kw("KEY"));
      TRY_ASSIGN(ct.primary_key, key_columns());
      return skip_clause();
    }
    if (peek().kind == TokenKind::kWord &&
        one_of(peek().text, {"UNIQUE", "KEY", "INDEX", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK", "PERIOD"})) {
      if (at_kw("PERIOD") && at_kw("FOR", 1) && at_kw("SYSTEM_TIME", 2)) {
        return unsupported("system-versioned tables carry hidden row_start/row_end columns mysql2ch does not model");
      }
      return skip_clause();
    }
    ColumnSpec c;
    TRY(column_definition(c));
    ct.columns.push_back(std::move(c));
    return {};
  }

  // [USING type] (col[(len)] [ASC|DESC], ...): the column names.
  Result<std::vector<std::string>> key_columns() {
    if (peek().kind != TokenKind::kSymbol) {  // optional index name, USING
      if (accept_kw("USING")) {
        TRY(discard(identifier("an index type")));
      } else if (!at_symbol("(")) {
        TRY(discard(identifier("an index name")));
        if (accept_kw("USING")) TRY(discard(identifier("an index type")));
      }
    }
    TRY(expect_symbol("("));
    std::vector<std::string> names;
    while (true) {
      if (at_symbol("(")) return unsupported("a primary key on an expression");
      TRY_ASSIGN(std::string col, identifier("a key column"));
      names.push_back(std::move(col));
      if (at_symbol("(")) TRY(skip_group());
      if (!accept_kw("ASC")) accept_kw("DESC");
      if (accept_symbol(",")) continue;
      TRY(expect_symbol(")"));
      break;
    }
    return names;
  }

  Status table_option(CharsetSpec& charset) {
    accept_kw("DEFAULT");
    if (accept_kw("CHARACTER") || (at_kw("CHAR") && at_kw("SET", 1) && (++pos_, true))) {
      TRY(expect_kw("SET"));
      accept_symbol("=");
      TRY_ASSIGN(std::string cs, name_value("a character set name"));
      if (cs != "default") charset = CharsetSpec{cs, {}};
      return {};
    }
    if (accept_kw("CHARSET")) {
      accept_symbol("=");
      TRY_ASSIGN(std::string cs, name_value("a character set name"));
      if (cs != "default") charset = CharsetSpec{cs, {}};
      return {};
    }
    if (accept_kw("COLLATE")) {
      accept_symbol("=");
      TRY_ASSIGN(std::string coll, name_value("a collation name"));
      if (coll != "default") charset.collation = coll;
      return {};
    }
    if (at_kw("WITH") && at_kw("SYSTEM", 1)) {
      return unsupported("system-versioned tables carry hidden row_start/row_end columns mysql2ch does not model");
    }
    if (peek().kind != TokenKind::kWord || std::none_of(kTableOptions.begin(), kTableOptions.end(),
                                                        [&](std::string_view o) { return iequals(peek().text, o); })) {
      return error("a table option");
    }
    const bool directory = at_kw("DATA") || at_kw("INDEX");
    ++pos_;
    if (directory) TRY(expect_kw("DIRECTORY"));
    accept_symbol("=");
    if (at_symbol("(")) return skip_group();
    const Token& v = peek();
    if (v.kind == TokenKind::kEnd || v.kind == TokenKind::kSymbol) return error("a table option value");
    ++pos_;
    return {};
  }

  // ---- columns ------------------------------------------------------------------------------------------------
  Status column_definition(ColumnSpec& c) {
    TRY_ASSIGN(c.name, identifier("a column name"));
    TRY(data_type(c));
    return column_attributes(c);
  }

  Status data_type(ColumnSpec& c) {
    if (peek().kind != TokenKind::kWord) return error("a data type");
    std::string word = to_lower(peek().text);
    const size_t type_offset = peek().offset;
    ++pos_;
    bool national = false;
    if (word == "national") {
      national = true;
      if (peek().kind != TokenKind::kWord) return error("CHAR or VARCHAR after NATIONAL");
      word = to_lower(peek().text);
      ++pos_;
    }
    if (word == "nchar" || word == "nvarchar") national = true;
    if (word == "double") accept_kw("PRECISION");
    if ((word == "char" || word == "character" || word == "nchar") && accept_kw("VARYING")) word = "varchar";
    if (word == "nchar" && accept_kw("VARCHAR")) word = "varchar";
    if (word == "long") {
      if (accept_kw("VARBINARY")) {
        word = "mediumblob";
      } else if (accept_kw("VARCHAR")) {
        word = "mediumtext";
      } else if ((at_kw("CHAR") || at_kw("CHARACTER")) && at_kw("VARYING", 1)) {
        pos_ += 2;
        word = "mediumtext";
      }
    }
    const TypeWord* found = nullptr;
    for (const auto& tw : kTypeWords) {
      if (tw.word == word) found = &tw;
    }
    if (found == nullptr) {
      if (word == "inet6" || word == "inet4" || word == "uuid" || word == "xmltype") {
        return make_error(ErrorCode::kUnsupported,
                          "DDL offset {}: column `{}` has MariaDB type {}, whose row image layout mysql2ch does not "
                          "model; exclude the table",
                          type_offset, c.name, upper(word));
      }
      pos_ -= 1;
      return error("a data type");
    }
    c.type = std::string(found->canonical);
    if (national) c.charset.charset = "utf8mb3";
    if (word == "bool" || word == "boolean") c.length = 1;
    if (word == "serial") {
      c.is_unsigned = true;
      c.nullable = false;
      c.auto_increment = true;
      c.unique_key = true;
    }
    if (c.type == "enum" || c.type == "set") {
      TRY(expect_symbol("("));
      while (true) {
        if (peek().kind != TokenKind::kString) return error("a quoted ENUM/SET value");
        std::string label = peek().text;
        while (!label.empty() && label.back() == ' ') label.pop_back();  // the server drops trailing spaces
        c.labels.push_back(std::move(label));
        ++pos_;
        if (accept_symbol(",")) continue;
        TRY(expect_symbol(")"));
        break;
      }
      return {};
    }
    if (accept_symbol("(")) {
      TRY_ASSIGN(c.length, number("a length"));
      if (accept_symbol(",")) {
        TRY_ASSIGN(c.scale, number("a scale"));
      }
      TRY(expect_symbol(")"));
    }
    return {};
  }

  Status column_attributes(ColumnSpec& c) {
    while (true) {
      if (at_end() || at_symbol(",") || at_symbol(")") || at_kw("FIRST") || at_kw("AFTER")) return {};
      if (accept_kw("NOT")) {
        if (accept_kw("NULL")) {
          c.nullable = false;
        } else if (!accept_kw("SECONDARY")) {
          return error("NULL after NOT");
        }
      } else if (accept_kw("NULL")) {
        c.nullable = true;
      } else if (accept_kw("DEFAULT")) {
        TRY_ASSIGN(c.default_value, expression_text());
      } else if (at_kw("ON") && at_kw("UPDATE", 1)) {
        pos_ += 2;
        TRY(discard(expression_text()));
      } else if (accept_kw("AUTO_INCREMENT")) {
        c.auto_increment = true;
      } else if (accept_kw("UNIQUE")) {
        accept_kw("KEY");
        c.unique_key = true;
      } else if (accept_kw("PRIMARY")) {
        TRY(expect_kw("KEY"));
        c.primary_key = true;
      } else if (accept_kw("KEY")) {
        c.primary_key = true;
      } else if (accept_kw("COMMENT")) {
        if (peek().kind != TokenKind::kString) return error("a quoted comment");
        c.comment = peek().text;
        ++pos_;
      } else if (accept_kw("COLLATE")) {
        TRY_ASSIGN(c.charset.collation, name_value("a collation name"));
      } else if (accept_kw("CHARSET") || ((at_kw("CHARACTER") || at_kw("CHAR")) && at_kw("SET", 1) && (pos_ += 2))) {
        TRY_ASSIGN(c.charset.charset, name_value("a character set name"));
      } else if (accept_kw("BINARY")) {
        c.binary_collation = true;
      } else if (accept_kw("ASCII")) {
        c.charset.charset = "latin1";
      } else if (accept_kw("UNICODE")) {
        c.charset.charset = "ucs2";
      } else if (accept_kw("BYTE")) {
        c.charset.charset = "binary";
      } else if (accept_kw("UNSIGNED")) {
        c.is_unsigned = true;
      } else if (accept_kw("SIGNED")) {
        c.is_unsigned = false;
      } else if (accept_kw("ZEROFILL")) {
        c.zerofill = true;
        c.is_unsigned = true;
      } else if (accept_kw("GENERATED")) {
        TRY(expect_kw("ALWAYS"));
        if (at_kw("AS") && (at_kw("ROW", 1))) {
          return unsupported("system-versioned tables carry hidden row_start/row_end columns mysql2ch does not model");
        }
        TRY(expect_kw("AS"));
        TRY(skip_group());
        c.generated = Generated::kVirtual;
      } else if (accept_kw("AS")) {
        if (at_kw("ROW"))
          return unsupported("system-versioned tables carry row_start/row_end columns mysql2ch does not model");
        TRY(skip_group());
        c.generated = Generated::kVirtual;
      } else if (accept_kw("VIRTUAL")) {
        c.generated = Generated::kVirtual;
      } else if (accept_kw("STORED") || accept_kw("PERSISTENT")) {
        c.generated = Generated::kStored;
      } else if (accept_kw("INVISIBLE")) {
        c.invisible = true;
      } else if (accept_kw("VISIBLE")) {
        c.invisible = false;
      } else if (accept_kw("COLUMN_FORMAT") || accept_kw("STORAGE")) {
        TRY(discard(identifier("a value")));
      } else if (accept_kw("CONSTRAINT")) {
        if (!at_kw("CHECK")) TRY(discard(identifier("a constraint name")));
      } else if (accept_kw("CHECK")) {
        TRY(skip_group());
        if (accept_kw("NOT")) {
          TRY(expect_kw("ENFORCED"));
        } else {
          accept_kw("ENFORCED");
        }
      } else if (accept_kw("REFERENCES")) {
        TRY(discard(table_name()));
        if (at_symbol("(")) TRY(skip_group());
        TRY(references_tail());
      } else if (accept_kw("SRID") || accept_kw("REF_SYSTEM_ID")) {
        accept_symbol("=");
        TRY(discard(number("a number")));
      } else if (accept_kw("ENGINE_ATTRIBUTE") || accept_kw("SECONDARY_ENGINE_ATTRIBUTE")) {
        accept_symbol("=");
        if (peek().kind != TokenKind::kString) return error("a quoted attribute");
        ++pos_;
      } else if (accept_kw("COMPRESSED")) {
        if (accept_symbol("=")) TRY(discard(identifier("a compression method")));
      } else if (accept_kw("WITHOUT")) {
        TRY(expect_kw("SYSTEM"));
        TRY(expect_kw("VERSIONING"));
      } else if (at_kw("WITH") && at_kw("SYSTEM", 1)) {
        return unsupported("system-versioned columns are not modelled");
      } else {
        return error("a column attribute");
      }
    }
  }

  Status references_tail() {
    while (true) {
      if (accept_kw("MATCH")) {
        TRY(discard(identifier("FULL, PARTIAL or SIMPLE")));
      } else if (at_kw("ON") && (at_kw("DELETE", 1) || at_kw("UPDATE", 1))) {
        pos_ += 2;
        if (accept_kw("SET")) {
          if (!accept_kw("NULL")) TRY(expect_kw("DEFAULT"));
        } else if (accept_kw("NO")) {
          TRY(expect_kw("ACTION"));
        } else if (!accept_kw("RESTRICT") && !accept_kw("CASCADE")) {
          return error("a referential action");
        }
      } else {
        return {};
      }
    }
  }

  Result<ColumnPosition> position() {
    ColumnPosition p;
    if (accept_kw("FIRST")) {
      p.kind = PositionKind::kFirst;
    } else if (accept_kw("AFTER")) {
      p.kind = PositionKind::kAfter;
      TRY_ASSIGN(p.after, identifier("a column name after AFTER"));
    }
    return p;
  }

  // ---- ALTER TABLE --------------------------------------------------------------------------------------------
  Result<SchemaChange> alter_table() {
    AlterTable at;
    if (accept_kw("IF")) {
      TRY(expect_kw("EXISTS"));
      at.if_exists = true;
    }
    TRY_ASSIGN(at.name, table_name());
    skip_wait();
    while (!at_end()) {
      TRY(alter_spec(at));
      accept_symbol(",");
    }
    return SchemaChange{std::move(at)};
  }

  bool accept_if_exists() {
    if (at_kw("IF") && at_kw("EXISTS", 1)) {
      pos_ += 2;
      return true;
    }
    return false;
  }
  bool accept_if_not_exists() {
    if (at_kw("IF") && at_kw("NOT", 1) && at_kw("EXISTS", 2)) {
      pos_ += 3;
      return true;
    }
    return false;
  }

  void rows_changed(AlterTable& at, std::string clause) {
    at.ops.push_back(alter::RowsChangedOutsideBinlog{std::move(clause), {}});
  }

  Status alter_spec(AlterTable& at) {
    if (peek().kind != TokenKind::kWord) return error("an ALTER TABLE clause");
    const std::string word = upper(peek().text);
    if (word == "ADD") {
      ++pos_;
      if (at_kw("PARTITION")) return skip_clause();
      const bool column_kw = accept_kw("COLUMN");
      if (!column_kw && peek().kind == TokenKind::kWord &&
          one_of(peek().text, {"CONSTRAINT", "PRIMARY", "UNIQUE", "KEY", "INDEX", "FULLTEXT", "SPATIAL", "FOREIGN",
                               "CHECK", "PERIOD", "SYSTEM"})) {
        if (at_kw("SYSTEM") || at_kw("PERIOD")) return unsupported("system versioning is not modelled");
        if (accept_kw("CONSTRAINT")) {
          if (!at_kw("PRIMARY") && !at_kw("UNIQUE") && !at_kw("FOREIGN") && !at_kw("CHECK")) {
            accept_if_not_exists();
            TRY(discard(identifier("a constraint name")));
          }
        }
        if (accept_kw("PRIMARY")) {
          TRY(expect_kw("KEY"));
          alter::AddPrimaryKey pk;
          TRY_ASSIGN(pk.columns, key_columns());
          at.ops.push_back(std::move(pk));
        }
        return skip_clause();
      }
      const bool if_not_exists = accept_if_not_exists();
      if (accept_symbol("(")) {
        while (true) {
          alter::AddColumn add;
          add.if_not_exists = if_not_exists;
          TRY(column_definition(add.column));
          at.ops.push_back(std::move(add));
          if (accept_symbol(",")) continue;
          TRY(expect_symbol(")"));
          return {};
        }
      }
      alter::AddColumn add;
      add.if_not_exists = if_not_exists;
      TRY(column_definition(add.column));
      TRY_ASSIGN(add.position, position());
      at.ops.push_back(std::move(add));
      return {};
    }
    if (word == "DROP") {
      ++pos_;
      if (accept_kw("PRIMARY")) {
        TRY(expect_kw("KEY"));
        at.ops.push_back(alter::DropPrimaryKey{});
        return {};
      }
      if (at_kw("PARTITION")) {
        rows_changed(at, "DROP PARTITION");
        return partition_list();
      }
      if (at_kw("SYSTEM") || at_kw("PERIOD")) return unsupported("system versioning is not modelled");
      if ((at_kw("INDEX") || at_kw("KEY")) && names_primary(1)) {  // DROP INDEX `PRIMARY` drops the primary key
        pos_ += 2;
        at.ops.push_back(alter::DropPrimaryKey{});
        return {};
      }
      if (peek().kind == TokenKind::kWord && one_of(peek().text, {"INDEX", "KEY", "FOREIGN", "CHECK", "CONSTRAINT"}) &&
          !at_symbol(",", 1) && !at_end_after(1)) {
        return skip_clause();
      }
      accept_kw("COLUMN");
      alter::DropColumn d;
      d.if_exists = accept_if_exists();
      TRY_ASSIGN(d.name, identifier("a column name"));
      accept_kw("RESTRICT") || accept_kw("CASCADE");
      at.ops.push_back(std::move(d));
      return {};
    }
    if (word == "MODIFY" || word == "CHANGE") {
      ++pos_;
      accept_kw("COLUMN");
      alter::ModifyColumn m;
      m.if_exists = accept_if_exists();
      if (word == "CHANGE") {
        TRY_ASSIGN(m.old_name, identifier("the column name to change"));
      }
      TRY(column_definition(m.column));
      if (word == "MODIFY") m.old_name = m.column.name;
      TRY_ASSIGN(m.position, position());
      at.ops.push_back(std::move(m));
      return {};
    }
    if (word == "ALTER") {
      ++pos_;
      if (peek().kind == TokenKind::kWord && one_of(peek().text, {"INDEX", "KEY", "CHECK", "CONSTRAINT"}) &&
          !at_kw("SET", 2) && !at_kw("DROP", 2)) {
        return skip_clause();
      }
      accept_kw("COLUMN");
      accept_if_exists();
      TRY_ASSIGN(std::string column, identifier("a column name"));
      if (accept_kw("SET")) {
        if (accept_kw("DEFAULT")) {
          TRY_ASSIGN(std::string value, expression_text());
          at.ops.push_back(alter::AlterColumnDefault{std::move(column), std::move(value)});
        } else if (accept_kw("VISIBLE")) {
          at.ops.push_back(alter::AlterColumnVisibility{std::move(column), true});
        } else if (accept_kw("INVISIBLE")) {
          at.ops.push_back(alter::AlterColumnVisibility{std::move(column), false});
        } else {
          return error("DEFAULT, VISIBLE or INVISIBLE after SET");
        }
        return {};
      }
      TRY(expect_kw("DROP"));
      TRY(expect_kw("DEFAULT"));
      at.ops.push_back(alter::AlterColumnDefault{std::move(column), std::nullopt});
      return {};
    }
    if (word == "RENAME") {
      ++pos_;
      if (accept_kw("COLUMN")) {
        alter::RenameColumn r;
        TRY_ASSIGN(r.from, identifier("a column name"));
        TRY(expect_kw("TO"));
        TRY_ASSIGN(r.to, identifier("the new column name"));
        at.ops.push_back(std::move(r));
        return {};
      }
      if ((at_kw("INDEX") || at_kw("KEY")) && at_kw("TO", 2)) return skip_clause();
      if (!accept_kw("TO") && !accept_kw("AS")) accept_symbol("=");
      alter::RenameTable r;
      TRY_ASSIGN(r.to, table_name());
      at.ops.push_back(std::move(r));
      return {};
    }
    if (word == "CONVERT") {
      ++pos_;
      if (at_kw("PARTITION") || at_kw("TABLE")) {
        rows_changed(at, "CONVERT " + upper(peek().text));
        return skip_clause();
      }
      TRY(expect_kw("TO"));
      alter::ConvertCharset cc;
      if (accept_kw("CHARSET")) {
      } else if (accept_kw("CHARACTER") || accept_kw("CHAR")) {
        TRY(expect_kw("SET"));
      } else {
        return error("CHARACTER SET after CONVERT TO");
      }
      TRY_ASSIGN(cc.charset.charset, name_value("a character set name"));
      if (accept_kw("COLLATE")) {
        TRY_ASSIGN(cc.charset.collation, name_value("a collation name"));
      }
      at.ops.push_back(std::move(cc));
      return {};
    }
    if (word == "DEFAULT" || word == "CHARACTER" || word == "CHARSET" || word == "COLLATE" ||
        (word == "CHAR" && at_kw("SET", 1))) {
      CharsetSpec spec;
      TRY(table_option(spec));
      // "DEFAULT CHARSET=x COLLATE=y" arrives as two options; merge into the previous one.
      if (!at.ops.empty() && std::holds_alternative<alter::SetTableCharset>(at.ops.back()) && spec.charset.empty()) {
        std::get<alter::SetTableCharset>(at.ops.back()).charset.collation = spec.collation;
      } else {
        at.ops.push_back(alter::SetTableCharset{std::move(spec)});
      }
      return {};
    }
    if (word == "ALGORITHM" || word == "LOCK") {
      ++pos_;
      accept_symbol("=");
      TRY(discard(identifier("a value")));
      return {};
    }
    if (word == "FORCE" || word == "ENABLE" || word == "DISABLE" || word == "ORDER" || word == "WITH" ||
        word == "WITHOUT" || word == "UPGRADE" || word == "REMOVE" || word == "COALESCE" || word == "REORGANIZE" ||
        word == "SECONDARY_LOAD" || word == "SECONDARY_UNLOAD") {
      if (word == "WITH" && at_kw("SYSTEM", 1)) return unsupported("system versioning is not modelled");
      return skip_clause();
    }
    if ((word == "ANALYZE" || word == "CHECK" || word == "OPTIMIZE" || word == "REBUILD" || word == "REPAIR" ||
         word == "DISCARD") &&
        at_kw("PARTITION", 1)) {
      ++pos_;
      return partition_list();
    }
    if (word == "PARTITION") {  // PARTITION BY … re-partitions the rows it has: no row changes
      while (!at_end()) {
        if (at_symbol("(")) {
          TRY(skip_group());
        } else {
          ++pos_;
        }
      }
      return {};
    }
    if (word == "TRUNCATE") {
      ++pos_;
      rows_changed(at, "TRUNCATE PARTITION");
      return partition_list();
    }
    if (word == "EXCHANGE") {
      ++pos_;
      TRY(expect_kw("PARTITION"));
      TRY(discard(identifier("a partition name")));
      TRY(expect_kw("WITH"));
      TRY(expect_kw("TABLE"));
      TRY_ASSIGN(TableName other, table_name());
      at.ops.push_back(alter::RowsChangedOutsideBinlog{"EXCHANGE PARTITION", {std::move(other)}});
      return skip_clause();
    }
    if (word == "DISCARD") return skip_clause();
    if (word == "IMPORT") {
      ++pos_;
      rows_changed(at, "IMPORT TABLESPACE");
      if (at_kw("PARTITION")) return partition_list();
      return skip_clause();
    }
    CharsetSpec ignored;
    const size_t mark = pos_;
    Status option = table_option(ignored);
    if (!option.ok()) {
      pos_ = mark;
      return error("an ALTER TABLE clause");
    }
    return {};
  }

  // At PARTITION: ALL or a comma-separated list of names, then the rest of the clause (TABLESPACE).
  Status partition_list() {
    TRY(expect_kw("PARTITION"));
    while (true) {
      TRY(discard(identifier("a partition name")));
      if (!(at_symbol(",") && (peek(1).kind == TokenKind::kQuotedIdent ||
                               (peek(1).kind == TokenKind::kWord && !is_alter_verb(peek(1).text))))) {
        break;
      }
      ++pos_;
    }
    return skip_clause();
  }

  // Words that start an ALTER TABLE clause (so "DROP PARTITION p1, ADD c INT" ends the partition list at ADD).
  static bool is_alter_verb(std::string_view w) {
    return one_of(
        w, {"ADD",       "DROP",     "MODIFY",         "CHANGE",    "ALTER",     "RENAME",   "CONVERT",    "DEFAULT",
            "CHARACTER", "CHARSET",  "COLLATE",        "ALGORITHM", "LOCK",      "FORCE",    "ENABLE",     "DISABLE",
            "ORDER",     "WITH",     "WITHOUT",        "TRUNCATE",  "EXCHANGE",  "COALESCE", "REORGANIZE", "ANALYZE",
            "CHECK",     "OPTIMIZE", "REBUILD",        "REPAIR",    "DISCARD",   "IMPORT",   "PARTITION",  "REMOVE",
            "UPGRADE",   "ENGINE",   "AUTO_INCREMENT", "COMMENT",   "ROW_FORMAT"});
  }

  bool names_primary(size_t ahead) const {
    const Token& t = peek(ahead);
    return (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent) && iequals(t.text, "PRIMARY");
  }

  bool at_end_after(size_t ahead) const { return peek(ahead).kind == TokenKind::kEnd; }

  // ---- RENAME / DROP ------------------------------------------------------------------------------------------
  Result<SchemaChange> rename_tables() {
    RenameTables r;
    r.if_exists = accept_if_exists();
    while (true) {
      TRY_ASSIGN(TableName from, table_name());
      TRY(expect_kw("TO"));
      TRY_ASSIGN(TableName to, table_name());
      r.renames.emplace_back(std::move(from), std::move(to));
      if (!accept_symbol(",")) break;
    }
    skip_wait();
    return SchemaChange{std::move(r)};
  }

  Result<SchemaChange> drop_tables(bool temporary) {
    DropTables d;
    d.temporary = temporary;
    d.if_exists = accept_if_exists();
    while (true) {
      TRY_ASSIGN(TableName name, table_name());
      d.tables.push_back(std::move(name));
      if (!accept_symbol(",")) break;
    }
    skip_wait();
    if (!accept_kw("RESTRICT")) accept_kw("CASCADE");
    return SchemaChange{std::move(d)};
  }

  // ---- databases ----------------------------------------------------------------------------------------------
  Status database_options(CharsetSpec& charset) {
    while (!at_end()) {
      accept_kw("DEFAULT");
      if (accept_kw("CHARACTER") || accept_kw("CHAR")) {
        TRY(expect_kw("SET"));
        accept_symbol("=");
        TRY_ASSIGN(charset.charset, name_value("a character set name"));
      } else if (accept_kw("CHARSET")) {
        accept_symbol("=");
        TRY_ASSIGN(charset.charset, name_value("a character set name"));
      } else if (accept_kw("COLLATE")) {
        accept_symbol("=");
        TRY_ASSIGN(charset.collation, name_value("a collation name"));
      } else if (accept_kw("ENCRYPTION") || accept_kw("COMMENT")) {
        accept_symbol("=");
        if (peek().kind != TokenKind::kString) return error("a quoted value");
        ++pos_;
      } else if (accept_kw("READ")) {
        TRY(expect_kw("ONLY"));
        accept_symbol("=");
        if (!accept_kw("DEFAULT")) TRY(discard(number("0 or 1")));
      } else {
        return error("a database option");
      }
    }
    return {};
  }

  Result<SchemaChange> create_database(bool or_replace) {
    CreateDatabase d;
    d.or_replace = or_replace;
    d.if_not_exists = accept_if_not_exists();
    TRY_ASSIGN(d.name, identifier("a database name"));
    TRY(database_options(d.charset));
    return SchemaChange{std::move(d)};
  }

  Result<SchemaChange> alter_database() {
    AlterDatabase d;
    const bool option_first =
        peek().kind == TokenKind::kWord &&
        one_of(peek().text, {"DEFAULT", "CHARACTER", "CHARSET", "COLLATE", "ENCRYPTION", "READ"}) &&
        !at_kw("UPGRADE", 1);
    if (option_first) {
      if (options_.default_database.empty()) return error("a database name (the statement has no default database)");
      d.name = options_.default_database;
    } else {
      TRY_ASSIGN(d.name, identifier("a database name"));
    }
    if (accept_kw("UPGRADE")) return SchemaChange{NoSchemaChange{"ALTER DATABASE UPGRADE"}};
    TRY(database_options(d.charset));
    return SchemaChange{std::move(d)};
  }

  std::string_view sql_;
  std::vector<Token> tokens_;
  const ParseOptions& options_;
  size_t pos_ = 0;
};

}  // namespace

Result<SchemaChange> parse_ddl(std::string_view sql, const ParseOptions& options) {
  LexOptions lex{options.flavor, options.server_version, options.ansi_quotes, options.no_backslash_escapes};
  TRY_ASSIGN(std::vector<Token> tokens, tokenize(sql, lex));
  return Parser(sql, std::move(tokens), options).statement();
}

}  // namespace mysql2ch::schema
