#include "clickhouse/pipe_feeder.h"

#include <fcntl.h>
#include <csignal>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace mysql2ch {
namespace {
constexpr int kPipeBytes = 1 << 20;  // the default Linux pipe-max-size; fewer wake-ups than 64 KiB
}  // namespace

Result<std::unique_ptr<PipeFeeder>> PipeFeeder::start(std::string_view data) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return make_error(ErrorCode::kIo, "pipe2: {}", std::strerror(errno));
  (void)fcntl(fds[1], F_SETPIPE_SZ, kPipeBytes);  // a smaller pipe only costs speed
  return std::unique_ptr<PipeFeeder>(new PipeFeeder(data, fds[0], fds[1]));
}

PipeFeeder::PipeFeeder(std::string_view data, int read_fd, int write_fd)
    : data_(data), read_fd_(read_fd), write_fd_(write_fd), writer_([this] { write_all(); }) {}

PipeFeeder::~PipeFeeder() {
  (void)finish();
}

std::string PipeFeeder::path() const {
  return "/proc/self/fd/" + std::to_string(read_fd_);
}

void PipeFeeder::write_all() {
  // A consumer that stops reading makes write() fail with EPIPE; the signal that comes with it is blocked in
  // this thread and taken back below, so it never reaches the process.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  while (written_ < data_.size()) {
    const ssize_t n = write(write_fd_, data_.data() + written_, data_.size() - written_);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      write_errno_ = n < 0 ? errno : EIO;
      break;
    }
    written_ += static_cast<size_t>(n);
  }
  if (write_errno_ == EPIPE) {
    const timespec no_wait{0, 0};
    (void)sigtimedwait(&pipe_signal, nullptr, &no_wait);
  }
  close(write_fd_);  // end of file for the consumer
}

Status PipeFeeder::finish() {
  if (finished_) return {};
  finished_ = true;
  close(read_fd_);
  writer_.join();
  if (written_ == data_.size()) return {};
  return make_error(ErrorCode::kInternal, "chDB stopped reading the rows after {} of {} bytes ({})", written_,
                    data_.size(), std::strerror(write_errno_));
}

}  // namespace mysql2ch
