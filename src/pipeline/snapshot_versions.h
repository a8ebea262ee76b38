// The version counter as snapshots running next to the stream see it (DESIGN.md invariant 3), shared by the
// stream thread and the snapshot worker (snapshot_worker.h).
//
// floor(): what a chunk reads just before its SELECT — the counter of the newest checkpoint that every
// checkpoint store holds, minus one. Every row change after that checkpoint's position takes at least its
// next_version, in this run and in every replay after a crash (replays give the same versions), so chunks
// never tie with or beat a later change; and every version a chunk took is below every durable checkpoint's
// counter, so a restart never has to learn of snapshot versions the checkpoint does not cover.
//
// fresh_floor(): a re-read must end with the destination holding only its own rows and later changes, so it
// needs a bound N: every version issued so far is below N and every version issued afterwards (chunks
// included) is at least N. It makes the counter skip a value and checkpoints that: with a stream attached the
// stream thread does it at its next transaction boundary (on_boundary(), through StreamRunner's boundary
// hook); without one, it is done here on the stores.
//
// Threading: floor() from any thread; fresh_floor() from the worker thread; on_boundary() from the stream
// thread only; attach/detach from the thread that runs the stream, around it. The stores outlive this object;
// while no stream is attached, nothing else may save checkpoints.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common/result.h"
#include "pipeline/checkpoint_coordinator.h"
#include "pipeline/transaction_assembler.h"
#include "snapshot/version_counter.h"

namespace mysql2ch::pipeline {

// Saves `checkpoint` in every store with a sequence above every store's, so that it is the one each loads.
Status save_in_every_store(const std::vector<CheckpointStore*>& stores, Checkpoint checkpoint);

class SnapshotVersions {
 public:
  // `floor` is the counter of the newest checkpoint every store holds, minus one.
  SnapshotVersions(std::vector<CheckpointStore*> stores, uint64_t floor) : stores_(std::move(stores)), floor_(floor) {}

  // The floor of every store's checkpoint (stores without one are ignored: nothing can resume from them).
  static Result<uint64_t> floor_of(const std::vector<CheckpointStore*>& stores);

  const snapshot::VersionCounter& floor() const { return floor_; }

  void attach_stream();
  // Wakes a fresh_floor() waiting for the stream: it returns kUnavailable.
  void detach_stream();

  // N as above; floor() is at least N when it returns. Errors: the stores', and kUnavailable when `stop` is
  // set or the stream detached before serving the request.
  Result<uint64_t> fresh_floor(const std::atomic<bool>& stop);

  // The stream thread at a transaction boundary: publishes the checkpoint counter as the floor, and serves a
  // pending fresh_floor() (returns true: checkpoint now).
  bool on_boundary(TransactionAssembler& assembler, const CheckpointCoordinator& checkpoints);

 private:
  Result<uint64_t> bump_stores();

  std::vector<CheckpointStore*> stores_;
  snapshot::VersionCounter floor_;
  std::mutex mutex_;
  std::condition_variable served_cv_;
  bool stream_attached_ = false;
  bool requested_ = false;
  uint64_t serving_ = 0;  // the N the stream skipped past, until a checkpoint above it is in every store
  uint64_t served_ = 0;
  uint64_t served_count_ = 0;
};

}  // namespace mysql2ch::pipeline
