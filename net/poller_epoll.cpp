// net/poller_epoll.cpp — the Linux backend of net::Poller: level-triggered
// epoll (see net/loop.hpp for why level-triggered).
#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ctime>
#include <string>

#include "net/poller.hpp"
#include "net/sys_error.hpp"

namespace net {
namespace {

constexpr size_t kMaxBatch = 256;  // events per wait(); more stay ready (level-triggered)

uint32_t to_epoll(uint32_t interest) {
  uint32_t ev = 0;
  if (interest & kReadable) ev |= EPOLLIN;
  if (interest & kWritable) ev |= EPOLLOUT;
  return ev;
}

uint32_t from_epoll(uint32_t ev) {
  uint32_t r = 0;
  if (ev & (EPOLLIN | EPOLLPRI)) r |= kReadable;
  if (ev & EPOLLOUT) r |= kWritable;
  if (ev & EPOLLERR) r |= kError;
  if (ev & EPOLLHUP) r |= kHangup;
  return r;
}

class EpollPoller final : public Poller {
 public:
  explicit EpollPoller(int epfd) : epfd_(epfd) {}
  ~EpollPoller() override { ::close(epfd_); }
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  Status add(int fd, uint32_t interest, uint64_t token) override {
    return ctl(EPOLL_CTL_ADD, "add", fd, interest, token);
  }
  Status modify(int fd, uint32_t interest, uint64_t token) override {
    return ctl(EPOLL_CTL_MOD, "modify", fd, interest, token);
  }
  Status remove(int fd) override { return ctl(EPOLL_CTL_DEL, "remove", fd, 0, 0); }

  Result<size_t> wait(std::span<PollEvent> out, int64_t timeout_ns) override {
    int max = static_cast<int>(out.size() < kMaxBatch ? out.size() : kMaxBatch);
    int n = wait_raw(max, timeout_ns);
    if (n < 0) {
      if (errno == EINTR) return size_t{0};
      return sys_error("epoll_wait", errno);
    }
    for (int i = 0; i < n; i++) {
      out[i].token = evs_[i].data.u64;
      out[i].events = from_epoll(evs_[i].events);
    }
    return static_cast<size_t>(n);
  }

  const char* name() const override { return "epoll"; }

 private:
  Status ctl(int op, const char* opname, int fd, uint32_t interest, uint64_t token) {
    epoll_event ev{};
    ev.events = to_epoll(interest);
    ev.data.u64 = token;
    if (epoll_ctl(epfd_, op, fd, &ev) == 0) return {};
    return sys_error(std::string("epoll_ctl ") + opname + " fd " + std::to_string(fd), errno);
  }

  // epoll_wait takes whole milliseconds; rounding a timer's timeout up costs
  // it up to 1 ms of lateness. epoll_pwait2 (Linux 5.11) takes a timespec but
  // measured ~350 ns slower per call (kernel 6.18, KVM), so it is used only
  // for short timeouts that are not whole milliseconds, where 1 ms matters.
  int wait_raw(int max, int64_t timeout_ns) {
    constexpr int64_t kMs = 1'000'000;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
    if (have_pwait2_ && timeout_ns > 0 && timeout_ns < 100 * kMs && timeout_ns % kMs != 0) {
      timespec ts{};
      ts.tv_sec = 0;
      ts.tv_nsec = static_cast<long>(timeout_ns);
      int n = epoll_pwait2(epfd_, evs_.data(), max, &ts, nullptr);
      if (n >= 0 || errno != ENOSYS) return n;
      have_pwait2_ = false;
    }
#endif
    int ms = -1;
    if (timeout_ns >= 0) {
      int64_t m = (timeout_ns + kMs - 1) / kMs;  // round up: never wake before a deadline
      ms = m > INT32_MAX ? INT32_MAX : static_cast<int>(m);
    }
    return epoll_wait(epfd_, evs_.data(), max, ms);
  }

  int epfd_;
  bool have_pwait2_ = true;
  std::array<epoll_event, kMaxBatch> evs_{};
};

}  // namespace

Result<std::unique_ptr<Poller>> make_poller() {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return sys_error("epoll_create1", errno);
  return std::unique_ptr<Poller>(new EpollPoller(fd));
}

}  // namespace net
