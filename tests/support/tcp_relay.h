// A TCP relay on 127.0.0.1 in front of a server that a test can cut: close() drops every open connection and
// makes the relay hang up on new ones at once (as a server that is going down does); open() relays again.
//
// One thread relays; close()/open() may be called from any thread. The destructor stops the thread and closes
// every socket.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace mysql2ch::test {

class TcpRelay {
 public:
  // Listens on an ephemeral port; throws when it cannot.
  explicit TcpRelay(int target_port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const { return port_; }
  void close();
  void open();

 private:
  void listen_on_ephemeral_port();
  void close_everything();
  void loop();

  int target_port_;
  int port_ = 0;
  int listener_ = -1;
  bool closed_ = false;
  std::vector<std::pair<int, int>> pairs_;  // (client, server)
  std::mutex mutex_;
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace mysql2ch::test
