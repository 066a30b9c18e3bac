// a2a/p2p_binding.hpp — binds the Engine to p2p::Host and net::Loop: the two
// agentanycast protocols, the loop hooks, the peer book.
//
//   /agentanycast/a2a/1.0   one stream per envelope: open, write one frame,
//                           half-close; the receiver reads frames until EOF
//                           (upstream.md §3.4). Inbound frames go to
//                           Engine::on_frame; a stream the engine pauses
//                           stops being read (yamux back-pressure). Outgoing
//                           artifact streams carry START, CHUNK..., END frames
//                           on one stream.
//   /agentanycast/card/1.0  initiator writes its card frame, reads one;
//                           responder reads one, stores it, writes its own if
//                           it has one (upstream.md §3.3); 5 s each. Run on
//                           every new connection when we have a card, after
//                           SetAgentCard (to every connected peer), and on
//                           exchange_card() (ConnectPeer).
//
// Loop: a before-sleep hook calls Engine::flush() (the group commit) and
// re-arms one timer at Engine::next_deadline(). Connect events: the peer
// book is updated, the card exchanged, then Engine::on_peer_connected()
// flushes the peer's offline queue.
//
// Memory: partial inbound frames reserve their declared length from a
// per-peer (32 MiB) and a total (256 MiB) budget before being buffered; a
// stream that cannot reserve waits (unread: the sender's window closes).
// Sends: at most 64 envelope streams open per peer, 4096 waiting.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "a2a/engine.hpp"
#include "a2a/frame.hpp"
#include "a2a/transport.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "p2p/host/host.hpp"
#include "store/a2a_store.hpp"

namespace a2a {

// Time from the loop (cached per turn, as every driver reads it).
class LoopClock final : public Clock {
 public:
  explicit LoopClock(net::Loop& loop) : loop_(loop) {}
  net::Instant now() const override { return loop_.now() ? loop_.now() : net::monotonic_now(); }
  int64_t unix_ns() const override { return static_cast<int64_t>(net::unix_now_ns()); }

 private:
  net::Loop& loop_;
};

struct BindingStats {
  uint64_t envelope_streams_out = 0;
  uint64_t envelope_streams_in = 0;
  uint64_t frames_in = 0;
  uint64_t frame_errors = 0;
  uint64_t cards_received = 0;
  uint64_t cards_sent = 0;
  uint64_t card_errors = 0;
  size_t assembly_bytes = 0;       // reserved for partial frames now
  size_t assembly_peak = 0;
  size_t out_stream_bytes = 0;     // artifact frames queued now
  size_t out_stream_peak = 0;
};

class P2pBinding final : public Transport {
 public:
  P2pBinding(p2p::Host& host, store::A2aStore& store, net::Log* log = nullptr);
  ~P2pBinding() override;
  P2pBinding(const P2pBinding&) = delete;
  P2pBinding& operator=(const P2pBinding&) = delete;

  // Registers the protocol handlers, connect notifications, the loop hook
  // and the timer. The engine must outlive the binding, or detach() first.
  void attach(Engine& engine);
  void detach();

  // Puts the peer book's addresses into the host's peer store and dials the
  // peers that have queued envelopes plus the kRedialOnStart most recently
  // seen ones.
  void restore_peer_book();
  // Card exchange with a connected peer (ConnectPeer); `done` (optional)
  // runs when it finished either way. No-op (done at once, deferred) when
  // we have no card.
  void exchange_card(const p2p::PeerId& peer, std::function<void()> done = {});

  const BindingStats& stats() const { return stats_; }

  // ---- Transport ----
  void send_envelope(const p2p::PeerId& peer, net::Bytes envelope, uint64_t token) override;
  bool connected(const p2p::PeerId& peer) const override { return host_.is_connected(peer); }
  void card_changed() override;
  uint64_t open_out_stream(const p2p::PeerId& peer) override;
  bool out_stream_write(uint64_t id, net::Bytes frame) override;
  void out_stream_close(uint64_t id, bool abort) override;
  void resume_inbound(uint64_t inbound_id) override;

 private:
  struct PendingSend {
    net::Bytes env;
    uint64_t token;
  };
  struct PeerSends {
    p2p::PeerId peer;
    std::deque<PendingSend> queue;
    size_t open = 0;
  };
  struct OutEnvelope {  // one envelope stream being written
    std::string peer_key;
    std::array<uint8_t, kFrameHeaderLen> hdr{};
    net::Bytes env;
    size_t off = 0;  // over hdr + env
    uint64_t token = 0;
    bool reported = false;
    bool writing = false;
    bool woken = false;  // on_writable came inside our own write(): write again
    net::Instant opened = 0;
  };
  struct InStream {
    p2p::PeerId peer;
    std::string peer_key;
    FrameReader reader;
    bool engine_paused = false;
    bool waiting_budget = false;
    bool reported = false;
    net::Instant last = 0;
  };
  struct OutStream {  // artifact frames to one peer
    p2p::PeerId peer;
    p2p::StreamGlobalId gid = 0;
    std::deque<net::Bytes> frames;  // framed (header included)
    size_t off = 0;                 // into frames.front()
    size_t bytes = 0;
    bool closing = false;
    bool fin_sent = false;
    bool blocked = false;           // the engine was told "full"
    bool writing = false;
    bool woken = false;             // on_writable came inside our own write(): write again
  };
  struct CardXchg {
    p2p::PeerId peer;
    p2p::StreamGlobalId gid = 0;
    bool inbound = false;
    FrameReader reader{kMaxCardLen};
    net::Bytes out;
    size_t off = 0;
    net::TimerId timer = net::kNoTimer;
    std::vector<std::function<void()>> done;
    bool got = false;
    bool writing = false;
    bool woken = false;  // on_writable came inside our own write(): write again
    bool write_done = false;
    bool again = false;  // our card changed meanwhile: exchange once more
  };

  static std::string key(const p2p::PeerId& p) { return std::string(net::as_chars(p.bytes())); }

  void on_connected(const p2p::PeerId& peer);
  // Writes the peer's addresses (the peer store's) to the peer book if they
  // changed since the last write (force: also just to refresh last_seen).
  void write_peer_book(const p2p::PeerId& peer, bool force);
  void on_hook();
  void on_tick();

  // sends
  void start_sends(const std::string& peer_key);
  void write_envelope(p2p::StreamGlobalId gid);
  void report_send(OutEnvelope& o, const net::Status& st);

  // inbound a2a
  void on_inbound_a2a(p2p::Stream& s);
  size_t on_inbound_data(p2p::StreamGlobalId gid, net::BytesView v);
  void inbound_done(p2p::StreamGlobalId gid, bool clean);
  bool reserve(const std::string& peer_key, size_t n);
  void release(const std::string& peer_key, size_t n);
  void wake_budget_waiters();

  // artifact out streams
  void pump_out(uint64_t id);
  bool drain_out(uint64_t id);  // false: the stream's state is gone

  // cards
  void on_inbound_card(p2p::Stream& s);
  size_t on_card_data(uint64_t xid, net::BytesView v);
  void card_write(uint64_t xid);
  void card_frame(uint64_t xid, net::BytesView frame);
  void finish_card(uint64_t xid);
  net::Bytes framed_card() const;

  p2p::Host& host_;
  store::A2aStore& store_;
  net::Log* log_;
  Engine* engine_ = nullptr;
  net::HookId hook_{};
  net::TimerId timer_ = net::kNoTimer;
  net::TimerId tick_ = net::kNoTimer;
  net::Instant armed_ = net::kNever;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  std::unordered_map<std::string, PeerSends> sends_;
  std::unordered_map<p2p::StreamGlobalId, OutEnvelope> out_envs_;
  std::unordered_map<p2p::StreamGlobalId, InStream> in_;
  std::unordered_map<std::string, size_t> assembly_by_peer_;
  size_t assembly_total_ = 0;
  std::vector<p2p::StreamGlobalId> budget_waiters_;
  std::unordered_map<uint64_t, OutStream> outs_;
  uint64_t next_out_ = 1;
  std::unordered_map<uint64_t, CardXchg> cards_;
  std::unordered_map<std::string, uint64_t> card_by_peer_;  // outbound exchange in progress
  uint64_t next_card_ = 1;
  // Connected peers and the addresses last written to their peer book row.
  // A dialer's listen addresses arrive with identify, after the connect
  // event (an inbound connection only shows its ephemeral source port), so
  // the row is written again once they are known: without it the side
  // that accepted a connection never re-dialed that peer after a restart.
  // Peers with no address yet are checked every loop turn (for at most
  // kBookFastPathNs) so the row is durable as soon as identify answered;
  // later changes are picked up by the tick. Bounded by the host's
  // connections.
  struct BookEntry {
    p2p::PeerId peer;
    std::vector<net::Bytes> addrs;
    net::Instant connected = 0;
  };
  std::unordered_map<std::string, BookEntry> book_;
  std::set<std::string> book_unwritten_;
  BindingStats stats_;
};

}  // namespace a2a
