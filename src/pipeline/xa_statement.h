// XA statements as the source's binlog writes them ("XA COMMIT X'6731',X'6231',7"), and the XID that ties an
// XA PREPARE to the later XA COMMIT / XA ROLLBACK of the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mysql2ch::pipeline {

// An XA transaction identifier: format id, global transaction id and branch qualifier (raw bytes).
struct Xid {
  int32_t format_id = 1;
  std::string gtrid;
  std::string bqual;

  // Equal for equal XIDs and distinct otherwise (the lengths make the concatenation unambiguous).
  std::string key() const;
  // As the servers print it: X'6731',X'6231',7.
  std::string text() const;
};

struct XaStatement {
  enum class Verb { kStart, kEnd, kPrepare, kCommit, kRollback, kRecover };
  Verb verb = Verb::kStart;
  Xid xid;                 // empty for kRecover
  bool one_phase = false;  // XA COMMIT ... ONE PHASE
};

// nullopt when `sql` is not an XA statement (it does not start with the keyword XA). An XA statement whose XID
// cannot be read is an error: the caller must not guess which transaction it decides.
Result<std::optional<XaStatement>> parse_xa_statement(std::string_view sql);

}  // namespace mysql2ch::pipeline
