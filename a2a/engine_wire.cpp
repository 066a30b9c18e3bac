// a2a/engine_wire.cpp — the envelope protocol: sending through the outbox
// with ACK tracking and retries, the offline queue (flush, TTL), and the
// dispatch of received envelopes (upstream.md §3.4–3.6).
#include <algorithm>

#include "a2a/engine.hpp"
#include "a2a/engine_metrics.hpp"

namespace a2a {

using S = TaskStatus;
using ET = v1::EnvelopeType;

// ---------------------------------------------------------------- out

Envelope Engine::make_envelope(ET t) {
  Envelope e;
  e.envelope_id = new_id();
  e.type = t;
  e.timestamp = timestamp_from_unix_ns(unix_now());
  return e;
}

ApiResult<net::Bytes> Engine::prepare_tracked(const p2p::PeerId& to, const Envelope& e) {
  net::Bytes b = e.encode();
  if (b.size() > kMaxFrameLen)
    return ApiError{ApiCode::invalid_argument, "envelope of " + std::to_string(b.size()) +
                                                   " bytes exceeds the frame limit of " +
                                                   std::to_string(kMaxFrameLen)};
  if (auto a = outbox_.admit(key(to), to.to_base58(), b.size()); !a) return a.error();
  return b;
}

net::Status Engine::enqueue_tracked(const p2p::PeerId& to, const std::string& envelope_id, net::Bytes bytes) {
  const int64_t t = unix_now();
  auto seq = store_.queue->insert(to.to_base58(), envelope_id, t, bytes);
  if (!seq) {
    poison(seq.error());
    return seq.take_error();
  }
  peer_state(to);
  outbox_.add({envelope_id, key(to), *seq, t, bytes.size(), false});
  fresh_[envelope_id] = std::move(bytes);
  pump_peers_.insert(key(to));
  return {};
}

void Engine::send_untracked(const p2p::PeerId& to, const Envelope& e) {
  net::Bytes b = e.encode();
  if (b.size() > kMaxFrameLen) return;
  pending_untracked_.emplace_back(to, std::move(b));
}

// Sends the oldest waiting envelopes of a peer that fit in its in-flight
// slots (after the commit that wrote them). Expired ones are dropped.
void Engine::pump(const std::string& peer_key) {
  auto pit = peers_.find(peer_key);
  if (pit == peers_.end()) return;
  PeerState& ps = pit->second;
  const net::Instant t = now();
  if (ps.offline_until > t) return;
  const uint64_t ttl = cfg_.limits.offline_queue_ttl_ns;
  const int64_t cutoff = ttl ? unix_now() - static_cast<int64_t>(ttl) : INT64_MIN;
  for (const std::string& id : outbox_.sendable(peer_key, cfg_.limits.max_in_flight_per_peer)) {
    const Outbox::Entry* e = outbox_.find(id);
    if (!e) continue;
    const int64_t seq = e->seq;
    net::Bytes bytes;
    if (e->enqueued_at_ns < cutoff) {
      bytes.clear();
    } else if (auto f = fresh_.find(id); f != fresh_.end()) {
      bytes = std::move(f->second);
    } else if (auto l = store_.queue->load(seq); l && *l) {
      bytes = std::move(**l);
    }
    if (bytes.empty()) {  // expired, or its row vanished
      if (e->enqueued_at_ns < cutoff) ++stats_.expired;
      outbox_.remove(id);
      if (auto r = store_.queue->remove(seq); !r) poison(r.error());
      continue;
    }
    outbox_.set_in_flight(id, true);
    tracker_.track(id, peer_key, t);
    const uint64_t token = next_token_++;
    token_envelope_[token] = id;
    ++stats_.sent;
    transport_.send_envelope(ps.id, std::move(bytes), token);
  }
}

void Engine::on_send_result(uint64_t token, const net::Status& st) {
  auto it = token_envelope_.find(token);
  if (it == token_envelope_.end()) return;
  std::string id = std::move(it->second);
  token_envelope_.erase(it);
  if (st) return;
  ++stats_.send_failures;
  const Outbox::Entry* e = outbox_.find(id);
  if (!e) return;
  auto pit = peers_.find(e->peer);
  if (pit != peers_.end()) {
    AAC_LOG(cfg_.log, info, "a2a", "peer unreachable; envelope stays queued",
            {{"peer", pit->second.id.short_string()}, {"error", st.what()}});
    pit->second.offline_until = now() + kOfflineBackoffNs;
  }
  // Not in flight any more: it waits for the peer (no second queue entry).
  if (tracker_.ack(id)) outbox_.set_in_flight(id, false);
}

void Engine::give_up(const std::string& envelope_id) {
  ++stats_.gave_up;
  outbox_.set_in_flight(envelope_id, false);
}

void Engine::on_peer_connected(const p2p::PeerId& peer) {
  PeerState& ps = peer_state(peer);
  ps.offline_until = 0;
  if (outbox_.waiting(key(peer)) > 0) pump_peers_.insert(key(peer));
}

void Engine::on_peer_disconnected(const p2p::PeerId& peer) { (void)peer; }

void Engine::sweep() {
  const uint64_t ttl = cfg_.limits.offline_queue_ttl_ns;
  if (ttl) {
    auto gone = store_.queue->expire(unix_now() - static_cast<int64_t>(ttl));
    if (!gone) {
      poison(gone.error());
    } else {
      for (const auto& q : *gone) {
        ++stats_.expired;
        tracker_.ack(q.envelope_id);
        outbox_.remove(q.envelope_id);
      }
      if (!gone->empty())
        AAC_LOG(cfg_.log, info, "a2a", "offline queue: expired envelopes dropped",
                {{"count", static_cast<unsigned long long>(gone->size())}});
      // Index entries without a row (cannot happen unless the store was
      // edited) must not keep the expiry deadline in the past.
      for (const auto& id : outbox_.older_than(unix_now() - static_cast<int64_t>(ttl))) {
        tracker_.ack(id);
        outbox_.remove(id);
      }
    }
  }
  // Peers with waiting envelopes get another try (a send dials them).
  for (const std::string& p : outbox_.peers_waiting()) pump_peers_.insert(p);
}

void Engine::on_timeout() {
  const net::Instant t = now();
  for (const auto& d : tracker_.poll(t)) {
    if (d.retry == 0) {
      give_up(d.envelope_id);
      continue;
    }
    auto pit = peers_.find(d.peer);
    const Outbox::Entry* entry = outbox_.find(d.envelope_id);
    auto bytes = entry ? store_.queue->load(entry->seq) : net::Result<std::optional<net::Bytes>>(std::nullopt);
    if (pit == peers_.end() || !bytes || !*bytes) {
      tracker_.ack(d.envelope_id);
      outbox_.remove(d.envelope_id);
      continue;
    }
    ++stats_.retries;
    const uint64_t token = next_token_++;
    token_envelope_[token] = d.envelope_id;
    transport_.send_envelope(pit->second.id, std::move(**bytes), token);
  }
  // GET_TASK answers that did not come.
  for (size_t i = 0; i < gets_.size();) {
    if (gets_[i].deadline > t) {
      ++i;
      continue;
    }
    PendingGet g = std::move(gets_[i]);
    gets_.erase(gets_.begin() + static_cast<ptrdiff_t>(i));
    std::string who = peers_.count(g.peer) ? peers_[g.peer].id.to_base58() : std::string("?");
    g.reply(ApiError{ApiCode::unavailable, "peer " + who + " did not answer GET_TASK within " +
                                               std::to_string(kGetTaskTimeoutNs / net::kSecond) + " s"});
  }
  streams_.check_stalls(t, cfg_.limits.stream_stall_timeout_ns);
  const uint64_t ttl = cfg_.limits.offline_queue_ttl_ns;
  const bool expiry_due = ttl && outbox_.size() && unix_now() - static_cast<int64_t>(ttl) > outbox_.oldest_enqueued();
  if (t >= next_sweep_ || expiry_due) {
    sweep();
    if (t >= next_sweep_) next_sweep_ = t + cfg_.limits.sweep_interval_ns;
  }
}

net::Instant Engine::next_deadline() const {
  net::Instant d = std::min(tracker_.next_deadline(), next_sweep_);
  // The oldest queued envelope's TTL (wall clock, mapped onto ours).
  const uint64_t ttl = cfg_.limits.offline_queue_ttl_ns;
  if (ttl && outbox_.size()) {
    // Due when unix_now() - ttl > oldest (on_timeout's test), i.e. at
    // oldest + ttl + 1; once due it stays due (never "now + 1" forever).
    const int64_t left = outbox_.oldest_enqueued() + static_cast<int64_t>(ttl) + 1 - unix_now();
    d = std::min(d, now() + static_cast<net::Instant>(std::max<int64_t>(left, 0)));
  }
  for (const auto& g : gets_) d = std::min(d, g.deadline);
  return std::min(d, streams_.next_stall_deadline(cfg_.limits.stream_stall_timeout_ns));
}

void Engine::fetch_remote_task(std::string_view task_id, Reply<Task> reply) {
  if (task_id.empty()) return reply(ApiError{ApiCode::invalid_argument, "task_id is required"});
  auto found = store_.tasks->find(task_id);
  if (!found) return reply(internal_error(found.error()));
  if (!*found) return reply(ApiError{ApiCode::not_found, "task not found: " + std::string(task_id)});
  auto other = originator_of_remote(**found);
  if (!other) return reply(get_task(task_id));  // ours on both sides
  auto pid = parse_peer(*other);
  if (!pid) return reply(ApiError{ApiCode::internal, "stored peer is not a peer id: " + pid.what()});
  if (gets_.size() >= kMaxPendingGets)
    return reply(ApiError{ApiCode::resource_exhausted,
                          "too many GET_TASK requests in flight (" + std::to_string(kMaxPendingGets) + ")"});
  Envelope e = make_envelope(ET::ENVELOPE_TYPE_GET_TASK);
  e.mutable_get_task().task_id = std::string(task_id);
  peer_state(*pid);
  send_untracked(*pid, e);
  gets_.push_back({key(*pid), std::string(task_id), now() + kGetTaskTimeoutNs, std::move(reply)});
}

// ---------------------------------------------------------------- in

bool Engine::on_frame(const p2p::PeerId& from, uint64_t inbound_id, net::BytesView bytes) {
  ++stats_.envelopes_in;
  Envelope e;
  if (auto st = decode_envelope(bytes, e); !st) {
    ++stats_.envelopes_bad;
    AAC_LOG(cfg_.log, debug, "a2a", "bad envelope dropped", {{"peer", from.short_string()}, {"error", st.what()}});
    return true;
  }
  metrics::envelope_received(e.type);
  if (is_stream_type(e.type)) return handle_stream(from, inbound_id, e);
  on_envelope(from, e);
  return true;
}

void Engine::on_envelope(const p2p::PeerId& from, Envelope& e) {
  switch (e.type) {
    case ET::ENVELOPE_TYPE_ACK:
      handle_ack(from, e);
      return;
    case ET::ENVELOPE_TYPE_GET_TASK:
      handle_get_task(from, e);
      return;
    case ET::ENVELOPE_TYPE_GET_TASK_RESPONSE:
      handle_get_task_response(from, e);
      return;
    default:
      break;
  }
  if (!is_tracked_type(e.type)) {  // unknown type: ignored, not ACKed (as the original)
    ++stats_.envelopes_bad;
    return;
  }
  const std::string from_text = from.to_base58();
  if (!e.envelope_id.empty() && dedup_.contains(from_text, e.envelope_id)) {
    // Already applied (and durable): ACK again, do not apply again.
    ++stats_.duplicates;
    pending_acks_.emplace_back(from, e.envelope_id);
    return;
  }
  switch (e.type) {
    case ET::ENVELOPE_TYPE_SEND_TASK:
      handle_send_task(from, e);
      break;
    case ET::ENVELOPE_TYPE_TASK_CANCEL:
      handle_cancel(from, e);
      break;
    default:
      handle_remote_status(from, e);
      break;
  }
  if (!e.envelope_id.empty()) {
    dedup_.insert(from_text, e.envelope_id);
    if (auto st = store_.dedup->add(from_text, e.envelope_id); !st) poison(st.error());
  }
  // ACKed after the commit of this turn, even when not applied (as the
  // original: a retry would not change the answer).
  pending_acks_.emplace_back(from, e.envelope_id);
}

void Engine::handle_send_task(const p2p::PeerId& from, Envelope& e) {
  auto& p = e.send_task;
  if (p.task_id.empty()) p.task_id = new_id();  // as the original
  auto found = store_.tasks->find(p.task_id);
  if (!found) {
    poison(found.error());
    return;
  }
  const std::string from_text = from.to_base58();
  if (*found) {
    if ((*found)->originator_peer_id == from_text) ++stats_.duplicates;  // a retry after our window
    else ++stats_.rejected;
    AAC_LOG(cfg_.log, debug, "a2a", "SEND_TASK for a known task id; not applied",
            {{"peer", from.short_string()}, {"task", p.task_id}});
    return;
  }
  const int64_t t = unix_now();
  store::TaskRow row{p.task_id, p.context_id, static_cast<int32_t>(S::TASK_STATUS_SUBMITTED), p.target_skill_id,
                     from_text, "", t, t, false};
  if (auto st = store_.tasks->insert(row); !st) {
    poison(st.error());
    return;
  }
  metrics::task_status(false, S::TASK_STATUS_SUBMITTED);
  const Message* msg = p.message ? &*p.message : nullptr;
  if (!store_items(row.task_id, msg, nullptr)) return;
  stage_incoming(row, msg);
}

void Engine::handle_remote_status(const p2p::PeerId& from, Envelope& e) {
  const std::string task_id(envelope_task_id(e));
  auto found = store_.tasks->find(task_id);
  if (!found) {
    poison(found.error());
    return;
  }
  const std::string from_text = from.to_base58();
  // Only the daemon we sent the task to reports on it.
  if (!*found || (*found)->originator_peer_id != kLocalOriginator || (*found)->remote_peer_id != from_text) {
    ++stats_.rejected;
    AAC_LOG(cfg_.log, debug, "a2a", "status for a task this peer does not run; ignored",
            {{"peer", from.short_string()}, {"task", task_id}, {"type", envelope_type_name(e.type)}});
    return;
  }
  const S from_status = static_cast<S>((*found)->status);
  S to = S::TASK_STATUS_UNSPECIFIED;
  const Message* msg = nullptr;
  const std::vector<Artifact>* arts = nullptr;
  Message synth;
  switch (e.type) {
    case ET::ENVELOPE_TYPE_TASK_STATUS_UPDATE:
      to = e.task_status_update.status;
      if (e.task_status_update.message) msg = &*e.task_status_update.message;
      break;
    case ET::ENVELOPE_TYPE_TASK_COMPLETE:
      to = S::TASK_STATUS_COMPLETED;
      if (e.task_complete.message) msg = &*e.task_complete.message;
      if (!e.task_complete.artifacts.empty()) arts = &e.task_complete.artifacts;
      break;
    default:  // TASK_FAIL
      to = S::TASK_STATUS_FAILED;
      if (e.task_fail.message) {
        msg = &*e.task_fail.message;
      } else if (!e.task_fail.error_message.empty()) {
        synth.role = v1::MessageRole::MESSAGE_ROLE_AGENT;
        synth.parts.emplace_back().mutable_text_part().text = e.task_fail.error_message;
        msg = &synth;
      }
      break;
  }
  if (!remote_transition_allowed(from_status, to)) {
    ++stats_.rejected;
    AAC_LOG(cfg_.log, debug, "a2a", "remote transition refused",
            {{"task", task_id}, {"error", transition_error(task_id, from_status, to)}});
    return;
  }
  if (auto st = write_status(task_id, to); !st) {
    poison(st.error());
    return;
  }
  if (is_terminal(to))
    metrics::task_done(true, to, static_cast<double>(unix_now() - (*found)->created_at_ns) / 1e9);
  if (!store_items(task_id, msg, arts)) return;
  stage_update(task_id, to, msg, arts);
}

void Engine::handle_cancel(const p2p::PeerId& from, Envelope& e) {
  const std::string& task_id = e.task_cancel.task_id;
  auto found = store_.tasks->find(task_id);
  if (!found) {
    poison(found.error());
    return;
  }
  const std::string from_text = from.to_base58();
  const bool ok_sender =
      *found && ((*found)->originator_peer_id == from_text ||
                 ((*found)->originator_peer_id == kLocalOriginator && (*found)->remote_peer_id == from_text));
  if (!ok_sender || !transition_allowed(static_cast<S>((*found)->status), S::TASK_STATUS_CANCELED)) {
    ++stats_.rejected;
    return;
  }
  if (auto st = write_status(task_id, S::TASK_STATUS_CANCELED); !st) {
    poison(st.error());
    return;
  }
  metrics::task_done(false, S::TASK_STATUS_CANCELED, static_cast<double>(unix_now() - (*found)->created_at_ns) / 1e9);
  stage_update(task_id, S::TASK_STATUS_CANCELED, nullptr, nullptr);
}

void Engine::handle_ack(const p2p::PeerId& from, const Envelope& e) {
  ++stats_.acks_received;
  const std::string& id = e.ack.acknowledged_envelope_id;
  const Outbox::Entry* entry = outbox_.find(id);
  if (!entry || entry->peer != key(from)) return;  // unknown, late, or not that peer's to ACK
  const int64_t seq = entry->seq;
  tracker_.ack(id);
  outbox_.remove(id);
  if (auto r = store_.queue->remove(seq); !r) poison(r.error());
  if (outbox_.waiting(key(from)) > 0) pump_peers_.insert(key(from));
}

void Engine::handle_get_task(const p2p::PeerId& from, const Envelope& e) {
  const std::string from_text = from.to_base58();
  Envelope r = make_envelope(ET::ENVELOPE_TYPE_GET_TASK_RESPONSE);
  auto& p = r.mutable_get_task_response();
  auto found = store_.tasks->find(e.get_task.task_id);
  // Only the two sides of a task may read it.
  if (found && *found && ((*found)->originator_peer_id == from_text || (*found)->remote_peer_id == from_text)) {
    auto t = build_task(**found);
    if (t) {
      p.task = t.take();
      if (r.encoded_size() > kMaxFrameLen) {
        p.task->messages.clear();
        p.task->artifacts.clear();
      }
    }
  }
  send_untracked(from, r);
}

void Engine::handle_get_task_response(const p2p::PeerId& from, Envelope& e) {
  auto& p = e.get_task_response;
  const std::string k = key(from);
  for (size_t i = 0; i < gets_.size(); ++i) {
    PendingGet& g = gets_[i];
    if (g.peer != k || (p.task && g.task_id != p.task->task_id)) continue;
    PendingGet done = std::move(g);
    gets_.erase(gets_.begin() + static_cast<ptrdiff_t>(i));
    if (p.task) done.reply(std::move(*p.task));
    else done.reply(ApiError{ApiCode::not_found, "peer " + from.to_base58() + " has no task " + done.task_id});
    return;
  }
}

}  // namespace a2a
