#include "support/tcp_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace mysql2ch::test {

namespace {
sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}
}  // namespace

TcpRelay::TcpRelay(int target_port) : target_port_(target_port) {
  listen_on_ephemeral_port();
  thread_ = std::thread([this] { loop(); });
}

TcpRelay::~TcpRelay() {
  quit_.store(true);
  thread_.join();
  close_everything();
}

void TcpRelay::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  for (auto& [a, b] : pairs_) {
    ::close(a);
    ::close(b);
  }
  pairs_.clear();
}

void TcpRelay::open() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = false;
}

void TcpRelay::listen_on_ephemeral_port() {
  listener_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = loopback(0);
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener_, 64) != 0) {
    throw std::runtime_error("relay: cannot listen");
  }
  socklen_t len = sizeof addr;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

void TcpRelay::close_everything() {
  if (listener_ >= 0) ::close(listener_);
  listener_ = -1;
  for (auto& [a, b] : pairs_) {
    ::close(a);
    ::close(b);
  }
  pairs_.clear();
}

void TcpRelay::loop() {
  while (!quit_.load()) {
    std::vector<pollfd> fds;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (listener_ >= 0) fds.push_back({listener_, POLLIN, 0});
      for (auto& [a, b] : pairs_) {
        fds.push_back({a, POLLIN, 0});
        fds.push_back({b, POLLIN, 0});
      }
    }
    poll(fds.data(), fds.size(), 50);
    std::lock_guard<std::mutex> lock(mutex_);
    for (const pollfd& p : fds) {
      if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      if (p.fd == listener_) {
        const int client = accept(listener_, nullptr, nullptr);
        if (client < 0) continue;
        if (closed_) {
          ::close(client);
          continue;
        }
        const int server = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr = loopback(target_port_);
        if (connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
          ::close(client);
          ::close(server);
          continue;
        }
        pairs_.emplace_back(client, server);
        continue;
      }
      // A pair closed by close() since the poll is no longer listed: its fds are skipped here.
      for (size_t k = 0; k < pairs_.size(); ++k) {
        auto [a, b] = pairs_[k];
        if (p.fd != a && p.fd != b) continue;
        char buf[65536];
        const ssize_t n = read(p.fd, buf, sizeof buf);
        const int other = p.fd == a ? b : a;
        if (n <= 0 || write(other, buf, static_cast<size_t>(n)) != n) {
          ::close(a);
          ::close(b);
          pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(k));
        }
        break;
      }
    }
  }
}

}  // namespace mysql2ch::test
