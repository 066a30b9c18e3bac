// test/unit/a2a/engine_harness.hpp — engines wired through an in-memory
// network with a simulated clock (STYLE.md §11 "two cores in memory"): each
// Node has its own store directory, a FakeTransport and an Engine; the Net
// moves envelopes between them, can take a node down, drop selected
// envelopes, and advances time through the engines' deadlines. Restarting a
// node re-opens its store (tasks and queue survive).
#pragma once

#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "a2a/engine.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/init.hpp"
#include "crypto/keys.hpp"
#include "store/a2a_store.hpp"

namespace a2atest {

using namespace a2a;

inline std::string temp_dir() {
  char tmpl[] = "/tmp/aac-a2a-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

struct ManualClock final : Clock {
  net::Instant t = 1'000 * net::kSecond;
  int64_t wall = 1'700'000'000LL * 1'000'000'000LL;
  net::Instant now() const override { return t; }
  int64_t unix_ns() const override { return wall + static_cast<int64_t>(t); }
};

struct Net;

struct Sent {
  p2p::PeerId from, to;
  net::Bytes env;
  uint64_t token;
  uint64_t out_stream = 0;  // artifact stream frames
};

struct FakeTransport final : Transport {
  Net* net = nullptr;
  p2p::PeerId self;
  int card_pushes = 0;
  void send_envelope(const p2p::PeerId& peer, net::Bytes envelope, uint64_t token) override;
  bool connected(const p2p::PeerId& peer) const override;
  void card_changed() override { ++card_pushes; }
  uint64_t open_out_stream(const p2p::PeerId& peer) override;
  bool out_stream_write(uint64_t id, net::Bytes frame) override;
  void out_stream_close(uint64_t id, bool abort) override;
  void resume_inbound(uint64_t inbound_id) override;
};

struct Node {
  std::string dir = temp_dir();
  crypto::Ed25519PrivateKey key;
  p2p::PeerId id;
  FakeTransport transport;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::A2aStore> st;
  std::unique_ptr<Engine> engine;
  EngineLimits limits;
  bool up = true;
  uint64_t seed = 1;

  Node(Net* n, const ManualClock& clock);
  void start(const ManualClock& clock) {
    auto d = store::Database::open(dir);
    REQUIRE_MESSAGE(d, d.what());
    db = d.take();
    auto s = store::A2aStore::open(*db);
    REQUIRE(s);
    st = s.take();
    EngineConfig cfg;
    cfg.self = id;
    cfg.clock = &clock;
    cfg.limits = limits;
    auto rng = std::make_shared<std::mt19937_64>(seed++ * 7919 + id.bytes().back());
    cfg.random = [rng](std::span<uint8_t> out) {
      for (auto& b : out) b = static_cast<uint8_t>((*rng)());
    };
    auto e = Engine::create(*st, transport, std::move(cfg));
    REQUIRE_MESSAGE(e, e.what());
    engine = e.take();
  }
  // A crash: nothing is flushed (the open transaction is lost).
  void crash() {
    engine.reset();
    st.reset();
    db.reset();
  }
  std::string text() const { return id.to_base58(); }
};

struct OutStreamState {
  p2p::PeerId from, to;
  std::deque<net::Bytes> frames;
  bool blocked = false, closing = false, closed = false, paused = false;
  uint64_t inbound_id = 0;
};

struct Net {
  ManualClock clock;
  std::vector<std::unique_ptr<Node>> nodes;
  std::deque<Sent> wire;
  // Return true to drop an envelope in flight (it still "was written").
  std::function<bool(const Sent&, const Envelope&)> drop;
  uint64_t next_inbound = 1;
  std::map<uint64_t, OutStreamState> outs;
  uint64_t next_out = 1;
  size_t delivered = 0;
  size_t max_out_buffer = 0;

  Node& add() {
    REQUIRE(crypto::init());
    nodes.push_back(std::make_unique<Node>(this, clock));
    return *nodes.back();
  }
  Node* find(const p2p::PeerId& p) {
    for (auto& n : nodes)
      if (n->id == p) return n.get();
    return nullptr;
  }

  void flush_all() {
    for (auto& n : nodes)
      if (n->engine) n->engine->flush();
  }

  // One pass: deliver what is on the wire, then flush every engine.
  bool step() {
    bool moved = false;
    std::deque<Sent> now;
    now.swap(wire);
    for (auto& s : now) {
      moved = true;
      Node* to = find(s.to);
      Node* from = find(s.from);
      const bool ok = to && to->up && to->engine && from && from->up;
      if (from && from->engine && s.token)
        from->engine->on_send_result(s.token, ok ? net::Status{} : net::Status{net::Err::io, "dial: peer down"});
      if (!ok) continue;
      Envelope e;
      (void)e.decode(s.env);
      if (drop && drop(s, e)) continue;
      const uint64_t in = next_inbound++;
      ++delivered;
      (void)to->engine->on_frame(s.from, in, s.env);
      to->engine->on_inbound_closed(in, true);
    }
    moved |= pump_streams();
    flush_all();
    return moved || !wire.empty();
  }

  bool pump_streams() {
    bool moved = false;
    for (auto& [id, o] : outs) {
      Node* to = find(o.to);
      while (!o.frames.empty() && !o.paused) {
        if (!to || !to->up || !to->engine) {
          o.frames.clear();
          break;
        }
        moved = true;
        net::Bytes f = std::move(o.frames.front());
        o.frames.pop_front();
        if (!to->engine->on_frame(o.from, o.inbound_id, net::BytesView(f).subspan(kFrameHeaderLen))) o.paused = true;
      }
      if (o.blocked && o.frames.size() < kStreamOutBufferedFrames) {
        o.blocked = false;
        if (Node* from = find(o.from); from && from->engine) from->engine->on_out_stream_writable(id);
        moved = true;
      }
      if (o.closing && o.frames.empty() && !o.closed) {
        o.closed = true;
        if (to && to->engine) to->engine->on_inbound_closed(o.inbound_id, true);
      }
    }
    return moved;
  }

  void settle(int max_rounds = 1000) {
    flush_all();
    for (int i = 0; i < max_rounds; ++i)
      if (!step()) return;
    FAIL("network did not settle");
  }

  // Advances the clock to `until`, firing deadlines in order.
  void advance(uint64_t ns) {
    const net::Instant until = clock.t + ns;
    settle();
    for (;;) {
      net::Instant next = net::kNever;
      for (auto& n : nodes)
        if (n->engine) next = std::min(next, n->engine->next_deadline());
      if (next > until) break;
      clock.t = std::max(clock.t, next);
      for (auto& n : nodes)
        if (n->engine && n->engine->next_deadline() <= clock.t) n->engine->on_timeout();
      settle();
    }
    clock.t = until;
    settle();
  }
};

inline Node::Node(Net* n, const ManualClock& clock) {
  auto k = crypto::Ed25519PrivateKey::generate();
  REQUIRE(k);
  key = k.take();
  id = p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(key.public_key()));
  transport.net = n;
  transport.self = id;
  start(clock);
}

inline void FakeTransport::send_envelope(const p2p::PeerId& peer, net::Bytes envelope, uint64_t token) {
  net->wire.push_back({self, peer, std::move(envelope), token});
}
inline bool FakeTransport::connected(const p2p::PeerId& peer) const {
  Node* n = net->find(peer);
  return n && n->up;
}
inline uint64_t FakeTransport::open_out_stream(const p2p::PeerId& peer) {
  uint64_t id = net->next_out++;
  auto& o = net->outs[id];
  o.from = self;
  o.to = peer;
  o.inbound_id = net->next_inbound++;
  return id;
}
inline bool FakeTransport::out_stream_write(uint64_t id, net::Bytes frame) {
  auto& o = net->outs[id];
  REQUIRE(frame.size() >= kFrameHeaderLen);  // framed, as P2pBinding sends it
  o.frames.push_back(std::move(frame));
  net->max_out_buffer = std::max(net->max_out_buffer, o.frames.size());
  if (o.frames.size() >= kStreamOutBufferedFrames) {
    o.blocked = true;
    return false;
  }
  return true;
}
inline void FakeTransport::out_stream_close(uint64_t id, bool abort) {
  auto& o = net->outs[id];
  if (abort) o.frames.clear();
  o.closing = true;
}
inline void FakeTransport::resume_inbound(uint64_t inbound_id) {
  for (auto& [id, o] : net->outs)
    if (o.inbound_id == inbound_id) o.paused = false;
}

// Collects what a subscription delivers.
template <class E>
struct Collector {
  std::vector<E> got;
  std::vector<ApiError> ended;
  Flow answer = Flow::ready;
  Sink<E> sink() {
    return {[this](const E& e) {
              if (answer == Flow::full || answer == Flow::closed) return answer;
              got.push_back(e);
              return answer;
            },
            [this](const ApiError& e) { ended.push_back(e); }};
  }
};

// Reply catchers.
template <class T>
struct Caught {
  std::optional<ApiResult<T>> r;
  Reply<T> reply() {
    return [this](ApiResult<T> v) { r.emplace(std::move(v)); };
  }
};

inline Message text_message(const std::string& s, v1::MessageRole role = v1::MessageRole::MESSAGE_ROLE_USER) {
  Message m;
  m.message_id = "m-" + s;
  m.role = role;
  m.parts.emplace_back().mutable_text_part().text = s;
  return m;
}

inline Artifact text_artifact(const std::string& name, const std::string& text) {
  Artifact a;
  a.artifact_id = "a-" + name;
  a.name = name;
  a.parts.emplace_back().mutable_text_part().text = text;
  return a;
}

}  // namespace a2atest
