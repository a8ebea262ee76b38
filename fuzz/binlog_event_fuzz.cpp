// libFuzzer target over the binlog event parser. The input is a sequence of events as in a binlog file after
// its magic: the first event is fed to a fresh parser, and so on, so a FORMAT_DESCRIPTION at the start sets
// the checksum and post-header lengths the following events are parsed with, and TABLE_MAPs the rows events
// use. Every row value is rendered as JSON too, so the renderers (JSON binary, charsets, decimals) are fuzzed
// with the decoders. Arbitrary bytes must give an error, never a crash, hang or out-of-bounds read.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "binlog/event_parser.h"
#include "schema/value_json.h"

namespace {

class RenderingHandler : public mysql2ch::binlog::EventHandler {
 public:
  mysql2ch::Status on_row(const mysql2ch::binlog::EventInfo&, const mysql2ch::binlog::RowChange& row) override {
    render(row, row.before);
    render(row, row.after);
    return {};
  }

 private:
  void render(const mysql2ch::binlog::RowChange& row, std::span<const mysql2ch::schema::Value> values) {
    for (size_t k = 0; k < values.size(); ++k) {
      out_.clear();
      (void)mysql2ch::schema::append_value_json(values[k], &row.table->schema.columns[k], out_);
    }
  }
  std::string out_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  if (in.size() >= 4 && in[0] == 0xFE && in[1] == 'b' && in[2] == 'i' && in[3] == 'n') in = in.subspan(4);
  mysql2ch::binlog::EventParser parser;
  parser.set_file("fuzz.000001");
  RenderingHandler handler;
  uint64_t pos = 4;
  while (in.size() >= mysql2ch::binlog::kEventHeaderSize) {
    uint32_t event_size = static_cast<uint32_t>(in[9]) | static_cast<uint32_t>(in[10]) << 8 |
                          static_cast<uint32_t>(in[11]) << 16 | static_cast<uint32_t>(in[12]) << 24;
    if (event_size < mysql2ch::binlog::kEventHeaderSize || event_size > in.size()) event_size = static_cast<uint32_t>(in.size());
    // The parser requires the span to be the whole event; a mismatching declared size is an error it reports.
    if (!parser.parse(in.subspan(0, event_size), pos, handler).ok()) break;
    in = in.subspan(event_size);
    pos += event_size;
  }
  return 0;
}
