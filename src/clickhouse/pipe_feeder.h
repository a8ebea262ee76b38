// Hands a caller's buffer to chDB as a file without copying it: a thread writes the bytes into a pipe whose
// read end chDB opens as /proc/self/fd/N (INSERT ... FROM INFILE). chDB cannot take binary rows inline after
// the statement: its inline-data reader stops at the first blank line ("\n\n"), which RowBinary data contains
// whenever a value has two 0x0A bytes in a row — it would silently insert a prefix of the batch.
//
// The buffer must stay valid until finish() returns. finish() must be called once the consumer is done (or
// failed); the destructor calls it if the caller did not. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.h"

namespace mysql2ch {

class PipeFeeder {
 public:
  static Result<std::unique_ptr<PipeFeeder>> start(std::string_view data);
  ~PipeFeeder();
  PipeFeeder(const PipeFeeder&) = delete;
  PipeFeeder& operator=(const PipeFeeder&) = delete;

  // The path the consumer opens to read the bytes.
  std::string path() const;

  // Closes the read end (so a writer blocked on a consumer that gave up is released), waits for the writer,
  // and says whether every byte was taken: an error naming how many were when the consumer stopped early.
  Status finish();

 private:
  PipeFeeder(std::string_view data, int read_fd, int write_fd);
  void write_all();

  std::string_view data_;
  int read_fd_;
  int write_fd_;
  size_t written_ = 0;
  int write_errno_ = 0;
  bool finished_ = false;
  std::thread writer_;
};

}  // namespace mysql2ch
