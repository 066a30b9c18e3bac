// fuzz/a2a_envelope.cpp — the /agentanycast/a2a/1.0 receive path: the frame
// reader (split at input-chosen points, reservations granted), envelope
// decode (decode -> encode -> decode stable), and the engine's dispatch of
// arbitrary envelopes from two peers — one that runs a task of ours, one
// whose task we run — against a store on tmpfs, with subscribers attached,
// the group commit, ACK tracking and the clock moving. Checks: no crash, no
// sanitizer report, the engine's memory and queues stay within their bounds.
//
// Input: a sequence of records [ctl:1][frame bytes...]: the low bits of ctl
// pick the sender and whether to flush / advance time; the remaining input
// is fed to the frame reader in pieces whose sizes also come from ctl.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "a2a/engine.hpp"
#include "a2a/frame.hpp"
#include "crypto/init.hpp"
#include "store/a2a_store.hpp"

using namespace a2a;

namespace {

struct FuzzClock final : Clock {
  net::Instant t = 1000 * net::kSecond;
  net::Instant now() const override { return t; }
  int64_t unix_ns() const override { return 1'700'000'000LL * 1'000'000'000LL + static_cast<int64_t>(t); }
};

struct NullTransport final : Transport {
  std::vector<uint64_t> tokens;
  size_t sends = 0;
  void send_envelope(const p2p::PeerId&, net::Bytes env, uint64_t token) override {
    ++sends;
    if (env.size() > kMaxFrameLen) abort();
    if (token) tokens.push_back(token);
  }
  bool connected(const p2p::PeerId&) const override { return true; }
  void card_changed() override {}
  uint64_t open_out_stream(const p2p::PeerId&) override { return 1; }
  bool out_stream_write(uint64_t, net::Bytes) override { return true; }
  void out_stream_close(uint64_t, bool) override {}
  void resume_inbound(uint64_t) override {}
};

struct World {
  std::string dir;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::A2aStore> st;
  p2p::PeerId self, x, y;
  World() {
    if (!crypto::init()) abort();
    char tmpl[] = "/dev/shm/aac-fuzz-a2a-XXXXXX";
    char tmpl2[] = "/tmp/aac-fuzz-a2a-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (!d) d = mkdtemp(tmpl2);
    if (!d) abort();
    dir = d;
    auto o = store::Database::open(dir);
    if (!o) abort();
    db = o.take();
    (void)db->exec("PRAGMA synchronous=OFF");
    auto s = store::A2aStore::open(*db);
    if (!s) abort();
    st = s.take();
    // Fixed identities (Ed25519 identity peer ids built from constant keys).
    auto mk = [](uint8_t seed) {
      net::Bytes proto{0x08, 0x01, 0x12, 0x20};
      for (int i = 0; i < 32; ++i) proto.push_back(static_cast<uint8_t>(seed + i));
      return p2p::PeerId::from_public_key_proto(proto);
    };
    self = mk(1);
    x = mk(50);
    y = mk(100);
  }
  void wipe() {
    st->batch.rollback();
    (void)db->exec(
        "DELETE FROM task_items; DELETE FROM tasks; DELETE FROM offline_queue; DELETE FROM seen_envelopes; "
        "DELETE FROM peer_cards; DELETE FROM peer_book; DELETE FROM meta;");
  }
};

World& world() {
  static World w;
  return w;
}

void check_roundtrip(net::BytesView frame) {
  Envelope a;
  if (!decode_envelope(frame, a)) return;
  net::Bytes enc = a.encode();
  Envelope b;
  if (!decode_envelope(enc, b)) abort();
  if (!(a == b)) abort();
  if (b.encode() != enc) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  FuzzClock clock;
  NullTransport tr;
  EngineConfig cfg;
  cfg.self = w.self;
  cfg.clock = &clock;
  cfg.limits.max_queued_per_peer = 64;
  cfg.limits.subscriber_queue_events = 8;
  cfg.limits.stream_subscriber_chunks = 4;
  auto rng = std::make_shared<std::mt19937_64>(size);
  cfg.random = [rng](std::span<uint8_t> out) {
    for (auto& b : out) b = static_cast<uint8_t>((*rng)());
  };
  {
    // Two tasks the envelopes can refer to: "task-1" we sent to x, "task-2"
    // x sent us.
    store::TaskRow t1{"task-1", "c", 1, "s", "local", w.x.to_base58(), 1, 1, true};
    store::TaskRow t2{"task-2", "c", 2, "s", w.x.to_base58(), "", 1, 1, true};
    (void)w.st->tasks->insert(t1);
    (void)w.st->tasks->insert(t2);
    (void)w.st->batch.commit();
  }
  auto made = Engine::create(*w.st, tr, std::move(cfg));
  if (!made) abort();
  auto engine = made.take();

  // Subscribers: one keeps up, one is slow (never takes anything).
  size_t delivered = 0;
  (void)engine->subscribe_incoming({[&](const IncomingTask&) {
                                      ++delivered;
                                      return Flow::ready;
                                    },
                                    nullptr});
  (void)engine->subscribe_updates("task-1", {[&](const TaskUpdate&) { return Flow::full; }, nullptr});
  (void)engine->subscribe_updates("task-1", {[&](const TaskUpdate&) {
                                               ++delivered;
                                               return Flow::ready;
                                             },
                                             nullptr});
  (void)engine->subscribe_stream("task-1", {[&](const StreamEvent&) {
                                              ++delivered;
                                              return (delivered & 3) ? Flow::ready : Flow::blocked;
                                            },
                                            nullptr});

  FrameReader reader(kMaxFrameLen);
  uint64_t inbound = 1;
  size_t pos = 0;
  bool paused = false;
  while (pos < size) {
    const uint8_t ctl = data[pos++];
    const p2p::PeerId& from = (ctl & 1) ? w.x : w.y;
    size_t piece = std::min<size_t>(size - pos, 1 + ((ctl >> 2) * 37) % 4096);
    net::BytesView in(data + pos, piece);
    pos += piece;
    size_t used = 0;
    while (used < in.size()) {
      auto r = reader.feed(in.subspan(used));
      if (!r) {
        engine->on_inbound_closed(inbound, false);
        reader = FrameReader(kMaxFrameLen);
        ++inbound;
        break;
      }
      used += *r;
      if (reader.wants_reserve()) reader.grant();
      if (reader.has_frame()) {
        check_roundtrip(reader.frame());
        if (!engine->on_frame(from, inbound, reader.frame())) paused = true;
        reader.pop();
      }
    }
    if (ctl & 2) {
      engine->on_inbound_closed(inbound++, reader.at_boundary());
      reader = FrameReader(kMaxFrameLen);
    }
    if ((ctl & 0xc0) == 0xc0) {
      clock.t += 3 * net::kSecond;
      engine->on_timeout();
    }
    if ((ctl & 0x30) == 0x30) {
      for (uint64_t t : tr.tokens) engine->on_send_result(t, (t & 1) ? net::Status{} : net::Status{net::Err::io, "x"});
      tr.tokens.clear();
      engine->on_peer_connected(from);
    }
    engine->flush();
    if (paused) {
      engine->resume(4);  // the stream subscriber (ids start at 1)
      paused = false;
    }
    // Bounds.
    if (engine->queued_total() > 2 * 64) abort();
    if (engine->stream_bytes_buffered() > (kStreamSubscriberChunks + 2) * (kMaxFrameLen + 1024)) abort();
  }
  engine->on_inbound_closed(inbound, reader.at_boundary());
  clock.t += 31 * net::kSecond;
  engine->on_timeout();
  engine->flush();
  engine->shutdown();
  engine.reset();
  w.wipe();
  return 0;
}
