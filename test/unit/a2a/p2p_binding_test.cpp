// Two daemons' engines over two real p2p::Host instances on loopback TCP in
// one loop: card exchange, a task end to end, fail/cancel, the offline queue
// across a restart (peer book re-dial), a 64 MiB artifact stream with
// bounded memory, and the round-trip figures.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>

#include "a2a/p2p_binding.hpp"
#include "crypto/init.hpp"
#include "crypto/keys.hpp"

using namespace a2a;
using S = TaskStatus;

namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/aac-a2ab-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

bool run_until(net::Loop& loop, const std::function<bool()>& done, uint64_t timeout_ns = 20 * net::kSecond) {
  loop.update_now();
  const net::Instant end = loop.now() + timeout_ns;
  while (!done()) {
    REQUIRE(loop.run_once(10 * net::kMillisecond));
    if (loop.now() > end) return false;
  }
  return true;
}

template <class E>
struct Collector {
  std::vector<E> got;
  std::vector<ApiError> ended;
  Sink<E> sink() {
    return {[this](const E& e) {
              got.push_back(e);
              return Flow::ready;
            },
            [this](const ApiError& e) { ended.push_back(e); }};
  }
};

struct Live {
  net::Loop& loop;
  std::string dir = temp_dir();
  crypto::Ed25519PrivateKey key;
  p2p::PeerId id;
  std::unique_ptr<p2p::Host> host;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::A2aStore> st;
  std::unique_ptr<LoopClock> clock;
  std::unique_ptr<P2pBinding> binding;
  std::unique_ptr<Engine> engine;
  Collector<IncomingTask>* incoming = nullptr;

  explicit Live(net::Loop& l) : loop(l) {
    REQUIRE(crypto::init());
    auto k = crypto::Ed25519PrivateKey::generate();
    REQUIRE(k);
    key = k.take();
    id = p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(key.public_key()));
    start();
  }
  ~Live() { stop(); }
  void start() {
    p2p::HostConfig hc;
    hc.identity = &key;
    host = std::make_unique<p2p::Host>(loop, hc);
    REQUIRE(host->listen(*p2p::Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    auto d = store::Database::open(dir);
    REQUIRE(d);
    db = d.take();
    auto s = store::A2aStore::open(*db);
    REQUIRE(s);
    st = s.take();
    clock = std::make_unique<LoopClock>(loop);
    binding = std::make_unique<P2pBinding>(*host, *st);
    EngineConfig cfg;
    cfg.self = id;
    cfg.clock = clock.get();
    auto e = Engine::create(*st, *binding, std::move(cfg));
    REQUIRE_MESSAGE(e, e.what());
    engine = e.take();
    binding->attach(*engine);
  }
  void stop() {
    if (!engine) return;
    binding->detach();
    engine->flush();
    engine.reset();
    binding.reset();
    host->shutdown();
    // The host defers work that names it (its connection reaper, stream
    // opens): let it run before the host goes; the loop lives on.
    for (int i = 0; i < 3; ++i) REQUIRE(loop.run_once(0));
    host.reset();
    st.reset();
    db.reset();
  }
  p2p::Multiaddr addr() const { return *host->listen_addrs().front().with_peer_id(id); }
  std::string text() const { return id.to_base58(); }
  void set_card(const std::string& name) {
    AgentCard c;
    c.name = name;
    c.skills.emplace_back().id = name + "-skill";
    std::optional<ApiResult<AgentCard>> r;
    engine->set_card(c, [&](ApiResult<AgentCard> v) { r.emplace(std::move(v)); });
    REQUIRE(run_until(loop, [&] { return r.has_value(); }));
    REQUIRE(*r);
  }
};

Message text_message(const std::string& s) {
  Message m;
  m.message_id = "m-" + s;
  m.role = v1::MessageRole::MESSAGE_ROLE_USER;
  m.parts.emplace_back().mutable_text_part().text = s;
  return m;
}

struct Two {
  std::unique_ptr<net::Loop> loop_owner;
  net::Loop& loop;
  Live a, b;
  Collector<IncomingTask> b_in;
  Two() : loop_owner(net::Loop::create().take()), loop(*loop_owner), a(loop), b(loop) {
    REQUIRE(b.engine->subscribe_incoming(b_in.sink()));
  }
  ~Two() {
    a.stop();
    b.stop();
  }
  void connect() {
    std::optional<net::Result<p2p::ConnId>> c;
    a.host->dial(b.addr(), [&](net::Result<p2p::ConnId> r) { c = std::move(r); });
    REQUIRE(run_until(loop, [&] { return c.has_value(); }));
    REQUIRE_MESSAGE(*c, c->what());
  }
  std::string send(const std::string& text) {
    std::optional<ApiResult<Task>> r;
    a.engine->send_task({b.text(), text_message(text), "ctx", "skill", {}},
                        [&](ApiResult<Task> v) { r.emplace(std::move(v)); });
    REQUIRE(run_until(loop, [&] { return r.has_value(); }));
    REQUIRE_MESSAGE(*r, r->message());
    return (**r).task_id;
  }
  void agent(const std::function<void(Reply<void>)>& op) {
    std::optional<ApiStatus> r;
    op([&](ApiStatus v) { r.emplace(std::move(v)); });
    REQUIRE(run_until(loop, [&] { return r.has_value(); }));
    REQUIRE_MESSAGE(*r, r->message());
  }
};

}  // namespace

TEST_CASE("a2a over libp2p: cards are exchanged on connect, both ways") {
  Two t;
  t.a.set_card("alpha");
  t.b.set_card("beta");
  t.connect();
  REQUIRE(run_until(t.loop, [&] { return t.a.engine->peer_card(t.b.text()) && t.b.engine->peer_card(t.a.text()); }));
  CHECK(t.a.engine->peer_card(t.b.text())->name == "beta");
  CHECK(t.a.engine->peer_card(t.b.text())->p2p_extension->peer_id == t.b.text());
  CHECK(t.b.engine->peer_card(t.a.text())->name == "alpha");
  // SetAgentCard pushes the new card to connected peers.
  t.b.set_card("beta-2");
  REQUIRE(run_until(t.loop, [&] { return t.a.engine->peer_card(t.b.text())->name == "beta-2"; }));
  CHECK(t.a.binding->stats().card_errors == 0);
}

TEST_CASE("a2a over libp2p: a task end to end with two artifacts; GetTask returns the whole task") {
  Two t;
  t.b.set_card("agent-b");
  t.connect();
  std::string id = t.send("work please");
  REQUIRE(run_until(t.loop, [&] { return t.b_in.got.size() == 1; }));
  CHECK(t.b_in.got[0].task->task_id == id);
  CHECK(t.b_in.got[0].task->context_id == "ctx");
  CHECK(t.b_in.got[0].task->originator_peer_id == t.a.text());
  Collector<TaskUpdate> ups;
  REQUIRE(t.a.engine->subscribe_updates(id, ups.sink()));
  t.agent([&](Reply<void> r) { t.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); });
  std::vector<Artifact> arts(2);
  arts[0].artifact_id = "1";
  arts[0].name = "first";
  arts[0].parts.emplace_back().mutable_text_part().text = "one";
  arts[1].artifact_id = "2";
  arts[1].name = "second";
  arts[1].parts.emplace_back().mutable_raw_part().data = net::Bytes(1000, 7);
  t.agent([&](Reply<void> r) { t.b.engine->complete_task(id, arts, std::nullopt, std::move(r)); });
  REQUIRE(run_until(t.loop, [&] { return ups.got.size() == 2; }));
  CHECK(ups.got[0].status == S::TASK_STATUS_WORKING);
  CHECK(ups.got[1].status == S::TASK_STATUS_COMPLETED);
  CHECK(ups.got[1].artifacts == arts);
  auto task = t.a.engine->get_task(id);
  REQUIRE(task);
  CHECK(task->status == S::TASK_STATUS_COMPLETED);
  CHECK(task->messages.size() == 1);
  CHECK(task->artifacts == arts);
  REQUIRE(run_until(t.loop, [&] { return t.a.engine->queued_total() == 0 && t.b.engine->queued_total() == 0; }));
}

TEST_CASE("a2a over libp2p: FailTask and CancelTask, both sides") {
  Two t;
  t.connect();
  std::string f = t.send("fail me");
  std::string c1 = t.send("client cancels");
  std::string c2 = t.send("agent cancels");
  REQUIRE(run_until(t.loop, [&] { return t.b_in.got.size() == 3; }));
  Collector<TaskUpdate> uf, u2;
  REQUIRE(t.a.engine->subscribe_updates(f, uf.sink()));
  REQUIRE(t.a.engine->subscribe_updates(c2, u2.sink()));
  t.agent([&](Reply<void> r) { t.b.engine->update_status(f, S::TASK_STATUS_WORKING, std::nullopt, std::move(r)); });
  t.agent([&](Reply<void> r) { t.b.engine->fail_task(f, "no luck", std::move(r)); });
  REQUIRE(run_until(t.loop, [&] { return uf.got.size() == 2; }));
  CHECK(uf.got[1].status == S::TASK_STATUS_FAILED);
  CHECK(uf.got[1].message->parts[0].text_part.text == "no luck");

  std::optional<ApiResult<Task>> r1;
  t.a.engine->cancel_task(c1, [&](ApiResult<Task> v) { r1.emplace(std::move(v)); });
  REQUIRE(run_until(t.loop, [&] { return r1.has_value(); }));
  REQUIRE(*r1);
  REQUIRE(run_until(t.loop, [&] { return t.b.engine->get_task(c1)->status == S::TASK_STATUS_CANCELED; }));

  std::optional<ApiResult<Task>> r2;
  t.b.engine->cancel_task(c2, [&](ApiResult<Task> v) { r2.emplace(std::move(v)); });
  REQUIRE(run_until(t.loop, [&] { return u2.got.size() == 1; }));
  CHECK(u2.got[0].status == S::TASK_STATUS_CANCELED);
  CHECK(t.a.engine->get_task(c2)->status == S::TASK_STATUS_CANCELED);
}

TEST_CASE("a2a over libp2p: B down when A sends -> queued -> B restarts, re-dials from its peer book -> delivered once") {
  Two t;
  // B knows A (B dialed A once): its peer book has A's address.
  std::optional<net::Result<p2p::ConnId>> c;
  t.b.host->dial(t.a.addr(), [&](net::Result<p2p::ConnId> r) { c = std::move(r); });
  REQUIRE(run_until(t.loop, [&] { return c.has_value(); }));
  REQUIRE(*c);
  REQUIRE(run_until(t.loop, [&] { return t.a.host->is_connected(t.b.id); }));
  t.b.engine->flush();  // the peer book row
  t.b.stop();
  REQUIRE(run_until(t.loop, [&] { return !t.a.host->is_connected(t.b.id); }));

  std::string id = t.send("while you were out");
  REQUIRE(run_until(t.loop, [&] { return t.a.engine->stats().send_failures >= 1; }));
  CHECK(t.a.engine->queued_for(t.b.id) == 1);
  CHECK(t.a.engine->get_task(id)->status == S::TASK_STATUS_SUBMITTED);

  t.b.start();  // same key, same store, a new port
  Collector<IncomingTask> in;
  REQUIRE(t.b.engine->subscribe_incoming(in.sink()));
  t.b.binding->restore_peer_book();
  REQUIRE(run_until(t.loop, [&] { return in.got.size() == 1 && t.a.engine->queued_total() == 0; }));
  CHECK(in.got[0].task->task_id == id);
  // A while later: still once.
  const net::Instant until = t.loop.now() + 300 * net::kMillisecond;
  REQUIRE(run_until(t.loop, [&] { return t.loop.now() > until; }));
  CHECK(in.got.size() == 1);
}

TEST_CASE("a2a over libp2p: the side that accepted a connection re-dials the dialer after a restart") {
  Two t;
  t.connect();  // A dials B: B sees A only at an ephemeral source port
  REQUIRE(run_until(t.loop, [&] { return t.b.host->is_connected(t.a.id); }));
  auto b_knows_a = [&] {
    auto l = t.b.st->peer_book->list(10);
    REQUIRE(l);
    return !l->empty() && (*l)[0].peer_id == t.a.text();
  };
  CHECK_FALSE(b_knows_a());
  // What identify does when A's answer arrives: A's listen addresses. The
  // binding's tick writes them to B's peer book (the connect event came first).
  t.b.host->peer_store().add_addrs(t.a.id, {t.a.host->listen_addrs().front()}, t.loop.now());
  REQUIRE(run_until(t.loop, b_knows_a, 3 * net::kSecond));
  t.b.stop();
  REQUIRE(run_until(t.loop, [&] { return !t.a.host->is_connected(t.b.id); }));
  std::string id = t.send("queued for the acceptor");
  REQUIRE(run_until(t.loop, [&] { return t.a.engine->stats().send_failures >= 1; }));
  t.b.start();  // a new port: A cannot dial it; B must dial A
  Collector<IncomingTask> in;
  REQUIRE(t.b.engine->subscribe_incoming(in.sink()));
  t.b.binding->restore_peer_book();
  REQUIRE(run_until(t.loop, [&] { return in.got.size() == 1 && t.a.engine->queued_total() == 0; }));
  CHECK(in.got[0].task->task_id == id);
}

TEST_CASE("a2a over libp2p: a 64 MiB artifact streams from B's agent to A's subscriber with bounded memory") {
  size_t chunk = 256 * 1024;
  SUBCASE("256 KiB chunks") {}
  // A frame four times the yamux output buffer: the session's writable
  // event fires inside the binding's own write (it used to be lost there,
  // and the stream stalled after a few chunks until the idle timeout).
  SUBCASE("1 MiB chunks") { chunk = 1024 * 1024; }
  Two t;
  t.connect();
  std::string id = t.send("stream to me");
  REQUIRE(run_until(t.loop, [&] { return t.b_in.got.size() == 1; }));
  size_t received = 0;
  int32_t next = 0;
  bool order_ok = true, ended = false;
  size_t peak_a = 0;
  auto sub = t.a.engine->subscribe_stream(id, {[&](const StreamEvent& e) {
                                                 if (e.event_case == StreamEvent::EventCase::stream_chunk) {
                                                   if (e.stream_chunk.sequence != next++) order_ok = false;
                                                   received += e.stream_chunk.data.size();
                                                 } else if (e.event_case == StreamEvent::EventCase::stream_end) {
                                                   ended = true;
                                                 }
                                                 return Flow::ready;
                                               },
                                               nullptr});
  REQUIRE(sub);
  const size_t total = 64u << 20;
  bool writable = true;
  auto w = t.b.engine->open_artifact_writer([&] { writable = true; });
  REQUIRE(w);
  StreamRequest start;
  start.mutable_stream_start().task_id = id;
  start.stream_start.artifact_id = "blob";
  REQUIRE(t.b.engine->write_artifact(*w, start));
  size_t sent = 0;
  int32_t seq = 0;
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(run_until(
      t.loop,
      [&] {
        while (writable && sent < total) {
          StreamRequest r;
          auto& c = r.mutable_stream_chunk();
          c.task_id = id;
          c.artifact_id = "blob";
          c.sequence = seq;
          c.data.assign(std::min(chunk, total - sent), static_cast<uint8_t>(seq));
          auto f = t.b.engine->write_artifact(*w, r);
          REQUIRE_MESSAGE(f, f.message());
          if (*f == Flow::full) {
            writable = false;
            break;
          }
          sent += c.data.size();
          ++seq;
          if (*f == Flow::blocked) writable = false;
          if (sent == total) {
            StreamRequest e;
            e.mutable_stream_end().task_id = id;
            e.stream_end.artifact_id = "blob";
            e.stream_end.reason = v1::StreamEndReason::STREAM_END_REASON_COMPLETE;
            // END after the last chunk: queued even when blocked (one frame).
            writable = true;
            auto fe = t.b.engine->write_artifact(*w, e);
            if (fe && *fe == Flow::full) {
              writable = false;
              sent -= c.data.size();  // not reached: the chunk was taken
            }
            t.b.engine->close_artifact_writer(*w, false);
          }
        }
        peak_a = std::max(peak_a, t.a.engine->stream_bytes_buffered() + t.a.binding->stats().assembly_bytes);
        return ended;
      },
      120 * net::kSecond));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(received == total);
  CHECK(order_ok);
  const size_t peak_b = t.b.binding->stats().out_stream_peak;
  MESSAGE("stream 64 MiB over loopback libp2p in " << chunk / 1024 << " KiB chunks: "
                                                   << static_cast<int>(total / secs / (1 << 20)) << " MiB/s; peak buffered at A "
                                                << peak_a << " B (engine + frame assembly), assembly peak "
                                                << t.a.binding->stats().assembly_peak << " B, at B " << peak_b << " B");
  // Flat: a few chunks, independent of the artifact's size.
  CHECK(peak_a <= (kStreamSubscriberChunks + 2) * (chunk + 256));
  CHECK(peak_b <= (kStreamOutBufferedFrames + 1) * (chunk + 256));
}

TEST_CASE("a2a over libp2p: round trip and throughput (measured)") {
  Two t;
  t.connect();
  // B's agent: WORKING then COMPLETED for every task.
  Collector<IncomingTask> unused;
  t.b.engine->set_incoming_handler([&](const IncomingTask& in) {
    std::string id = in.task->task_id;
    t.loop.defer([&t, id] {
      t.b.engine->update_status(id, S::TASK_STATUS_WORKING, std::nullopt, [](ApiStatus) {});
      t.b.engine->complete_task(id, {}, std::nullopt, [](ApiStatus) {});
    });
    return true;
  });
  // Latency: one task at a time, client SendTask -> COMPLETED seen by A.
  std::vector<double> rtts;
  for (int i = 0; i < 200; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    std::string id = t.send("ping");
    bool done = false;
    Collector<TaskUpdate> ups;
    auto sub = t.a.engine->subscribe_updates(id, {[&](const TaskUpdate& u) {
                                                    if (u.status == S::TASK_STATUS_COMPLETED) done = true;
                                                    return Flow::ready;
                                                  },
                                                  nullptr});
    REQUIRE(sub);
    REQUIRE(run_until(t.loop, [&] { return done; }));
    t.a.engine->unsubscribe(*sub);
    rtts.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(rtts.begin(), rtts.end());
  // Throughput: 64 tasks in flight.
  const int n = 3000;
  int sent = 0, done = 0, in_flight = 0;
  std::vector<SubId> subs;
  auto t0 = std::chrono::steady_clock::now();
  std::function<void()> more = [&] {
    while (in_flight < 64 && sent < n) {
      ++sent;
      ++in_flight;
      t.a.engine->send_task({t.b.text(), text_message("x"), "", "", {}}, [&](ApiResult<Task> r) {
        REQUIRE(r);
        auto s = t.a.engine->subscribe_updates(r->task_id, {[&](const TaskUpdate& u) {
                                                             if (u.status == S::TASK_STATUS_COMPLETED) {
                                                               ++done;
                                                               --in_flight;
                                                               t.loop.defer([&] { more(); });
                                                             }
                                                             return Flow::ready;
                                                           },
                                                           nullptr});
        REQUIRE(s);
        subs.push_back(*s);
      });
    }
  };
  more();
  REQUIRE(run_until(t.loop, [&] { return done == n; }, 120 * net::kSecond));
  // The subscribers capture this frame: gone before `t` is torn down (its
  // last flush still publishes).
  for (SubId s : subs) t.a.engine->unsubscribe(s);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("a2a round trip (SendTask -> WORKING -> COMPLETED seen by the client), loopback libp2p: p50 "
          << rtts[rtts.size() / 2] << " us, p99 " << rtts[rtts.size() * 99 / 100] << " us; throughput with 64 in flight: "
          << static_cast<int>(n / secs) << " tasks/s; commits A " << t.a.engine->stats().commits << ", B "
          << t.b.engine->stats().commits);
  CHECK(done == n);
}
