// Event-level behaviour on hand-built events: unknown events (ignorable or not), truncation, and the event
// info handed to handlers.
#include <gtest/gtest.h>

#include <vector>

#include "binlog/event_parser.h"

namespace mysql2ch::binlog {
namespace {

std::vector<uint8_t> event(uint8_t type, uint16_t flags, std::vector<uint8_t> body) {
  const auto size = static_cast<uint32_t>(kEventHeaderSize + body.size());
  std::vector<uint8_t> e = {0x10, 0x20, 0x30, 0x40, type, 1, 0, 0, 0};
  for (int k = 0; k < 4; ++k) e.push_back(static_cast<uint8_t>(size >> (8 * k)));
  for (int k = 0; k < 4; ++k) e.push_back(0);
  e.push_back(static_cast<uint8_t>(flags));
  e.push_back(static_cast<uint8_t>(flags >> 8));
  for (uint8_t b : body) e.push_back(b);
  return e;
}

struct Recorder : EventHandler {
  int other = 0, xids = 0;
  uint64_t last_xid = 0, last_pos = 0;
  std::string last_file;
  Status on_other(const EventInfo&) override {
    ++other;
    return {};
  }
  Status on_xid(const EventInfo& info, uint64_t xid) override {
    ++xids;
    last_xid = xid;
    last_pos = info.pos;
    last_file = std::string(info.file);
    return {};
  }
};

TEST(EventParser, UnknownEventIsAnErrorUnlessIgnorable) {
  EventParser parser;
  parser.set_file("binlog.000042");
  Recorder r;
  EXPECT_TRUE(parser.parse(event(200, kFlagIgnorable, {1, 2, 3}), 1234, r).ok());
  EXPECT_EQ(r.other, 1);
  const Status st = parser.parse(event(200, 0, {1, 2, 3}), 1234, r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(st.error().message().find("binlog.000042:1234"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("UNKNOWN_EVENT_TYPE(200)"), std::string::npos) << st.error().message();
  // Statement-based events are known but not decodable: an error too, not a skip.
  EXPECT_FALSE(parser.parse(event(static_cast<uint8_t>(EventType::kIntvar), 0, {1, 2, 3, 4, 5, 6, 7, 8, 9}), 9, r).ok());
}

TEST(EventParser, XidAndPositions) {
  EventParser parser;
  parser.set_file("mariadb-bin.000007");
  Recorder r;
  ASSERT_TRUE(parser.parse(event(static_cast<uint8_t>(EventType::kXid), 0, {7, 0, 0, 0, 0, 0, 0, 1}), 777, r).ok());
  EXPECT_EQ(r.last_xid, 0x0100000000000007ULL);
  EXPECT_EQ(r.last_pos, 777u);
  EXPECT_EQ(r.last_file, "mariadb-bin.000007");
}

TEST(EventParser, TruncatedEventsAreErrors) {
  EventParser parser;
  Recorder r;
  auto xid = event(static_cast<uint8_t>(EventType::kXid), 0, {7, 0, 0, 0, 0, 0, 0, 1});
  for (size_t n = 0; n < xid.size(); ++n) {
    std::vector<uint8_t> cut(xid.begin(), xid.begin() + static_cast<long>(n));
    EXPECT_FALSE(parser.parse(cut, 4, r).ok()) << n;
  }
  // A body shorter than the XID it must hold, with a consistent size.
  const Status st = parser.parse(event(static_cast<uint8_t>(EventType::kXid), 0, {1, 2, 3}), 4, r);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kCorrupt);
  // Rows for a table id without TABLE_MAP.
  const Status rows = parser.parse(event(static_cast<uint8_t>(EventType::kWriteRowsV1), 0, {1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1}), 4, r);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().message().find("without a preceding TABLE_MAP"), std::string::npos) << rows.error().message();
}

}  // namespace
}  // namespace mysql2ch::binlog
