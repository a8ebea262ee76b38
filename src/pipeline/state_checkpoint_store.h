// The local checkpoint store on the state database (state/state_store.h: SQLite, WAL, synchronous=FULL), which
// the snapshot also writes its initial checkpoint to. It keeps position, version counter and schema history;
// the fields only the destination mirror keeps (sequence, last commit time) load as 0.
//
// Threading: as StateStore (calls are serialised). `store` outlives this object.
#pragma once

#include "pipeline/checkpoint.h"
#include "state/state_store.h"

namespace mysql2ch::pipeline {

state::BinlogPosition to_state_position(const binlog::StreamPosition& position);
Result<binlog::StreamPosition> from_state_position(const state::BinlogPosition& position);

class StateCheckpointStore final : public CheckpointStore {
 public:
  explicit StateCheckpointStore(state::StateStore& store) : store_(store) {}
  Result<std::optional<Checkpoint>> load() override;
  Status save(const Checkpoint& checkpoint) override;
  std::string describe() const override { return "state " + store_.path(); }

 private:
  state::StateStore& store_;
};

}  // namespace mysql2ch::pipeline
