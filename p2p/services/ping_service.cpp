#include "p2p/services/ping_service.hpp"

#include <memory>

#include "crypto/init.hpp"
#include "net/destroy_guard.hpp"
#include "p2p/services/stream_pump.hpp"

namespace p2p::services {

// One inbound ping stream: echo until EOF or idle timeout.
struct PingService::InStream {
  PingService& svc;
  Stream* s;
  PeerId peer;
  ping::Responder core;
  CoreTimer timer;

  InStream(PingService& sv, Stream& st)
      : svc(sv), s(&st), peer(st.remote_peer()), core(sv.host_.loop().now()),
        timer(sv.host_.loop(), [this] { on_timer(); }) {}
  bool* dead_flag = nullptr;  // writing or closing may end the stream; on_close deletes us
  ~InStream() {
    if (dead_flag) *dead_flag = true;
    auto it = svc.inbound_.find(peer);
    if (it != svc.inbound_.end() && --it->second == 0) svc.inbound_.erase(it);
  }
  void on_timer() {
    core.on_timeout(svc.host_.loop().now());
    if (core.failed() && s) s->reset();
  }
  size_t on_data(net::BytesView v) {
    auto n = core.feed(v, svc.host_.loop().now());
    if (!n) {
      s->reset();
      return v.size();
    }
    net::DestroyGuard g(dead_flag);
    pump_output(*s, core);
    if (g.dead()) return v.size();
    if (core.wants_close()) {
      s->close_write();
      if (g.dead()) return v.size();
    }
    timer.arm(core.next_deadline());
    return *n;  // less than offered: the echo must drain first (resume_read)
  }
  void on_writable() {
    net::DestroyGuard g(dead_flag);
    pump_output(*s, core);
    if (g.dead()) return;
    if (core.pending_output().empty()) s->resume_read();
    if (g.dead()) return;
    if (core.wants_close()) s->close_write();
  }
};

PingService::PingService(Host& host) : host_(host) {
  host_.set_stream_handler(std::string(ping::kProtocolId), [this](Stream& s) { serve(s); });
}

PingService::~PingService() { host_.remove_stream_handler(std::string(ping::kProtocolId)); }

size_t PingService::inbound_streams(const PeerId& peer) const {
  auto it = inbound_.find(peer);
  return it == inbound_.end() ? 0 : it->second;
}

void PingService::serve(Stream& s) {
  size_t& n = inbound_[s.remote_peer()];
  if (n >= ping::kMaxInboundStreamsPerPeer) {
    if (n == 0) inbound_.erase(s.remote_peer());
    s.reset();
    return;
  }
  ++n;
  auto* st = new InStream(*this, s);
  st->timer.arm(st->core.next_deadline());
  s.set_on_data([st](net::BytesView v) { return st->on_data(v); });
  s.set_on_writable([st] { st->on_writable(); });
  s.set_on_eof([st] {
    st->core.on_eof();
    if (st->core.wants_close()) st->s->close_write();
  });
  s.set_on_close([st](const net::Error&) { delete st; });
}

// One client run: `count` pings on one stream.
struct PingService::OutRun {
  PingService& svc;
  Stream* s = nullptr;
  ping::Dialer core;
  uint64_t count, seq = 0;
  OnRtt on_rtt;
  OnDone done;
  CoreTimer timer;
  bool finished = false;

  bool* dead_flag = nullptr;  // on_close deletes us, possibly under our own write
  OutRun(PingService& sv, uint64_t n, OnRtt r, OnDone d)
      : svc(sv), count(n), on_rtt(std::move(r)), done(std::move(d)), timer(sv.host_.loop(), [this] { on_timer(); }) {}
  ~OutRun() {
    if (dead_flag) *dead_flag = true;
  }

  void finish(net::Status st) {
    if (finished) return;
    finished = true;
    auto d = std::move(done);
    if (s) {
      Stream* x = s;
      s = nullptr;
      if (st) x->close_write();
      else x->reset();  // on_close deletes us
    }
    d(st);
  }
  void next() {
    if (seq == count) {
      core.close();
      finish({});
      return;
    }
    std::array<uint8_t, ping::kPayloadLen> payload;
    crypto::random_bytes(payload);
    auto r = core.ping(payload, svc.host_.loop().now());
    if (!r) return finish(r);
    net::DestroyGuard g(dead_flag);
    pump_output(*s, core);
    if (g.dead()) return;
    timer.arm(core.next_deadline());
  }
  size_t on_data(net::BytesView v) {
    auto n = core.feed(v, svc.host_.loop().now());
    if (!n) {
      finish(n.error());
      return v.size();
    }
    while (auto rtt = core.poll_rtt()) {
      if (on_rtt) on_rtt(seq, *rtt);
      ++seq;
    }
    if (!core.in_flight() && !finished) next();
    return v.size();
  }
  void on_timer() {
    core.on_timeout(svc.host_.loop().now());
    if (core.failed()) finish(core.error());
  }
};

void PingService::ping(const PeerId& peer, uint64_t count, OnRtt on_rtt, OnDone done) {
  auto run = std::make_shared<std::unique_ptr<OutRun>>(new OutRun(*this, count, std::move(on_rtt), std::move(done)));
  host_.new_stream(peer, {std::string(ping::kProtocolId)}, [run](net::Result<Stream*> r) {
    std::unique_ptr<OutRun> owned = std::move(*run);
    OutRun* o = owned.get();
    if (!r) {
      o->finish(r.error());
      return;
    }
    // From here the stream owns the run: on_close (always last) deletes it.
    o->s = *r;
    Stream* s = *r;
    owned.release();
    s->set_on_data([o](net::BytesView v) { return o->on_data(v); });
    s->set_on_writable([o] { pump_output(*o->s, o->core); });
    s->set_on_eof([o] {
      auto st = o->core.on_eof();
      o->finish(st ? net::Status{net::Err::closed, "ping: stream closed by the remote"} : st);
    });
    s->set_on_close([o](const net::Error& e) {
      o->s = nullptr;
      if (!o->finished) o->finish(e.code == net::Err::ok ? net::Status{net::Err::closed, "ping: stream closed"} : net::Status(e));
      delete o;
    });
    o->next();
  });
}

}  // namespace p2p::services
