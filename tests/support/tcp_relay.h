// A TCP relay on 127.0.0.1 in front of a server that a test can cut: close() drops every open connection and
// makes the relay hang up on new ones at once (as a server that is going down does); open() relays again.
//
// It can also hold requests, to put a client's steps in an order of the test's choosing: after hold(text), bytes
// from a client in which `text` occurs (also across two reads) are kept back, with everything that client sends
// after them, until release(); held() counts the holds so far. `text` is matched against the raw bytes, so for an
// HTTP server a statement sent in the body is matched as written and one sent in the URL as the client encodes it.
//
// One thread relays; close()/open()/hold()/release()/held() may be called from any thread. The destructor stops
// the thread and closes every socket.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
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

  void hold(std::string text);
  // Forwards what is held and holds nothing more.
  void release();
  // Closes the held connections without forwarding what they sent (as a client killed mid-request leaves its
  // server), and holds nothing more.
  void drop_held();
  // How many times a client was held since the relay started.
  int held();

 private:
  struct Pair {
    int client;
    int server;
    std::string tail;     // the last bytes the client sent, to find a held text split across reads
    std::string pending;  // bytes from the client kept back while held
  };

  void listen_on_ephemeral_port();
  void close_everything();
  void loop();
  // From the client of pairs_[k]: forwards `data` or keeps it back. False when the pair must be closed.
  bool from_client(Pair& pair, const char* data, size_t size);

  int target_port_;
  int port_ = 0;
  int listener_ = -1;
  bool closed_ = false;
  std::vector<Pair> pairs_;
  std::string hold_text_;
  int held_ = 0;
  std::mutex mutex_;
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace mysql2ch::test
