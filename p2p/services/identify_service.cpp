#include "p2p/services/identify_service.hpp"

#include <algorithm>
#include <memory>

#include "net/clock.hpp"
#include "p2p/services/stream_pump.hpp"

namespace p2p::services {

namespace {
const std::string kId = std::string(identify::kProtocolId);
const std::string kPush = std::string(identify::kPushProtocolId);
constexpr size_t kMaxObserved = 16;      // ours: observed addresses remembered
constexpr size_t kMaxInfos = kMaxPeers;  // bounded like the peer store
}  // namespace

// Reads one identify (or push) stream to EOF.
struct IdentifyService::Reader {
  IdentifyService& svc;
  Stream* s;
  PeerId peer;
  ConnId conn;
  bool push;
  identify::IdentifyReader core;
  OnResult cb;
  CoreTimer timer;
  bool finished = false;
  Reader(IdentifyService& sv, Stream& st, bool p, OnResult c)
      : svc(sv), s(&st), peer(st.remote_peer()), conn(st.conn_id()), push(p),
        core(st.remote_peer(), sv.host_.loop().now(), identify::Limits{}, sv.host_.log()), cb(std::move(c)),
        timer(sv.host_.loop(), [this] { on_timer(); }) {}
  void finish(net::Result<identify::IdentifyInfo> r) {
    if (finished) return;
    finished = true;
    if (r) svc.apply(peer, conn, *r, push);
    else
      AAC_LOG(svc.host_.log(), debug, "identify", "identify failed",
              {{"peer", peer.short_string()}, {"error", r.what()}});
    if (cb) cb(std::move(r));
  }
  void on_timer() {
    core.on_timeout(svc.host_.loop().now());
    if (core.failed() && s) {
      finish(core.error());
      s->reset();
    }
  }
};

IdentifyService::IdentifyService(Host& host, std::string agent_version)
    : host_(host), agent_version_(std::move(agent_version)) {
  host_.set_stream_handler(kId, [this](Stream& s) { serve(s); });
  host_.set_stream_handler(kPush, [this](Stream& s) { serve_push(s); });
  host_.on_connected([this](const PeerId&, ConnId conn) { identify(conn, nullptr); });
  host_.on_disconnected([this](const PeerId& p, ConnId) {
    if (!host_.is_connected(p) && infos_.size() > kMaxInfos / 2) infos_.erase(p);
  });
}

IdentifyService::~IdentifyService() {
  host_.remove_stream_handler(kId);
  host_.remove_stream_handler(kPush);
}

const identify::Snapshot& IdentifyService::snapshot() {
  if (!snapshot_ || snap_protocols_ != host_.protocols() || snap_addrs_ != host_.listen_addrs()) {
    identify::LocalInfo li;
    li.agent_version = agent_version_;
    li.listen_addrs = host_.listen_addrs();
    li.protocols = host_.protocols();
    li.record_seq = net::unix_now_ns();
    if (snapshot_ && li.record_seq <= snapshot_->seq()) li.record_seq = snapshot_->seq() + 1;
    auto snap = identify::Snapshot::make(host_.identity(), li);
    if (!snap) {
      // Too many protocols for one message: advertise without a record.
      AAC_LOG(host_.log(), warn, "identify", "cannot build our identify message", {{"error", snap.what()}});
      li.signed_record = false;
      snap = identify::Snapshot::make(host_.identity(), li);
    }
    if (snap) snapshot_ = snap.take();
    snap_protocols_ = host_.protocols();
    snap_addrs_ = host_.listen_addrs();
  }
  return *snapshot_;
}

void IdentifyService::serve(Stream& s) {
  net::Bytes msg;
  Multiaddr observed;
  if (auto ci = host_.connection(s.conn_id())) observed = ci->remote_addr;
  snapshot().encode(observed, msg);
  // One message of at most 4 KiB: far below any stream window, so it is
  // taken whole; then our side is done.
  auto buf = std::make_shared<net::Bytes>(std::move(msg));
  auto off = std::make_shared<size_t>(0);
  Stream* sp = &s;
  auto send = [sp, buf, off] {
    *off += sp->write(net::BytesView(*buf).subspan(*off));
    if (*off == buf->size() && !sp->write_closed()) sp->close_write();
  };
  s.set_on_writable(send);
  s.set_on_data([](net::BytesView v) { return v.size(); });  // nothing expected: discard
  s.set_on_eof([] {});
  send();
}

void IdentifyService::serve_push(Stream& s) { read(s, true, nullptr); }

void IdentifyService::identify(ConnId conn, OnResult cb) {
  auto it = in_flight_.find(conn);
  if (it != in_flight_.end()) {
    if (cb) it->second.push_back(std::move(cb));
    return;
  }
  auto& waiters = in_flight_[conn];
  if (cb) waiters.push_back(std::move(cb));
  auto answer = [this, conn](net::Result<identify::IdentifyInfo> r) {
    auto node = in_flight_.extract(conn);
    if (node.empty()) return;
    for (auto& f : node.mapped()) f(r);
  };
  host_.new_stream_on(conn, {kId}, [this, answer](net::Result<Stream*> r) mutable {
    if (!r) {
      answer(r.take_error());
      return;
    }
    // We send nothing on an identify request; our FIN goes out once the
    // protocol is agreed on.
    (*r)->close_write();
    read(**r, false, answer);
  });
}

void IdentifyService::read(Stream& s, bool push, OnResult cb) {
  auto* rd = new Reader(*this, s, push, std::move(cb));
  rd->timer.arm(rd->core.next_deadline());
  s.set_on_data([rd](net::BytesView v) {
    auto st = rd->core.feed(v, rd->svc.host_.loop().now());
    if (!st) {
      rd->finish(st.error());
      rd->s->reset();
    }
    return v.size();
  });
  s.set_on_eof([rd] {
    rd->finish(rd->core.on_eof());
    if (rd->s && !rd->s->write_closed()) rd->s->close_write();
  });
  s.set_on_close([rd](const net::Error& e) {
    rd->s = nullptr;
    if (!rd->finished) rd->finish(e.code == net::Err::ok ? net::Error{net::Err::closed, "identify: stream closed"} : e);
    delete rd;
  });
}

void IdentifyService::apply(const PeerId& peer, ConnId conn, identify::IdentifyInfo info, bool push) {
  auto& ps = host_.peer_store();
  const net::Instant now = host_.loop().now();
  if (push) {
    auto it = infos_.find(peer);
    if (it != infos_.end()) {
      identify::merge_push(it->second, std::move(info));
      info = it->second;
    }
  }
  if (!info.protocols.empty()) ps.set_protocols(peer, info.protocols);
  if (info.agent_version || info.protocol_version)
    ps.set_agent(peer, info.agent_version.value_or(""), info.protocol_version.value_or(""));
  if (info.signed_record_seq) ps.set_addrs(peer, info.verified_addrs, now);
  else ps.add_addrs(peer, info.listen_addrs, now);
  if (info.observed_addr) {
    auto it = std::find(observed_.begin(), observed_.end(), *info.observed_addr);
    if (it != observed_.end()) observed_.erase(it);
    observed_.insert(observed_.begin(), *info.observed_addr);
    if (observed_.size() > kMaxObserved) observed_.resize(kMaxObserved);
  }
  if (info.warnings.total())
    AAC_LOG(host_.log(), debug, "identify", "peer sent invalid entries",
            {{"peer", peer.short_string()}, {"count", info.warnings.total()}});
  infos_[peer] = info;
  auto cbs = identified_cbs_;
  for (auto& f : cbs) f(peer, conn, info);
}

const identify::IdentifyInfo* IdentifyService::info(const PeerId& peer) const {
  auto it = infos_.find(peer);
  return it == infos_.end() ? nullptr : &it->second;
}

void IdentifyService::refresh() {
  const bool changed =
      !snapshot_ || snap_protocols_ != host_.protocols() || snap_addrs_ != host_.listen_addrs();
  if (!changed) return;
  (void)snapshot();
  for (const auto& ci : host_.connections()) {
    if (!host_.peer_store().supports(ci.peer, kPush)) continue;
    Multiaddr observed = ci.remote_addr;
    host_.new_stream_on(ci.id, {kPush}, [this, observed](net::Result<Stream*> r) {
      if (!r) return;
      net::Bytes msg;
      snapshot().encode(observed, msg);
      Stream* s = *r;
      size_t n = s->write(msg);
      if (n < msg.size()) s->reset();  // 4 KiB always fits a fresh window
      else s->close_write();
      s->set_on_data([](net::BytesView v) { return v.size(); });
    });
  }
}

}  // namespace p2p::services
