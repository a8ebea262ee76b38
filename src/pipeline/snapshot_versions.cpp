#include "pipeline/snapshot_versions.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace mysql2ch::pipeline {
namespace {

uint64_t now_us() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

Status save_in_every_store(const std::vector<CheckpointStore*>& stores, Checkpoint checkpoint) {
  uint64_t sequence = checkpoint.sequence;
  for (CheckpointStore* store : stores) {
    TRY_ASSIGN(std::optional<Checkpoint> c, store->load());
    if (c) sequence = std::max(sequence, c->sequence);
  }
  checkpoint.sequence = sequence + 1;
  checkpoint.saved_at_us = now_us();
  for (CheckpointStore* store : stores) {
    Status st = store->save(checkpoint);
    if (!st.ok()) return std::move(st).error().context("saving the checkpoint in " + store->describe());
  }
  return {};
}

Result<uint64_t> SnapshotVersions::floor_of(const std::vector<CheckpointStore*>& stores) {
  std::optional<uint64_t> lowest;
  for (CheckpointStore* store : stores) {
    TRY_ASSIGN(std::optional<Checkpoint> c, store->load());
    if (c) lowest = std::min(lowest.value_or(c->next_version), c->next_version);
  }
  return lowest.value_or(1) - 1;
}

void SnapshotVersions::attach_stream() {
  std::lock_guard lock(mutex_);
  stream_attached_ = true;
}

void SnapshotVersions::detach_stream() {
  std::lock_guard lock(mutex_);
  stream_attached_ = false;
  requested_ = false;
  serving_ = 0;
  served_cv_.notify_all();
}

Result<uint64_t> SnapshotVersions::bump_stores() {
  TRY_ASSIGN(std::optional<Checkpoint> newest, load_newest(stores_));
  if (!newest) return make_error(ErrorCode::kInternal, "a re-read needs a checkpoint to start from; there is none");
  const uint64_t bound = newest->next_version;
  newest->next_version = bound + 1;
  TRY(save_in_every_store(stores_, *newest));
  floor_.advance_to(bound);
  return bound;
}

Result<uint64_t> SnapshotVersions::fresh_floor(const std::atomic<bool>& stop) {
  std::unique_lock lock(mutex_);
  if (!stream_attached_) return bump_stores();
  const uint64_t count = served_count_;
  requested_ = true;
  while (served_count_ == count) {
    if (stop.load() || !stream_attached_) {
      return make_error(ErrorCode::kUnavailable, "stopped while waiting for the stream to move the version counter");
    }
    served_cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
  return served_;
}

bool SnapshotVersions::on_boundary(TransactionAssembler& assembler, const CheckpointCoordinator& checkpoints) {
  const uint64_t durable_next = checkpoints.next_version_in_every_store();
  if (durable_next > 0) floor_.advance_to(durable_next - 1);
  std::lock_guard lock(mutex_);
  if (serving_ != 0 && durable_next > serving_) {
    served_ = serving_;
    serving_ = 0;
    ++served_count_;
    served_cv_.notify_all();
  }
  if (!requested_ || serving_ != 0) return false;
  // Every version issued so far is below next_version(); skipping it makes everything later larger still.
  requested_ = false;
  serving_ = assembler.next_version();
  assembler.raise_next_version(serving_ + 1);
  spdlog::debug("version counter skips {} for a re-read", serving_);
  return true;
}

}  // namespace mysql2ch::pipeline
