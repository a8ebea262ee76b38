// Decides when to checkpoint and makes each checkpoint safe (invariant 5): flush every table, then save the
// checkpoint in every store (local state first, then the destination mirror). The caller calls checkpoint()
// only at a transaction boundary, with the source's committed position there.
//
// Not thread-safe; `batches` and the stores outlive the coordinator.
#pragma once

#include <chrono>
#include <vector>

#include "pipeline/checkpoint.h"
#include "pipeline/table_batches.h"

namespace mysql2ch::pipeline {

// The newest checkpoint (highest version counter, then sequence) any of `stores` holds; nullopt when none has one.
Result<std::optional<Checkpoint>> load_newest(const std::vector<CheckpointStore*>& stores);

class CheckpointCoordinator {
 public:
  CheckpointCoordinator(TableBatches& batches, std::vector<CheckpointStore*> stores, std::chrono::seconds interval,
                        Checkpoint last);

  // checkpoint_interval_s has passed since the last save.
  bool due(std::chrono::steady_clock::time_point now) const { return now - last_saved_ >= interval_; }
  Status checkpoint(const binlog::StreamPosition& position, uint64_t next_version, uint64_t last_commit_us,
                    std::string schema_history);
  // Saves a checkpoint at an earlier transaction boundary whose rows the destination has already acknowledged
  // (every row appended before it went out in a flush that completed), without flushing what came after it:
  // the periodic checkpoint of a stream under load, which then does not stop reading for a flush.
  Status checkpoint_acknowledged(const binlog::StreamPosition& position, uint64_t next_version, uint64_t last_commit_us,
                                 std::string schema_history);
  const Checkpoint& last() const { return last_; }
  // The version counter of the newest checkpoint that every store holds (a mirror that missed a save lags);
  // `last` given to the constructor counts as held.
  uint64_t next_version_in_every_store() const { return everywhere_next_version_; }

 private:
  TableBatches& batches_;
  std::vector<CheckpointStore*> stores_;
  std::chrono::seconds interval_;
  Checkpoint last_;
  std::chrono::steady_clock::time_point last_saved_;
  uint64_t everywhere_next_version_ = 0;
};

}  // namespace mysql2ch::pipeline
