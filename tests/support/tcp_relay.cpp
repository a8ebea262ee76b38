#include "support/tcp_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace mysql2ch::test {

namespace {
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

// A connected socket, or -1.
int connect_to(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
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
  for (auto& p : pairs_) {
    ::close(p.client);
    if (p.server >= 0) ::close(p.server);
  }
  pairs_.clear();
}

void TcpRelay::open() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = false;
}

void TcpRelay::hold(std::string text) {
  std::lock_guard<std::mutex> lock(mutex_);
  hold_text_ = std::move(text);
}

void TcpRelay::release() {
  std::lock_guard<std::mutex> lock(mutex_);
  hold_text_.clear();
  for (size_t k = 0; k < pairs_.size();) {
    Pair& p = pairs_[k];
    if (!p.pending.empty() && p.server < 0) p.server = connect_to(target_port_);
    if (!p.pending.empty() && (p.server < 0 || !write_all(p.server, p.pending.data(), p.pending.size()))) {
      ::close(p.client);
      if (p.server >= 0) ::close(p.server);
      pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(k));
      continue;
    }
    p.pending.clear();
    ++k;
  }
}

void TcpRelay::drop_held() {
  std::lock_guard<std::mutex> lock(mutex_);
  hold_text_.clear();
  for (size_t k = 0; k < pairs_.size();) {
    Pair& p = pairs_[k];
    if (p.pending.empty()) {
      ++k;
      continue;
    }
    ::close(p.client);
    if (p.server >= 0) ::close(p.server);
    pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(k));
  }
}

int TcpRelay::held() {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_;
}

bool TcpRelay::from_client(Pair& pair, const char* data, size_t size) {
  if (!pair.pending.empty()) {
    pair.pending.append(data, size);
    return true;
  }
  if (!hold_text_.empty()) {
    const std::string window = pair.tail + std::string(data, size);
    if (window.find(hold_text_) != std::string::npos) {
      pair.pending.assign(data, size);
      pair.tail.clear();
      ++held_;
      return true;
    }
    pair.tail = window.substr(window.size() > hold_text_.size() ? window.size() - hold_text_.size() : 0);
  }
  return write_all(pair.server, data, size);
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
  for (auto& p : pairs_) {
    ::close(p.client);
    if (p.server >= 0) ::close(p.server);
  }
  pairs_.clear();
}

void TcpRelay::loop() {
  while (!quit_.load()) {
    std::vector<pollfd> fds;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (listener_ >= 0) fds.push_back({listener_, POLLIN, 0});
      for (auto& p : pairs_) {
        // A held client is not read: what it sends stays in the socket until the hold is released.
        if (p.pending.empty()) fds.push_back({p.client, POLLIN, 0});
        if (p.server >= 0) fds.push_back({p.server, POLLIN, 0});
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
        const int server = connect_to(target_port_);
        if (server < 0) {
          ::close(client);
          continue;
        }
        pairs_.push_back(Pair{client, server, {}, {}});
        continue;
      }
      // A pair closed by close() since the poll is no longer listed: its fds are skipped here.
      for (size_t k = 0; k < pairs_.size(); ++k) {
        Pair& pair = pairs_[k];
        if (p.fd != pair.client && p.fd != pair.server) continue;
        char buf[65536];
        const ssize_t n = read(p.fd, buf, sizeof buf);
        bool ok = n > 0;
        if (ok && p.fd == pair.client) {
          ok = from_client(pair, buf, static_cast<size_t>(n));
        } else if (ok) {
          ok = write_all(pair.client, buf, static_cast<size_t>(n));
        } else if (!pair.pending.empty()) {
          // The server hung up on an idle keep-alive connection while a request of it is held: the client has
          // not seen an answer, so the request goes out on a new connection when released.
          ::close(pair.server);
          pair.server = -1;
          ok = true;
        }
        if (!ok) {
          ::close(pair.client);
          if (pair.server >= 0) ::close(pair.server);
          pairs_.erase(pairs_.begin() + static_cast<std::ptrdiff_t>(k));
        }
        break;
      }
    }
  }
}

}  // namespace mysql2ch::test
