#include "validate/mirror_progress.h"

#include <fmt/core.h>

namespace mysql2ch::validate {
namespace {

// binlog.000012 vs binlog.000009: the suffix is zero-padded, but may outgrow its padding after 999999 files.
bool file_before(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

Result<bool> checkpoint_covers(const binlog::StreamPosition& checkpoint, const state::BinlogPosition& source) {
  using Mode = binlog::StreamPosition::Mode;
  if (checkpoint.mode == Mode::kMysqlGtid && source.flavor == "mysql" && !source.gtid_set.empty()) {
    TRY_ASSIGN(const binlog::MysqlGtidSet set, binlog::MysqlGtidSet::parse(source.gtid_set));
    return checkpoint.mysql_gtids.contains(set);
  }
  if (checkpoint.mode == Mode::kMariadbGtid && source.flavor == "mariadb" && !source.gtid_set.empty()) {
    TRY_ASSIGN(const binlog::MariadbGtidSet set, binlog::MariadbGtidSet::parse(source.gtid_set));
    return checkpoint.mariadb_gtids.contains(set);
  }
  if (!checkpoint.file.empty() && !source.file.empty()) {
    if (checkpoint.file != source.file) return file_before(source.file, checkpoint.file);
    return checkpoint.pos >= source.pos;
  }
  return make_error(ErrorCode::kInvalidArgument, "cannot compare the checkpoint {} with the source position {}",
                    checkpoint.to_string(), describe_position(source));
}

std::string describe_position(const state::BinlogPosition& source) {
  if (!source.gtid_set.empty()) return "gtid " + source.gtid_set;
  return fmt::format("{}:{}", source.file, source.pos);
}

}  // namespace mysql2ch::validate
