// Parser for the DDL statements of QUERY events: one statement in, one typed SchemaChange (ddl_statements.h) out.
//
// Recognizes CREATE TABLE (columns of every type with their attributes, keys and constraints, table options,
// … LIKE, … SELECT as NeedsRefresh), ALTER TABLE (column, key, charset, rename, option, ALGORITHM/LOCK and
// partition clauses, several per statement), RENAME TABLE, DROP TABLE, TRUNCATE, CREATE/ALTER/DROP DATABASE,
// and classifies other statements (indexes, views, routines, users, grants, transaction control) as
// NoSchemaChange and statement-logged DML as StatementDml.
//
// Errors: kInvalidArgument for text that is not a statement it knows, naming the byte offset and the text
// near it (`offset 31 near "FOO INT"`); kUnsupported for valid DDL whose effect on row images mysql2ch cannot
// model (e.g. system-versioned tables). Never reads outside `sql`; time and memory linear in its size.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "schema/charset_catalog.h"
#include "schema/ddl_statements.h"

namespace mysql2ch::schema {

struct ParseOptions {
  Flavor flavor = Flavor::kMySQL;
  uint32_t server_version = 0;       // major*10000 + minor*100 + patch: decides /*!NNNNN … */ comments
  bool ansi_quotes = false;          // sql_mode ANSI_QUOTES of the QUERY event
  bool no_backslash_escapes = false; // sql_mode NO_BACKSLASH_ESCAPES
  std::string default_database;      // the QUERY event's database; unqualified names resolve to it
};

Result<SchemaChange> parse_ddl(std::string_view sql, const ParseOptions& options);

}  // namespace mysql2ch::schema
