// The per-pipeline version counter of DESIGN.md invariant 2, shared by the stream (which issues a value per
// row change, in binlog order) and the snapshot readers (which read the last issued value just before each
// chunk's SELECT, invariant 3). It lives here because the snapshot is the lower of its two users; the
// pipeline owns the instance and persists last_issued() in the checkpoint.
//
// Threading: any number of threads may call last_issued(); issue() is for the single stream thread (it is
// atomic anyway). Guarantee: a value read by last_issued() is never larger than any value issue() returns
// afterwards — issue() returns strictly larger values than everything read before it.
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

 private:
  std::atomic<uint64_t> last_;
};

}  // namespace mysql2ch::snapshot
