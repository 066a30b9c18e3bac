// a2a/engine_stream.cpp — subscriptions (task updates, incoming tasks,
// artifact streams) and artifact streaming across peers: STREAM_START /
// STREAM_CHUNK / STREAM_END envelopes (types 9-11) on one a2a stream per
// writer, with back-pressure from the subscribers on the client's daemon
// through yamux flow control to the agent's gRPC call.
#include <algorithm>

#include "a2a/engine.hpp"
#include "a2a/engine_metrics.hpp"

namespace a2a {

using S = TaskStatus;
using ET = v1::EnvelopeType;

namespace {
ApiError too_many(size_t n) {
  return {ApiCode::resource_exhausted, "too many subscribers (" + std::to_string(n) + ")"};
}
}  // namespace

// ---------------------------------------------------------------- subscriptions

ApiResult<SubId> Engine::subscribe_updates(std::string_view task_id_v, Sink<TaskUpdate> sink) {
  if (task_id_v.empty()) return ApiError{ApiCode::invalid_argument, "task_id is required"};
  std::string task_id(task_id_v);
  auto found = store_.tasks->find(task_id);
  if (!found) return internal_error(found.error());
  if (!*found) return ApiError{ApiCode::not_found, "task not found: " + task_id};
  if (subscriber_count() >= cfg_.limits.max_subscribers) return too_many(cfg_.limits.max_subscribers);
  if (updates_.count(task_id) >= kMaxUpdateSubscribersPerTask)
    return ApiError{ApiCode::resource_exhausted, "too many subscribers for task " + task_id + " (" +
                                                     std::to_string(kMaxUpdateSubscribersPerTask) + ")"};
  const SubId id = next_sub_++;
  sub_kind_[id] = SubKind::update;
  updates_.add(id, task_id, std::move(sink));
  const S st = static_cast<S>((*found)->status);
  if (st != S::TASK_STATUS_SUBMITTED) {
    // The task moved on before this subscriber came: start with its state.
    auto ev = std::make_shared<TaskUpdate>();
    ev->task_id = task_id;
    ev->status = st;
    if (st == S::TASK_STATUS_COMPLETED) {
      auto t = build_task(**found);
      if (t) ev->artifacts = std::move(t->artifacts);
    }
    const size_t n = ev->encoded_size();
    updates_.enqueue(id, std::move(ev), n);
    staged_resume_.push_back(id);
  }
  return id;
}

ApiResult<SubId> Engine::subscribe_incoming(Sink<IncomingTask> sink) {
  if (subscriber_count() >= cfg_.limits.max_subscribers) return too_many(cfg_.limits.max_subscribers);
  const SubId id = next_sub_++;
  sub_kind_[id] = SubKind::incoming;
  incoming_.add(id, "", std::move(sink));
  // Tasks that arrived while no agent listened (not those of this turn:
  // they are published at the commit).
  auto ids = store_.tasks->undispatched(kMaxUndispatchedReplay);
  if (ids) {
    for (const auto& tid : *ids) {
      if (staged_incoming(tid) || dispatched(tid)) continue;
      auto row = store_.tasks->find(tid);
      if (!row || !*row) continue;
      auto ev = incoming_event(**row);
      if (!ev) continue;
      const size_t n = ev->encoded_size();
      incoming_.enqueue(id, std::move(ev), n);
    }
    staged_resume_.push_back(id);
  }
  return id;
}

bool Engine::staged_incoming(const std::string& task_id) const {
  for (const auto& s : staged_incoming_)
    if (s->task && s->task->task_id == task_id) return true;
  return false;
}

std::shared_ptr<IncomingTask> Engine::incoming_event(const store::TaskRow& row) {
  auto t = build_task(row);
  if (!t) return nullptr;
  auto ev = std::make_shared<IncomingTask>();
  ev->task = t.take();
  if (row.originator_peer_id == kLocalOriginator) {
    ev->task->originator_peer_id = self_text_;
    if (card_) ev->sender_card = *card_;
  } else if (auto c = store_.cards->peer(row.originator_peer_id); c && *c) {
    AgentCard card;
    if (card.decode(**c)) ev->sender_card = std::move(card);
  }
  return ev;
}

size_t Engine::reoffer_undispatched() {
  if (!incoming_handler_) return 0;
  auto ids = store_.tasks->undispatched(kMaxUndispatchedReplay);
  if (!ids) return 0;
  size_t claimed = 0;
  for (const auto& tid : *ids) {
    if (staged_incoming(tid) || dispatched(tid)) continue;
    auto row = store_.tasks->find(tid);
    if (!row || !*row) continue;
    auto ev = incoming_event(**row);
    if (!ev || !incoming_handler_(*ev)) continue;
    mark_dispatched(tid);
    ++claimed;
  }
  return claimed;
}

ApiResult<SubId> Engine::subscribe_stream(std::string_view task_id, Sink<StreamEvent> sink) {
  if (task_id.empty()) return ApiError{ApiCode::invalid_argument, "task_id is required"};
  if (subscriber_count() >= cfg_.limits.max_subscribers) return too_many(cfg_.limits.max_subscribers);
  const SubId id = next_sub_++;
  sub_kind_[id] = SubKind::stream;
  streams_.add(id, std::string(task_id), std::move(sink));
  return id;
}

void Engine::resume(SubId id) {
  auto it = sub_kind_.find(id);
  if (it == sub_kind_.end()) return;
  switch (it->second) {
    case SubKind::update:
      // Events reach subscribers only after their commit.
      if (store_.batch.open() || poisoned_) staged_resume_.push_back(id);
      else updates_.resume(id, now());
      break;
    case SubKind::incoming:
      if (store_.batch.open() || poisoned_) staged_resume_.push_back(id);
      else incoming_.resume(id, now());
      break;
    case SubKind::stream:
      streams_.resume(id, now());
      break;
  }
}

void Engine::unsubscribe(SubId id) {
  auto it = sub_kind_.find(id);
  if (it == sub_kind_.end()) return;
  SubKind k = it->second;
  sub_kind_.erase(it);
  switch (k) {
    case SubKind::update: updates_.remove(id); break;
    case SubKind::incoming: incoming_.remove(id); break;
    case SubKind::stream: streams_.remove(id); break;
  }
}

void Engine::publish_staged() {
  const net::Instant t = now();
  std::vector<std::pair<std::string, std::shared_ptr<const TaskUpdate>>> ups;
  ups.swap(staged_updates_);
  for (auto& [task_id, ev] : ups) updates_.publish(task_id, ev, ev->encoded_size(), t);
  std::vector<std::shared_ptr<const IncomingTask>> inc;
  inc.swap(staged_incoming_);
  for (auto& ev : inc) {
    if (incoming_handler_ && incoming_handler_(*ev)) {
      if (ev->task) mark_dispatched(ev->task->task_id);
      continue;
    }
    // Nobody listening: it stays undispatched and is replayed to the next
    // subscriber.
    incoming_.publish("", ev, ev->encoded_size(), t);
  }
}

// ---------------------------------------------------------------- artifact streams

void Engine::publish_stream(const std::string& task_id, StreamEvent ev) {
  if (streams_.count(task_id) == 0) {
    ++stats_.stream_events_dropped;
    return;
  }
  const size_t n = ev.encoded_size();
  streams_.publish(task_id, std::make_shared<const StreamEvent>(std::move(ev)), n, now());
}

void Engine::on_stream_room(const std::string& task_id) {
  if (auto it = paused_inbound_.find(task_id); it != paused_inbound_.end()) {
    std::vector<uint64_t> ids = std::move(it->second);
    paused_inbound_.erase(it);
    for (uint64_t id : ids) transport_.resume_inbound(id);
  }
  if (auto it = blocked_writers_.find(task_id); it != blocked_writers_.end()) {
    std::vector<WriterId> ws = std::move(it->second);
    blocked_writers_.erase(it);
    for (WriterId w : ws) {
      auto wit = writers_.find(w);
      if (wit == writers_.end() || !wit->second.blocked) continue;
      wit->second.blocked = false;
      if (wit->second.on_writable) wit->second.on_writable();
    }
  }
}

ApiResult<Engine::WriterId> Engine::open_artifact_writer(net::SmallFn<void()> on_writable) {
  if (writers_.size() >= kMaxArtifactStreams)
    return ApiError{ApiCode::resource_exhausted,
                    "too many artifact streams (" + std::to_string(kMaxArtifactStreams) + ")"};
  const WriterId id = next_writer_++;
  writers_[id].on_writable = std::move(on_writable);
  return id;
}

void Engine::fail_writer(Writer& w, std::string error) {
  w.failed = true;
  w.error = std::move(error);
  w.open = false;
}

ApiResult<Flow> Engine::write_artifact(WriterId wid, StreamRequest ev) {
  using EC = StreamRequest::EventCase;
  auto it = writers_.find(wid);
  if (it == writers_.end()) return ApiError{ApiCode::failed_precondition, "no such artifact writer"};
  Writer& w = it->second;
  if (w.failed) return ApiError{ApiCode::unavailable, w.error};
  if (w.blocked) return Flow::full;
  StreamEvent out;
  const std::string* task_id = nullptr;
  switch (ev.event_case) {
    case EC::none:
      return ApiError{ApiCode::invalid_argument, "event is required"};
    case EC::stream_start: {
      const auto& s = ev.stream_start;
      if (s.task_id.empty()) return ApiError{ApiCode::invalid_argument, "task_id is required"};
      if (s.task_id.size() > kMaxIdLen || s.artifact_id.size() > kMaxIdLen)
        return ApiError{ApiCode::invalid_argument, "task_id or artifact_id exceeds " + std::to_string(kMaxIdLen) + " bytes"};
      if (w.open)
        return ApiError{ApiCode::failed_precondition,
                        "artifact " + w.artifact_id + " of task " + w.task_id + " is still open"};
      // The task's client: over the network for a task from a peer; local
      // subscribers otherwise (also for unknown ids, as the original).
      auto row = store_.tasks->find(s.task_id);
      if (!row) return internal_error(row.error());
      const bool remote = *row && (*row)->originator_peer_id != kLocalOriginator;
      if (remote) {
        auto pid = parse_peer((*row)->originator_peer_id);
        if (!pid) return ApiError{ApiCode::internal, "stored originator is not a peer id"};
        if (w.out_stream == 0 || w.peer != *pid) {
          if (w.out_stream) {
            transport_.out_stream_close(w.out_stream, false);
            out_stream_writer_.erase(w.out_stream);
          }
          w.peer = pid.take();
          w.out_stream = transport_.open_out_stream(w.peer);
          out_stream_writer_[w.out_stream] = wid;
        }
      }
      w.remote = remote;
      w.open = true;
      w.task_id = s.task_id;
      w.artifact_id = s.artifact_id;
      out.mutable_stream_start() = s;
      task_id = &w.task_id;
      break;
    }
    case EC::stream_chunk: {
      const auto& c = ev.stream_chunk;
      metrics::stream_chunk(true);
      if (!w.open || c.task_id != w.task_id || (!c.artifact_id.empty() && c.artifact_id != w.artifact_id))
        return ApiError{ApiCode::failed_precondition, "no active stream for task " + c.task_id};
      if (c.data.size() > kMaxChunkDataLen)
        return ApiError{ApiCode::invalid_argument, "stream chunk of " + std::to_string(c.data.size()) +
                                                       " bytes exceeds " + std::to_string(kMaxChunkDataLen)};
      out.mutable_stream_chunk() = std::move(ev.stream_chunk);  // the data is not copied
      task_id = &w.task_id;
      break;
    }
    case EC::stream_end: {
      const auto& e = ev.stream_end;
      if (!w.open || e.task_id != w.task_id || (!e.artifact_id.empty() && e.artifact_id != w.artifact_id))
        return ApiError{ApiCode::failed_precondition, "no active stream for task " + e.task_id};
      out.mutable_stream_end() = e;
      w.open = false;
      task_id = &w.task_id;
      break;
    }
  }
  if (w.remote) {
    Envelope env = make_envelope(out.event_case == StreamEvent::EventCase::stream_start ? ET::ENVELOPE_TYPE_STREAM_START
                                 : out.event_case == StreamEvent::EventCase::stream_chunk
                                     ? ET::ENVELOPE_TYPE_STREAM_CHUNK
                                     : ET::ENVELOPE_TYPE_STREAM_END);
    switch (out.event_case) {
      case StreamEvent::EventCase::stream_start: env.mutable_stream_start() = std::move(out.stream_start); break;
      case StreamEvent::EventCase::stream_chunk: env.mutable_stream_chunk() = std::move(out.stream_chunk); break;
      default: env.mutable_stream_end() = std::move(out.stream_end); break;
    }
    if (!transport_.out_stream_write(w.out_stream, encode_framed(env))) {
      w.blocked = true;
      return Flow::blocked;
    }
    return Flow::ready;
  }
  const std::string tid = *task_id;
  publish_stream(tid, std::move(out));
  // The writer may be gone if a subscriber's callback closed it.
  auto again = writers_.find(wid);
  if (again == writers_.end()) return Flow::closed;
  if (!streams_.has_room(tid)) {
    again->second.blocked = true;
    blocked_writers_[tid].push_back(wid);
    return Flow::blocked;
  }
  return Flow::ready;
}

void Engine::close_artifact_writer(WriterId wid, bool aborted) {
  auto it = writers_.find(wid);
  if (it == writers_.end()) return;
  Writer w = std::move(it->second);
  writers_.erase(it);
  if (w.open && !w.failed) {
    v1::StreamEnd end;
    end.task_id = w.task_id;
    end.artifact_id = w.artifact_id;
    end.reason = aborted ? v1::StreamEndReason::STREAM_END_REASON_CANCELED : v1::StreamEndReason::STREAM_END_REASON_ERROR;
    if (w.remote) {
      Envelope env = make_envelope(ET::ENVELOPE_TYPE_STREAM_END);
      env.mutable_stream_end() = end;
      (void)transport_.out_stream_write(w.out_stream, encode_framed(env));
    } else {
      StreamEvent ev;
      ev.mutable_stream_end() = end;
      publish_stream(w.task_id, std::move(ev));
    }
  }
  if (w.out_stream) {
    transport_.out_stream_close(w.out_stream, aborted && !w.open);
    out_stream_writer_.erase(w.out_stream);
  }
}

void Engine::on_out_stream_writable(uint64_t id) {
  auto it = out_stream_writer_.find(id);
  if (it == out_stream_writer_.end()) return;
  auto wit = writers_.find(it->second);
  if (wit == writers_.end() || !wit->second.blocked) return;
  wit->second.blocked = false;
  if (wit->second.on_writable) wit->second.on_writable();
}

void Engine::on_out_stream_closed(uint64_t id, const net::Error& why) {
  auto it = out_stream_writer_.find(id);
  if (it == out_stream_writer_.end()) return;
  const WriterId wid = it->second;
  out_stream_writer_.erase(it);
  auto wit = writers_.find(wid);
  if (wit == writers_.end()) return;
  Writer& w = wit->second;
  w.out_stream = 0;
  fail_writer(w, "stream to peer " + w.peer.to_base58() + " failed: " + why.what);
  if (w.blocked) {
    w.blocked = false;
    if (w.on_writable) w.on_writable();  // so it writes and learns the error
  }
}

bool Engine::handle_stream(const p2p::PeerId& from, uint64_t inbound_id, Envelope& e) {
  const std::string from_text = from.to_base58();
  std::string task_id(envelope_task_id(e));
  StreamEvent out;
  if (e.type == ET::ENVELOPE_TYPE_STREAM_START) {
    // Only the daemon running our task streams its artifacts to us.
    auto found = store_.tasks->find(task_id);
    if (!found || !*found || (*found)->originator_peer_id != kLocalOriginator ||
        (*found)->remote_peer_id != from_text) {
      ++stats_.rejected;
      return true;
    }
    Inbound& in = inbound_[inbound_id];
    if (in.open) {  // a new artifact before the previous ended: end it
      StreamEvent end;
      auto& se = end.mutable_stream_end();
      se.task_id = in.task_id;
      se.artifact_id = in.artifact_id;
      se.reason = v1::StreamEndReason::STREAM_END_REASON_ERROR;
      publish_stream(in.task_id, std::move(end));
    }
    in = {key(from), task_id, e.stream_start.artifact_id, true};
    out.mutable_stream_start() = std::move(e.stream_start);
  } else {
    auto it = inbound_.find(inbound_id);
    if (it == inbound_.end() || !it->second.open || it->second.task_id != task_id) {
      ++stats_.rejected;
      return true;
    }
    if (e.type == ET::ENVELOPE_TYPE_STREAM_CHUNK) {
      metrics::stream_chunk(false);
      out.mutable_stream_chunk() = std::move(e.stream_chunk);
    } else {
      out.mutable_stream_end() = std::move(e.stream_end);
      it->second.open = false;
    }
  }
  publish_stream(task_id, std::move(out));
  if (!streams_.has_room(task_id)) {
    paused_inbound_[task_id].push_back(inbound_id);
    return false;
  }
  return true;
}

void Engine::on_inbound_closed(uint64_t inbound_id, bool clean) {
  (void)clean;
  auto it = inbound_.find(inbound_id);
  if (it != inbound_.end()) {
    Inbound in = std::move(it->second);
    inbound_.erase(it);
    if (in.open) {  // the stream ended mid-artifact
      StreamEvent end;
      auto& se = end.mutable_stream_end();
      se.task_id = in.task_id;
      se.artifact_id = in.artifact_id;
      se.reason = v1::StreamEndReason::STREAM_END_REASON_ERROR;
      publish_stream(in.task_id, std::move(end));
    }
    auto pit = paused_inbound_.find(in.task_id);
    if (pit != paused_inbound_.end()) {
      auto& v = pit->second;
      v.erase(std::remove(v.begin(), v.end(), inbound_id), v.end());
      if (v.empty()) paused_inbound_.erase(pit);
    }
  }
}

}  // namespace a2a
