#include "pipeline/checkpoint_coordinator.h"

#include <spdlog/spdlog.h>

namespace mysql2ch::pipeline {

Result<std::optional<Checkpoint>> load_newest(const std::vector<CheckpointStore*>& stores) {
  std::optional<Checkpoint> best;
  for (CheckpointStore* store : stores) {
    TRY_ASSIGN(std::optional<Checkpoint> c, store->load());
    // Versions only grow along the stream; between two checkpoints with the same counter no row was written,
    // and the mirror's sequence breaks the tie.
    if (c && (!best || c->next_version > best->next_version ||
              (c->next_version == best->next_version && c->sequence > best->sequence))) {
      best = std::move(c);
    }
  }
  return best;
}

CheckpointCoordinator::CheckpointCoordinator(TableBatches& batches, std::vector<CheckpointStore*> stores,
                                             std::chrono::seconds interval, Checkpoint last)
    : batches_(batches),
      stores_(std::move(stores)),
      interval_(interval),
      last_(std::move(last)),
      last_saved_(std::chrono::steady_clock::now()),
      everywhere_next_version_(last_.next_version) {}

Status CheckpointCoordinator::checkpoint(const binlog::StreamPosition& position, uint64_t next_version,
                                         uint64_t last_commit_us, std::string schema_history) {
  // Every row before this boundary must be acknowledged before a checkpoint may point past it.
  TRY(batches_.flush_all());
  return checkpoint_acknowledged(position, next_version, last_commit_us, std::move(schema_history));
}

Status CheckpointCoordinator::checkpoint_acknowledged(const binlog::StreamPosition& position, uint64_t next_version,
                                                      uint64_t last_commit_us, std::string schema_history) {
  Checkpoint c;
  c.position = position;
  c.next_version = next_version;
  c.schema_history = std::move(schema_history);
  c.last_commit_us = last_commit_us != 0 ? last_commit_us : last_.last_commit_us;
  c.sequence = last_.sequence + 1;
  c.saved_at_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  bool everywhere = true;
  for (size_t k = 0; k < stores_.size(); ++k) {
    Status st = stores_[k]->save(c);
    if (st.ok()) continue;
    everywhere = false;
    // The first store (local state) must hold every checkpoint; a mirror that is briefly unreachable only
    // lags behind (the newest store wins on load).
    if (k > 0 && st.error().retryable()) {
      spdlog::warn("checkpoint {} not mirrored to {}: {}", c.sequence, stores_[k]->describe(), st.error().message());
      continue;
    }
    return std::move(st).error().context("saving the checkpoint in " + stores_[k]->describe());
  }
  spdlog::debug("checkpoint {}: {} next version {}", c.sequence, c.position.to_string(), c.next_version);
  if (everywhere) everywhere_next_version_ = c.next_version;
  last_ = std::move(c);
  last_saved_ = std::chrono::steady_clock::now();
  return {};
}

}  // namespace mysql2ch::pipeline
