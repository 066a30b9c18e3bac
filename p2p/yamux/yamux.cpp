// p2p/yamux/yamux.cpp — see yamux.hpp.
#include "p2p/yamux/yamux.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace p2p::yamux {

namespace {
std::string sid(StreamId id) { return std::to_string(id); }
}  // namespace

const char* event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::stream_opened: return "stream_opened";
    case EventKind::stream_readable: return "stream_readable";
    case EventKind::stream_writable: return "stream_writable";
    case EventKind::stream_finished: return "stream_finished";
    case EventKind::stream_reset: return "stream_reset";
    case EventKind::go_away_received: return "go_away_received";
    case EventKind::ping_rtt: return "ping_rtt";
    case EventKind::session_error: return "session_error";
  }
  return "?";
}

Session::Session(Role role, net::Instant now, const Limits& lim, net::Log* log)
    : role_(role),
      lim_(lim),
      log_(log),
      next_id_(role == Role::client ? 1 : 2),
      tokens_(lim.control_frame_burst),
      last_refill_(now),
      now_(now) {
  lim_.max_frame_payload = std::max<uint32_t>(1, lim_.max_frame_payload);
  lim_.max_stream_window = std::max(lim_.max_stream_window, kInitialWindow);  // the spec grants 256 KiB
  if (lim_.keepalive) send_ping(now);
}

// ---- streams table -----------------------------------------------------------

Session::Stream* Session::find(StreamId id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}
const Session::Stream* Session::find(StreamId id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

Session::Stream& Session::create(StreamId id, bool outbound, net::Instant now) {
  Stream& s = streams_[id];
  s.id = id;
  s.outbound = outbound;
  s.last_update = now;
  sum_windows_ += s.recv_window;
  if (outbound) {
    ++n_outbound_;
    s.in_backlog = true;
    ++n_backlog_;
  } else {
    ++n_inbound_;
  }
  return s;
}

void Session::erase(Stream& s) {
  if (s.outbound) {
    --n_outbound_;
    if (s.in_backlog) --n_backlog_;
  } else {
    --n_inbound_;
  }
  sum_windows_ -= s.recv_window;
  if (payload_live_ && payload_stream_ == s.id) payload_live_ = false;  // discard the rest
  streams_.erase(s.id);
}

void Session::maybe_free(Stream& s) {
  if (s.fin_sent && s.fin_recv && s.rx.empty()) erase(s);
}

// ---- output ------------------------------------------------------------------

net::Status Session::put_control(FrameType t, uint16_t flags, StreamId id, uint32_t length) {
  if (out_.size() + kHeaderLen > lim_.max_output_buffered + lim_.max_control_buffered)
    return fail(net::Err::limit,
                "yamux: peer is not reading: " + std::to_string(out_.size()) + " bytes of output pending",
                true, kGoAwayProtocolError);
  encode_header({kVersion, t, flags, id, length}, out_.reserve(kHeaderLen));
  out_.commit(kHeaderLen);
  return {};
}

uint16_t Session::pending_ack(Stream& s) {
  if (s.outbound || s.acked) return 0;
  s.acked = true;
  return kFlagAck;
}

void Session::consume_output(size_t n) {
  out_.consume(n);
  if (blocked_on_output_.empty() || failed_ || out_.size() > lim_.max_output_buffered / 2) return;
  for (StreamId id : blocked_on_output_) {
    Stream* s = find(id);
    if (!s) continue;
    s->on_output_list = false;
    if (s->write_blocked && s->send_window > 0 && !s->fin_sent) queue_writable(*s);
  }
  blocked_on_output_.clear();
  (void)check_overflow();
}

// ---- events ------------------------------------------------------------------

void Session::queue(Event e) {
  if (failed_ && e.kind != EventKind::session_error) return;
  if (events_.size() >= max_pending_events(lim_) && e.kind != EventKind::session_error) {
    overflow_ = true;  // the caller's top level fails the session (pointers stay valid until then)
    return;
  }
  events_.push(std::move(e));
}

net::Status Session::check_overflow() {
  if (!overflow_ || failed_) return {};
  return fail(net::Err::limit,
              "yamux: " + std::to_string(events_.size()) + " events pending: the application is not polling", true,
              kGoAwayInternalError);
}

void Session::queue_writable(Stream& s) {
  s.write_blocked = false;
  queue({EventKind::stream_writable, s.id});
}

std::optional<Event> Session::poll_event() {
  while (!events_.empty()) {
    Event e = events_.pop();
    if (e.kind == EventKind::stream_readable || e.kind == EventKind::stream_writable) {
      if (!find(e.id)) continue;  // freed or reset since
    }
    return e;
  }
  return std::nullopt;
}

// ---- errors and flood control --------------------------------------------------

net::Status Session::fail(net::Err code, std::string what, bool send_go_away, uint32_t go_away_code) {
  if (failed_) return error_;
  AAC_LOG(log_, warn, "yamux", "session error", {{"err", net::err_name(code)}, {"why", what}});
  if (send_go_away) {
    encode_header({kVersion, FrameType::go_away, 0, 0, go_away_code}, out_.reserve(kHeaderLen));
    out_.commit(kHeaderLen);
  }
  failed_ = true;
  error_ = {code, std::move(what)};
  queue({EventKind::session_error, 0, 0, 0, error_});
  streams_.clear();
  blocked_on_output_.clear();
  n_inbound_ = n_outbound_ = n_backlog_ = 0;
  sum_windows_ = 0;
  payload_live_ = false;
  return error_;
}

void Session::refill(net::Instant now) {
  if (now <= last_refill_) return;
  double add = static_cast<double>(now - last_refill_) * lim_.control_frames_per_second / 1e9;
  tokens_ = std::min<double>(lim_.control_frame_burst, tokens_ + add);
  last_refill_ = now;
}

net::Status Session::charge(const char* what, net::Instant now) {
  refill(now);
  if (tokens_ < 1.0)
    return fail(net::Err::limit,
                std::string("yamux: control frame flood (") + what + "): more than " +
                    std::to_string(lim_.control_frame_burst) + " frames at over " +
                    std::to_string(lim_.control_frames_per_second) + "/s",
                true, kGoAwayProtocolError);
  tokens_ -= 1.0;
  return {};
}

// ---- input -------------------------------------------------------------------

net::Result<size_t> Session::feed(net::BytesView in, net::Instant now) {
  if (failed_) return error_;
  tick(now);
  size_t off = 0;
  const size_t len = in.size();
  while (off < len) {
    if (payload_left_ > 0) {
      size_t n = std::min<size_t>(payload_left_, len - off);
      if (payload_live_) {
        Stream* s = find(payload_stream_);
        s->rx.push(in.data() + off, n);
        if (!s->readable_queued) {
          s->readable_queued = true;
          queue({EventKind::stream_readable, s->id});
        }
      }
      payload_left_ -= static_cast<uint32_t>(n);
      off += n;
      if (payload_left_ == 0) finish_payload();
      if (auto st = check_overflow(); !st) return st.take_error();
      continue;
    }
    Header h;
    if (hdr_len_ == 0 && len - off >= kHeaderLen) {
      auto r = decode_header(in.subspan(off, kHeaderLen));
      if (!r) return fail(r.err(), r.what(), true, kGoAwayProtocolError).take_error();
      h = *r;
      off += kHeaderLen;
    } else {
      size_t n = std::min(kHeaderLen - hdr_len_, len - off);
      std::memcpy(hdr_ + hdr_len_, in.data() + off, n);
      hdr_len_ += n;
      off += n;
      if (hdr_len_ < kHeaderLen) break;
      hdr_len_ = 0;
      auto r = decode_header({hdr_, kHeaderLen});
      if (!r) return fail(r.err(), r.what(), true, kGoAwayProtocolError).take_error();
      h = *r;
    }
    if (auto st = on_frame(h, now); !st) return st.take_error();
    if (auto st = check_overflow(); !st) return st.take_error();
    if (failed_) return error_;  // e.g. a remote GoAway with an error code
  }
  return len;
}

net::Status Session::on_frame(const Header& h, net::Instant now) {
  if (h.flags & ~kKnownFlags)
    return fail(net::Err::proto, "yamux: unknown flags in frame " + describe(h), true, kGoAwayProtocolError);
  switch (h.type) {
    case FrameType::data:
    case FrameType::window_update: return on_stream_frame(h, now);
    case FrameType::ping: return on_ping(h, now);
    case FrameType::go_away: return on_go_away(h, now);
  }
  return {};
}

net::Status Session::on_stream_frame(const Header& h, net::Instant now) {
  const bool data = h.type == FrameType::data;
  const StreamId id = h.stream_id;
  if (id == 0)
    return fail(net::Err::proto, std::string("yamux: ") + frame_type_name(h.type) + " frame on stream 0", true,
                kGoAwayProtocolError);
  if (data && h.length > lim_.max_stream_window)
    return fail(net::Err::proto,
                "yamux: data frame of " + std::to_string(h.length) + " bytes exceeds the largest window " +
                    std::to_string(lim_.max_stream_window),
                true, kGoAwayProtocolError);
  auto discard = [&]() {
    if (data && h.length > 0) {
      payload_left_ = h.length;
      payload_live_ = false;
      payload_fin_ = false;
    }
  };

  // The spec says ids increase; go may send SYNs slightly out of order (ids
  // are taken under a lock, SYNs written outside it), so only parity and
  // reuse of a live id are errors, as in go and rust.
  if (h.flags & kFlagSyn) {
    const bool peer_parity_odd = role_ == Role::server;  // the client opens odd ids
    if ((id % 2 == 1) != peer_parity_odd)
      return fail(net::Err::proto, "yamux: SYN on stream " + sid(id) + " with our parity", true,
                  kGoAwayProtocolError);
    if (find(id))
      return fail(net::Err::proto, "yamux: SYN on existing stream " + sid(id), true, kGoAwayProtocolError);
    if (h.flags & kFlagRst) {  // opened and reset at once: nothing to do
      discard();
      return charge("SYN+RST", now);
    }
    if (local_go_away_ || remote_go_away_ || n_inbound_ >= lim_.max_inbound_streams) {
      AAC_LOG(log_, debug, "yamux", "refusing stream",
              {{"stream", static_cast<unsigned long>(id)}, {"inbound", static_cast<unsigned long>(n_inbound_)}});
      discard();
      AAC_TRY(charge("refused SYN", now));
      return put_control(FrameType::window_update, kFlagRst, id, 0);
    }
    create(id, false, now);
    queue({EventKind::stream_opened, id});
  }

  Stream* s = find(id);
  if (!s) {  // closed or reset by us, or never opened: skip (go and js do)
    discard();
    if (h.length == 0 && (h.flags & (kFlagFin | kFlagRst)) == 0) return charge("frame on unknown stream", now);
    return {};
  }
  if ((h.flags & kFlagAck) && s->outbound && !s->acked) {
    s->acked = true;
    if (s->in_backlog) {
      s->in_backlog = false;
      --n_backlog_;
    }
  }
  if (h.flags & kFlagRst) {
    discard();
    // go-yamux puts an error code in a WindowUpdate RST's length.
    queue({EventKind::stream_reset, id, data ? 0u : h.length});
    erase(*s);
    return charge("RST", now);
  }
  if (!data) {
    if (h.length > UINT32_MAX - s->send_window)
      return fail(net::Err::proto,
                  "yamux: window update of " + std::to_string(h.length) + " overflows the send window of stream " +
                      sid(id),
                  true, kGoAwayProtocolError);
    s->send_window += h.length;
    if (h.length == 0 && h.flags == 0) return charge("empty window update", now);
    if (h.length > 0 && s->write_blocked && !s->fin_sent) {
      if (out_.size() + kHeaderLen < lim_.max_output_buffered) {
        queue_writable(*s);
      } else if (!s->on_output_list) {
        s->on_output_list = true;
        blocked_on_output_.push_back(id);
      }
    }
    if (h.flags & kFlagFin) on_remote_fin(*s);
    return {};
  }
  // DATA
  if (s->fin_recv && h.length > 0)
    return fail(net::Err::proto, "yamux: data on stream " + sid(id) + " after FIN", true, kGoAwayProtocolError);
  if (h.length > s->recv_credit)
    return fail(net::Err::proto,
                "yamux: stream " + sid(id) + " sent " + std::to_string(h.length) + " bytes with " +
                    std::to_string(s->recv_credit) + " left of its receive window " +
                    std::to_string(s->recv_window),
                true, kGoAwayProtocolError);
  s->recv_credit -= h.length;
  if (h.length == 0) {
    if (h.flags == 0) return charge("empty data frame", now);
    if (h.flags & kFlagFin) on_remote_fin(*s);
    return {};
  }
  payload_left_ = h.length;
  payload_stream_ = id;
  payload_live_ = true;
  payload_fin_ = (h.flags & kFlagFin) != 0;
  return {};
}

void Session::finish_payload() {
  if (!payload_live_) return;
  payload_live_ = false;
  if (!payload_fin_) return;
  payload_fin_ = false;
  if (Stream* s = find(payload_stream_)) on_remote_fin(*s);
}

void Session::on_remote_fin(Stream& s) {
  if (s.fin_recv) return;
  s.fin_recv = true;
  queue({EventKind::stream_finished, s.id});
  maybe_free(s);
}

net::Status Session::on_ping(const Header& h, net::Instant now) {
  if (h.stream_id != 0)
    return fail(net::Err::proto, "yamux: ping on stream " + sid(h.stream_id), true, kGoAwayProtocolError);
  if (h.flags == kFlagSyn) {
    AAC_TRY(charge("ping", now));
    return put_control(FrameType::ping, kFlagAck, 0, h.length);
  }
  if (h.flags == kFlagAck) {
    if (ping_outstanding_ && h.length == ping_id_) {
      ping_outstanding_ = false;
      uint64_t sample = now > ping_sent_ ? now - ping_sent_ : 0;
      rtt_ns_ = rtt_ns_ == 0 ? sample : rtt_ns_ / 2 + sample / 2;
      if (rtt_ns_ == 0) rtt_ns_ = 1;  // 0 means "unknown"
      next_ping_ = lim_.keepalive ? now + lim_.keepalive_interval_ns : net::kNever;
      queue({EventKind::ping_rtt, 0, 0, sample});
      return {};
    }
    return charge("unsolicited ping reply", now);
  }
  return fail(net::Err::proto, "yamux: bad ping flags in frame " + describe(h), true, kGoAwayProtocolError);
}

net::Status Session::on_go_away(const Header& h, net::Instant now) {
  if (h.stream_id != 0)
    return fail(net::Err::proto, "yamux: go_away on stream " + sid(h.stream_id), true, kGoAwayProtocolError);
  // A repeated GoAway changes nothing, like an empty frame: charged.
  if (remote_go_away_ && h.length == kGoAwayNormal) return charge("repeated GoAway", now);
  remote_go_away_ = true;
  queue({EventKind::go_away_received, 0, h.length});
  if (h.length == kGoAwayNormal) return {};
  const char* why = h.length == kGoAwayProtocolError   ? " (protocol error)"
                    : h.length == kGoAwayInternalError ? " (internal error)"
                                                       : "";
  (void)fail(net::Err::closed, "yamux: peer sent GoAway with code " + std::to_string(h.length) + why, false, 0);
  return {};
}

// ---- timers ------------------------------------------------------------------

void Session::send_ping(net::Instant now) {
  if (ping_outstanding_ || failed_) return;
  ++ping_id_;
  if (!put_control(FrameType::ping, kFlagSyn, 0, ping_id_)) return;
  ping_outstanding_ = true;
  ping_sent_ = now;
  next_ping_ = net::kNever;
}

void Session::ping(net::Instant now) {
  tick(now);
  send_ping(now);
}

void Session::tick(net::Instant now) { now_ = std::max(now_, now); }

net::Instant Session::next_deadline() const {
  if (failed_) return net::kNever;
  if (ping_outstanding_) {
    if (lim_.ping_timeout_ns >= net::kNever - ping_sent_) return net::kNever;
    return ping_sent_ + lim_.ping_timeout_ns;
  }
  return next_ping_;
}

void Session::on_timeout(net::Instant now) {
  if (failed_) return;
  tick(now);
  if (ping_outstanding_) {
    if (now >= ping_sent_ && now - ping_sent_ >= lim_.ping_timeout_ns)
      (void)fail(net::Err::timeout,
                 "yamux: ping timeout after " + std::to_string(lim_.ping_timeout_ns / net::kMillisecond) + " ms",
                 false, 0);
    return;
  }
  if (now >= next_ping_) {
    trim_memory();  // every keepalive interval: idle connections stay small
    send_ping(now);
  }
}

// ---- stream API ----------------------------------------------------------------

net::Result<StreamId> Session::open_stream() {
  if (failed_) return error_;
  if (local_go_away_) return {net::Err::closed, "yamux: GoAway sent, no new streams"};
  if (remote_go_away_) return {net::Err::closed, "yamux: peer sent GoAway, no new streams"};
  if (n_backlog_ >= lim_.max_ack_backlog)
    return {net::Err::limit, "yamux: " + std::to_string(n_backlog_) + " streams await ACK"};
  if (n_outbound_ >= lim_.max_outbound_streams)
    return {net::Err::limit, "yamux: " + std::to_string(n_outbound_) + " outbound streams open"};
  if (next_id_ > UINT32_MAX) return {net::Err::limit, "yamux: stream ids exhausted"};
  StreamId id = static_cast<StreamId>(next_id_);
  AAC_TRY(put_control(FrameType::window_update, kFlagSyn, id, 0));
  next_id_ += 2;
  create(id, true, now_);
  return id;
}

net::Status Session::accept_stream(StreamId id) {
  if (failed_) return error_;
  Stream* s = find(id);
  if (!s) return {net::Err::closed, "yamux: stream " + sid(id) + " is not open"};
  uint16_t f = pending_ack(*s);
  if (!f) return {};
  return put_control(FrameType::window_update, f, id, 0);
}

size_t Session::writable(StreamId id) const {
  const Stream* s = find(id);
  if (failed_ || !s || s->fin_sent) return 0;
  size_t room = out_.size() + kHeaderLen < lim_.max_output_buffered
                    ? lim_.max_output_buffered - out_.size() - kHeaderLen
                    : 0;
  return std::min<size_t>(room, s->send_window);
}

net::Result<size_t> Session::write(StreamId id, net::BytesView data) {
  if (failed_) return error_;
  Stream* s = find(id);
  if (!s) return {net::Err::closed, "yamux: stream " + sid(id) + " is not open"};
  if (s->fin_sent) return {net::Err::closed, "yamux: stream " + sid(id) + " is closed for writing"};
  size_t total = 0;
  bool out_full = false;
  while (total < data.size()) {
    if (s->send_window == 0) break;
    if (out_.size() + kHeaderLen >= lim_.max_output_buffered) {
      out_full = true;
      break;
    }
    size_t room = lim_.max_output_buffered - out_.size() - kHeaderLen;
    uint32_t n = static_cast<uint32_t>(
        std::min<size_t>({data.size() - total, s->send_window, lim_.max_frame_payload, room}));
    uint8_t* p = out_.reserve(kHeaderLen + n);
    encode_header({kVersion, FrameType::data, pending_ack(*s), id, n}, p);
    std::memcpy(p + kHeaderLen, data.data() + total, n);
    out_.commit(kHeaderLen + n);
    s->send_window -= n;
    total += n;
  }
  if (total < data.size()) {
    s->write_blocked = true;
    if (out_full && !s->on_output_list) {
      s->on_output_list = true;
      blocked_on_output_.push_back(id);
    }
  }
  return total;
}

net::Status Session::close_write(StreamId id) {
  if (failed_) return error_;
  Stream* s = find(id);
  if (!s) return {net::Err::closed, "yamux: stream " + sid(id) + " is not open"};
  if (s->fin_sent) return {};
  AAC_TRY(put_control(FrameType::window_update, static_cast<uint16_t>(kFlagFin | pending_ack(*s)), id, 0));
  s->fin_sent = true;
  s->write_blocked = false;
  maybe_free(*s);
  return {};
}

net::Status Session::reset(StreamId id, uint32_t code) {
  if (failed_) return error_;
  Stream* s = find(id);
  if (!s) return {};
  AAC_TRY(put_control(FrameType::window_update, kFlagRst, id, code));
  erase(*s);
  return {};
}

net::Status Session::consumed(Stream& s, size_t n, net::Instant now) {
  s.readable_queued = false;
  s.unacked += static_cast<uint32_t>(n);
  if (!s.fin_recv && s.unacked >= s.recv_window / 2) {
    uint32_t extra = 0;
    if (rtt_ns_ > 0 && now >= s.last_update && now - s.last_update < kWindowGrowthRtts * rtt_ns_ &&
        s.recv_window < lim_.max_stream_window) {
      uint64_t target = std::min<uint64_t>(uint64_t{s.recv_window} * 2, lim_.max_stream_window);
      uint64_t want = target - s.recv_window;
      uint64_t left = lim_.max_session_window > sum_windows_ ? lim_.max_session_window - sum_windows_ : 0;
      extra = static_cast<uint32_t>(std::min(want, left));
      s.recv_window += extra;
      sum_windows_ += extra;
    }
    uint32_t delta = s.unacked + extra;
    s.recv_credit += delta;
    s.unacked = 0;
    s.last_update = now;
    AAC_TRY(put_control(FrameType::window_update, pending_ack(s), s.id, delta));
  }
  maybe_free(s);
  return {};
}

net::Result<size_t> Session::read(StreamId id, std::span<uint8_t> out, net::Instant now) {
  if (failed_) return error_;
  tick(now);
  Stream* s = find(id);
  if (!s) return {net::Err::closed, "yamux: stream " + sid(id) + " is not open"};
  size_t n = s->rx.copy_out(out);
  AAC_TRY(consumed(*s, n, now));
  return n;
}

net::BytesView Session::read_view(StreamId id) const {
  const Stream* s = find(id);
  if (!s) return {};
  return s->rx.front();
}

net::Status Session::consume(StreamId id, size_t n, net::Instant now) {
  if (failed_) return error_;
  Stream* s = find(id);
  if (!s) return {net::Err::closed, "yamux: stream " + sid(id) + " is not open"};
  if (n > s->rx.size()) return {net::Err::invalid, "yamux: consume beyond the buffered bytes"};
  tick(now);
  s->rx.pop(n);
  return consumed(*s, n, now);
}

size_t Session::readable(StreamId id) const {
  const Stream* s = find(id);
  return s ? s->rx.size() : 0;
}

bool Session::eof(StreamId id) const {
  const Stream* s = find(id);
  return !s || (s->fin_recv && s->rx.empty());
}

uint32_t Session::recv_window(StreamId id) const {
  const Stream* s = find(id);
  return s ? s->recv_window : 0;
}

uint32_t Session::send_window(StreamId id) const {
  const Stream* s = find(id);
  return s ? s->send_window : 0;
}

void Session::go_away(uint32_t code) {
  if (failed_ || local_go_away_) return;
  if (put_control(FrameType::go_away, 0, 0, code)) local_go_away_ = true;
}

void Session::trim_memory() {
  out_.release();
  events_.release();
  for (auto& [id, s] : streams_) s.rx.release();
  if (blocked_on_output_.empty()) blocked_on_output_.shrink_to_fit();
}

}  // namespace p2p::yamux
