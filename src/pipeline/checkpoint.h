// A checkpoint (invariant 5 of DESIGN.md): where the stream resumes and what the pipeline's state is there.
// Taken only at a transaction boundary, only after the destination acknowledged every row before it.
//
// Stored in the local state (StateCheckpointStore) and as one JSON document (checkpoint_to_json) in the
// destination (ClickHouseCheckpointMirror); on load the newer of the two wins (load_newest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "binlog/replication_client.h"
#include "common/result.h"

namespace mysql2ch::pipeline {

struct Checkpoint {
  binlog::StreamPosition position;  // the start of the next transaction to apply
  uint64_t next_version = 1;        // the version counter there
  std::string schema_history;       // the schema tracker's serialized state at `position` ("" when none)
  uint64_t last_commit_us = 0;      // commit time of the last applied transaction (0: none yet)
  uint64_t sequence = 0;            // 1 for the first save, +1 per save
  uint64_t saved_at_us = 0;         // wall clock of the save
};

std::string checkpoint_to_json(const Checkpoint& checkpoint);
Result<Checkpoint> checkpoint_from_json(std::string_view text);

// Persists checkpoints. save() returns once the checkpoint is durable.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual Result<std::optional<Checkpoint>> load() = 0;
  virtual Status save(const Checkpoint& checkpoint) = 0;
  // For messages: "state ./mysql2ch-state/state.db", "destination table mysql2ch._mysql2ch_state".
  virtual std::string describe() const = 0;
};

}  // namespace mysql2ch::pipeline
