// Whether the mirror has caught up with a source position: the destination's checkpoint (the newest save in
// the ClickHouse checkpoint mirror, pipeline/clickhouse_checkpoint_mirror.h) is at or after it. A checkpoint is
// written only after ClickHouse acknowledged every row before it (DESIGN.md invariant 5), so when it covers a
// position, every source change up to that position is in the mirror.
#pragma once

#include "binlog/replication_client.h"
#include "common/result.h"
#include "state/state_store.h"

namespace mysql2ch::validate {

// By GTIDs when the checkpoint streams by GTIDs and the position has a GTID set of the same flavor, else by
// file:pos (binlog file names compare by their numeric suffix). kInvalidArgument when the two cannot be
// compared (no GTID set and no file name, or a GTID set that does not parse).
Result<bool> checkpoint_covers(const binlog::StreamPosition& checkpoint, const state::BinlogPosition& source);

// "gtid <set>" or "file:pos", for messages.
std::string describe_position(const state::BinlogPosition& source);

}  // namespace mysql2ch::validate
