// The version value snapshot chunks take (DESIGN.md invariant 3). A chunk's rows take last_issued() read just
// before its SELECT; what the caller must guarantee is that every row change the stream processes after that
// read — in this run or in any replay after a crash — takes a larger version.
//
// Two ways of keeping that guarantee:
//   - the stream issues from this counter (issue(): each value larger than everything read before it);
//   - the pipeline publishes with advance_to() the counter of the newest checkpoint that every checkpoint
//     store holds (pipeline/snapshot_versions.h). Every row change after that checkpoint's position takes at
//     least its next_version, in this run and in every replay, so the chunk's version (one less) stays below
//     them, and no version a snapshot used is ever above a durable checkpoint's counter.
//
// Threading: any number of threads may call last_issued(); issue() and advance_to() may race with readers
// (atomic). Values never decrease.
#pragma once

#include <atomic>
#include <cstdint>

namespace mysql2ch::snapshot {

class VersionCounter {
 public:
  explicit VersionCounter(uint64_t last_issued = 0) : last_(last_issued) {}
  VersionCounter(const VersionCounter&) = delete;
  VersionCounter& operator=(const VersionCounter&) = delete;

  uint64_t last_issued() const { return last_.load(std::memory_order_acquire); }
  uint64_t issue() { return last_.fetch_add(1, std::memory_order_acq_rel) + 1; }
  // Raises the value to `last` when it is larger; a smaller `last` is ignored.
  void advance_to(uint64_t last) {
    uint64_t current = last_.load(std::memory_order_acquire);
    while (current < last && !last_.compare_exchange_weak(current, last, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<uint64_t> last_;
};

}  // namespace mysql2ch::snapshot
