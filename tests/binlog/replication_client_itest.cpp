// The replication client against the real MariaDB 10.11 and MySQL 9.x servers of scripts/testenv.sh.
// Other tests write to the same servers concurrently, so each test recognises its own transactions by the
// database named in their TABLE_MAP events (repl_it_*), and never assumes it is alone in the binlog.
#include <gtest/gtest.h>

#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

#include "binlog/network_source.h"
#include "binlog/replication_client.h"
#include "binlog/stream_events.h"
#include "support/testenv.h"

namespace mysql2ch::binlog {
namespace {

struct ServerCase {
  const char* name;
  int port;
  uint32_t server_id_base;  // this file's replica ids: 9101.. (MariaDB), 9151.. (MySQL)
};

std::string PrintCase(const testing::TestParamInfo<ServerCase>& info) { return info.param.name; }

ConnectOptions options_for(int port, const std::string& user, const std::string& password) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = static_cast<uint16_t>(port);
  o.user = user;
  o.password = Secret(password);
  o.tls.mode = TlsMode::kDisabled;
  return o;
}

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().message());
  return std::move(r).value();
}
void must(Status s) {
  if (!s.ok()) throw std::runtime_error(s.error().message());
}

// One transaction as the stream delivered it.
struct Transaction {
  std::optional<std::string> gtid;  // canonical text
  std::vector<EventHeader> events;  // GTID event first, ending event last
  std::vector<std::string> databases;  // from TABLE_MAP events
  bool touches(const std::string& db) const {
    return std::find(databases.begin(), databases.end(), db) != databases.end();
  }
};

std::string table_map_database(std::span<const uint8_t> event) {
  // table id (6), flags (2), database name length (1), name, NUL, ...
  size_t at = kEventHeaderSize + 8;
  size_t len = event[at];
  return std::string(reinterpret_cast<const char*>(event.data() + at + 1), len);
}

bool ends_transaction(const EventHeader& h, std::span<const uint8_t> event, size_t checksum_size, bool in_begin) {
  switch (static_cast<EventType>(h.type)) {
    case EventType::kXid:
    case EventType::kXaPrepare:
    case EventType::kTransactionPayload: return true;
    case EventType::kQuery: {
      auto role = classify_statement(must(query_event_statement(event, checksum_size)));
      return in_begin ? role == StatementRole::kCommit : role != StatementRole::kBegin;
    }
    default: return false;
  }
}

// Groups the events of a stream into transactions, as a consumer would. Events outside transactions
// (ROTATE, FORMAT_DESCRIPTION, PREVIOUS_GTIDS, GTID_LIST, ...) are kept in `others`.
class TransactionCollector {
 public:
  // Feeds one item; returns true when it completed a transaction.
  bool feed(const StreamItem& item) {
    if (item.kind == StreamItem::Kind::kTransactionDiscarded) {
      ++discarded;
      open_.reset();
      return false;
    }
    if (item.kind != StreamItem::Kind::kEvent) return false;
    const EventHeader& h = item.header;
    auto type = static_cast<EventType>(h.type);
    if (type == EventType::kGtid || type == EventType::kGtidTagged || type == EventType::kAnonymousGtid ||
        type == EventType::kMariaGtid) {
      EXPECT_FALSE(open_.has_value()) << "a transaction started inside another";
      open_.emplace();
      in_begin_ = false;
      if (type == EventType::kGtid || type == EventType::kGtidTagged) {
        open_->gtid = must(parse_mysql_gtid_event(item.event, item.checksum_size)).to_string();
      } else if (type == EventType::kMariaGtid) {
        auto info = must(parse_mariadb_gtid_event(item.event, item.checksum_size));
        open_->gtid = info.gtid.to_string();
        in_begin_ = !info.standalone();
      }
      open_->events.push_back(h);
      return false;
    }
    if (!open_) {
      others.push_back(h);
      return false;
    }
    open_->events.push_back(h);
    if (type == EventType::kTableMap) open_->databases.push_back(table_map_database(item.event));
    if (type == EventType::kQuery && !in_begin_ &&
        classify_statement(must(query_event_statement(item.event, item.checksum_size))) == StatementRole::kBegin) {
      in_begin_ = true;
      return false;
    }
    if (ends_transaction(h, item.event, item.checksum_size, in_begin_)) {
      done.push_back(std::move(*open_));
      open_.reset();
      return true;
    }
    return false;
  }

  std::vector<Transaction> mine(const std::string& db) const {
    std::vector<Transaction> out;
    for (const auto& t : done) {
      if (t.touches(db)) out.push_back(t);
    }
    return out;
  }

  std::vector<Transaction> done;
  std::vector<EventHeader> others;
  int discarded = 0;

 private:
  std::optional<Transaction> open_;
  bool in_begin_ = false;
};

// Reads a non-blocking dump to its end.
TransactionCollector read_to_end(ReplicationClient& client, std::vector<EventHeader>* all = nullptr) {
  TransactionCollector c;
  while (true) {
    StreamItem item = must(client.next());
    if (item.kind == StreamItem::Kind::kEndOfStream) break;
    if (all != nullptr && item.kind == StreamItem::Kind::kEvent) all->push_back(item.header);
    c.feed(item);
  }
  return c;
}

class ReplicationClientTest : public testing::TestWithParam<ServerCase> {
 protected:
  void SetUp() override {
    root_.emplace(must(Connection::open(options_for(GetParam().port, "root", "rootpass"))));
    db_ = std::string("repl_it_") + (mariadb() ? "maria" : "mysql");
    must(root_->execute("CREATE DATABASE IF NOT EXISTS " + db_));
    must(root_->execute("CREATE TABLE IF NOT EXISTS " + db_ +
                        ".t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v INT, pad TEXT) ENGINE=InnoDB"));
  }

  bool mariadb() const { return GetParam().port == testenv::mariadb_port(); }

  ReplicationOptions replica(uint32_t offset, bool stop_at_end = true) const {
    ReplicationOptions o;
    o.server_id = GetParam().server_id_base + offset;
    o.stop_at_end = stop_at_end;
    o.heartbeat_period = std::chrono::milliseconds(1000);
    return o;
  }
  ConnectOptions repl_user() const { return options_for(GetParam().port, "repl", "replpass"); }

  StreamPosition here() { return must(current_position(*root_)); }

  // A transaction of `rows` inserted rows, committed.
  void insert_rows(int rows, int value) {
    must(root_->execute("BEGIN"));
    for (int i = 0; i < rows; ++i) {
      must(root_->execute(fmt::format("INSERT INTO {}.t (v, pad) VALUES ({}, 'row {}')", db_, value, i)));
    }
    must(root_->execute("COMMIT"));
  }

  void kill_mid_transaction_and_resume(StreamPosition start, uint32_t replica_offset);

  std::optional<Connection> root_;
  std::string db_;
};

TEST_P(ReplicationClientTest, NonBlockingDumpFromTheCurrentPositionEndsWithEof) {
  StreamPosition start = here();
  StreamPosition by_file = StreamPosition::at_file(start.file, start.pos);
  ReplicationClient client = must(ReplicationClient::start(repl_user(), replica(1), by_file));
  EXPECT_EQ(client.flavor(), mariadb() ? ServerFlavor::kMariaDB : ServerFlavor::kMySQL);
  std::vector<EventHeader> all;
  TransactionCollector c = read_to_end(client, &all);
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[0].type, static_cast<uint8_t>(EventType::kRotate));
  EXPECT_NE(all[0].flags & kFlagArtificial, 0);
  EXPECT_EQ(all[1].type, static_cast<uint8_t>(EventType::kFormatDescription));
  EXPECT_EQ(client.current_file(), start.file);
  // Whatever others wrote meanwhile, the resume point is at or after where we started.
  EXPECT_GE(client.committed_position().pos, start.pos);
  // After the end, the stream stays ended.
  EXPECT_EQ(must(client.next()).kind, StreamItem::Kind::kEndOfStream);
}

TEST_P(ReplicationClientTest, DumpByFilePositionDeliversExactlyTheWrittenTransactions) {
  StreamPosition start = here();
  insert_rows(2, 1);
  insert_rows(1, 2);
  must(root_->execute(fmt::format("UPDATE {}.t SET v = v + 10 WHERE v = 2", db_)));  // autocommit
  std::optional<std::string> maria_last;
  if (mariadb()) maria_last = must(root_->query_value("SELECT @@last_gtid"));

  StreamPosition by_file = StreamPosition::at_file(start.file, start.pos);
  ReplicationClient client = must(ReplicationClient::start(repl_user(), replica(2), by_file));
  std::vector<EventHeader> all;
  TransactionCollector c = read_to_end(client, &all);
  std::vector<Transaction> mine = c.mine(db_);
  ASSERT_EQ(mine.size(), 3u);

  // Each of our transactions: GTID, (BEGIN on MySQL), TABLE_MAP + rows event per statement, XID.
  const uint8_t gtid_type = static_cast<uint8_t>(mariadb() ? EventType::kMariaGtid : EventType::kGtid);
  const uint8_t write_rows = mariadb() ? 23 : 30;  // MariaDB 10.11 logs v1 row events
  const uint8_t update_rows = mariadb() ? 24 : 31;
  // MariaDB logs each statement's text before its rows (binlog_annotate_row_events, ON by default).
  const bool annotate =
      mariadb() && must(root_->query_value("SELECT @@global.binlog_annotate_row_events")).value_or("0") == "1";
  const std::vector<std::vector<uint8_t>> statements = {{write_rows, write_rows}, {write_rows}, {update_rows}};
  for (size_t i = 0; i < mine.size(); ++i) {
    const auto& ev = mine[i].events;
    SCOPED_TRACE(i);
    std::vector<uint8_t> expected = {gtid_type};
    if (!mariadb()) expected.push_back(static_cast<uint8_t>(EventType::kQuery));  // BEGIN
    for (uint8_t rows : statements[i]) {
      if (annotate) expected.push_back(static_cast<uint8_t>(EventType::kMariaAnnotateRows));
      expected.push_back(static_cast<uint8_t>(EventType::kTableMap));
      expected.push_back(rows);
    }
    expected.push_back(static_cast<uint8_t>(EventType::kXid));
    std::vector<uint8_t> types;
    for (const auto& h : ev) types.push_back(h.type);
    EXPECT_EQ(types, expected);
    // Positions are contiguous: each event ends where the next begins.
    for (size_t j = 1; j < ev.size(); ++j) EXPECT_EQ(ev[j].log_pos, ev[j - 1].log_pos + ev[j].event_size);
    ASSERT_TRUE(mine[i].gtid.has_value());
  }
  // Our transactions follow each other in commit order, with ascending GTIDs.
  EXPECT_LT(mine[0].events.back().log_pos, mine[1].events.front().log_pos);
  EXPECT_LT(mine[1].events.back().log_pos, mine[2].events.front().log_pos);
  if (mariadb()) {
    EXPECT_EQ(*mine[2].gtid, maria_last.value_or(""));
  } else {
    for (const auto& t : mine) {
      EXPECT_EQ(must(root_->query_value(fmt::format("SELECT GTID_SUBSET('{}', @@global.gtid_executed)", *t.gtid))),
                "1");
    }
    EXPECT_EQ(mine[0].gtid->substr(0, 36), must(root_->query_value("SELECT @@server_uuid")).value_or(""));
  }
  // The first event read from the start position begins exactly there.
  for (const auto& h : all) {
    if (h.log_pos == 0 || h.type == static_cast<uint8_t>(EventType::kFormatDescription) ||
        h.type == static_cast<uint8_t>(EventType::kRotate)) {
      continue;
    }
    EXPECT_EQ(h.log_pos - h.event_size, start.pos) << event_type_name(h.type);
    break;
  }
  // The resume point is the end of the last complete transaction read.
  EXPECT_EQ(client.committed_position().pos, c.done.back().events.back().log_pos);
}

TEST_P(ReplicationClientTest, GtidPositioningResumesAfterTheGivenSet) {
  insert_rows(1, 100);
  insert_rows(1, 101);
  insert_rows(1, 102);
  StreamPosition start = here();  // by GTID on both servers
  ASSERT_NE(start.mode, StreamPosition::Mode::kFile);

  // Find our three transactions' GTIDs from a dump by file of the current file.
  ReplicationClient scan = must(ReplicationClient::start(repl_user(), replica(3), StreamPosition::at_file(start.file, 4)));
  std::vector<Transaction> mine = read_to_end(scan).mine(db_);
  ASSERT_GE(mine.size(), 3u);
  const Transaction& last = mine[mine.size() - 1];
  const Transaction& before_last = mine[mine.size() - 2];

  StreamPosition resume;
  if (mariadb()) {
    // A MariaDB position: the last GTID applied per domain. Stand right after the one before our last.
    auto gtid = must(MariadbGtid::parse(*before_last.gtid));
    MariadbGtidSet pos = start.mariadb_gtids;
    pos.add(gtid);
    resume = StreamPosition::after_gtids(pos);
  } else {
    MysqlGtidSet without_last = start.mysql_gtids;
    MysqlGtidSet excluded;
    must(excluded.add(must(MysqlGtid::parse(*last.gtid))));
    without_last.subtract(excluded);
    ASSERT_FALSE(without_last.contains(must(MysqlGtid::parse(*last.gtid))));
    resume = StreamPosition::after_gtids(without_last);
  }
  ReplicationClient client = must(ReplicationClient::start(repl_user(), replica(4), resume));
  TransactionCollector c = read_to_end(client);
  std::vector<Transaction> got = c.mine(db_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].gtid, last.gtid);
  if (!mariadb()) {
    // With GTID auto-positioning the server sends exactly the missing transactions: ours comes first.
    ASSERT_FALSE(c.done.empty());
    EXPECT_EQ(c.done.front().gtid, last.gtid);
    EXPECT_TRUE(client.committed_position().mysql_gtids.contains(must(MysqlGtid::parse(*last.gtid))));
    EXPECT_TRUE(client.committed_position().mysql_gtids.contains(resume.mysql_gtids));
  } else {
    EXPECT_TRUE(client.committed_position().mariadb_gtids.contains(must(MariadbGtid::parse(*last.gtid))));
  }
}

// Every kind of transaction boundary moves the resume point: DDL (standalone), autocommit, BEGIN/COMMIT,
// XA PREPARE + XA COMMIT, a transaction rolled back (not logged), a savepoint rollback inside a transaction.
// Read to the end, the tracked GTIDs cover everything the server had executed, and the file position is the
// end of the last event.
TEST_P(ReplicationClientTest, EveryTransactionShapeMovesTheResumePoint) {
  StreamPosition start = here();
  must(root_->execute("DROP TABLE IF EXISTS " + db_ + ".shapes"));
  must(root_->execute("CREATE TABLE " + db_ + ".shapes (id INT PRIMARY KEY, v INT)"));
  must(root_->execute("INSERT INTO " + db_ + ".shapes VALUES (1, 1)"));
  must(root_->execute("BEGIN"));
  must(root_->execute("INSERT INTO " + db_ + ".shapes VALUES (2, 2)"));
  must(root_->execute("SAVEPOINT s1"));
  must(root_->execute("INSERT INTO " + db_ + ".shapes VALUES (3, 3)"));
  must(root_->execute("ROLLBACK TO SAVEPOINT s1"));
  must(root_->execute("COMMIT"));
  must(root_->execute("BEGIN"));
  must(root_->execute("INSERT INTO " + db_ + ".shapes VALUES (4, 4)"));
  must(root_->execute("ROLLBACK"));
  must(root_->execute("XA START 'repl_it_xa'"));
  must(root_->execute("INSERT INTO " + db_ + ".shapes VALUES (5, 5)"));
  must(root_->execute("XA END 'repl_it_xa'"));
  must(root_->execute("XA PREPARE 'repl_it_xa'"));
  must(root_->execute("XA COMMIT 'repl_it_xa'"));
  must(root_->execute("ALTER TABLE " + db_ + ".shapes ADD COLUMN w INT"));
  StreamPosition after = here();

  for (bool by_gtid : {false, true}) {
    SCOPED_TRACE(by_gtid ? "by gtid" : "by file");
    StreamPosition from = by_gtid ? start : StreamPosition::at_file(start.file, start.pos);
    ReplicationClient client = must(ReplicationClient::start(repl_user(), replica(by_gtid ? 14 : 15), from));
    std::vector<EventHeader> all;
    TransactionCollector c = read_to_end(client, &all);
    std::vector<Transaction> mine = c.mine(db_);
    EXPECT_EQ(mine.size(), 3u);  // with rows: autocommit insert, BEGIN/COMMIT, the XA prepared part
    const StreamPosition& end = client.committed_position();
    EXPECT_EQ(end.pos, all.back().log_pos);
    EXPECT_EQ(end.file, client.current_file());
    if (by_gtid && mariadb()) {
      EXPECT_TRUE(end.mariadb_gtids.contains(after.mariadb_gtids)) << end.mariadb_gtids.to_string();
    } else if (by_gtid) {
      EXPECT_TRUE(end.mysql_gtids.contains(after.mysql_gtids)) << end.mysql_gtids.to_string();
    }
  }
}

TEST_P(ReplicationClientTest, BlockingModeReceivesHeartbeats) {
  ReplicationOptions o = replica(5, /*stop_at_end=*/false);
  o.heartbeat_period = std::chrono::milliseconds(50);
  ReplicationClient client = must(ReplicationClient::start(repl_user(), o, here()));
  int heartbeats = 0;
  auto before = client.last_received();
  while (heartbeats < 3) {
    StreamItem item = must(client.next());
    ASSERT_NE(item.kind, StreamItem::Kind::kEndOfStream);
    if (item.kind == StreamItem::Kind::kHeartbeat) ++heartbeats;
  }
  EXPECT_GE(client.heartbeats(), 3u);
  EXPECT_GT(client.last_received(), before);
}

// Kills the dump thread while a large transaction is on the wire, then checks that the stream resumes from
// the last transaction boundary: the cut transaction is voided once and arrives whole, nothing is lost.
void ReplicationClientTest::kill_mid_transaction_and_resume(StreamPosition start, uint32_t replica_offset) {
  ReplicationOptions o = replica(replica_offset, /*stop_at_end=*/false);
  o.initial_backoff = std::chrono::milliseconds(10);
  const StreamPosition::Mode mode = start.mode;
  ReplicationClient client = must(ReplicationClient::start(repl_user(), o, std::move(start)));
  uint64_t first_connection = client.connection_id();

  // A transaction far larger than the socket buffers, so the kill lands while it is still being sent.
  must(root_->execute(mariadb() ? "SET SESSION max_recursive_iterations = 100000"
                                : "SET SESSION cte_max_recursion_depth = 100000"));
  must(root_->execute(fmt::format(
      "INSERT INTO {}.t (v, pad) SELECT 7, REPEAT('x', 1000) FROM "
      "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) SELECT i FROM n) AS s",
      db_)));

  TransactionCollector c;
  bool killed = false;
  size_t mine_done = 0;
  while (mine_done < 2) {
    StreamItem item = must(client.next());
    ASSERT_NE(item.kind, StreamItem::Kind::kEndOfStream);
    bool completed = c.feed(item);
    if (!killed && item.kind == StreamItem::Kind::kEvent &&
        item.header.type == static_cast<uint8_t>(EventType::kTableMap) && table_map_database(item.event) == db_) {
      must(root_->execute(fmt::format("KILL {}", client.connection_id())));
      killed = true;
    }
    if (completed && c.done.back().touches(db_)) {
      ++mine_done;
      if (mine_done == 1) insert_rows(1, 8);  // written after the reconnect, must arrive once
    }
  }
  ASSERT_TRUE(killed);
  EXPECT_EQ(client.reconnects(), 1u);
  EXPECT_NE(client.connection_id(), first_connection);
  EXPECT_EQ(c.discarded, 1);  // the big transaction was cut, voided, and delivered again in full
  std::vector<Transaction> mine = c.mine(db_);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_NE(mine[0].gtid, mine[1].gtid);
  // The big one arrived whole: contiguous from its GTID event to its XID, 40000 rows of ~1 KB.
  const auto& ev = mine[0].events;
  for (size_t j = 1; j < ev.size(); ++j) ASSERT_EQ(ev[j].log_pos, ev[j - 1].log_pos + ev[j].event_size);
  EXPECT_GT(ev.back().log_pos - ev.front().log_pos, 40000u * 1000u);
  EXPECT_EQ(ev.back().type, static_cast<uint8_t>(EventType::kXid));
  // The resume point followed the mode it started in, and sits at the end of the last transaction read.
  EXPECT_EQ(client.committed_position().mode, mode);
  EXPECT_EQ(client.committed_position().pos, c.done.back().events.back().log_pos);
}

TEST_P(ReplicationClientTest, KilledDumpThreadResumesByGtidWithoutLosingOrRepeatingATransaction) {
  StreamPosition start = here();
  ASSERT_NE(start.mode, StreamPosition::Mode::kFile);
  kill_mid_transaction_and_resume(std::move(start), 6);
}

TEST_P(ReplicationClientTest, KilledDumpThreadResumesByFilePositionWithoutLosingOrRepeatingATransaction) {
  StreamPosition start = here();
  kill_mid_transaction_and_resume(StreamPosition::at_file(start.file, start.pos), 10);
}


TEST_P(ReplicationClientTest, EventsLargerThanOnePacketArriveWhole) {
  // One row of two 10 MiB values: a rows event above the protocol's 16 MiB packet size, so it crosses the
  // wire as several packets (each value stays below MariaDB's default max_allowed_packet of 16 MiB).
  must(root_->execute("CREATE TABLE IF NOT EXISTS " + db_ + ".big (id INT AUTO_INCREMENT PRIMARY KEY, a LONGBLOB, b LONGBLOB)"));
  StreamPosition start = here();
  must(root_->execute(fmt::format("INSERT INTO {}.big (a, b) VALUES (REPEAT('a', 10485760), REPEAT('b', 10485760))", db_)));
  ReplicationClient client =
      must(ReplicationClient::start(repl_user(), replica(12), StreamPosition::at_file(start.file, start.pos)));
  uint32_t largest = 0;
  bool in_mine = false;
  while (true) {
    StreamItem item = must(client.next());
    if (item.kind == StreamItem::Kind::kEndOfStream) break;
    if (item.kind != StreamItem::Kind::kEvent) continue;
    if (item.header.type == static_cast<uint8_t>(EventType::kTableMap)) in_mine = table_map_database(item.event) == db_;
    if (in_mine && item.header.type != static_cast<uint8_t>(EventType::kTableMap)) {
      largest = std::max(largest, item.header.event_size);
      in_mine = false;
    }
  }
  EXPECT_GT(largest, 2u * 10485760u);
}

TEST_P(ReplicationClientTest, WithoutReconnectsADroppedStreamIsARetryableError) {
  ReplicationOptions o = replica(13, /*stop_at_end=*/false);
  o.max_reconnect_attempts = 0;
  ReplicationClient client = must(ReplicationClient::start(repl_user(), o, here()));
  must(root_->execute(fmt::format("KILL {}", client.connection_id())));
  while (true) {  // events already in the socket buffer still arrive, then the drop
    auto item = client.next();
    if (item.ok()) {
      ASSERT_NE(item->kind, StreamItem::Kind::kEndOfStream);
      continue;
    }
    EXPECT_EQ(item.error().code(), ErrorCode::kUnavailable) << item.error().message();
    EXPECT_TRUE(item.error().retryable());
    EXPECT_NE(item.error().message().find(client.committed_position().to_string()), std::string::npos)
        << item.error().message();
    break;
  }
  EXPECT_EQ(client.reconnects(), 0u);
}

TEST_P(ReplicationClientTest, ServerIdZeroIsRefused) {
  ReplicationOptions o = replica(7);
  o.server_id = 0;
  auto r = ReplicationClient::start(repl_user(), o, here());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("server_id"), std::string::npos);
}

TEST_P(ReplicationClientTest, TheSourcesOwnServerIdIsRefused) {
  ReplicationOptions o = replica(7);
  o.server_id = root_->server().server_id;
  auto r = ReplicationClient::start(repl_user(), o, here());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message().find("own @@server_id"), std::string::npos) << r.error().message();
}

TEST_P(ReplicationClientTest, MissingReplicationPrivilegeIsAnAuthError) {
  must(root_->execute("CREATE USER IF NOT EXISTS 'repl_it_noslave'@'127.0.0.1' IDENTIFIED BY 'noslavepass'"));
  must(root_->execute("GRANT SELECT ON *.* TO 'repl_it_noslave'@'127.0.0.1'"));
  auto r = ReplicationClient::start(options_for(GetParam().port, "repl_it_noslave", "noslavepass"), replica(8), here());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kAuth) << r.error().message();
  EXPECT_NE(r.error().message().find("GRANT REPLICATION SLAVE"), std::string::npos) << r.error().message();
}

TEST_P(ReplicationClientTest, UnknownBinlogFileIsNotFound) {
  auto client = ReplicationClient::start(repl_user(), replica(9), StreamPosition::at_file("no-such-binlog.000001", 4));
  Status st = client.ok() ? Status{} : Status(client.error());
  if (client.ok()) {
    auto item = client->next();
    ASSERT_FALSE(item.ok());
    st = item.error();
  }
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kNotFound) << st.error().message();
}

TEST_P(ReplicationClientTest, NetworkSourceStartsWhereTheOptionsSay) {
  SourceConfig source;
  source.host = "127.0.0.1";
  source.port = static_cast<uint16_t>(GetParam().port);
  source.user = "repl";
  source.password = Secret("replpass");
  source.tls.mode = TlsMode::kDisabled;
  source.server_id = GetParam().server_id_base + 11;

  StreamPosition start = here();
  insert_rows(1, 300);
  NetworkSourceRequest by_file;
  by_file.from_file = start.file;
  by_file.from_pos = start.pos;
  by_file.until_end = true;
  ReplicationClient a = must(open_network_source(source, by_file));
  std::vector<Transaction> from_file = read_to_end(a).mine(db_);
  ASSERT_EQ(from_file.size(), 1u);

  NetworkSourceRequest by_gtid;
  by_gtid.from_gtid = mariadb() ? start.mariadb_gtids.to_string() : start.mysql_gtids.to_string();
  by_gtid.until_end = true;
  ReplicationClient b = must(open_network_source(source, by_gtid));
  std::vector<Transaction> from_gtid = read_to_end(b).mine(db_);
  ASSERT_EQ(from_gtid.size(), 1u);
  EXPECT_EQ(from_gtid[0].gtid, from_file[0].gtid);

  NetworkSourceRequest current;
  current.until_end = true;
  ReplicationClient c = must(open_network_source(source, current));
  EXPECT_TRUE(read_to_end(c).mine(db_).empty());

  NetworkSourceRequest both = by_gtid;
  both.from_file = start.file;
  EXPECT_EQ(open_network_source(source, both).error().code(), ErrorCode::kInvalidArgument);
  NetworkSourceRequest bad_gtid;
  bad_gtid.from_gtid = "not-a-gtid";
  auto bad = open_network_source(source, bad_gtid);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("--from-gtid"), std::string::npos) << bad.error().message();
}

INSTANTIATE_TEST_SUITE_P(Servers, ReplicationClientTest,
                         testing::Values(ServerCase{"MariaDB", testenv::mariadb_port(), 9101},
                                         ServerCase{"MySQL", testenv::mysql_port(), 9151}),
                         PrintCase);

// MySQL 8.4+ tagged GTIDs: a GTID_TAGGED_LOG_EVENT on the wire, its tag in the tracked set.
TEST(ReplicationClientMysqlTest, TaggedGtidIsTrackedThroughTheStream) {
  Connection root = must(Connection::open(options_for(testenv::mysql_port(), "root", "rootpass")));
  must(root.execute("CREATE DATABASE IF NOT EXISTS repl_it_mysql"));
  must(root.execute("CREATE TABLE IF NOT EXISTS repl_it_mysql.tagged (id INT PRIMARY KEY AUTO_INCREMENT, v INT)"));
  StreamPosition start = must(current_position(root));
  must(root.execute("SET gtid_next = 'AUTOMATIC:repl_it'"));
  must(root.execute("INSERT INTO repl_it_mysql.tagged (v) VALUES (1)"));
  must(root.execute("SET gtid_next = 'AUTOMATIC'"));

  ReplicationOptions o;
  o.server_id = 9199;
  o.stop_at_end = true;
  ReplicationClient client = must(ReplicationClient::start(options_for(testenv::mysql_port(), "repl", "replpass"), o, start));
  TransactionCollector c;
  std::optional<MysqlGtid> tagged;
  while (true) {
    StreamItem item = must(client.next());
    if (item.kind == StreamItem::Kind::kEndOfStream) break;
    if (item.kind == StreamItem::Kind::kEvent && item.header.type == static_cast<uint8_t>(EventType::kGtidTagged)) {
      auto g = must(parse_mysql_gtid_event(item.event, item.checksum_size));
      if (g.tag == "repl_it") tagged = g;
    }
    c.feed(item);
  }
  ASSERT_TRUE(tagged.has_value());
  EXPECT_EQ(tagged->uuid.to_string(), must(root.query_value("SELECT @@server_uuid")).value_or(""));
  EXPECT_EQ(must(root.query_value(fmt::format("SELECT GTID_SUBSET('{}', @@global.gtid_executed)", tagged->to_string()))),
            "1");
  EXPECT_TRUE(client.committed_position().mysql_gtids.contains(*tagged));
  // The server's own set, with tags, parses and round-trips through the binary encoding.
  auto executed = must(MysqlGtidSet::parse(must(root.query_value("SELECT @@global.gtid_executed")).value_or("")));
  EXPECT_TRUE(executed.contains(*tagged));
  EXPECT_EQ(must(MysqlGtidSet::decode(executed.encode())), executed);
  // And the server accepts the tagged binary form: a dump from the full set has nothing of ours to send.
  ReplicationOptions o2 = o;
  o2.server_id = 9198;
  ReplicationClient after = must(ReplicationClient::start(options_for(testenv::mysql_port(), "repl", "replpass"), o2,
                                                          StreamPosition::after_gtids(executed)));
  TransactionCollector rest = read_to_end(after);
  for (const auto& t : rest.done) {
    if (t.gtid) {
      EXPECT_FALSE(executed.contains(must(MysqlGtid::parse(*t.gtid)))) << *t.gtid;
    }
  }
}

}  // namespace
}  // namespace mysql2ch::binlog
