// `mysql2ch validate`: compares every selected source table with its mirror (table_comparison.h) and decides
// what a difference means while `sync` may be streaming.
//
// Policy while streaming: the source position is read before the first table and after the last. Differences
// are final at once when the source did not move during the pass and the destination's checkpoint already
// covered that position (the mirror was caught up and nothing changed). Otherwise up to `rechecks` times: read
// the source position, wait until the destination's checkpoint covers it (polling every `recheck_wait`, for at
// most max(3 × pipeline.checkpoint_interval_s, recheck_wait)), then read only the differing ranges again — a
// difference that was replication lag is gone then, a real one stays. When the checkpoint does not get there in
// time (sync not running, or far behind) or there is no checkpoint at all, the differences found are reported
// with a note saying so. A row that changes on every re-check stays reported.
//
// Threading: one thread; opens one source connection (a snapshot session) and one destination connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "validate/validate_report.h"

namespace mysql2ch::validate {

struct ValidateOptions {
  std::string tables;        // glob over "db.table" narrowing the configured selection; empty: all
  size_t max_keys = 10;      // differing keys listed per table
  uint64_t range_rows = 0;   // rows per compared key range; 0: snapshot.chunk_rows
  unsigned rechecks = 3;
  std::optional<std::chrono::milliseconds> recheck_wait;  // longest wait for the checkpoint per re-check
};

// Errors: kConfig/kInvalidArgument for what the configuration or options get wrong, the servers' errors
// (kUnavailable, kAuth, kTls, kServer, ...) otherwise. Differences are not errors: they are in the report.
Result<ValidateReport> run_validate(const Config& config, const ValidateOptions& options);

}  // namespace mysql2ch::validate
