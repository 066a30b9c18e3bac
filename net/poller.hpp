// net/poller.hpp — the readiness backend behind net::Loop (STYLE.md §9).
//
// Like redis ae's aeApi* functions: a backend registers fds with an interest
// set and a 64-bit token, and wait() reports which tokens became ready. The
// Loop never sees epoll_event or struct kevent. Linux builds
// net/poller_epoll.cpp; a kqueue backend would implement the same class in
// net/poller_kqueue.cpp and define make_poller() there (EVFILT_READ and
// EVFILT_WRITE map onto kReadable/kWritable; EV_EOF onto kHangup).
//
// Contract (every backend):
// - Level-triggered: an fd that stays ready is reported by every wait().
//   The Loop relies on this for its per-fd fairness caps (a driver may stop
//   reading an fd after 64 KiB and be told again next turn).
// - kError and kHangup are reported whatever the interest; a backend may
//   report them for an fd registered with interest 0 (epoll does), so the
//   Loop removes an fd from the backend while its interest is 0.
// - The token is opaque to the backend and returned unchanged.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "net/result.hpp"

namespace net {

// Interest and readiness bits.
inline constexpr uint32_t kReadable = 1u << 0;
inline constexpr uint32_t kWritable = 1u << 1;
inline constexpr uint32_t kError = 1u << 2;   // readiness only: the fd has a pending error
inline constexpr uint32_t kHangup = 1u << 3;  // readiness only: both directions closed

struct PollEvent {
  uint64_t token = 0;
  uint32_t events = 0;  // kReadable | kWritable | kError | kHangup
};

class Poller {
 public:
  virtual ~Poller() = default;

  // Errors: Err::io with the errno text ("epoll_ctl add fd 7: Bad file descriptor").
  virtual Status add(int fd, uint32_t interest, uint64_t token) = 0;
  virtual Status modify(int fd, uint32_t interest, uint64_t token) = 0;
  virtual Status remove(int fd) = 0;

  // Waits up to timeout_ns (-1: forever, 0: poll) and fills `out`. Returns
  // the number of events (0 on timeout or EINTR). Errors: Err::io.
  virtual Result<size_t> wait(std::span<PollEvent> out, int64_t timeout_ns) = 0;

  virtual const char* name() const = 0;  // "epoll"
};

// The build-time backend (net/poller_epoll.cpp on Linux). Errors: Err::io.
Result<std::unique_ptr<Poller>> make_poller();

}  // namespace net
