// `mysql2ch binlog` output must stay byte-identical while its line building and value rendering are tuned for
// speed: each binlog fixture of tests/binlog/fixtures decodes to exactly the lines recorded in
// tests/cli/fixtures/NAME.binlog.jsonl (made by the renderer before the throughput work of issue 3; a
// deliberate format change re-records them with `mysql2ch binlog --file NAME.binlog`).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "binlog/binlog_file_reader.h"
#include "cli/binlog_json.h"

namespace mysql2ch {
namespace {

std::string printed_lines(const std::string& binlog_path) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  {
    BinlogJsonPrinter printer(out, "", std::nullopt);
    binlog::EventParser parser;
    const Status st = binlog::decode_binlog_file(binlog_path, parser, printer);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message());
  }
  std::fclose(out);
  std::string text(buf, size);
  std::free(buf);
  return text;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class BinlogJsonGolden : public testing::TestWithParam<const char*> {};

TEST_P(BinlogJsonGolden, OutputIsByteIdenticalToTheRecordedLines) {
  const std::string root = MYSQL2CH_SOURCE_DIR;
  const std::string name = GetParam();
  const std::string got = printed_lines(root + "/tests/binlog/fixtures/" + name + ".binlog");
  const std::string want = file_text(root + "/tests/cli/fixtures/" + name + ".binlog.jsonl");
  ASSERT_GT(want.size(), 10000u);
  if (got == want) return;
  std::istringstream g(got), w(want);
  std::string gl, wl;
  for (int line = 1; std::getline(w, wl); ++line) {
    if (!std::getline(g, gl)) gl = "(no line)";
    ASSERT_EQ(gl, wl) << "first difference at line " << line;
  }
  ADD_FAILURE() << "output has more lines than recorded";
}

std::string FixtureName(const testing::TestParamInfo<const char*>& param) {
  std::string n = param.param;
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BinlogJsonGolden, testing::Values("mysql", "mariadb", "mariadb-min"), FixtureName);

}  // namespace
}  // namespace mysql2ch
