#include "net/acceptor.hpp"

#include "net/destroy_guard.hpp"

namespace net {

Result<std::unique_ptr<Acceptor>> Acceptor::start(Loop& loop, Fd listen_fd, OnAccept cb, Log* log) {
  std::unique_ptr<Acceptor> a(new Acceptor(loop, std::move(listen_fd), std::move(cb), log));
  Acceptor* p = a.get();
  auto id = loop.add_fd(a->fd_.get(), kReadable, [p](uint32_t) { p->on_ready(); });
  if (!id) return id.take_error();
  a->io_ = *id;
  a->timer_ = loop.create_timer([p] { p->resume(); });
  return a;
}

Acceptor::Acceptor(Loop& loop, Fd fd, OnAccept cb, Log* log)
    : loop_(loop), fd_(std::move(fd)), cb_(std::move(cb)), log_(log) {}

Acceptor::~Acceptor() {
  if (dead_flag_) *dead_flag_ = true;
  loop_.remove_fd(io_);
  loop_.cancel_timer(timer_);
}

void Acceptor::on_ready() {
  for (size_t i = 0; i < kAcceptsPerTurn; i++) {
    SockAddr peer;
    auto fd = tcp_accept(fd_.get(), &peer);
    if (!fd) {
      if (fd.err() == Err::need_more) return;
      if (fd.err() == Err::limit) {
        backing_off_ = true;
        backoffs_++;
        (void)loop_.set_interest(io_, 0);
        loop_.arm_timer(timer_, loop_.now() + kAcceptBackoffNs);
        AAC_LOG(log_, warn, "net", "accept paused", {{"err", fd.what()}, {"retry_ms", kAcceptBackoffNs / kMillisecond}});
        return;
      }
      AAC_LOG(log_, warn, "net", "accept failed", {{"err", fd.what()}});
      return;
    }
    accepted_++;
    DestroyGuard g(dead_flag_);
    cb_(fd.take(), peer);
    if (g.dead()) return;
  }
}

void Acceptor::resume() {
  backing_off_ = false;
  (void)loop_.set_interest(io_, kReadable);
}

}  // namespace net
