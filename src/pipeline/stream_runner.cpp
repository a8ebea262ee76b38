#include "pipeline/stream_runner.h"

#include <spdlog/spdlog.h>

#include "binlog/event_parser.h"

namespace mysql2ch::pipeline {

StreamRunner::StreamRunner(binlog::ReplicationClient& source, TransactionAssembler& assembler, TableBatches& batches,
                           CheckpointCoordinator& checkpoints, const std::atomic<bool>& stop,
                           std::chrono::seconds lag_log_interval)
    : source_(source),
      assembler_(assembler),
      batches_(batches),
      checkpoints_(checkpoints),
      stop_(stop),
      lag_log_interval_(lag_log_interval),
      last_log_(std::chrono::steady_clock::now()) {
  // before_event_ is committed_position() at the last transaction boundary: when a DDL is being applied, its
  // own transaction's start.
  assembler_.set_checkpoint_here([this] {
    return checkpoints_.checkpoint(before_event_, assembler_.next_version(), assembler_.last_commit_us(),
                                   assembler_.schema_history());
  });
}

int64_t StreamRunner::lag_ms() const {
  if (caught_up_) return 0;
  const uint64_t commit_us =
      assembler_.last_commit_us() != 0 ? assembler_.last_commit_us() : checkpoints_.last().last_commit_us;
  if (commit_us == 0) return -1;
  const auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return std::max<int64_t>(0, (now_us - static_cast<int64_t>(commit_us)) / 1000);
}

Status StreamRunner::checkpoint() {
  flushing_boundary_.reset();
  acknowledged_.reset();
  TRY(checkpoints_.checkpoint(source_.committed_position(), assembler_.next_version(), assembler_.last_commit_us(),
                              assembler_.schema_history()));
  assembler_.checkpoint_saved();
  return {};
}

StreamRunner::Boundary StreamRunner::boundary_here() const {
  return Boundary{source_.committed_position(), assembler_.next_version(), assembler_.last_commit_us(),
                  assembler_.schema_history()};
}

Status StreamRunner::start_flush() {
  // start_flush() first waits for the running flush: once it returns, that flush's boundary is acknowledged.
  TRY(batches_.start_flush());
  if (flushing_boundary_) acknowledged_ = std::move(flushing_boundary_);
  flushing_boundary_.reset();
  if (batches_.flush_running() && assembler_.at_boundary() && assembler_.checkpoint_allowed()) {
    flushing_boundary_ = boundary_here();
  }
  return {};
}

Status StreamRunner::periodic_checkpoint() {
  if (flushing_boundary_ && !batches_.flush_running()) {
    acknowledged_ = std::move(flushing_boundary_);
    flushing_boundary_.reset();
  }
  if (acknowledged_ && acknowledged_->next_version > checkpoints_.last().next_version) {
    Boundary b = std::move(*acknowledged_);
    acknowledged_.reset();
    // Not reported to the assembler (checkpoint_saved()): this checkpoint is behind the current position, so the
    // tables changed since the previous report still include every table a restart from here would replay rows
    // of; the assembler's set stays a superset, which only makes it more cautious.
    return checkpoints_.checkpoint_acknowledged(b.position, b.next_version, b.last_commit_us,
                                                std::move(b.schema_history));
  }
  // A flush started at a boundary is under way: its completion gives a checkpoint without stopping to read.
  if (flushing_boundary_ && flushing_boundary_->next_version > checkpoints_.last().next_version) return {};
  return checkpoint();
}

void StreamRunner::log_progress() {
  spdlog::info("applied {} transactions, {} rows; lag {} ms; position {}; reconnects {}", assembler_.transactions(),
               assembler_.rows(), lag_ms(), source_.committed_position().to_string(), source_.reconnects());
}

Status StreamRunner::run() {
  binlog::EventParser parser;
  before_event_ = source_.committed_position();
  // A stop finishes the transaction in progress first: the source sends a transaction's events together, so
  // its end is near, and stopping at a boundary lets the final checkpoint cover everything applied. Stopping
  // inside it instead would leave the checkpoint where the last periodic one was, up to
  // checkpoint_interval_s behind, and the next start would replay that much.
  while (!stop_.load() || !assembler_.at_boundary()) {
    auto item = source_.next();
    if (!item.ok()) {
      // A stop signal can interrupt the blocking read; that is the stop, not a source failure.
      if (stop_.load()) break;
      return std::move(item).error().context("reading the source's binlog");
    }
    using Kind = binlog::StreamItem::Kind;
    if (item->kind == Kind::kEndOfStream) break;
    switch (item->kind) {
      case Kind::kEvent: {
        caught_up_ = false;
        parser.set_checksum_before_format_description(item->checksum_size != 0 ? binlog::ChecksumAlg::kCrc32
                                                                               : binlog::ChecksumAlg::kOff);
        const auto& h = item->header;
        const uint64_t pos = h.log_pos >= h.event_size ? h.log_pos - h.event_size : 0;
        TRY(parser.parse(item->event, pos, assembler_));
        break;
      }
      case Kind::kHeartbeat:
        if (assembler_.at_boundary()) caught_up_ = true;
        break;
      case Kind::kTransactionDiscarded:
        spdlog::info("source connection dropped inside a transaction; it is read again from its start");
        assembler_.discard();
        break;
      case Kind::kEndOfStream: break;
    }
    const auto now = std::chrono::steady_clock::now();
    TRY(batches_.collect_finished());
    if (batches_.due(now)) TRY(start_flush());
    bool checkpoint_now = assembler_.at_boundary() && assembler_.checkpoint_requested();
    if (boundary_hook_ && assembler_.at_boundary()) {
      TRY_ASSIGN(const bool requested, boundary_hook_());
      checkpoint_now = checkpoint_now || requested;
    }
    // A prepared XA transaction holding rows keeps the checkpoint where it was (before its start): its rows reach
    // the batches only at its XA COMMIT, which a restart from a later position would never pair with them.
    if (assembler_.checkpoint_allowed()) {
      if (checkpoint_now) {
        TRY(checkpoint());
      } else if (checkpoints_.due(now)) {
        TRY(periodic_checkpoint());
      }
    }
    // Between transactions committed_position() is where the next one (maybe a DDL) starts; copied once per
    // transaction rather than per event.
    if (assembler_.at_boundary() && item->kind == Kind::kEvent) before_event_ = source_.committed_position();
    if (now - last_log_ >= lag_log_interval_) {
      log_progress();
      last_log_ = now;
    }
  }
  if (assembler_.checkpoint_allowed()) {
    TRY(checkpoint());
  } else {
    if (assembler_.at_boundary()) {
      spdlog::warn(
          "stopping with the prepared XA transaction {} undecided: the checkpoint stays at {}, before it, "
          "and the next start reads from there again",
          assembler_.oldest_prepared_xa(), checkpoints_.last().position.to_string());
    }
    // Stopped inside a transaction: its rows may go out (they carry their final versions), but the checkpoint
    // stays at the last boundary, so a restart reads the transaction again.
    TRY(batches_.flush_all());
  }
  log_progress();
  return {};
}

}  // namespace mysql2ch::pipeline
