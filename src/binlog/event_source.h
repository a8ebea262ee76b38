// A sequence of binlog events, from a server (ReplicationClient) or from anything else that yields events in
// binlog order. Consumers (the `binlog` command, the pipeline) read items until kEndOfStream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "binlog/event_header.h"
#include "common/result.h"

namespace mysql2ch::binlog {

struct StreamItem {
  enum class Kind {
    kEvent,                 // `event` holds one event
    kHeartbeat,             // the source is alive and has nothing new; not data, nothing to decode
    kTransactionDiscarded,  // the events delivered since the last transaction boundary are void: the
                            // transaction will be delivered again from its start (see ReplicationClient)
    kEndOfStream,           // no more events (non-blocking mode reached the source's end, or end of file)
  };
  Kind kind = Kind::kEndOfStream;
  EventHeader header;               // kEvent and kHeartbeat
  std::span<const uint8_t> event;   // kEvent: header + body + checksum footer, exactly as in a binlog file;
                                    // valid until the next call to next() on the same source
  size_t checksum_size = 0;         // kEvent: 4 when the event ends with a CRC32 (already verified), else 0
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // The next item. After kEndOfStream, every further call returns kEndOfStream again.
  virtual Result<StreamItem> next() = 0;
};

}  // namespace mysql2ch::binlog
