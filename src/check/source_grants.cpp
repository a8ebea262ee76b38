#include "check/source_grants.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace mysql2ch {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

// Position of `word` (matched case-insensitively) in `text` at or after `from`, outside `...`, '...' and
// (...); npos when absent.
size_t find_outside_quotes(std::string_view text, std::string_view word, size_t from = 0) {
  char quote = 0;
  int depth = 0;
  for (size_t i = from; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '`' || c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && upper(text.substr(i, word.size())) == word) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = find_outside_quotes(text, ",", start);
    const std::string_view part = trim(text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string unquote_identifier(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '`' || s.back() != '`') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    out += s[i];
    if (s[i] == '`' && s[i + 1] == '`') ++i;
  }
  return out;
}

PrivilegeGrant parse_scope(std::string_view scope) {
  PrivilegeGrant g;
  scope = trim(scope);
  if (scope == "*.*") {
    g.level = GrantLevel::kGlobal;
    return g;
  }
  const size_t dot = find_outside_quotes(scope, ".");
  if (dot == std::string_view::npos || find_outside_quotes(scope, " ") != std::string_view::npos) return g;
  g.database = unquote_identifier(scope.substr(0, dot));
  const std::string_view table = scope.substr(dot + 1);
  if (table == "*") {
    g.level = GrantLevel::kDatabase;
  } else {
    g.level = GrantLevel::kTable;
    g.table = unquote_identifier(table);
  }
  return g;
}

bool has_privilege(const PrivilegeGrant& g, std::string_view name) {
  for (const auto& p : g.privileges) {
    if (p == name || p == "ALL" || p == "ALL PRIVILEGES") return true;
  }
  return false;
}

// The names under which a server lists a privilege mysql2ch needs.
std::vector<std::string_view> spellings(std::string_view privilege, ServerFlavor flavor) {
  if (privilege == "REPLICATION SLAVE") return {"REPLICATION SLAVE", "REPLICATION REPLICA"};
  if (privilege == "REPLICATION CLIENT" && flavor == ServerFlavor::kMariaDB) {
    return {"REPLICATION CLIENT", "BINLOG MONITOR"};
  }
  return {privilege};
}

bool has_global(const AccountGrants& grants, std::string_view privilege, ServerFlavor flavor) {
  for (const auto& g : grants.grants) {
    if (g.level != GrantLevel::kGlobal) continue;
    for (auto name : spellings(privilege, flavor)) {
      if (has_privilege(g, name)) return true;
    }
  }
  return false;
}

}  // namespace

AccountGrants parse_grants(const std::vector<std::string>& lines) {
  AccountGrants out;
  for (const auto& raw : lines) {
    const std::string_view line = trim(raw);
    if (upper(line.substr(0, 6)) != "GRANT ") continue;
    const size_t to = find_outside_quotes(line, " TO ", 6);
    if (to == std::string_view::npos) continue;
    const size_t on = find_outside_quotes(line.substr(0, to), " ON ", 6);
    if (on == std::string_view::npos) {  // GRANT role[, role] TO account
      for (auto& role : split_list(line.substr(6, to - 6))) out.roles.push_back(std::move(role));
      continue;
    }
    PrivilegeGrant g = parse_scope(line.substr(on + 4, to - on - 4));
    for (const auto& p : split_list(line.substr(6, on - 6))) g.privileges.push_back(upper(p));
    out.grants.push_back(std::move(g));
  }
  return out;
}

void merge_grants(AccountGrants& into, const AccountGrants& more) {
  into.grants.insert(into.grants.end(), more.grants.begin(), more.grants.end());
  for (const auto& role : more.roles) {
    if (std::find(into.roles.begin(), into.roles.end(), role) == into.roles.end()) into.roles.push_back(role);
  }
}

std::vector<std::string> missing_global_privileges(const AccountGrants& grants, ServerFlavor flavor) {
  std::vector<std::string> missing;
  for (const char* p : {"RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "REPLICATION CLIENT"}) {
    if (!has_global(grants, p, flavor)) missing.emplace_back(p);
  }
  return missing;
}

bool can_select(const AccountGrants& grants, std::string_view database, std::string_view table) {
  for (const auto& g : grants.grants) {
    if (!has_privilege(g, "SELECT")) continue;
    switch (g.level) {
      case GrantLevel::kGlobal: return true;
      case GrantLevel::kDatabase:
        if (grant_pattern_match(g.database, database)) return true;
        break;
      case GrantLevel::kTable:
        if (g.database == database && g.table == table) return true;
        break;
      case GrantLevel::kOther: break;
    }
  }
  return false;
}

std::string grant_statement(std::string_view privilege, std::string_view account, ServerFlavor flavor) {
  const std::string_view name =
      privilege == "REPLICATION CLIENT" && flavor == ServerFlavor::kMariaDB ? "BINLOG MONITOR" : privilege;
  return fmt::format("GRANT {} ON *.* TO {};", name, account);
}

std::string account_literal(std::string_view current_user) {
  const size_t at = current_user.rfind('@');
  const std::string_view user = current_user.substr(0, at);
  const std::string_view host = at == std::string_view::npos ? "%" : current_user.substr(at + 1);
  return fmt::format("'{}'@'{}'", user, host);
}

CheckItem evaluate_privileges(const AccountGrants& grants, ServerFlavor flavor, const std::string& account,
                              const std::vector<std::pair<std::string, std::string>>& selected,
                              const std::vector<std::string>& inactive_roles) {
  const std::string title = "privileges of the source user";
  std::vector<std::string> missing = missing_global_privileges(grants, flavor);
  std::vector<std::string> fixes;
  for (const auto& p : missing) fixes.push_back(grant_statement(p, account, flavor));
  std::vector<std::string> no_select_dbs;
  size_t no_select_tables = 0;
  for (const auto& [db, table] : selected) {
    if (can_select(grants, db, table)) continue;
    ++no_select_tables;
    if (std::find(no_select_dbs.begin(), no_select_dbs.end(), db) == no_select_dbs.end()) no_select_dbs.push_back(db);
  }
  for (const auto& db : no_select_dbs) {
    std::string quoted = "`";
    for (char c : db) quoted += c == '`' ? std::string("``") : std::string(1, c);
    fixes.push_back(fmt::format("GRANT SELECT ON {}`.* TO {};", quoted, account));
  }
  if (no_select_tables > 0)
    missing.push_back(fmt::format("SELECT on {} selected table{}", no_select_tables, no_select_tables == 1 ? "" : "s"));
  const std::string via = grants.roles.empty() ? "" : fmt::format(" (roles: {})", fmt::join(grants.roles, ", "));
  if (missing.empty()) {
    const char* client = flavor == ServerFlavor::kMariaDB ? "BINLOG MONITOR" : "REPLICATION CLIENT";
    return {"source.privileges",
            CheckState::kPass,
            title,
            fmt::format("{} has SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, {}{}", account, client, via),
            {}};
  }
  std::string found = fmt::format("{} lacks {}{}", account, fmt::join(missing, ", "), via);
  std::string fix;
  if (!inactive_roles.empty()) {
    found += fmt::format("; granted but inactive at login: {}", fmt::join(inactive_roles, ", "));
    fix = flavor == ServerFlavor::kMariaDB
              ? fmt::format("SET DEFAULT ROLE {} FOR {};\n", inactive_roles.front(), account)
              : fmt::format("SET DEFAULT ROLE ALL TO {};\n", account);
  }
  fix += fmt::format("{}", fmt::join(fixes, "\n"));
  return {"source.privileges", CheckState::kFail, title, std::move(found), std::move(fix)};
}

bool grant_pattern_match(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return name.empty();
  const char p = pattern.front();
  if (p == '%') {
    for (size_t skip = 0; skip <= name.size(); ++skip) {
      if (grant_pattern_match(pattern.substr(1), name.substr(skip))) return true;
    }
    return false;
  }
  if (name.empty()) return false;
  if (p == '\\' && pattern.size() > 1) {
    return pattern[1] == name.front() && grant_pattern_match(pattern.substr(2), name.substr(1));
  }
  if (p == '_' || p == name.front()) return grant_pattern_match(pattern.substr(1), name.substr(1));
  return false;
}

}  // namespace mysql2ch
