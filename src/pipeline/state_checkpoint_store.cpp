#include "pipeline/state_checkpoint_store.h"

namespace mysql2ch::pipeline {

state::BinlogPosition to_state_position(const binlog::StreamPosition& p) {
  state::BinlogPosition out;
  out.file = p.file;
  out.pos = p.pos;
  switch (p.mode) {
    case binlog::StreamPosition::Mode::kFile: out.flavor = ""; break;
    case binlog::StreamPosition::Mode::kMysqlGtid:
      out.flavor = "mysql";
      out.gtid_set = p.mysql_gtids.to_string();
      break;
    case binlog::StreamPosition::Mode::kMariadbGtid:
      out.flavor = "mariadb";
      out.gtid_set = p.mariadb_gtids.to_string();
      break;
  }
  return out;
}

Result<binlog::StreamPosition> from_state_position(const state::BinlogPosition& p) {
  if (p.flavor == "mysql" && !p.gtid_set.empty()) {
    TRY_ASSIGN(binlog::MysqlGtidSet set, binlog::MysqlGtidSet::parse(p.gtid_set));
    binlog::StreamPosition out = binlog::StreamPosition::after_gtids(std::move(set));
    out.file = p.file;
    out.pos = p.pos;
    return out;
  }
  if (p.flavor == "mariadb" && !p.gtid_set.empty()) {
    TRY_ASSIGN(binlog::MariadbGtidSet set, binlog::MariadbGtidSet::parse(p.gtid_set));
    binlog::StreamPosition out = binlog::StreamPosition::after_gtids(std::move(set));
    out.file = p.file;
    out.pos = p.pos;
    return out;
  }
  if (p.file.empty()) {
    return make_error(ErrorCode::kCorrupt, "state checkpoint has neither a GTID set nor a binlog file");
  }
  return binlog::StreamPosition::at_file(p.file, p.pos);
}

Result<std::optional<Checkpoint>> StateCheckpointStore::load() {
  TRY_ASSIGN(std::optional<state::Checkpoint> saved, store_.load_checkpoint());
  if (!saved) return std::optional<Checkpoint>{};
  Checkpoint c;
  auto position = from_state_position(saved->position);
  if (!position.ok()) return std::move(position).error().context(describe());
  c.position = std::move(position).value();
  c.next_version = saved->version + 1;
  c.schema_history = std::move(saved->schema_history);
  return std::optional<Checkpoint>(std::move(c));
}

Status StateCheckpointStore::save(const Checkpoint& checkpoint) {
  state::Checkpoint c;
  c.position = to_state_position(checkpoint.position);
  c.version = checkpoint.next_version - 1;
  c.schema_history = checkpoint.schema_history;
  return store_.save_checkpoint(c);
}

}  // namespace mysql2ch::pipeline
