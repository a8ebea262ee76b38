#include "binlog/binlog_file_reader.h"

#include <cerrno>
#include <cstring>

namespace mysql2ch::binlog {
namespace {
constexpr uint8_t kMagic[4] = {0xFE, 0x62, 0x69, 0x6E};  // "\xfebin"
constexpr size_t kReadChunk = 1 << 20;
}  // namespace

Result<std::unique_ptr<BinlogFileReader>> BinlogFileReader::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return make_error(ErrorCode::kIo, "cannot open {}: {}", path, std::strerror(errno));
  uint8_t magic[4];
  if (std::fread(magic, 1, 4, f) != 4 || std::memcmp(magic, kMagic, 4) != 0) {
    std::fclose(f);
    return make_error(ErrorCode::kCorrupt, "{} is not a binlog file (no \\xfebin magic)", path);
  }
  const size_t slash = path.rfind('/');
  return std::unique_ptr<BinlogFileReader>(
      new BinlogFileReader(f, slash == std::string::npos ? path : path.substr(slash + 1)));
}

BinlogFileReader::~BinlogFileReader() { std::fclose(file_); }

Status BinlogFileReader::fill(size_t need) {
  while (end_ - begin_ < need && !eof_) {
    if (begin_ > 0 && (buf_.size() - end_ < kReadChunk || begin_ == end_)) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    const size_t want = std::max(kReadChunk, need - (end_ - begin_));
    if (buf_.size() - end_ < want) buf_.resize(end_ + want);
    const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
    if (got == 0) {
      if (std::ferror(file_)) return make_error(ErrorCode::kIo, "reading {}: {}", name_, std::strerror(errno));
      eof_ = true;
    }
    end_ += got;
  }
  return {};
}

Result<bool> BinlogFileReader::next(std::span<const uint8_t>& event, uint64_t& pos) {
  TRY(fill(kEventHeaderSize));
  if (end_ == begin_) return false;
  if (end_ - begin_ < kEventHeaderSize) {
    return make_error(ErrorCode::kCorrupt, "{} ends inside the header of an event at {}", name_, pos_);
  }
  const uint8_t* p = buf_.data() + begin_;
  const uint32_t size = static_cast<uint32_t>(p[9]) | static_cast<uint32_t>(p[10]) << 8 |
                        static_cast<uint32_t>(p[11]) << 16 | static_cast<uint32_t>(p[12]) << 24;
  if (size < kEventHeaderSize) {
    return make_error(ErrorCode::kCorrupt, "event at {}:{} declares {} bytes", name_, pos_, size);
  }
  TRY(fill(size));
  if (end_ - begin_ < size) {
    return make_error(ErrorCode::kCorrupt, "{} ends inside an event at {} ({} of {} bytes present)", name_, pos_,
                      end_ - begin_, size);
  }
  event = std::span<const uint8_t>(buf_.data() + begin_, size);
  pos = pos_;
  begin_ += size;
  pos_ += size;
  return true;
}

Status decode_binlog_file(const std::string& path, EventParser& parser, EventHandler& handler) {
  TRY_ASSIGN(auto reader, BinlogFileReader::open(path));
  parser.set_file(reader->name());
  std::span<const uint8_t> event;
  uint64_t pos = 0;
  while (true) {
    TRY_ASSIGN(bool more, reader->next(event, pos));
    if (!more) return {};
    TRY(parser.parse(event, pos, handler));
  }
}

}  // namespace mysql2ch::binlog
