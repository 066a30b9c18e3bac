#include "net/loop.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "net/sys_error.hpp"

namespace net {
namespace {

uint32_t id_slot(uint64_t id) { return static_cast<uint32_t>(id); }
uint32_t id_gen(uint64_t id) { return static_cast<uint32_t>(id >> 32); }
uint64_t make_id(uint32_t slot, uint32_t gen) { return (uint64_t{gen} << 32) | slot; }
uint32_t next_gen(uint32_t g) { return g == UINT32_MAX ? 1 : g + 1; }  // 0 never: id 0 = none

// Min-heap on (deadline, seq) via std::push_heap's max-heap and a reversed order.
struct Later {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
  }
};

}  // namespace

Result<std::unique_ptr<Loop>> Loop::create() {
  auto p = make_poller();
  if (!p) return p.take_error();
  return create(p.take());
}

Result<std::unique_ptr<Loop>> Loop::create(std::unique_ptr<Poller> backend) {
  if (!backend) return Error{Err::invalid, "loop: no backend"};
  return std::unique_ptr<Loop>(new Loop(std::move(backend)));
}

Loop::Loop(std::unique_ptr<Poller> p)
    : poller_(std::move(p)), now_(monotonic_now()), scratch_(new uint8_t[kLoopScratchLen]) {
  sigemptyset(&sig_mask_);
  sigemptyset(&sig_blocked_);
}

Loop::~Loop() {
  close_signals();
  for (auto& s : io_) {
    if (s.live && s.in_poller) (void)poller_->remove(s.fd);
  }
}

// ---------------------------------------------------------------- fds

Loop::IoSlot* Loop::io_slot(IoId id) {
  uint64_t v = static_cast<uint64_t>(id);
  uint32_t i = id_slot(v);
  if (i >= io_.size()) return nullptr;
  IoSlot& s = io_[i];
  return s.live && s.gen == id_gen(v) ? &s : nullptr;
}

const Loop::IoSlot* Loop::io_slot(IoId id) const { return const_cast<Loop*>(this)->io_slot(id); }

Result<IoId> Loop::add_fd(int fd, uint32_t interest, IoCallback cb) {
  interest &= kReadable | kWritable;
  uint32_t i;
  if (!io_free_.empty()) {
    i = io_free_.back();
    io_free_.pop_back();
  } else {
    i = static_cast<uint32_t>(io_.size());
    io_.emplace_back();
  }
  IoSlot& s = io_[i];
  uint64_t id = make_id(i, s.gen);
  if (interest != 0) {
    Status st = poller_->add(fd, interest, id);
    if (!st) {
      io_free_.push_back(i);
      return st.take_error();
    }
  }
  s.cb = std::move(cb);
  s.fd = fd;
  s.interest = interest;
  s.live = true;
  s.in_poller = interest != 0;
  io_live_++;
  return IoId{id};
}

Status Loop::set_interest(IoId id, uint32_t interest) {
  IoSlot* s = io_slot(id);
  if (!s) return Error{Err::not_found, "loop: set_interest on a removed fd"};
  interest &= kReadable | kWritable;
  if (interest == s->interest) return {};
  uint64_t token = static_cast<uint64_t>(id);
  if (interest == 0) {
    if (s->in_poller) AAC_TRY(poller_->remove(s->fd));
    s->in_poller = false;
  } else if (!s->in_poller) {
    AAC_TRY(poller_->add(s->fd, interest, token));
    s->in_poller = true;
  } else {
    AAC_TRY(poller_->modify(s->fd, interest, token));
  }
  s->interest = interest;
  return {};
}

uint32_t Loop::interest(IoId id) const {
  const IoSlot* s = io_slot(id);
  return s ? s->interest : 0;
}

void Loop::remove_fd(IoId id) {
  IoSlot* s = io_slot(id);
  if (!s) return;
  uint32_t i = id_slot(static_cast<uint64_t>(id));
  // The fd may already be closed (EBADF) after an error; nothing else to do.
  if (s->in_poller) (void)poller_->remove(s->fd);
  s->in_poller = false;
  s->live = false;
  s->gen = next_gen(s->gen);
  s->fd = -1;
  s->interest = 0;
  io_live_--;
  if (i == current_io_) {
    current_removed_ = true;  // its callback is running: free the slot when it returns
  } else {
    s->cb = nullptr;
    io_free_.push_back(i);
  }
}

void Loop::dispatch_io(size_t n) {
  for (size_t k = 0; k < n; k++) {
    uint64_t token = events_[k].token;
    uint32_t i = id_slot(token);
    if (i >= io_.size()) continue;
    IoSlot& s = io_[i];
    if (!s.live || s.gen != id_gen(token)) continue;  // removed earlier in this batch
    // An earlier callback may have narrowed the interest since wait().
    uint32_t ev = events_[k].events & (s.interest | kError | kHangup);
    if (ev == 0) continue;
    current_io_ = i;
    current_removed_ = false;
    stats_.io_events++;
    s.cb(ev);
    current_io_ = UINT32_MAX;
    if (current_removed_) {
      io_[i].cb = nullptr;
      io_free_.push_back(i);
    }
  }
}

// ---------------------------------------------------------------- timers

Loop::TimerSlot* Loop::timer_slot(TimerId id) {
  uint64_t v = static_cast<uint64_t>(id);
  uint32_t i = id_slot(v);
  if (i >= timers_.size()) return nullptr;
  TimerSlot& s = timers_[i];
  return s.live && s.gen == id_gen(v) ? &s : nullptr;
}

const Loop::TimerSlot* Loop::timer_slot(TimerId id) const {
  return const_cast<Loop*>(this)->timer_slot(id);
}

void Loop::push_entry(uint32_t slot, Instant deadline, uint64_t seq) {
  TimerSlot& s = timers_[slot];
  s.seq = seq;
  s.heap_deadline = deadline;
  heap_.push_back(HeapEntry{deadline, seq, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

void Loop::drop_entry(TimerSlot& s) {
  if (s.seq != 0) stale_++;
  s.seq = 0;
  s.heap_deadline = kNever;
}

TimerId Loop::new_timer(TimerKind kind, Callback cb, Instant deadline, uint64_t interval_ns) {
  uint32_t i;
  if (!timer_free_.empty()) {
    i = timer_free_.back();
    timer_free_.pop_back();
  } else {
    i = static_cast<uint32_t>(timers_.size());
    timers_.emplace_back();
  }
  TimerSlot& s = timers_[i];
  s.cb = std::move(cb);
  s.kind = kind;
  s.interval_ns = interval_ns;
  s.deadline = deadline;
  s.seq = 0;
  s.heap_deadline = kNever;
  s.live = true;
  timers_live_++;
  if (deadline != kNever) push_entry(i, deadline, ++seq_);
  return TimerId{make_id(i, s.gen)};
}

TimerId Loop::add_timer(Instant deadline, Callback cb) {
  if (deadline == kNever) deadline = kNever - 1;  // one-shot timers always fire eventually
  return new_timer(TimerKind::one_shot, std::move(cb), deadline, 0);
}

TimerId Loop::add_periodic(uint64_t interval_ns, Callback cb) {
  if (interval_ns == 0) interval_ns = 1;
  Instant d = now_ + interval_ns < now_ ? kNever - 1 : now_ + interval_ns;
  return new_timer(TimerKind::periodic, std::move(cb), d, interval_ns);
}

TimerId Loop::create_timer(Callback cb) {
  return new_timer(TimerKind::manual, std::move(cb), kNever, 0);
}

bool Loop::arm_timer(TimerId id, Instant deadline) {
  TimerSlot* s = timer_slot(id);
  if (!s) return false;
  s->deadline = deadline;
  if (deadline == kNever) {
    drop_entry(*s);
    maybe_compact();
    return true;
  }
  // Postponing: keep the queued entry; it is re-queued when it reaches the top.
  if (s->seq != 0 && deadline >= s->heap_deadline) return true;
  drop_entry(*s);
  push_entry(id_slot(static_cast<uint64_t>(id)), deadline, ++seq_);
  maybe_compact();
  return true;
}

bool Loop::cancel_timer(TimerId id) {
  TimerSlot* s = timer_slot(id);
  if (!s) return false;
  drop_entry(*s);
  free_timer(id_slot(static_cast<uint64_t>(id)));
  maybe_compact();
  return true;
}

bool Loop::timer_armed(TimerId id) const {
  const TimerSlot* s = timer_slot(id);
  return s && s->deadline != kNever;
}

void Loop::free_timer(uint32_t i) {
  TimerSlot& s = timers_[i];
  s.live = false;
  s.gen = next_gen(s.gen);
  s.deadline = kNever;
  s.cb = nullptr;  // empty while its own callback runs (fire() moved it out)
  timers_live_--;
  timer_free_.push_back(i);
}

void Loop::maybe_compact() {
  if (stale_ < 1024 || stale_ * 2 < heap_.size()) return;
  auto dead = [this](const HeapEntry& e) {
    const TimerSlot& s = timers_[e.slot];
    return !s.live || s.seq != e.seq;
  };
  heap_.erase(std::remove_if(heap_.begin(), heap_.end(), dead), heap_.end());
  std::make_heap(heap_.begin(), heap_.end(), Later{});
  stale_ = 0;
}

// Earliest live deadline; drops stale entries and re-queues postponed ones
// found at the top on the way.
Instant Loop::next_deadline() {
  while (!heap_.empty()) {
    HeapEntry e = heap_.front();
    TimerSlot& s = timers_[e.slot];
    if (s.live && s.seq == e.seq && s.deadline <= e.deadline) return e.deadline;
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
    if (s.live && s.seq == e.seq) {
      push_entry(e.slot, s.deadline, e.seq);  // postponed: same seq, new deadline
    } else if (stale_ > 0) {
      stale_--;
    }
  }
  return kNever;
}

void Loop::run_timers() {
  // Timers added or re-armed by callbacks of this phase fire next turn at the
  // earliest, so a callback that re-adds itself at now() cannot spin here.
  const uint64_t seq_limit = seq_;
  carry_.clear();
  while (!heap_.empty() && heap_.front().deadline <= now_) {
    HeapEntry e = heap_.front();
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
    TimerSlot& s = timers_[e.slot];
    if (!s.live || s.seq != e.seq) {
      if (stale_ > 0) stale_--;
      continue;
    }
    if (s.deadline > e.deadline) {
      push_entry(e.slot, s.deadline, e.seq);
      continue;
    }
    if (e.seq > seq_limit) {
      carry_.push_back(e);
      continue;
    }
    fire(e.slot);
  }
  for (const HeapEntry& e : carry_) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
}

void Loop::fire(uint32_t i) {
  TimerSlot& s = timers_[i];
  const uint32_t gen = s.gen;
  const TimerKind kind = s.kind;
  s.seq = 0;
  s.heap_deadline = kNever;
  // Moved out so the callback may cancel, re-arm or free its own slot.
  Callback cb = std::move(s.cb);
  if (kind == TimerKind::one_shot) {
    free_timer(i);
  } else if (kind == TimerKind::periodic) {
    Instant next = s.deadline + s.interval_ns;
    if (next <= now_ || next < s.deadline) next = now_ + s.interval_ns;  // skip missed periods
    s.deadline = next;
    push_entry(i, next, ++seq_);
  } else {
    s.deadline = kNever;
  }
  stats_.timers_fired++;
  cb();
  if (kind != TimerKind::one_shot) {
    TimerSlot& t = timers_[i];  // timers_ may have grown during cb()
    if (t.live && t.gen == gen && !t.cb) t.cb = std::move(cb);
  }
}

// ---------------------------------------------------------------- deferred, hooks

void Loop::defer(Callback cb) {
  if (in_hooks_) hook_deferred_.push_back(std::move(cb));
  else deferred_.push_back(std::move(cb));
}

void Loop::run_deferred() {
  if (deferred_.empty()) return;
  deferred_run_.swap(deferred_);
  for (size_t i = 0; i < deferred_run_.size(); i++) {
    stats_.deferred_run++;
    deferred_run_[i]();
  }
  deferred_run_.clear();
}

HookId Loop::add_before_sleep(Callback cb) {
  uint64_t id = next_hook_++;
  hooks_.push_back(Hook{id, std::move(cb), true});
  return HookId{id};
}

void Loop::remove_before_sleep(HookId id) {
  for (size_t i = 0; i < hooks_.size(); i++) {
    if (hooks_[i].id != static_cast<uint64_t>(id) || !hooks_[i].live) continue;
    if (in_hooks_) {
      hooks_[i].live = false;  // may be running: erased after the hook pass
      hooks_dirty_ = true;
    } else {
      hooks_.erase(hooks_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return;
  }
}

void Loop::run_hooks() {
  in_hooks_ = true;
  for (size_t i = 0, n = hooks_.size(); i < n; i++) {
    if (hooks_[i].live) hooks_[i].cb();
  }
  in_hooks_ = false;
  if (hooks_dirty_) {
    hooks_.erase(std::remove_if(hooks_.begin(), hooks_.end(), [](const Hook& h) { return !h.live; }),
                 hooks_.end());
    hooks_dirty_ = false;
  }
}

// ---------------------------------------------------------------- signals

Status Loop::on_signal(int signo, SignalCallback cb) {
  if (signo <= 0 || signo >= static_cast<int>(sig_cb_.size()) || signo == SIGKILL || signo == SIGSTOP)
    return Error{Err::invalid, "loop: cannot handle signal " + std::to_string(signo)};
  sigset_t one, old;
  sigemptyset(&one);
  sigaddset(&one, signo);
  if (pthread_sigmask(SIG_BLOCK, &one, &old) != 0)
    return sys_error("loop: block signal " + std::to_string(signo), errno);
  if (!sigismember(&old, signo)) sigaddset(&sig_blocked_, signo);
  sigaddset(&sig_mask_, signo);
  int fd = signalfd(sigfd_, &sig_mask_, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return sys_error("loop: signalfd", errno);
  if (sigfd_ < 0) {
    sigfd_ = fd;
    auto id = add_fd(fd, kReadable, [this](uint32_t) { on_signalfd(); });
    if (!id) {
      ::close(sigfd_);
      sigfd_ = -1;
      return id.take_error();
    }
    sig_io_ = *id;
  }
  sig_cb_[signo] = std::move(cb);
  sig_gen_[signo]++;
  return {};
}

Status Loop::off_signal(int signo) {
  if (signo <= 0 || signo >= static_cast<int>(sig_cb_.size()))
    return Error{Err::invalid, "loop: cannot handle signal " + std::to_string(signo)};
  sig_cb_[signo] = nullptr;
  sig_gen_[signo]++;
  // The signal stays blocked and routed to the signalfd (and is ignored):
  // unblocking it now would let a pending one kill the process.
  return {};
}

void Loop::on_signalfd() {
  signalfd_siginfo info[8];
  for (;;) {
    ssize_t n = ::read(sigfd_, info, sizeof(info));
    if (n <= 0) return;  // EAGAIN: drained
    for (size_t k = 0; k < static_cast<size_t>(n) / sizeof(info[0]); k++) {
      int signo = static_cast<int>(info[k].ssi_signo);
      if (signo <= 0 || signo >= static_cast<int>(sig_cb_.size()) || !sig_cb_[signo]) continue;
      uint32_t gen = sig_gen_[signo];
      SignalCallback cb = std::move(sig_cb_[signo]);  // may replace itself while running
      cb(signo);
      if (sig_gen_[signo] == gen) sig_cb_[signo] = std::move(cb);
    }
  }
}

void Loop::close_signals() {
  if (sigfd_ < 0) return;
  remove_fd(sig_io_);
  // Consume what is pending, so unblocking does not deliver it with the
  // default action (which for SIGTERM/SIGINT/SIGHUP kills the process).
  signalfd_siginfo info[8];
  while (::read(sigfd_, info, sizeof(info)) > 0) {
  }
  ::close(sigfd_);
  sigfd_ = -1;
  pthread_sigmask(SIG_UNBLOCK, &sig_blocked_, nullptr);
  sigemptyset(&sig_blocked_);
  sigemptyset(&sig_mask_);
}

// ---------------------------------------------------------------- running

Status Loop::run_once(int64_t max_wait_ns) {
  if (running_) return Error{Err::invalid, "loop: run() called from inside a callback"};
  running_ = true;
  run_hooks();
  // Hooks run again after each pass, so deferred work never leaves a hook's
  // work pending across a blocking wait.
  for (int pass = 0; pass < kHookDeferredPasses && !hook_deferred_.empty(); ++pass) {
    hook_deferred_run_.swap(hook_deferred_);
    for (size_t i = 0; i < hook_deferred_run_.size(); i++) {
      stats_.deferred_run++;
      hook_deferred_run_[i]();
    }
    hook_deferred_run_.clear();
    run_hooks();
  }
  for (auto& cb : hook_deferred_) deferred_.push_back(std::move(cb));  // step 6, and no blocking wait
  hook_deferred_.clear();
  int64_t timeout = max_wait_ns;
  if (stop_ || !deferred_.empty()) {
    timeout = 0;
  } else {
    Instant d = next_deadline();
    if (d != kNever) {
      Instant t = monotonic_now();
      int64_t until = d <= t ? 0 : static_cast<int64_t>(std::min<uint64_t>(d - t, INT64_MAX));
      if (timeout < 0 || until < timeout) timeout = until;
    }
  }
  auto n = poller_->wait(events_, timeout);
  now_ = monotonic_now();
  stats_.turns++;
  if (!n) {
    running_ = false;
    return n.take_error();
  }
  dispatch_io(*n);
  run_timers();
  run_deferred();
  running_ = false;
  return {};
}

Status Loop::run() {
  if (running_) return Error{Err::invalid, "loop: run() called from inside a callback"};
  while (!stop_) {
    Status s = run_once(-1);
    if (!s) {
      stop_ = false;
      return s;
    }
  }
  stop_ = false;
  return {};
}

}  // namespace net
