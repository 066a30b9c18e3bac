#include "p2p/services/perf_service.hpp"

#include <memory>

#include "net/destroy_guard.hpp"
#include "p2p/services/stream_pump.hpp"

namespace p2p::services {

namespace {
const std::string kPerf = std::string(perf::kProtocolId);
}

struct PerfService::ServerStream {
  Host& host;
  Stream* s;
  perf::Server core;
  CoreTimer timer;
  // Writing or closing can end the stream, and its on_close deletes us.
  bool* dead_flag = nullptr;
  ServerStream(Host& h, Stream& st) : host(h), s(&st), core(h.loop().now()), timer(h.loop(), [this] { on_timer(); }) {}
  ~ServerStream() {
    if (dead_flag) *dead_flag = true;
  }
  void step() {
    if (core.failed()) {
      s->reset();
      return;
    }
    net::DestroyGuard g(dead_flag);
    pump_output(*s, core);
    if (g.dead()) return;
    if (core.wants_close_write() && !s->write_closed()) {
      s->close_write();
      if (g.dead()) return;
    }
    timer.arm(core.next_deadline());
  }
  void on_timer() {
    core.on_timeout(host.loop().now());
    step();
  }
};

struct PerfService::ClientRun {
  Host& host;
  Stream* s = nullptr;
  perf::Client core;
  OnDone done;
  CoreTimer timer;
  bool finished = false;
  bool* dead_flag = nullptr;  // set when on_close deletes us under step()
  ClientRun(Host& h, perf::ClientOptions o, OnDone d)
      : host(h), core(o, h.loop().now()), done(std::move(d)), timer(h.loop(), [this] { on_timer(); }) {}
  ~ClientRun() {
    if (dead_flag) *dead_flag = true;
  }
  void finish(net::Result<perf::PerfResult> r) {
    if (finished) return;
    finished = true;
    auto d = std::move(done);
    if (s && !r) {
      Stream* x = s;
      s = nullptr;
      x->reset();
    }
    d(std::move(r));
  }
  void step() {
    if (core.failed()) return finish(core.error());
    if (core.done()) return finish(core.result());
    if (!s) return;
    net::DestroyGuard g(dead_flag);
    pump_output(*s, core);
    if (g.dead() || !s) return;
    if (core.wants_close_write() && !s->write_closed()) {
      s->close_write();
      if (g.dead()) return;
      core.on_write_closed(host.loop().now());
    }
    timer.arm(core.next_deadline());
  }
  void on_timer() {
    core.on_timeout(host.loop().now());
    step();
  }
};

PerfService::PerfService(Host& host, bool serve) : host_(host), serve_(serve) {
  if (!serve_) return;
  host_.set_stream_handler(kPerf, [this](Stream& s) {
    auto* st = new ServerStream(host_, s);
    s.set_on_data([st](net::BytesView v) {
      auto n = st->core.feed(v, st->host.loop().now());
      if (!n) st->s->reset();
      else st->step();
      return v.size();
    });
    s.set_on_writable([st] { st->step(); });
    s.set_on_eof([st] {
      auto r = st->core.on_eof(st->host.loop().now());
      if (!r) st->s->reset();
      else st->step();
    });
    s.set_on_close([st](const net::Error&) { delete st; });
    st->timer.arm(st->core.next_deadline());
  });
}

PerfService::~PerfService() {
  if (serve_) host_.remove_stream_handler(kPerf);
}

void PerfService::run(const PeerId& peer, perf::ClientOptions opt, OnDone done) {
  auto holder = std::make_shared<std::unique_ptr<ClientRun>>(new ClientRun(host_, opt, std::move(done)));
  host_.new_stream(peer, {kPerf}, [holder](net::Result<Stream*> r) {
    std::unique_ptr<ClientRun> owned = std::move(*holder);
    ClientRun* c = owned.get();
    if (!r) {
      c->finish(r.error());
      return;
    }
    c->s = *r;
    Stream* s = *r;
    owned.release();  // the stream's on_close deletes it
    s->set_on_data([c](net::BytesView v) {
      auto n = c->core.feed(v, c->host.loop().now());
      if (!n) c->finish(n.error());
      else c->step();
      return v.size();
    });
    s->set_on_writable([c] { c->step(); });
    s->set_on_eof([c] {
      auto st = c->core.on_eof(c->host.loop().now());
      if (!st) c->finish(st.error());
      else c->step();
    });
    s->set_on_close([c](const net::Error& e) {
      c->s = nullptr;
      if (!c->finished) {
        if (c->core.done()) c->finish(c->core.result());
        else c->finish(e.code == net::Err::ok ? net::Error{net::Err::closed, "perf: stream closed"} : e);
      }
      delete c;
    });
    c->step();
  });
}

}  // namespace p2p::services
