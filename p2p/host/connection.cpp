#include "p2p/host/connection.hpp"

#include <algorithm>

#include "net/destroy_guard.hpp"
#include "p2p/host/host.hpp"
#include "p2p/noise/noise_limits.hpp"

namespace p2p {

namespace {
constexpr size_t kWriteChunk = 256 * 1024;  // bytes handed to the socket per write() call
}

Connection::Connection(Host& host, ConnId id, std::unique_ptr<net::TcpStream> tcp, const ConnCoreConfig& cc,
                       Multiaddr remote_addr)
    : host_(host), id_(id), tcp_(std::move(tcp)), core_(cc), remote_addr_(std::move(remote_addr)) {
  if (auto la = tcp_->local()) {
    auto ma = Multiaddr::from_host_port(la->ip_string(), la->port());
    if (ma) local_addr_ = ma.take();
  }
  tcp_->on_data([this](net::BytesView in) { on_data(in); });
  tcp_->on_drain([this] { process(); });
  tcp_->on_close([this](const net::Error& e) {
    // The socket is gone: the peer closed or reset, or it failed.
    terminate(e.code == net::Err::ok ? net::Error{net::Err::closed, "conn: closed by peer"} : e);
  });
  timer_ = host_.loop_.create_timer([this] { on_timer(); });
  process();
}

Connection::~Connection() {
  if (dead_flag_) *dead_flag_ = true;
  if (timer_ != net::kNoTimer) host_.loop_.cancel_timer(timer_);
  // Streams still here never saw on_close (the host is shutting down).
  for (auto& [sid, s] : streams_) s->phase_ = Stream::Phase::closed;
  streams_.clear();
}

void Connection::host_streams_erase(StreamGlobalId gid) { host_.streams_.erase(gid); }

size_t Connection::in_buffered() const {
  const auto* mux = core_.mux();
  if (!mux) return 0;
  size_t n = 0;
  for (const auto& [sid, s] : streams_) n += mux->readable(sid);
  return n;
}

void Connection::on_data(net::BytesView in) {
  if (dead_) return;
  auto r = core_.feed(in, host_.loop_.now());
  if (!r) {
    fail(r.error());
    return;
  }
  process();
}

void Connection::on_timer() {
  if (dead_) return;
  armed_ = net::kNever;
  const net::Instant now = host_.loop_.now();
  if (closing_ && now >= close_deadline_) {
    terminate({net::Err::timeout, "conn: close did not flush in time"});
    return;
  }
  core_.on_timeout(now);
  if (core_.state() == ConnState::failed) {
    fail(core_.error());
    return;
  }
  process();
}

void Connection::process() {
  if (dead_) return;
  if (processing_) {
    again_ = true;
    return;
  }
  processing_ = true;
  net::DestroyGuard guard(dead_flag_);
  do {
    again_ = false;
    if (core_.take_opened()) {
      opened_at_ = host_.loop_.now();
      host_.conn_opened(*this);
      if (guard.dead() || dead_) break;
    }
    if (auto* mux = core_.mux()) {
      while (auto ev = mux->poll_event()) {
        dispatch(*ev);
        if (guard.dead() || dead_) break;
      }
      if (guard.dead() || dead_) break;
      auto f = core_.flush(host_.loop_.now());
      if (!f) {
        fail(f.error());
        break;
      }
    }
    if (core_.state() == ConnState::failed) {
      fail(core_.error());
      break;
    }
    write_out();
    if (guard.dead() || dead_) break;
    // Draining output queues stream_writable events for blocked streams.
    if (core_.mux() && core_.mux()->has_events()) again_ = true;
  } while (again_);
  if (guard.dead()) return;
  processing_ = false;
  if (!dead_) rearm();
}

// Stream operations from outside the connection's own callbacks (the
// engine sending its envelopes after a commit, a handler answering later)
// are gathered: the connection is processed once, at the end of the loop
// turn, so envelopes opened, written and closed in one turn leave in one
// Noise frame and one sendmsg rather than three each (the task benchmark
// made 12 sendmsg calls per task). Inside process() the loop there picks
// them up instead.
void Connection::schedule_process() {
  if (dead_) return;
  if (processing_) {
    again_ = true;
    return;
  }
  if (process_scheduled_) return;
  process_scheduled_ = true;
  ConnId id = id_;
  Host* h = &host_;
  host_.loop_.defer([h, id] {
    if (Connection* c = h->find_conn(id)) {
      c->process_scheduled_ = false;
      c->process();
    }
  });
}

void Connection::write_out() {
  while (core_.has_output() && tcp_->writable()) {
    net::BytesView v = core_.pending_output();
    v = v.first(std::min(v.size(), kWriteChunk));
    if (!tcp_->write(v)) {
      if (!tcp_->is_open()) return;  // on_close reports why
      return;                        // over the hard cap: wait for drain
    }
    core_.consume_output(v.size());
    // Noise's buffer has room again: let yamux fill it.
    if (auto* mux = core_.mux(); mux && !mux->pending_output().empty()) {
      auto f = core_.flush(host_.loop_.now());
      if (!f) {
        fail(f.error());
        return;
      }
    }
  }
  if (closing_ && !core_.has_output() && tcp_->buffered() == 0 && tcp_->is_open()) tcp_->close();
}

void Connection::rearm() {
  net::Instant d = core_.next_deadline();
  if (closing_) d = std::min(d, close_deadline_);
  if (d != armed_) {
    armed_ = d;
    host_.loop_.arm_timer(timer_, d);
  }
}

void Connection::dispatch(const yamux::Event& ev) {
  using K = yamux::EventKind;
  auto find = [&](yamux::StreamId id) -> Stream* {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  };
  switch (ev.kind) {
    case K::stream_opened:
      on_inbound_stream(ev.id);
      break;
    case K::stream_readable:
      if (Stream* s = find(ev.id)) deliver(*s);
      else (void)core_.mux()->consume(ev.id, core_.mux()->readable(ev.id), host_.loop_.now());
      break;
    case K::stream_writable:
      if (Stream* s = find(ev.id); s && s->ms_) {
        if (!write_ms_output(*s)) break;  // negotiation bytes first, the app's after them

        if (s->ms_->state() == multistream::State::selected) {
          deliver(*s);  // finishes the selection, then hands over buffered bytes
          break;
        }
      }
      if (Stream* s = find(ev.id);
          s && (s->phase_ == Stream::Phase::open || (s->phase_ == Stream::Phase::negotiating && s->early_)) &&
          s->on_writable_) {
        s->in_callback_ = true;
        s->on_writable_();
        s->in_callback_ = false;
      }
      break;
    case K::stream_finished:
      if (Stream* s = find(ev.id)) {
        s->remote_fin_ = true;
        deliver(*s);
      }
      break;
    case K::stream_reset:
      if (Stream* s = find(ev.id)) finish_stream(*s, {net::Err::closed, "stream reset by peer"});
      break;
    case K::go_away_received:
      go_away_ = true;
      break;
    case K::ping_rtt:
      break;
    case K::session_error:
      fail(ev.error);
      break;
  }
}

void Connection::on_inbound_stream(yamux::StreamId sid) {
  auto* mux = core_.mux();
  if (closing_ || negotiating_in_ >= host_.cfg_.limits.max_negotiating_streams) {
    (void)mux->reset(sid);
    return;
  }
  auto gid = host_.next_stream_id_++;
  std::unique_ptr<Stream> s(new Stream(this, sid, gid, true));
  s->ms_ = std::make_unique<multistream::Responder>(host_.protocol_list_, host_.loop_.now(),
                                                    multistream::Responder::Options{}, host_.cfg_.log);
  Stream& ref = *s;
  streams_[sid] = std::move(s);
  host_.streams_[gid] = &ref;
  ++negotiating_in_;
  (void)mux->accept_stream(sid);
  (void)write_ms_output(ref);
}

void Connection::open_stream(std::vector<std::string> protocols, net::SmallFn<void(net::Result<Stream*>)> cb) {
  auto* mux = core_.mux();
  if (!usable() || !mux) {
    cb(net::Error{net::Err::closed, "conn: connection is closing"});
    return;
  }
  auto sid = mux->open_stream();
  if (!sid) {
    cb(sid.take_error());
    return;
  }
  auto gid = host_.next_stream_id_++;
  std::unique_ptr<Stream> s(new Stream(this, *sid, gid, false));
  const bool lazy = protocols.size() == 1;
  std::string first = protocols.empty() ? std::string() : protocols[0];
  s->ms_ = std::make_unique<multistream::Initiator>(std::move(protocols), host_.loop_.now(),
                                                    multistream::Initiator::Options{}, host_.cfg_.log);
  if (s->ms_->state() == multistream::State::failed) {
    cb(s->ms_->error());
    (void)mux->reset(*sid);
    return;
  }
  Stream& ref = *s;
  streams_[*sid] = std::move(s);
  host_.streams_[gid] = &ref;
  if (!write_ms_output(ref) && ref.phase_ == Stream::Phase::closed) {
    cb(net::Error{net::Err::closed, "stream: could not start negotiation"});
    return;
  }
  if (lazy) {
    // Optimistic select: the application may write right away; a refusal
    // arrives as on_close.
    ref.early_ = true;
    ref.protocol_ = std::move(first);
    cb(&ref);
  } else {
    ref.on_ready_ = std::move(cb);
  }
  schedule_process();
}

bool Connection::write_ms_output(Stream& s) {
  if (!s.ms_) return true;
  auto v = s.ms_->pending_output();
  if (v.empty()) return true;
  // A short write (the session's output budget is full of other streams'
  // data) leaves the rest in the multistream core; stream_writable retries.
  auto n = core_.mux()->write(s.sid_, v);
  if (!n) {
    finish_stream(s, n.error());
    return false;
  }
  s.ms_->consume_output(*n);
  return s.ms_->pending_output().empty();
}

void Connection::negotiate(Stream& s) {
  auto* mux = core_.mux();
  const net::Instant now = host_.loop_.now();
  while (s.ms_ && s.ms_->state() == multistream::State::negotiating) {
    net::BytesView v = mux->read_view(s.sid_);
    if (v.empty()) break;
    auto n = s.inbound_ ? static_cast<multistream::Responder&>(*s.ms_).feed(v, now)
                        : static_cast<multistream::Initiator&>(*s.ms_).feed(v, now);
    if (n) (void)mux->consume(s.sid_, *n, now);
    (void)write_ms_output(s);
    if (s.phase_ == Stream::Phase::closed) return;
    if (!n) break;
  }
  if (!s.ms_) return;
  if (s.ms_->state() == multistream::State::failed) {
    net::Error e = s.ms_->error();
    (void)mux->reset(s.sid_);
    finish_stream(s, e);
    return;
  }
  // Selected: hand over once our last negotiation bytes are out (an echo
  // still waiting for room in the session stays in the core until then).
  if (s.ms_->state() == multistream::State::selected && s.ms_->pending_output().empty()) selected(s);
}

void Connection::selected(Stream& s) {
  s.protocol_ = s.ms_->protocol();
  s.ms_.reset();
  s.phase_ = Stream::Phase::open;
  if (s.fin_pending_) {
    s.fin_pending_ = false;
    stream_close_write(s);
    if (s.phase_ != Stream::Phase::open) return;
  }
  if (s.inbound_) {
    --negotiating_in_;
    auto it = host_.handlers_.find(s.protocol_);
    if (it == host_.handlers_.end()) {  // removed meanwhile
      (void)core_.mux()->reset(s.sid_);
      finish_stream(s, {net::Err::closed, "no handler for " + s.protocol_});
      return;
    }
    auto handler = it->second;  // copy: the handler may change the registry
    s.in_callback_ = true;
    handler(s);
    s.in_callback_ = false;
  } else if (s.on_ready_) {
    auto cb = std::move(s.on_ready_);
    s.on_ready_ = nullptr;
    s.in_callback_ = true;
    cb(&s);
    s.in_callback_ = false;
  }
}

void Connection::deliver(Stream& s) {
  if (s.phase_ == Stream::Phase::closed) return;
  auto* mux = core_.mux();
  if (s.ms_) {
    negotiate(s);
    if (s.phase_ != Stream::Phase::open) {
      // Still negotiating (or failed). An early EOF ends the negotiation.
      if (s.phase_ == Stream::Phase::negotiating && s.remote_fin_ && mux->eof(s.sid_))
        finish_stream(s, {net::Err::closed, "stream: closed during protocol negotiation"});
      return;
    }
  }
  const net::Instant now = host_.loop_.now();
  while (!s.paused_ && s.phase_ == Stream::Phase::open) {
    net::BytesView v = mux->read_view(s.sid_);
    if (v.empty()) break;
    size_t n = v.size();
    if (s.on_data_) {
      s.in_callback_ = true;
      s.in_on_data_ = true;
      s.resume_asked_ = false;
      n = s.on_data_(v);
      s.in_on_data_ = false;
      s.in_callback_ = false;
      if (s.phase_ != Stream::Phase::open) return;
    }
    n = std::min(n, v.size());
    (void)mux->consume(s.sid_, n, now);
    if (n < v.size()) {
      s.paused_ = true;
      // A write inside on_data can run this connection's events, and the
      // stream's on_writable with them: a resume_read() from there came
      // before this pause and would be lost — nothing would end the pause
      // (a stalled echo, seen under load). Resume on the next pass instead.
      if (s.resume_asked_) {
        s.resume_asked_ = false;
        stream_resume(s);  // unpauses and offers the rest from the loop
        break;
      }
    }
  }
  if (s.phase_ == Stream::Phase::open && !s.paused_ && !s.eof_notified_ && s.remote_fin_ &&
      mux->eof(s.sid_)) {
    s.eof_notified_ = true;
    if (s.on_eof_) {
      s.in_callback_ = true;
      s.on_eof_();
      s.in_callback_ = false;
    }
  }
  check_stream_done(s);
}

void Connection::check_stream_done(Stream& s) {
  if (s.phase_ == Stream::Phase::closed) return;
  // yamux forgets a stream once both halves closed and its data was read.
  if (s.fin_sent_ && s.eof_notified_ && !core_.mux()->has_stream(s.sid_)) finish_stream(s, {});
}

void Connection::finish_stream(Stream& s, const net::Error& why) {
  if (s.phase_ == Stream::Phase::closed) return;
  if (s.inbound_ && s.ms_) --negotiating_in_;
  s.phase_ = Stream::Phase::closed;
  s.ms_.reset();
  if (s.on_ready_) {  // outbound, never selected
    auto cb = std::move(s.on_ready_);
    s.on_ready_ = nullptr;
    cb(why.code == net::Err::ok ? net::Error{net::Err::closed, "stream closed"} : why);
  } else if (s.on_close_) {
    auto cb = std::move(s.on_close_);
    s.on_close_ = nullptr;
    cb(why);
  }
  // Erased from the loop (never under the caller's feet).
  finished_.push_back(s.sid_);
  if (finished_.size() == 1) {
    ConnId id = id_;
    Host* h = &host_;
    host_.loop_.defer([h, id] {
      if (Connection* c = h->find_conn(id)) {
        for (auto sid : c->finished_) c->streams_.erase(sid);
        c->finished_.clear();
      }
    });
  }
}

size_t Connection::stream_write(Stream& s, net::BytesView data) {
  if (s.phase_ == Stream::Phase::closed || s.fin_sent_ || dead_) return 0;
  if (s.phase_ == Stream::Phase::negotiating && !s.early_) return 0;
  if (s.ms_ && !write_ms_output(s)) return 0;
  auto n = core_.mux()->write(s.sid_, data);
  if (!n) return 0;
  // A full Noise frame's worth goes out now: bulk writers keep the session's
  // output budget moving; small writes wait for the end of the turn.
  if (core_.mux()->pending_output().size() >= noise::kMaxPlaintextLen) process();
  else schedule_process();
  return *n;
}

size_t Connection::stream_writable(const Stream& s) const {
  if (s.phase_ == Stream::Phase::closed || s.fin_sent_ || dead_) return 0;
  if (s.phase_ == Stream::Phase::negotiating && !s.early_) return 0;
  return core_.mux()->writable(s.sid_);
}

void Connection::stream_close_write(Stream& s) {
  if (s.phase_ == Stream::Phase::closed || s.fin_sent_ || dead_) return;
  if (s.ms_) {
    // Still negotiating: the FIN waits until the protocol is agreed on. A
    // FIN right behind a lazy proposal is legal, but js-libp2p resets such
    // streams; go and js clients also wait.
    s.fin_pending_ = true;
    (void)write_ms_output(s);
    return;
  }
  s.fin_sent_ = true;
  (void)core_.mux()->close_write(s.sid_);
  check_stream_done(s);
  schedule_process();
}

void Connection::stream_reset(Stream& s) {
  if (s.phase_ == Stream::Phase::closed || dead_) return;
  (void)core_.mux()->reset(s.sid_);
  finish_stream(s, {net::Err::closed, "stream reset"});
  schedule_process();
}

void Connection::stream_resume(Stream& s) {
  if (s.phase_ == Stream::Phase::closed) return;
  if (!s.paused_) {
    if (s.in_on_data_) s.resume_asked_ = true;  // see deliver()
    return;
  }
  s.paused_ = false;
  ConnId id = id_;
  StreamGlobalId gid = s.gid_;
  Host* h = &host_;
  host_.loop_.defer([h, id, gid] {
    Connection* c = h->find_conn(id);
    Stream* st = h->find_stream(gid);
    if (!c || !st || st->conn_ != c) return;
    c->deliver(*st);
    c->process();
  });
}

void Connection::close() {
  if (closing_ || dead_) return;
  closing_ = true;
  close_deadline_ = host_.loop_.now() + kCloseFlushTimeoutNs;
  if (auto* mux = core_.mux()) mux->go_away(yamux::kGoAwayNormal);
  process();
}

void Connection::fail(const net::Error& why) {
  if (dead_) return;
  // Flush what the core wants to say last (a GoAway), then reset.
  if (core_.has_output() && tcp_->is_open()) {
    auto v = core_.pending_output();
    (void)tcp_->write(v.first(std::min(v.size(), kWriteChunk)));
    tcp_->close();
  }
  terminate(why);
}

void Connection::abort(const net::Error& why) {
  if (dead_) return;
  tcp_->abort();
  terminate(why);
}

void Connection::terminate(const net::Error& why) {
  if (dead_) return;
  dead_ = true;
  host_.loop_.arm_timer(timer_, net::kNever);
  // Every stream learns why, once.
  std::vector<Stream*> live;
  for (auto& [sid, s] : streams_) live.push_back(s.get());
  net::Error e = why.code == net::Err::ok ? net::Error{net::Err::closed, "connection closed"} : why;
  for (Stream* s : live) finish_stream(*s, e);
  if (tcp_->is_open()) tcp_->close();
  host_.conn_closed(*this, why);
}

}  // namespace p2p
