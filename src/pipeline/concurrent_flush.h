// One round of TableSink::flush() calls, run on threads of its own so the caller can go on reading the binlog
// meanwhile, and spread over up to `concurrency` threads because each flush is one INSERT whose time is mostly
// the destination's (ClickHouse 18.16 takes 70-170 ms for even a small insert): with one insert per table in
// turn, a flush of five tables took up to 0.7 s, most of the replication lag.
//
// Caller guarantees: between start() and the wait() that follows, no other thread touches the sinks handed
// over, and they outlive that wait(); `flush_one` is safe to call from several threads at once. start() is
// called only when no round is running (after wait(), or on a fresh object). Every member function is called
// from one thread (the owner); only the work itself runs elsewhere.
//
// What it guarantees back: wait() returns once every flush_one call of the round has returned, with the first
// failure among them (others are logged); done() tells without blocking whether wait() would return at once.
// The destructor waits for a running round.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "pipeline/table_sink.h"

namespace mysql2ch::pipeline {

class ConcurrentFlush {
 public:
  struct Job {
    std::string table;  // "db.table", for messages
    TableSink* sink = nullptr;
  };
  using FlushOne = std::function<Status(const Job&)>;

  ConcurrentFlush() = default;
  ConcurrentFlush(const ConcurrentFlush&) = delete;
  ConcurrentFlush& operator=(const ConcurrentFlush&) = delete;
  ~ConcurrentFlush();

  void start(std::vector<Job> jobs, unsigned concurrency, FlushOne flush_one);
  bool running() const { return !threads_.empty(); }
  bool done() const { return finished_.load(std::memory_order_acquire) == jobs_.size(); }
  Status wait();

 private:
  void work();

  std::vector<Job> jobs_;
  std::vector<Status> results_;  // one per job, each written by the thread that ran it
  FlushOne flush_one_;
  std::atomic<size_t> next_{0};
  std::atomic<size_t> finished_{0};
  std::vector<std::thread> threads_;
};

}  // namespace mysql2ch::pipeline
