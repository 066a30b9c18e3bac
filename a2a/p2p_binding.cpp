#include "a2a/p2p_binding.hpp"

#include <algorithm>

namespace a2a {

namespace {
constexpr uint64_t kTickNs = 1 * net::kSecond;
// A connected peer whose addresses are unknown is looked at every loop turn
// this long (identify answers within it), then only by the tick.
constexpr uint64_t kBookFastPathNs = 10 * net::kSecond;
const std::string kA2a(kA2aProtocol);
const std::string kCard(kCardProtocol);
}  // namespace

P2pBinding::P2pBinding(p2p::Host& host, store::A2aStore& store, net::Log* log)
    : host_(host), store_(store), log_(log) {}

P2pBinding::~P2pBinding() { detach(); }

void P2pBinding::attach(Engine& engine) {
  engine_ = &engine;
  host_.set_stream_handler(kA2a, [this](p2p::Stream& s) { on_inbound_a2a(s); });
  host_.set_stream_handler(kCard, [this](p2p::Stream& s) { on_inbound_card(s); });
  std::weak_ptr<bool> alive = alive_;
  host_.on_connected([this, alive](const p2p::PeerId& peer, p2p::ConnId) {
    if (!alive.expired() && engine_) on_connected(peer);
  });
  host_.on_disconnected([this, alive](const p2p::PeerId& peer, p2p::ConnId) {
    if (alive.expired() || !engine_) return;
    if (host_.is_connected(peer)) return;
    write_peer_book(peer, true);  // last seen now, with what identify taught us
    book_.erase(key(peer));
    book_unwritten_.erase(key(peer));
    engine_->on_peer_disconnected(peer);
  });
  hook_ = host_.loop().add_before_sleep([this] { on_hook(); });
  timer_ = host_.loop().create_timer([this] {
    armed_ = net::kNever;
    if (engine_) engine_->on_timeout();
  });
  tick_ = host_.loop().add_periodic(kTickNs, [this] { on_tick(); });
}

void P2pBinding::detach() {
  if (!engine_) return;
  // The last addresses learned (a clean stop commits them after this).
  for (auto& [k, b] : book_) write_peer_book(b.peer, false);
  *alive_ = false;
  alive_ = std::make_shared<bool>(true);
  host_.remove_stream_handler(kA2a);
  host_.remove_stream_handler(kCard);
  host_.loop().remove_before_sleep(hook_);
  host_.loop().cancel_timer(timer_);
  host_.loop().cancel_timer(tick_);
  for (auto& [id, x] : cards_)
    if (x.timer != net::kNoTimer) host_.loop().cancel_timer(x.timer);
  // Streams still open lose their callbacks' target: reset them.
  std::vector<p2p::StreamGlobalId> gids;
  for (auto& [gid, o] : out_envs_) gids.push_back(gid);
  for (auto& [gid, i] : in_) gids.push_back(gid);
  for (auto& [id, o] : outs_) gids.push_back(o.gid);
  for (auto& [id, x] : cards_) gids.push_back(x.gid);
  engine_ = nullptr;
  for (auto gid : gids)
    if (p2p::Stream* s = host_.find_stream(gid)) {
      s->set_on_close(nullptr);
      s->set_on_data(nullptr);
      s->set_on_eof(nullptr);
      s->set_on_writable(nullptr);
      s->reset();
    }
  out_envs_.clear();
  in_.clear();
  outs_.clear();
  cards_.clear();
  card_by_peer_.clear();
  book_.clear();
  book_unwritten_.clear();
  sends_.clear();
}

// ---------------------------------------------------------------- loop

void P2pBinding::on_hook() {
  if (!engine_) return;
  if (!book_unwritten_.empty()) {
    const net::Instant now = host_.loop().now();
    for (auto it = book_unwritten_.begin(); it != book_unwritten_.end();) {
      auto b = book_.find(*it);
      if (b != book_.end()) write_peer_book(b->second.peer, false);
      if (b == book_.end() || !b->second.addrs.empty() || now - b->second.connected > kBookFastPathNs)
        it = book_unwritten_.erase(it);
      else
        ++it;
    }
  }
  engine_->flush();
  const net::Instant d = engine_->next_deadline();
  if (d != armed_) {
    armed_ = d;
    host_.loop().arm_timer(timer_, d);
  }
}

void P2pBinding::on_tick() {
  const net::Instant now = host_.loop().now();
  // Streams that hang (a peer that never reads or never closes) are reset.
  std::vector<p2p::StreamGlobalId> stale;
  for (auto& [gid, o] : out_envs_)
    if (now - o.opened > kStreamIdleTimeoutNs) stale.push_back(gid);
  for (auto& [gid, i] : in_)
    if (!i.engine_paused && !i.waiting_budget && now - i.last > kStreamIdleTimeoutNs) stale.push_back(gid);
  for (auto gid : stale)
    if (p2p::Stream* s = host_.find_stream(gid)) s->reset();
  std::vector<p2p::PeerId> connected;
  for (const auto& [k, b] : book_) connected.push_back(b.peer);
  for (const auto& p : connected) write_peer_book(p, false);
}

void P2pBinding::write_peer_book(const p2p::PeerId& peer, bool force) {
  auto it = book_.find(key(peer));
  if (it == book_.end()) return;
  // The peer book: the addresses the peer store holds (dialed and, with
  // identify, announced ones).
  store::PeerBookEntry e;
  e.peer_id = peer.to_base58();
  for (const auto& a : host_.peer_store().addrs(peer)) e.addrs.push_back(a.bytes());
  if (e.addrs.empty() || (!force && e.addrs == it->second.addrs)) return;
  e.last_seen_ns = static_cast<int64_t>(net::unix_now_ns());
  if (auto st = store_.peer_book->upsert(e); !st) {
    AAC_LOG(log_, warn, "a2a", "peer book write failed", {{"error", st.what()}});
    return;
  }
  it->second.addrs = std::move(e.addrs);
}

void P2pBinding::on_connected(const p2p::PeerId& peer) {
  auto& b = book_.try_emplace(key(peer), BookEntry{peer, {}, host_.loop().now()}).first->second;
  write_peer_book(peer, true);
  if (b.addrs.empty()) book_unwritten_.insert(key(peer));
  std::weak_ptr<bool> alive = alive_;
  exchange_card(peer, [this, alive, peer] {
    if (!alive.expired() && engine_) engine_->on_peer_connected(peer);
  });
}

void P2pBinding::restore_peer_book() {
  auto list = store_.peer_book->list(store::kMaxPeerBookEntries);
  if (!list) {
    AAC_LOG(log_, warn, "a2a", "peer book read failed", {{"error", list.what()}});
    return;
  }
  const net::Instant now = host_.loop().now();
  std::set<p2p::PeerId> dial;
  size_t n = 0;
  for (const auto& e : *list) {
    auto pid = p2p::PeerId::parse(e.peer_id);
    if (!pid || *pid == host_.peer_id()) continue;
    std::vector<p2p::Multiaddr> addrs;
    for (const auto& b : e.addrs)
      if (auto m = p2p::Multiaddr::from_bytes(b)) addrs.push_back(m.take());
    if (addrs.empty()) continue;
    host_.peer_store().add_addrs(*pid, addrs, now);
    if (n++ < kRedialOnStart) dial.insert(*pid);
  }
  if (engine_)
    for (const auto& p : engine_->peers_with_queue()) dial.insert(p);
  for (const auto& p : dial)
    if (!host_.is_connected(p)) host_.connect(p, {}, [](net::Result<p2p::ConnId>) {});
}

// ---------------------------------------------------------------- envelope sends

void P2pBinding::send_envelope(const p2p::PeerId& peer, net::Bytes envelope, uint64_t token) {
  const std::string k = key(peer);
  auto [it, fresh] = sends_.try_emplace(k);
  if (fresh) it->second.peer = peer;
  PeerSends& ps = it->second;
  if (ps.queue.size() >= kMaxPendingSendsPerPeer || peer == host_.peer_id()) {
    std::weak_ptr<bool> alive = alive_;
    host_.loop().defer([this, alive, token] {
      if (!alive.expired() && engine_ && token)
        engine_->on_send_result(token, net::Error{net::Err::limit, "a2a: too many envelopes waiting for this peer"});
    });
    return;
  }
  ps.queue.push_back({std::move(envelope), token});
  start_sends(k);
}

void P2pBinding::start_sends(const std::string& peer_key) {
  auto it = sends_.find(peer_key);
  if (it == sends_.end()) return;
  PeerSends& ps = it->second;
  while (ps.open < kMaxSendStreamsPerPeer && !ps.queue.empty()) {
    PendingSend p = std::move(ps.queue.front());
    ps.queue.pop_front();
    ++ps.open;
    ++stats_.envelope_streams_out;
    auto job = std::make_shared<PendingSend>(std::move(p));
    std::weak_ptr<bool> alive = alive_;
    host_.new_stream(ps.peer, {kA2a}, [this, alive, peer_key, job](net::Result<p2p::Stream*> r) {
      if (alive.expired() || !engine_) return;
      if (!r) {
        auto pit = sends_.find(peer_key);
        if (pit != sends_.end() && pit->second.open) --pit->second.open;
        if (job->token) engine_->on_send_result(job->token, r.take_error());
        start_sends(peer_key);
        return;
      }
      p2p::Stream* s = *r;
      const p2p::StreamGlobalId gid = s->id();
      OutEnvelope& o = out_envs_[gid];
      o.peer_key = peer_key;
      o.hdr = frame_header(static_cast<uint32_t>(job->env.size()));
      o.env = std::move(job->env);
      o.token = job->token;
      o.opened = host_.loop().now();
      s->set_on_data([](net::BytesView v) { return v.size(); });  // nothing expected; discard
      s->set_on_writable([this, gid] { write_envelope(gid); });
      s->set_on_close([this, gid](const net::Error& e) {
        auto oit = out_envs_.find(gid);
        if (oit == out_envs_.end()) return;
        OutEnvelope o2 = std::move(oit->second);
        out_envs_.erase(oit);
        if (!o2.reported)
          report_send(o2, e.code == net::Err::ok ? net::Error{net::Err::closed, "a2a: stream closed before the envelope was written"} : e);
        auto pit = sends_.find(o2.peer_key);
        if (pit != sends_.end()) {
          if (pit->second.open) --pit->second.open;
          if (pit->second.open == 0 && pit->second.queue.empty()) sends_.erase(pit);
          else start_sends(o2.peer_key);
        }
      });
      write_envelope(gid);
    });
  }
}

// Stream::write may run this stream's callbacks before it returns (the
// connection processes its events): every writer below re-finds its state
// after a write and guards against being entered again meanwhile.
void P2pBinding::write_envelope(p2p::StreamGlobalId gid) {
  for (;;) {
    auto it = out_envs_.find(gid);
    p2p::Stream* s = host_.find_stream(gid);
    if (it == out_envs_.end() || !s) return;
    OutEnvelope& o = it->second;
    if (o.reported) return;
    if (o.writing) {  // on_writable from inside our write (see below)
      o.woken = true;
      return;
    }
    const size_t total = kFrameHeaderLen + o.env.size();
    if (o.off == total) {
      o.env = net::Bytes();
      report_send(o, {});
      s->close_write();  // may finish the stream: `o` may be gone
      return;
    }
    net::BytesView v = o.off < kFrameHeaderLen ? net::BytesView(o.hdr).subspan(o.off)
                                               : net::BytesView(o.env).subspan(o.off - kFrameHeaderLen);
    o.writing = true;
    o.woken = false;
    const size_t n = s->write(v);
    it = out_envs_.find(gid);
    if (it == out_envs_.end()) return;
    it->second.writing = false;
    it->second.off += n;
    // A short write waits for on_writable, unless that already came while
    // write() ran (the connection processes its events inside it).
    if (n < v.size() && !it->second.woken) return;
  }
}

void P2pBinding::report_send(OutEnvelope& o, const net::Status& st) {
  o.reported = true;
  if (o.token && engine_) engine_->on_send_result(o.token, st);
}

// ---------------------------------------------------------------- inbound a2a

void P2pBinding::on_inbound_a2a(p2p::Stream& s) {
  if (!engine_) {
    s.reset();
    return;
  }
  ++stats_.envelope_streams_in;
  const p2p::StreamGlobalId gid = s.id();
  InStream& in = in_[gid];
  in.peer = s.remote_peer();
  in.peer_key = key(in.peer);
  in.last = host_.loop().now();
  s.set_on_data([this, gid](net::BytesView v) { return on_inbound_data(gid, v); });
  s.set_on_eof([this, gid] {
    auto it = in_.find(gid);
    if (it == in_.end()) return;
    const bool clean = it->second.reader.at_boundary();
    inbound_done(gid, clean);
    if (p2p::Stream* st = host_.find_stream(gid)) st->close_write();
  });
  s.set_on_close([this, gid](const net::Error&) { inbound_done(gid, false); });
}

size_t P2pBinding::on_inbound_data(p2p::StreamGlobalId gid, net::BytesView v) {
  auto it = in_.find(gid);
  if (it == in_.end() || !engine_) return v.size();
  InStream& in = it->second;
  in.last = host_.loop().now();
  size_t used = 0;
  while (used < v.size() && !in.engine_paused && !in.waiting_budget) {
    auto r = in.reader.feed(v.subspan(used));
    if (!r) {
      ++stats_.frame_errors;
      AAC_LOG(log_, debug, "a2a", "inbound frame refused", {{"peer", in.peer.short_string()}, {"error", r.what()}});
      if (p2p::Stream* s = host_.find_stream(gid)) s->reset();
      return v.size();
    }
    used += *r;
    if (in.reader.wants_reserve()) {
      if (!reserve(in.peer_key, in.reader.reserve_len())) {
        in.waiting_budget = true;
        budget_waiters_.push_back(gid);
        break;
      }
      in.reader.grant();
      continue;
    }
    if (in.reader.has_frame()) {
      ++stats_.frames_in;
      const bool go = engine_->on_frame(in.peer, gid, in.reader.frame());
      // The engine may have resumed or closed things; `in` is still ours.
      auto again = in_.find(gid);
      if (again == in_.end()) return v.size();
      release(in.peer_key, in.reader.pop());
      if (!go) in.engine_paused = true;
    }
  }
  return used;
}

void P2pBinding::inbound_done(p2p::StreamGlobalId gid, bool clean) {
  auto it = in_.find(gid);
  if (it == in_.end()) return;
  InStream in = std::move(it->second);
  in_.erase(it);
  release(in.peer_key, in.reader.granted());
  budget_waiters_.erase(std::remove(budget_waiters_.begin(), budget_waiters_.end(), gid), budget_waiters_.end());
  if (engine_) engine_->on_inbound_closed(gid, clean);
}

void P2pBinding::resume_inbound(uint64_t inbound_id) {
  auto it = in_.find(inbound_id);
  if (it == in_.end() || !it->second.engine_paused) return;
  it->second.engine_paused = false;
  if (p2p::Stream* s = host_.find_stream(inbound_id)) s->resume_read();
}

bool P2pBinding::reserve(const std::string& peer_key, size_t n) {
  size_t& mine = assembly_by_peer_[peer_key];
  if (mine + n > kMaxAssemblyPerPeer || assembly_total_ + n > kMaxAssemblyTotal) {
    if (mine == 0) assembly_by_peer_.erase(peer_key);
    return false;
  }
  mine += n;
  assembly_total_ += n;
  stats_.assembly_bytes = assembly_total_;
  stats_.assembly_peak = std::max(stats_.assembly_peak, assembly_total_);
  return true;
}

void P2pBinding::release(const std::string& peer_key, size_t n) {
  if (n == 0) return;
  auto it = assembly_by_peer_.find(peer_key);
  if (it != assembly_by_peer_.end()) {
    it->second -= std::min(it->second, n);
    if (it->second == 0) assembly_by_peer_.erase(it);
  }
  assembly_total_ -= std::min(assembly_total_, n);
  stats_.assembly_bytes = assembly_total_;
  wake_budget_waiters();
}

void P2pBinding::wake_budget_waiters() {
  if (budget_waiters_.empty()) return;
  std::vector<p2p::StreamGlobalId> still;
  std::vector<p2p::StreamGlobalId> waiters;
  waiters.swap(budget_waiters_);
  for (auto gid : waiters) {
    auto it = in_.find(gid);
    if (it == in_.end()) continue;
    InStream& in = it->second;
    if (!reserve(in.peer_key, in.reader.reserve_len())) {
      still.push_back(gid);
      continue;
    }
    in.reader.grant();
    in.waiting_budget = false;
    if (p2p::Stream* s = host_.find_stream(gid)) s->resume_read();
  }
  budget_waiters_.insert(budget_waiters_.end(), still.begin(), still.end());
}

// ---------------------------------------------------------------- artifact out streams

uint64_t P2pBinding::open_out_stream(const p2p::PeerId& peer) {
  const uint64_t id = next_out_++;
  OutStream& o = outs_[id];
  o.peer = peer;
  std::weak_ptr<bool> alive = alive_;
  host_.new_stream(peer, {kA2a}, [this, alive, id](net::Result<p2p::Stream*> r) {
    if (alive.expired() || !engine_) return;
    auto it = outs_.find(id);
    if (!r) {
      if (it != outs_.end()) outs_.erase(it);
      engine_->on_out_stream_closed(id, r.error());
      return;
    }
    p2p::Stream* s = *r;
    if (it == outs_.end()) {  // closed by the engine meanwhile
      s->reset();
      return;
    }
    it->second.gid = s->id();
    s->set_on_data([](net::BytesView v) { return v.size(); });
    s->set_on_writable([this, id] { pump_out(id); });
    s->set_on_close([this, alive, id](const net::Error& e) {
      auto oit = outs_.find(id);
      if (oit == outs_.end()) return;
      const bool done = oit->second.closing && oit->second.frames.empty();
      stats_.out_stream_bytes -= std::min(stats_.out_stream_bytes, oit->second.bytes);
      outs_.erase(oit);
      if (done) return;
      // May run inside a write the engine asked for: tell it from the loop.
      net::Error why = e.code == net::Err::ok ? net::Error{net::Err::closed, "stream closed"} : e;
      host_.loop().defer([this, alive, id, why = std::move(why)] {
        if (!alive.expired() && engine_) engine_->on_out_stream_closed(id, why);
      });
    });
    pump_out(id);
  });
  return id;
}

bool P2pBinding::out_stream_write(uint64_t id, net::Bytes f) {
  auto it = outs_.find(id);
  if (it == outs_.end()) return true;  // failed: the engine learns through on_out_stream_closed
  OutStream& o = it->second;
  o.bytes += f.size();
  stats_.out_stream_bytes += f.size();
  stats_.out_stream_peak = std::max(stats_.out_stream_peak, stats_.out_stream_bytes);
  o.frames.push_back(std::move(f));
  if (!drain_out(id)) return true;  // closed: the engine learns through on_out_stream_closed
  OutStream& o2 = outs_.find(id)->second;
  if (o2.frames.size() >= kStreamOutBufferedFrames) {
    o2.blocked = true;
    return false;
  }
  return true;
}

bool P2pBinding::drain_out(uint64_t id) {
  for (;;) {
    auto it = outs_.find(id);
    if (it == outs_.end()) return false;
    OutStream& o = it->second;
    p2p::Stream* s = o.gid ? host_.find_stream(o.gid) : nullptr;
    if (o.writing) {  // on_writable from inside our write (see below)
      o.woken = true;
      return true;
    }
    if (!s) return true;
    if (o.frames.empty()) {
      if (o.closing && !o.fin_sent) {
        o.fin_sent = true;
        s->close_write();  // may finish the stream
        return outs_.count(id) > 0;
      }
      return true;
    }
    net::BytesView v = net::BytesView(o.frames.front()).subspan(o.off);
    o.writing = true;
    o.woken = false;
    const size_t n = s->write(v);
    it = outs_.find(id);
    if (it == outs_.end()) return false;
    OutStream& o2 = it->second;
    o2.writing = false;
    o2.off += n;
    if (o2.off == o2.frames.front().size()) {
      const size_t len = o2.frames.front().size();
      o2.bytes -= len;
      stats_.out_stream_bytes -= std::min(stats_.out_stream_bytes, len);
      o2.frames.pop_front();
      o2.off = 0;
    }
    // A short write waits for on_writable, unless that already came while
    // write() ran (the connection processes its events inside it): it was
    // lost before, and a frame larger than the session's output buffer
    // stalled the stream until the idle timeout reset it.
    if (n < v.size() && !o2.woken) return true;
  }
}

void P2pBinding::pump_out(uint64_t id) {
  // Entered from on_writable while a write of this stream runs: the outer
  // writer continues, woken (and must not see the engine called from inside it).
  auto it = outs_.find(id);
  if (it == outs_.end()) return;
  if (it->second.writing) {
    it->second.woken = true;
    return;
  }
  if (!drain_out(id)) return;
  OutStream& o = outs_.find(id)->second;
  if (o.blocked && o.frames.size() < kStreamOutBufferedFrames) {
    o.blocked = false;
    if (engine_) engine_->on_out_stream_writable(id);
  }
}

void P2pBinding::out_stream_close(uint64_t id, bool abort) {
  auto it = outs_.find(id);
  if (it == outs_.end()) return;
  OutStream& o = it->second;
  p2p::Stream* s = o.gid ? host_.find_stream(o.gid) : nullptr;
  if (abort) {
    stats_.out_stream_bytes -= std::min(stats_.out_stream_bytes, o.bytes);
    outs_.erase(it);
    if (s) {
      s->set_on_close(nullptr);
      s->reset();
    }
    return;
  }
  o.closing = true;
  (void)drain_out(id);  // still opening: the open callback pumps and closes
}

// ---------------------------------------------------------------- cards

net::Bytes P2pBinding::framed_card() const {
  net::Bytes out;
  if (!engine_ || !engine_->card()) return out;
  (void)append_frame(engine_->card()->encode(), out, kMaxCardLen);
  return out;
}

void P2pBinding::card_changed() {
  for (const auto& p : host_.connected_peers()) exchange_card(p);
}

void P2pBinding::exchange_card(const p2p::PeerId& peer, std::function<void()> done) {
  std::weak_ptr<bool> alive = alive_;
  if (!engine_ || !engine_->card() || peer == host_.peer_id()) {
    if (done) host_.loop().defer([alive, done = std::move(done)] {
        if (!alive.expired()) done();
      });
    return;
  }
  const std::string k = key(peer);
  if (auto it = card_by_peer_.find(k); it != card_by_peer_.end()) {  // one at a time per peer
    CardXchg& cur = cards_[it->second];
    if (done) cur.done.push_back(std::move(done));
    // Our card changed after that exchange started: send the new one when
    // it finishes (else the peer keeps the old card).
    if (cur.out != framed_card()) cur.again = true;
    return;
  }
  const uint64_t xid = next_card_++;
  CardXchg& x = cards_[xid];
  x.peer = peer;
  x.out = framed_card();
  if (done) x.done.push_back(std::move(done));
  card_by_peer_[k] = xid;
  x.timer = host_.loop().add_timer(host_.loop().now() + kCardExchangeTimeoutNs, [this, xid] {
    auto it = cards_.find(xid);
    if (it == cards_.end()) return;
    it->second.timer = net::kNoTimer;
    ++stats_.card_errors;
    if (p2p::Stream* s = it->second.gid ? host_.find_stream(it->second.gid) : nullptr) {
      s->set_on_close(nullptr);
      s->reset();
    }
    finish_card(xid);
  });
  host_.new_stream(peer, {kCard}, [this, alive, xid](net::Result<p2p::Stream*> r) {
    if (alive.expired()) return;
    auto it = cards_.find(xid);
    if (it == cards_.end()) {
      if (r) (*r)->reset();
      return;
    }
    if (!r) {
      ++stats_.card_errors;
      finish_card(xid);
      return;
    }
    p2p::Stream* s = *r;
    it->second.gid = s->id();
    s->set_on_data([this, xid](net::BytesView v) { return on_card_data(xid, v); });
    s->set_on_eof([this, xid] { finish_card(xid); });  // no card back: the peer has none
    s->set_on_close([this, xid](const net::Error&) { finish_card(xid); });
    s->set_on_writable([this, xid] { card_write(xid); });
    card_write(xid);
  });
}

void P2pBinding::on_inbound_card(p2p::Stream& s) {
  if (!engine_) {
    s.reset();
    return;
  }
  const uint64_t xid = next_card_++;
  CardXchg& x = cards_[xid];
  x.peer = s.remote_peer();
  x.gid = s.id();
  x.inbound = true;
  const p2p::StreamGlobalId gid = s.id();
  x.timer = host_.loop().add_timer(host_.loop().now() + kCardExchangeTimeoutNs, [this, xid, gid] {
    auto it = cards_.find(xid);
    if (it == cards_.end()) return;
    it->second.timer = net::kNoTimer;
    ++stats_.card_errors;
    if (p2p::Stream* st = host_.find_stream(gid)) {
      st->set_on_close(nullptr);
      st->reset();
    }
    finish_card(xid);
  });
  s.set_on_data([this, xid](net::BytesView v) { return on_card_data(xid, v); });
  s.set_on_eof([this, xid] {
    auto it = cards_.find(xid);
    if (it == cards_.end() || it->second.got) return;
    it->second.got = true;  // EOF without a card: nothing to answer
    card_write(xid);
  });
  s.set_on_close([this, xid](const net::Error&) { finish_card(xid); });
  s.set_on_writable([this, xid] { card_write(xid); });
}

// Writes our card frame (x.out) and half-closes. The responder writes only
// after it read the initiator's frame (x.got).
void P2pBinding::card_write(uint64_t xid) {
  for (;;) {
    auto it = cards_.find(xid);
    if (it == cards_.end()) return;
    CardXchg& x = it->second;
    p2p::Stream* s = x.gid ? host_.find_stream(x.gid) : nullptr;
    if (x.writing) {  // on_writable from inside our write (see below)
      x.woken = true;
      return;
    }
    if (!s || x.write_done || (x.inbound && !x.got)) return;
    if (x.off == x.out.size()) {
      x.write_done = true;
      if (!x.out.empty()) ++stats_.cards_sent;
      if (!s->write_closed()) s->close_write();  // may finish the stream
      return;
    }
    const net::BytesView v = net::BytesView(x.out).subspan(x.off);
    x.writing = true;
    x.woken = false;
    const size_t n = s->write(v);
    it = cards_.find(xid);
    if (it == cards_.end()) return;
    it->second.writing = false;
    it->second.off += n;
    if (n < v.size() && !it->second.woken) return;  // on_writable continues (unless it came inside write)
  }
}

size_t P2pBinding::on_card_data(uint64_t xid, net::BytesView v) {
  auto it = cards_.find(xid);
  if (it == cards_.end()) return v.size();
  CardXchg& x = it->second;
  if (x.got) return v.size();  // one frame only; the rest is ignored
  size_t used = 0;
  while (used < v.size() && !x.got) {
    auto r = x.reader.feed(v.subspan(used));
    if (!r) {
      ++stats_.card_errors;
      if (p2p::Stream* s = x.gid ? host_.find_stream(x.gid) : nullptr) s->reset();
      return v.size();
    }
    used += *r;
    if (x.reader.wants_reserve()) x.reader.grant();  // bounded by kMaxCardLen
    if (x.reader.has_frame()) {
      x.got = true;
      net::Bytes frame(x.reader.frame().begin(), x.reader.frame().end());
      x.reader.pop();
      card_frame(xid, frame);
      return v.size();  // `x` may be gone
    }
  }
  return v.size();
}

void P2pBinding::card_frame(uint64_t xid, net::BytesView frame) {
  auto it = cards_.find(xid);
  if (it == cards_.end()) return;
  CardXchg& x = it->second;
  AgentCard card;
  bool ok = static_cast<bool>(card.decode(frame, pb::Limits{.max_message_len = kMaxCardLen}));
  // A card may not speak for another peer.
  if (ok && card.p2p_extension && !card.p2p_extension->peer_id.empty() &&
      card.p2p_extension->peer_id != x.peer.to_base58())
    ok = false;
  if (!ok) {
    ++stats_.card_errors;
    AAC_LOG(log_, debug, "a2a", "peer card refused", {{"peer", x.peer.short_string()}});
  } else {
    ++stats_.cards_received;
    if (engine_) engine_->on_card_received(x.peer, card);
  }
  if (x.inbound) {
    // Responder: our card back if we have one, then half-close.
    x.out = framed_card();
    card_write(xid);
    return;
  }
  // Initiator: done (our frame was read before the answer came).
  p2p::Stream* s = x.gid ? host_.find_stream(x.gid) : nullptr;
  finish_card(xid);
  if (s && !s->write_closed()) s->close_write();
}

void P2pBinding::finish_card(uint64_t xid) {
  auto it = cards_.find(xid);
  if (it == cards_.end()) return;
  CardXchg x = std::move(it->second);
  cards_.erase(it);
  if (x.timer != net::kNoTimer) host_.loop().cancel_timer(x.timer);
  if (!x.inbound) {
    auto k = card_by_peer_.find(key(x.peer));
    if (k != card_by_peer_.end() && k->second == xid) card_by_peer_.erase(k);
  }
  // The stream finishes on its own; its callbacks find no state and do
  // nothing (they may be running now: never reassigned from here).
  for (auto& f : x.done) f();
  if (x.again && engine_ && host_.is_connected(x.peer)) {
    std::weak_ptr<bool> alive = alive_;
    host_.loop().defer([this, alive, peer = x.peer] {
      if (!alive.expired() && engine_ && host_.is_connected(peer)) exchange_card(peer);
    });
  }
}

}  // namespace a2a
