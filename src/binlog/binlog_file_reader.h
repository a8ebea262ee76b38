// Reads a local binlog file event by event (for offline decoding and fixtures): checks the 4-byte magic, then
// hands out whole events as spans over an internal buffer. Streaming: memory is one read buffer plus the
// largest event, whatever the file size.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "binlog/event_parser.h"
#include "common/result.h"

namespace mysql2ch::binlog {

class BinlogFileReader {
 public:
  // Fails (kIo) when the file cannot be opened, (kCorrupt) when it does not start with the binlog magic.
  static Result<std::unique_ptr<BinlogFileReader>> open(const std::string& path);
  ~BinlogFileReader();
  BinlogFileReader(const BinlogFileReader&) = delete;
  BinlogFileReader& operator=(const BinlogFileReader&) = delete;

  // The next event and its offset in the file; false at the end of the file. The span is valid until the next
  // call. A file ending inside an event (a binlog still being written, or truncated) is kCorrupt naming the
  // offset.
  Result<bool> next(std::span<const uint8_t>& event, uint64_t& pos);

  const std::string& name() const { return name_; }  // the file name without directories

 private:
  BinlogFileReader(std::FILE* f, std::string name) : file_(f), name_(std::move(name)) {}
  Status fill(size_t need);

  std::FILE* file_;
  std::string name_;
  std::vector<uint8_t> buf_;
  size_t begin_ = 0, end_ = 0;
  uint64_t pos_ = 4;
  bool eof_ = false;
};

// Reads every event of the file at `path` through `parser` into `handler`, stopping at the first error.
Status decode_binlog_file(const std::string& path, EventParser& parser, EventHandler& handler);

}  // namespace mysql2ch::binlog
