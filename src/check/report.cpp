#include "check/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace mysql2ch {
namespace {

const char* mark(CheckState s) {
  switch (s) {
    case CheckState::kPass: return "✔";
    case CheckState::kFail: return "✘";
    case CheckState::kWarn: return "!";
    case CheckState::kInfo: return "·";
  }
  return "?";
}

const char* state_name(CheckState s) {
  switch (s) {
    case CheckState::kPass: return "pass";
    case CheckState::kFail: return "fail";
    case CheckState::kWarn: return "warn";
    case CheckState::kInfo: return "info";
  }
  return "?";
}

}  // namespace

void CheckReport::pass(std::string id, std::string title, std::string found) {
  add({std::move(id), CheckState::kPass, std::move(title), std::move(found), {}});
}
void CheckReport::fail(std::string id, std::string title, std::string found, std::string fix) {
  add({std::move(id), CheckState::kFail, std::move(title), std::move(found), std::move(fix)});
}
void CheckReport::warn(std::string id, std::string title, std::string found, std::string fix) {
  add({std::move(id), CheckState::kWarn, std::move(title), std::move(found), std::move(fix)});
}
void CheckReport::info(std::string id, std::string title, std::string found) {
  add({std::move(id), CheckState::kInfo, std::move(title), std::move(found), {}});
}

const CheckItem* CheckReport::find(const std::string& id) const {
  for (const auto& item : items_) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

bool CheckReport::passed() const {
  for (const auto& item : items_) {
    if (item.state == CheckState::kFail) return false;
  }
  return true;
}

std::string CheckReport::render_text() const {
  std::string out;
  int failed = 0;
  int warned = 0;
  for (const auto& item : items_) {
    out += fmt::format("{} {}", mark(item.state), item.title);
    if (!item.found.empty()) out += fmt::format(": {}", item.found);
    out += '\n';
    if (!item.fix.empty() && (item.state == CheckState::kFail || item.state == CheckState::kWarn)) {
      // Multi-line fixes stay aligned under the item.
      std::string_view fix = item.fix;
      while (!fix.empty()) {
        auto nl = fix.find('\n');
        out += fmt::format("    fix: {}\n", fix.substr(0, nl));
        if (nl == std::string_view::npos) break;
        fix.remove_prefix(nl + 1);
      }
    }
    failed += item.state == CheckState::kFail;
    warned += item.state == CheckState::kWarn;
  }
  out += failed == 0 ? fmt::format("\nAll required checks passed ({} warning{}).\n", warned, warned == 1 ? "" : "s")
                     : fmt::format("\n{} check{} failed, {} warning{}.\n", failed, failed == 1 ? "" : "s", warned,
                                   warned == 1 ? "" : "s");
  return out;
}

nlohmann::json CheckReport::to_json() const {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : items_) {
    nlohmann::json j{{"id", item.id}, {"state", state_name(item.state)}, {"title", item.title}, {"found", item.found}};
    if (!item.fix.empty()) j["fix"] = item.fix;
    items.push_back(std::move(j));
  }
  return {{"ok", passed()}, {"items", std::move(items)}};
}

}  // namespace mysql2ch
