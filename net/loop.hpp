// net/loop.hpp — the event loop: fd readiness, timers, deferred calls,
// before-sleep hooks and signals, on one thread (STYLE.md §9, DESIGN.md).
//
// One turn of run():
//   1. before_sleep hooks    drivers flush every core's pending_output() here;
//                            calls deferred by a hook run right after the
//                            hooks, then the hooks again (up to
//                            kHookDeferredPasses times; the rest run in 6)
//   2. wait                  backend wait() until the earliest timer (0 if
//                            deferred calls are queued or stop() was called)
//   3. now() := monotonic    cached for the whole turn
//   4. I/O callbacks         one per ready fd, events masked to its interest
//   5. timers                every timer whose deadline <= now(), in
//                            (deadline, creation) order
//   6. deferred calls        those queued before step 6 began, FIFO; calls
//                            they queue run at the end of the next turn
//
// Level-triggered readiness (not edge-triggered). A driver may stop reading
// an fd after a per-turn cap (kReadCapPerTurn = 64 KiB, net/net_limits.hpp)
// and the backend reports the fd again next turn, so no peer starves the
// others and no driver needs a "still has data" list. The price, an
// epoll_ctl(MOD) when a socket's writable interest toggles, is paid only
// when the kernel send buffer fills. An fd whose interest is 0 is taken out of
// the backend, since epoll reports EPOLLHUP/EPOLLERR regardless of interest
// and level-triggered would then spin.
//
// Timers: a binary min-heap of (deadline, seq, slot) with lazy cancellation:
// cancel_timer() and re-arming only mark the heap entry stale (O(1)); stale
// entries are dropped when they reach the top, and the heap is rebuilt
// without them when more than half of it is stale. Add and fire are
// O(log n). Re-arming a timer to a *later* deadline pushes nothing: the old
// entry is re-queued at the new deadline when it reaches the top, so the
// "one timer per connection re-armed from next_deadline()" pattern
// (STYLE.md §2) costs O(1) per postponement.
//
// Callbacks are net::SmallFn (move-only, 32 bytes inline): registering a
// callback stores it once; dispatching an event, firing a timer or running a
// deferred call allocates nothing. Measured figures are in the README.
//
// Re-entrancy. Any callback may call any method below except run() and
// run_once(), including removing its own fd or the fd of another event in the
// same batch (that event is then dropped: ids carry a generation), cancelling
// its own or another timer, and destroying the object that registered it
// (the Loop never touches a callback after it returns unless it is still
// registered).
//
// Lifetime: destroy everything that registered fds or timers (TcpStream,
// Acceptor, drivers) before the Loop.
//
// Signals go through one signalfd: on_signal() blocks the signal for the
// calling thread (create the Loop and register signals before starting any
// thread, so threads inherit the mask). The destructor drains pending
// signals, closes the signalfd and unblocks what it blocked.
#pragma once

#include <signal.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "net/clock.hpp"
#include "net/net_limits.hpp"
#include "net/poller.hpp"
#include "net/result.hpp"
#include "net/small_function.hpp"

namespace net {

// Ids are (generation << 32 | slot); 0 is never a valid id. A stale id (its
// fd removed, its timer fired or cancelled) is ignored by every method.
enum class IoId : uint64_t {};
enum class TimerId : uint64_t {};
enum class HookId : uint64_t {};
inline constexpr IoId kNoIo{};
inline constexpr TimerId kNoTimer{};

using Callback = SmallFn<void()>;
using IoCallback = SmallFn<void(uint32_t events)>;  // kReadable|kWritable|kError|kHangup
using SignalCallback = SmallFn<void(int signo)>;

inline constexpr size_t kLoopScratchLen = kReadCapPerTurn;
inline constexpr size_t kLoopMaxEvents = 256;          // ready fds handled per wait()
// Rounds of (calls deferred by hooks, hooks) before the wait. A hook's
// deferred call — a connection's frames after the engine's commit — then
// leaves before the wait instead of after a whole turn of new input: a
// daemon that reads while its output waits turns a pipeline into lock-step.
inline constexpr int kHookDeferredPasses = 4;

struct LoopStats {
  uint64_t turns = 0;
  uint64_t io_events = 0;     // I/O callbacks run
  uint64_t timers_fired = 0;
  uint64_t deferred_run = 0;
};

class Loop {
 public:
  // Errors: Err::io (epoll_create1 failed).
  static Result<std::unique_ptr<Loop>> create();
  static Result<std::unique_ptr<Loop>> create(std::unique_ptr<Poller> backend);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // ---- time ----
  // Monotonic time cached at the start of the current turn.
  Instant now() const { return now_; }
  void update_now() { now_ = monotonic_now(); }

  // ---- fds ----
  // Registers fd (not owned: the caller closes it, after remove_fd()).
  // interest may be 0. Errors: Err::io ("epoll_ctl add fd -1: Bad file descriptor").
  Result<IoId> add_fd(int fd, uint32_t interest, IoCallback cb);
  // Errors: Err::io from the backend; Err::not_found for a stale id.
  Status set_interest(IoId id, uint32_t interest);
  uint32_t interest(IoId id) const;  // 0 for a stale id
  // Unregisters; safe from any callback. Call it before closing the fd:
  // epoll keys registrations by (file, fd number).
  void remove_fd(IoId id);

  // ---- timers ----
  // One-shot: fires once at `deadline` (already passed: this or next turn).
  TimerId add_timer(Instant deadline, Callback cb);
  // Fires every interval_ns (>= 1) starting at now() + interval_ns. Missed
  // periods are skipped, not replayed.
  TimerId add_periodic(uint64_t interval_ns, Callback cb);
  // A reusable timer, created disarmed: arm_timer() it as often as needed;
  // firing disarms it. The driver pattern "one timer per connection".
  TimerId create_timer(Callback cb);
  // (Re)schedules any live timer; kNever disarms. false for a stale id.
  bool arm_timer(TimerId id, Instant deadline);
  // Frees the timer. false if it had already fired (one-shot) or was
  // cancelled. Safe from any callback, including its own.
  bool cancel_timer(TimerId id);
  bool timer_armed(TimerId id) const;

  // ---- deferred calls and hooks ----
  void defer(Callback cb);
  HookId add_before_sleep(Callback cb);
  void remove_before_sleep(HookId id);

  // ---- signals ----
  // Routes signo through the loop's signalfd (replacing an earlier handler).
  // Errors: Err::invalid (SIGKILL, SIGSTOP, out of range), Err::io.
  Status on_signal(int signo, SignalCallback cb);
  Status off_signal(int signo);

  // ---- running ----
  // Runs turns until stop(). Errors: Err::io (the backend failed),
  // Err::invalid (called from inside a callback).
  Status run();
  // One turn, waiting at most max_wait_ns (-1: until an event or timer).
  Status run_once(int64_t max_wait_ns = -1);
  void stop() { stop_ = true; }

  // A 64 KiB buffer for drivers' read() calls (TcpStream's on_data spans
  // point into it): valid only until the current callback returns, and a
  // callback handed a span into it must not use scratch() itself.
  std::span<uint8_t> scratch() { return {scratch_.get(), kLoopScratchLen}; }

  const LoopStats& stats() const { return stats_; }
  size_t fd_count() const { return io_live_; }
  size_t timer_count() const { return timers_live_; }
  size_t timer_heap_size() const { return heap_.size(); }  // includes stale entries
  const char* backend_name() const { return poller_->name(); }

 private:
  struct IoSlot {
    IoCallback cb;
    int fd = -1;
    uint32_t gen = 1;
    uint32_t interest = 0;
    bool live = false;
    bool in_poller = false;
  };
  enum class TimerKind : uint8_t { one_shot, periodic, manual };
  struct TimerSlot {
    Callback cb;
    Instant deadline = kNever;       // when it should fire
    Instant heap_deadline = kNever;  // deadline of its live heap entry (<= deadline)
    uint64_t interval_ns = 0;
    uint64_t seq = 0;                // seq of its live heap entry, 0 = none
    uint32_t gen = 1;
    TimerKind kind = TimerKind::one_shot;
    bool live = false;
  };
  struct HeapEntry {
    Instant deadline;
    uint64_t seq;  // creation order: FIFO among equal deadlines; identifies the entry
    uint32_t slot;
  };
  struct Hook {
    uint64_t id;
    Callback cb;
    bool live;
  };

  explicit Loop(std::unique_ptr<Poller> p);

  IoSlot* io_slot(IoId id);
  const IoSlot* io_slot(IoId id) const;
  TimerSlot* timer_slot(TimerId id);
  const TimerSlot* timer_slot(TimerId id) const;
  TimerId new_timer(TimerKind kind, Callback cb, Instant deadline, uint64_t interval_ns);
  void push_entry(uint32_t slot, Instant deadline, uint64_t seq);
  void drop_entry(TimerSlot& s);
  void free_timer(uint32_t slot);
  void maybe_compact();
  Instant next_deadline();
  void dispatch_io(size_t n);
  void run_timers();
  void fire(uint32_t slot);
  void run_deferred();
  void run_hooks();
  void on_signalfd();
  void close_signals();

  std::unique_ptr<Poller> poller_;
  Instant now_ = 0;
  bool stop_ = false;
  bool running_ = false;

  std::deque<IoSlot> io_;  // deque: a slot's callback never moves while it runs
  std::vector<uint32_t> io_free_;
  size_t io_live_ = 0;
  uint32_t current_io_ = UINT32_MAX;  // slot whose callback is running
  bool current_removed_ = false;
  std::array<PollEvent, kLoopMaxEvents> events_{};

  std::vector<TimerSlot> timers_;
  std::vector<uint32_t> timer_free_;
  std::vector<HeapEntry> heap_;
  std::vector<HeapEntry> carry_;
  size_t stale_ = 0;  // estimate of stale heap entries
  size_t timers_live_ = 0;
  uint64_t seq_ = 0;

  std::vector<Callback> deferred_;
  std::vector<Callback> deferred_run_;
  std::vector<Callback> hook_deferred_;  // defer() from inside a hook (step 1)
  std::vector<Callback> hook_deferred_run_;
  std::deque<Hook> hooks_;
  uint64_t next_hook_ = 1;
  bool in_hooks_ = false;
  bool hooks_dirty_ = false;

  int sigfd_ = -1;
  IoId sig_io_ = kNoIo;
  sigset_t sig_mask_;     // signals routed through sigfd_
  sigset_t sig_blocked_;  // signals this loop blocked (unblocked on destruction)
  std::array<SignalCallback, 65> sig_cb_;
  std::array<uint32_t, 65> sig_gen_{};

  std::unique_ptr<uint8_t[]> scratch_;
  LoopStats stats_;
};

}  // namespace net
