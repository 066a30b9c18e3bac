// net/acceptor.hpp — accepts connections from a listening socket (TCP or
// unix) on the loop.
//
// Each readable turn accepts up to kAcceptsPerTurn connections (fairness,
// like the 64 KiB read cap). Out of fds or kernel memory (EMFILE, ENFILE,
// ENOBUFS, ENOMEM): the acceptor takes its fd out of the loop and retries
// after kAcceptBackoffNs. We chose back-off over the "reserve fd" trick
// (close a spare fd, accept, close the connection, reopen the spare):
// that trick exists to stop a level-triggered loop spinning, which removing
// the interest does as well, and it resets connections that the backlog
// could have held until fds are free again. The kernel backlog bounds what
// waits meanwhile; one warning is logged per back-off.
#pragma once

#include <memory>

#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/socket.hpp"

namespace net {

class Acceptor {
 public:
  // fd: a listening socket; the Acceptor owns it. The callback may destroy
  // the Acceptor.
  using OnAccept = SmallFn<void(Fd fd, const SockAddr& peer)>;

  // Errors: Err::io (loop registration).
  static Result<std::unique_ptr<Acceptor>> start(Loop& loop, Fd listen_fd, OnAccept cb, Log* log = nullptr);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  int fd() const { return fd_.get(); }
  Result<SockAddr> local() const { return local_addr(fd_.get()); }
  bool backing_off() const { return backing_off_; }
  uint64_t accepted() const { return accepted_; }
  uint64_t backoffs() const { return backoffs_; }

 private:
  Acceptor(Loop& loop, Fd fd, OnAccept cb, Log* log);
  void on_ready();
  void resume();

  Loop& loop_;
  Fd fd_;
  OnAccept cb_;
  Log* log_;
  IoId io_ = kNoIo;
  TimerId timer_ = kNoTimer;
  bool backing_off_ = false;
  bool* dead_flag_ = nullptr;
  uint64_t accepted_ = 0;
  uint64_t backoffs_ = 0;
};

}  // namespace net
