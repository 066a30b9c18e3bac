#include "net/tcp_stream.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "net/destroy_guard.hpp"
#include "net/sys_error.hpp"

namespace net {

Result<std::unique_ptr<TcpStream>> TcpStream::adopt(Loop& loop, Fd fd, const TcpStreamOptions& opt) {
  auto peer = peer_addr(fd.get());
  std::unique_ptr<TcpStream> s(new TcpStream(loop, std::move(fd), peer ? *peer : SockAddr(), opt, State::open));
  AAC_TRY(s->register_fd());
  return s;
}

Result<std::unique_ptr<TcpStream>> TcpStream::dial(Loop& loop, const SockAddr& addr, uint64_t timeout_ns,
                                                   const TcpStreamOptions& opt) {
  bool in_progress = false;
  auto fd = tcp_connect(addr, &in_progress);
  if (!fd && (fd.err() == Err::invalid || fd.err() == Err::limit)) return fd.take_error();
  std::unique_ptr<TcpStream> s(new TcpStream(loop, fd ? fd.take() : Fd(), addr, opt, State::connecting));
  s->connect_timeout_ns_ = timeout_ns;
  if (!fd) {  // connect() failed at once (refused, unreachable): report from the loop
    s->fail(fd.take_error());
    return s;
  }
  // Registered for writable even if connect() completed at once, so
  // on_connect always comes from the loop.
  AAC_TRY(s->register_fd());
  if (timeout_ns != 0) loop.arm_timer(s->timer_, loop.now() + timeout_ns);
  return s;
}

TcpStream::TcpStream(Loop& loop, Fd fd, const SockAddr& peer, const TcpStreamOptions& opt, State st)
    : loop_(loop), fd_(std::move(fd)), peer_(peer), opt_(opt), out_(opt.out_limit), state_(st) {
  if (opt_.read_cap == 0 || opt_.read_cap > kLoopScratchLen) opt_.read_cap = kLoopScratchLen;
  if (opt_.high_water > opt_.out_limit) opt_.high_water = opt_.out_limit;
  if (opt_.low_water > opt_.high_water) opt_.low_water = opt_.high_water;
  timer_ = loop_.create_timer([this] { on_timer(); });
}

TcpStream::~TcpStream() {
  if (dead_flag_) *dead_flag_ = true;
  loop_.remove_fd(io_);
  loop_.cancel_timer(timer_);
}

Status TcpStream::register_fd() {
  interest_ = state_ == State::connecting ? kWritable : kReadable;
  auto id = loop_.add_fd(fd_.get(), interest_, [this](uint32_t ev) { on_io(ev); });
  if (!id) return id.take_error();
  io_ = *id;
  return {};
}

bool TcpStream::writable() const { return is_open() && out_.size() <= opt_.high_water; }

void TcpStream::update_interest() {
  uint32_t want = 0;
  switch (state_) {
    case State::connecting:
      want = kWritable;
      break;
    case State::open:
      if (reading_ && !peer_eof_) want |= kReadable;
      if (!out_.empty()) want |= kWritable;
      break;
    case State::closing:  // flushing; reading only to see the peer's EOF or an error
      if (!peer_eof_) want |= kReadable;
      if (!out_.empty()) want |= kWritable;
      break;
    case State::draining:
      want = kReadable;
      break;
    case State::closed:
      return;
  }
  if (want == interest_) return;
  Status s = loop_.set_interest(io_, want);
  if (!s) {
    fail(s.take_error());
    return;
  }
  interest_ = want;
}

void TcpStream::fail_errno(int err) { fail(sys_error("tcp " + peer_.to_string(), err)); }

void TcpStream::finish(Error reason, bool rst) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  loop_.remove_fd(io_);
  io_ = kNoIo;
  if (rst && fd_) (void)set_linger_zero(fd_.get());
  fd_.reset();
  out_.clear();
  out_.release();
  reason_ = std::move(reason);
  // on_close comes from the timer phase, never from inside the owner's call.
  loop_.arm_timer(timer_, 0);
}

void TcpStream::on_timer() {
  switch (state_) {
    case State::connecting:
      fail(Error{Err::timeout, "tcp connect " + peer_.to_string() + ": timed out after " +
                                   std::to_string(connect_timeout_ns_ / kMillisecond) + " ms"});
      return;
    case State::closing:
    case State::draining:
      finish(Error{Err::timeout, "tcp close " + peer_.to_string() + ": not finished after " +
                                     std::to_string(opt_.close_timeout_ns / kMillisecond) + " ms"},
             true);
      return;
    case State::closed:
      if (notified_) return;
      notified_ = true;
      if (on_close_) on_close_(reason_);  // may destroy *this: nothing after it
      return;
    case State::open:
      return;
  }
}

void TcpStream::on_io(uint32_t ev) {
  if (state_ == State::connecting) {
    finish_connect();
    return;
  }
  if (ev & kError) {
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) {
      fail_errno(err);
      return;
    }
  }
  if (ev & (kReadable | kHangup)) {
    DestroyGuard g(dead_flag_);
    do_read();
    if (g.dead() || state_ == State::closed) return;
  }
  if (ev & kWritable) {
    DestroyGuard g(dead_flag_);
    do_flush();
    if (g.dead() || state_ == State::closed) return;
  }
  // Hung up while not reading (paused): nothing more can arrive or leave.
  if ((ev & kHangup) && !(interest_ & kReadable)) {
    fail(Error{Err::closed, "tcp " + peer_.to_string() + ": connection hung up"});
  }
}

void TcpStream::finish_connect() {
  Status s = connect_result(fd_.get(), "tcp connect " + peer_.to_string());
  if (!s) {
    fail(s.take_error());
    return;
  }
  state_ = State::open;
  loop_.arm_timer(timer_, kNever);
  update_interest();
  if (state_ != State::open) return;
  DestroyGuard g(dead_flag_);
  if (on_connect_) on_connect_();
  if (g.dead()) return;
  if (state_ == State::open && !out_.empty()) do_flush();
}

void TcpStream::do_read() {
  std::span<uint8_t> scratch = loop_.scratch();
  size_t total = 0;
  while (total < opt_.read_cap) {
    size_t want = opt_.read_cap - total;
    if (want > scratch.size()) want = scratch.size();
    ssize_t k = ::read(fd_.get(), scratch.data(), want);
    if (k > 0) {
      size_t n = static_cast<size_t>(k);
      bytes_read_ += n;
      total += n;
      if (state_ == State::open && reading_) {
        DestroyGuard g(dead_flag_);
        if (on_data_) on_data_(BytesView(scratch.data(), n));
        if (g.dead() || state_ == State::closed) return;
        if (!reading_) return;  // paused inside on_data: leave the rest in the kernel
      }  // else closing: discard
      if (n < want) return;  // short read: drained (level-triggered tells us otherwise)
    } else if (k == 0) {
      on_peer_eof();
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      fail_errno(errno);
      return;
    }
  }
}

void TcpStream::on_peer_eof() {
  peer_eof_ = true;
  switch (state_) {
    case State::draining:
      finish(Error{}, false);  // both sides done: clean close
      return;
    case State::closing:
      update_interest();  // keep flushing; shutdown follows
      return;
    case State::open: {
      update_interest();
      if (!on_eof_) {
        close();
        return;
      }
      DestroyGuard g(dead_flag_);
      on_eof_();
      return;
    }
    default:
      return;
  }
}

bool TcpStream::write(BytesView data) {
  if (!is_open()) return false;
  if (data.size() > out_.room()) {
    want_drain_ = true;
    return false;
  }
  if (data.empty()) return true;
  if (state_ == State::open && out_.empty()) {
    IoResult r = write_from_buffer(fd_.get(), out_, data);
    bytes_written_ += r.n;
    if (r.failed()) {
      fail_errno(r.err);
      return false;
    }
    data = data.subspan(r.n);
  }
  if (!data.empty()) {
    (void)out_.append(data);  // fits: checked against room() above
    update_interest();
  }
  if (out_.size() > opt_.high_water) want_drain_ = true;
  return true;
}

void TcpStream::do_flush() {
  if (!out_.empty()) {
    IoResult r = write_from_buffer(fd_.get(), out_);
    bytes_written_ += r.n;
    if (r.failed()) {
      fail_errno(r.err);
      return;
    }
  }
  if (out_.empty()) {
    out_.release();  // idle streams hold no output memory
    if (state_ == State::closing) {
      do_shutdown();
      return;
    }
  }
  update_interest();
  maybe_drain();
}

void TcpStream::maybe_drain() {
  if (!want_drain_ || state_ != State::open || out_.size() > opt_.low_water) return;
  want_drain_ = false;
  if (on_drain_) on_drain_();  // callers hold a DestroyGuard
}

void TcpStream::do_shutdown() {
  if (::shutdown(fd_.get(), SHUT_WR) != 0 && errno != ENOTCONN) {
    fail_errno(errno);
    return;
  }
  state_ = State::draining;
  if (peer_eof_) {
    finish(Error{}, false);
    return;
  }
  update_interest();
}

void TcpStream::close() {
  if (state_ == State::connecting) {
    finish(Error{Err::closed, "tcp connect " + peer_.to_string() + ": closed before connected"}, false);
    return;
  }
  if (state_ != State::open) return;
  state_ = State::closing;
  if (opt_.close_timeout_ns != 0) loop_.arm_timer(timer_, loop_.now() + opt_.close_timeout_ns);
  if (out_.empty()) {
    do_shutdown();
    return;
  }
  update_interest();
}

void TcpStream::abort() {
  if (state_ == State::closed) return;
  finish(Error{Err::closed, "tcp " + peer_.to_string() + ": aborted"}, true);
}

void TcpStream::pause_reading() {
  reading_ = false;
  update_interest();
}

void TcpStream::resume_reading() {
  reading_ = true;
  update_interest();
}

}  // namespace net
