// a2a/engine.cpp — creation, the task API (client and agent side), cards,
// and the group commit (flush). Envelopes in/out: engine_wire.cpp;
// subscriptions and artifact streams: engine_stream.cpp.
#include "a2a/engine.hpp"

#include <algorithm>

#include "a2a/did_key.hpp"
#include "a2a/engine_metrics.hpp"
#include "crypto/init.hpp"

namespace a2a {

using S = TaskStatus;
using ET = v1::EnvelopeType;

namespace {

ApiError invalid(std::string m) { return {ApiCode::invalid_argument, std::move(m)}; }

ApiStatus check_len(std::string_view what, std::string_view v) {
  if (v.size() > kMaxIdLen)
    return invalid(std::string(what) + " of " + std::to_string(v.size()) + " bytes exceeds " +
                   std::to_string(kMaxIdLen));
  return {};
}

Message error_message_as_message(const std::string& text) {
  Message m;
  m.role = v1::MessageRole::MESSAGE_ROLE_AGENT;
  m.parts.emplace_back().mutable_text_part().text = text;
  return m;
}

}  // namespace

Engine::Engine(store::A2aStore& s, Transport& t, EngineConfig cfg)
    : store_(s),
      transport_(t),
      cfg_(std::move(cfg)),
      self_text_(cfg_.self.to_base58()),
      dedup_(cfg_.limits.dedup_window),
      outbox_(cfg_.limits),
      updates_({.max_events = cfg_.limits.subscriber_queue_events,
                .max_bytes = cfg_.limits.subscriber_queue_bytes,
                .pause_producer = false}),
      incoming_({.max_events = cfg_.limits.subscriber_queue_events,
                 .max_bytes = cfg_.limits.subscriber_queue_bytes,
                 .pause_producer = false}),
      streams_({.max_events = cfg_.limits.stream_subscriber_chunks,
                .max_bytes = cfg_.limits.stream_subscriber_bytes,
                .pause_producer = true}) {
  incoming_.on_accept = [this](const IncomingTask& ev) {
    if (ev.task) mark_dispatched(ev.task->task_id);
  };
  streams_.on_room = [this](const std::string& task_id) { on_stream_room(task_id); };
  auto dropped = [this](SubId id) { sub_kind_.erase(id); };
  updates_.on_drop = dropped;
  incoming_.on_drop = dropped;
  streams_.on_drop = dropped;
  auto ended = [this](SubId) { ++stats_.subscribers_ended; };
  updates_.on_end = ended;
  incoming_.on_end = ended;
  streams_.on_end = ended;
}

Engine::~Engine() = default;

net::Result<std::unique_ptr<Engine>> Engine::create(store::A2aStore& store, Transport& transport,
                                                    EngineConfig cfg) {
  if (!cfg.clock) return net::Error{net::Err::invalid, "a2a engine: a clock is required"};
  if (cfg.self.empty()) return net::Error{net::Err::invalid, "a2a engine: our peer id is required"};
  if (!cfg.random) cfg.random = [](std::span<uint8_t> out) { crypto::random_public_bytes(out); };
  std::unique_ptr<Engine> e(new Engine(store, transport, std::move(cfg)));
  AAC_TRY(e->load());
  // Delivery to our agents is at least once: a task handed to an agent's
  // stream just before a crash may never have reached it, so tasks no agent
  // acted on (still SUBMITTED) are offered again. An agent that did get one
  // sees its task id twice.
  auto again = e->store_.tasks->redispatch_unstarted(static_cast<int32_t>(v1::TaskStatus::TASK_STATUS_SUBMITTED),
                                                     e->self_text_);
  if (!again) return again.take_error();
  if (*again > 0)
    AAC_LOG(e->cfg_.log, info, "a2a", "tasks offered to agents again after restart", {{"count", *again}});
  e->next_sweep_ = e->now() + e->cfg_.limits.sweep_interval_ns;
  return e;
}

// Rebuilds every in-memory index from the store: at start, and after a
// failed commit (the rolled-back turn is forgotten).
net::Status Engine::load() {
  dedup_.clear();
  outbox_.clear();
  tracker_.clear();
  token_envelope_.clear();
  fresh_.clear();
  dispatched_.clear();
  card_.reset();
  auto card = store_.cards->self();
  if (!card) return card.take_error();
  if (*card) {
    AgentCard c;
    if (c.decode(**card)) card_ = std::move(c);
    else AAC_LOG(cfg_.log, warn, "a2a", "stored agent card does not decode; ignored");
  }
  auto seen = store_.dedup->recent(cfg_.limits.dedup_window);
  if (!seen) return seen.take_error();
  for (const auto& [peer, id] : *seen) dedup_.insert(peer, id);
  auto rows = store_.queue->list();
  if (!rows) return rows.take_error();
  for (auto& r : *rows) {
    auto pid = parse_peer(r.peer_id);
    if (!pid) continue;  // cannot be sent anywhere; the TTL removes it
    peer_state(*pid);
    outbox_.add({r.envelope_id, key(*pid), r.seq, r.enqueued_at_ns, r.len, false});
    pump_peers_.insert(key(*pid));
  }
  return {};
}

Engine::PeerState& Engine::peer_state(const p2p::PeerId& p) {
  auto [it, fresh] = peers_.try_emplace(key(p));
  if (fresh) it->second.id = p;
  return it->second;
}

// The per-turn lists are swapped out to be worked through (callbacks may
// add to them meanwhile); handing the emptied vector back keeps its
// capacity for the next turn. Growing 64 entries from zero every turn cost
// seven reallocations, the last ones large enough for glibc to consolidate
// its free lists (1-2 % of the CPU on the task path). Bounded: a vector
// grown by a burst is dropped, not kept.
template <class V>
void Engine::give_back(V& used, V& live) {
  constexpr size_t kKeepCapacity = 1024;
  used.clear();
  if (live.empty() && used.capacity() <= kKeepCapacity) live.swap(used);
}

net::Result<p2p::PeerId> Engine::parse_peer(std::string_view text) {
  if (auto it = parsed_peers_.find(text); it != parsed_peers_.end()) return it->second;
  auto pid = p2p::PeerId::parse(text);
  if (!pid) return pid;  // errors are not remembered (nor frequent)
  if (parsed_peers_.size() >= kParsedPeerIds) parsed_peers_.clear();
  parsed_peers_.emplace(std::string(text), *pid);
  return pid;
}

std::string Engine::new_id() {
  std::array<uint8_t, 16> r;
  cfg_.random(r);
  return uuid_v7(unix_now(), r);
}

void Engine::poison(const net::Error& e) {
  if (poisoned_) return;
  poisoned_ = true;
  poison_ = e;
  AAC_LOG(cfg_.log, error, "a2a", "store write failed; the turn will be rolled back", {{"error", e.what}});
}

// ---------------------------------------------------------------- tasks

ApiResult<Task> Engine::build_task(const store::TaskRow& row) {
  Task t;
  t.task_id = row.task_id;
  t.context_id = row.context_id;
  t.status = static_cast<S>(row.status);
  t.target_skill_id = row.target_skill_id;
  t.originator_peer_id = row.originator_peer_id;
  t.created_at = timestamp_from_unix_ns(row.created_at_ns);
  t.updated_at = timestamp_from_unix_ns(row.updated_at_ns);
  auto items = store_.tasks->items(row.task_id);
  if (!items) return internal_error(items.error());
  for (auto& it : *items) {
    if (it.kind == store::ItemKind::message) {
      if (!t.messages.emplace_back().decode(it.body)) t.messages.pop_back();
    } else if (it.kind == store::ItemKind::artifact) {
      if (!t.artifacts.emplace_back().decode(it.body)) t.artifacts.pop_back();
    }
  }
  return t;
}

bool Engine::runs_here(const store::TaskRow& row) const {
  return row.originator_peer_id != kLocalOriginator || row.remote_peer_id == self_text_;
}

void Engine::send_task(SendTaskArgs a, Reply<Task> reply) {
  if (a.peer_id.empty()) return reply(invalid("peer_id is required"));
  auto pid = parse_peer(a.peer_id);
  if (!pid) return reply(invalid("invalid peer_id: " + pid.what()));
  if (auto c = check_len("context_id", a.context_id); !c) return reply(c.error());
  if (auto c = check_len("target_skill_id", a.target_skill_id); !c) return reply(c.error());
  const int64_t t = unix_now();
  const bool local = *pid == cfg_.self;
  store::TaskRow row{new_id(), a.context_id, static_cast<int32_t>(S::TASK_STATUS_SUBMITTED), a.target_skill_id,
                     std::string(kLocalOriginator), pid->to_base58(), t, t, !local};
  net::Bytes env_bytes;
  std::string env_id;
  if (!local) {
    Envelope e = make_envelope(ET::ENVELOPE_TYPE_SEND_TASK);
    auto& p = e.mutable_send_task();
    p.task_id = row.task_id;
    p.context_id = a.context_id;
    p.message = a.message;
    p.target_skill_id = a.target_skill_id;
    if (auto it = a.metadata.find("traceparent"); it != a.metadata.end()) e.trace_parent = it->second;
    if (auto it = a.metadata.find("tracestate"); it != a.metadata.end()) e.trace_state = it->second;
    auto b = prepare_tracked(*pid, e);
    if (!b) return reply(b.error());
    env_bytes = b.take();
    env_id = e.envelope_id;
  }
  if (auto st = store_.tasks->insert(row); !st) {
    poison(st.error());
    return reply(internal_error(st.error()));
  }
  metrics::task_status(true, S::TASK_STATUS_SUBMITTED);
  if (auto st = store_items(row.task_id, &a.message, nullptr); !st) return reply(internal_error(st.error()));
  if (local) {
    stage_incoming(row, &a.message);
  } else if (auto st = enqueue_tracked(*pid, env_id, std::move(env_bytes)); !st) {
    return reply(internal_error(st.error()));
  }
  reply_submitted(row, std::move(a.message), t, std::move(reply));
}

ApiResult<Task> Engine::get_task(std::string_view task_id) {
  if (task_id.empty()) return invalid("task_id is required");
  auto row = store_.tasks->find(task_id);
  if (!row) return internal_error(row.error());
  if (!*row) return ApiError{ApiCode::not_found, "task not found: " + std::string(task_id)};
  return build_task(**row);
}

std::optional<std::string> Engine::originator_of_remote(const store::TaskRow& row) const {
  if (row.originator_peer_id != kLocalOriginator) return row.originator_peer_id;
  if (!row.remote_peer_id.empty() && row.remote_peer_id != self_text_) return row.remote_peer_id;
  return std::nullopt;
}

void Engine::cancel_task(std::string_view task_id_v, Reply<Task> reply) {
  if (task_id_v.empty()) return reply(invalid("task_id is required"));
  std::string task_id(task_id_v);
  auto found = store_.tasks->find(task_id);
  if (!found) return reply(internal_error(found.error()));
  if (!*found) return reply(ApiError{ApiCode::not_found, "task not found: " + task_id});
  store::TaskRow row = std::move(**found);
  std::string err = transition_error(task_id, static_cast<S>(row.status), S::TASK_STATUS_CANCELED);
  if (!err.empty()) return reply(ApiError{ApiCode::failed_precondition, err});
  // The other side: the agent's daemon for a task we sent, the originator
  // for one we run; nobody for a task sent to ourselves.
  std::optional<p2p::PeerId> other;
  net::Bytes bytes;
  std::string env_id;
  if (auto o = originator_of_remote(row)) {
    auto pid = parse_peer(*o);
    if (pid) {
      Envelope e = make_envelope(ET::ENVELOPE_TYPE_TASK_CANCEL);
      e.mutable_task_cancel().task_id = task_id;
      auto b = prepare_tracked(*pid, e);
      if (!b) return reply(b.error());
      bytes = b.take();
      env_id = e.envelope_id;
      other = pid.take();
    }
  }
  if (auto st = write_status(task_id, S::TASK_STATUS_CANCELED); !st) {
    poison(st.error());
    return reply(internal_error(st.error()));
  }
  metrics::task_done(row.originator_peer_id == kLocalOriginator && row.remote_peer_id != self_text_,
                     S::TASK_STATUS_CANCELED, static_cast<double>(unix_now() - row.created_at_ns) / 1e9);
  if (other)
    if (auto st = enqueue_tracked(*other, env_id, std::move(bytes)); !st) return reply(internal_error(st.error()));
  stage_update(task_id, S::TASK_STATUS_CANCELED, nullptr, nullptr);
  after_commit([this, task_id, reply = std::move(reply)](const ApiError* e) mutable {
    if (e) return reply(*e);
    reply(get_task(task_id));
  });
}

ApiStatus Engine::check_local_change(std::string_view task_id, TaskStatus to, store::TaskRow& row) {
  if (task_id.empty()) return invalid("task_id is required");
  auto found = store_.tasks->find(task_id);
  if (!found) return internal_error(found.error());
  // The original answered FAILED_PRECONDITION here too (its engine error).
  if (!*found) return ApiError{ApiCode::failed_precondition, "task not found: " + std::string(task_id)};
  row = std::move(**found);
  if (!runs_here(row))
    return ApiError{ApiCode::failed_precondition,
                    "task " + row.task_id + " runs on peer " + row.remote_peer_id + ": its status comes from there"};
  std::string err = transition_error(task_id, static_cast<S>(row.status), to);
  if (!err.empty()) return ApiError{ApiCode::failed_precondition, err};
  return {};
}

void Engine::agent_change(std::string_view task_id, TaskStatus to, std::optional<Message> message,
                          std::vector<Artifact> artifacts, std::string error_message, ET type, Reply<void> reply) {
  store::TaskRow row;
  if (auto c = check_local_change(task_id, to, row); !c) return reply(c.error());
  std::optional<p2p::PeerId> orig;
  net::Bytes bytes;
  std::string env_id;
  if (row.originator_peer_id != kLocalOriginator) {
    auto pid = parse_peer(row.originator_peer_id);
    if (!pid) return reply(ApiError{ApiCode::internal, "stored originator is not a peer id: " + pid.what()});
    Envelope e = make_envelope(type);
    switch (type) {
      case ET::ENVELOPE_TYPE_TASK_STATUS_UPDATE: {
        auto& p = e.mutable_task_status_update();
        p.task_id = row.task_id;
        p.status = to;
        p.message = message;
        break;
      }
      case ET::ENVELOPE_TYPE_TASK_COMPLETE: {
        auto& p = e.mutable_task_complete();
        p.task_id = row.task_id;
        p.artifacts = artifacts;
        p.message = message;
        break;
      }
      default: {  // TASK_FAIL: error_message, message unset (as the original)
        auto& p = e.mutable_task_fail();
        p.task_id = row.task_id;
        p.error_message = error_message;
        break;
      }
    }
    auto b = prepare_tracked(*pid, e);
    if (!b) return reply(b.error());
    bytes = b.take();
    env_id = e.envelope_id;
    orig = pid.take();
  }
  if (!message && !error_message.empty()) message = error_message_as_message(error_message);
  if (auto st = write_status(row.task_id, to); !st) {
    poison(st.error());
    return reply(internal_error(st.error()));
  }
  if (is_terminal(to))
    metrics::task_done(row.originator_peer_id == kLocalOriginator && row.remote_peer_id != self_text_, to,
                       static_cast<double>(unix_now() - row.created_at_ns) / 1e9);
  const Message* mp = message ? &*message : nullptr;
  const std::vector<Artifact>* ap = artifacts.empty() ? nullptr : &artifacts;
  if (auto st = store_items(row.task_id, mp, ap); !st) return reply(internal_error(st.error()));
  if (orig)
    if (auto st = enqueue_tracked(*orig, env_id, std::move(bytes)); !st) return reply(internal_error(st.error()));
  stage_update(row.task_id, to, mp, ap);
  after_commit([reply = std::move(reply)](const ApiError* e) mutable {
    if (e) reply(*e);
    else reply(ApiStatus{});
  });
}

void Engine::update_status(std::string_view task_id, TaskStatus status, std::optional<Message> message,
                           Reply<void> reply) {
  agent_change(task_id, status, std::move(message), {}, {}, ET::ENVELOPE_TYPE_TASK_STATUS_UPDATE, std::move(reply));
}

void Engine::complete_task(std::string_view task_id, std::vector<Artifact> artifacts, std::optional<Message> message,
                           Reply<void> reply) {
  agent_change(task_id, S::TASK_STATUS_COMPLETED, std::move(message), std::move(artifacts), {},
               ET::ENVELOPE_TYPE_TASK_COMPLETE, std::move(reply));
}

void Engine::fail_task(std::string_view task_id, std::string error_message, Reply<void> reply) {
  agent_change(task_id, S::TASK_STATUS_FAILED, std::nullopt, {}, std::move(error_message),
               ET::ENVELOPE_TYPE_TASK_FAIL, std::move(reply));
}

net::Status Engine::store_items(const std::string& task_id, const Message* msg, const std::vector<Artifact>* arts) {
  size_t add = 0;
  if (msg) add += msg->encoded_size();
  if (arts)
    for (const auto& a : *arts) add += a.encoded_size();
  if (add == 0 && !msg && !arts) return {};
  auto have = store_.tasks->items_len(task_id);
  if (!have) {
    poison(have.error());
    return have.take_error();
  }
  if (static_cast<uint64_t>(*have) + add > kMaxTaskItemsLen) {
    // The status still changes; the content beyond the bound is not kept.
    AAC_LOG(cfg_.log, warn, "a2a", "task content over the limit; not stored",
            {{"task", task_id}, {"bytes", static_cast<unsigned long long>(add)}});
    return {};
  }
  if (msg) {
    if (auto st = store_.tasks->add_item(task_id, store::ItemKind::message, msg->encode()); !st) {
      poison(st.error());
      return st;
    }
  }
  if (arts)
    for (const auto& a : *arts)
      if (auto st = store_.tasks->add_item(task_id, store::ItemKind::artifact, a.encode()); !st) {
        poison(st.error());
        return st;
      }
  return {};
}

void Engine::stage_update(const std::string& task_id, TaskStatus st, const Message* msg,
                          const std::vector<Artifact>* arts) {
  auto ev = std::make_shared<TaskUpdate>();
  ev->task_id = task_id;
  ev->status = st;
  if (msg) ev->message = *msg;
  if (arts) ev->artifacts = *arts;
  staged_updates_.emplace_back(task_id, std::move(ev));
}

void Engine::stage_incoming(const store::TaskRow& row, const Message* msg) {
  auto ev = std::make_shared<IncomingTask>();
  Task& t = ev->task.emplace();
  t.task_id = row.task_id;
  t.context_id = row.context_id;
  t.status = static_cast<S>(row.status);
  if (msg) t.messages.push_back(*msg);
  t.created_at = timestamp_from_unix_ns(row.created_at_ns);
  t.updated_at = timestamp_from_unix_ns(row.updated_at_ns);
  t.target_skill_id = row.target_skill_id;
  const bool local = row.originator_peer_id == kLocalOriginator;
  t.originator_peer_id = local ? self_text_ : row.originator_peer_id;
  if (local) {
    if (card_) ev->sender_card = *card_;
  } else if (auto c = store_.cards->peer(row.originator_peer_id); c && *c) {
    AgentCard card;
    if (card.decode(**c)) ev->sender_card = std::move(card);
  }
  staged_incoming_.push_back(std::move(ev));
}

void Engine::mark_dispatched(const std::string& task_id) {
  if (dispatched_.size() < cfg_.limits.dispatched_in_memory) {
    dispatched_.insert(task_id);
    return;
  }
  if (auto st = store_.tasks->set_dispatched(task_id); !st) poison(st.error());
}

bool Engine::dispatched(std::string_view task_id) const { return dispatched_.count(task_id) > 0; }

net::Status Engine::write_status(const std::string& task_id, TaskStatus to) {
  auto it = dispatched_.find(task_id);
  const bool mark = it != dispatched_.end();
  auto st = store_.tasks->set_status(task_id, static_cast<int32_t>(to), unix_now(), mark);
  if (st && mark) dispatched_.erase(it);
  return st;
}

// ---------------------------------------------------------------- cards

void Engine::set_card(AgentCard card, Reply<AgentCard> reply) {
  auto& ext = card.p2p_extension ? *card.p2p_extension : card.p2p_extension.emplace();
  ext.peer_id = self_text_;
  if (auto d = did_key_from_peer_id(cfg_.self)) ext.did_key = d.take();
  net::Bytes b = card.encode();
  if (b.size() > kMaxCardLen)
    return reply(invalid("card of " + std::to_string(b.size()) + " bytes exceeds " + std::to_string(kMaxCardLen)));
  if (auto st = store_.cards->put_self(b); !st) {
    poison(st.error());
    return reply(internal_error(st.error()));
  }
  card_ = card;
  card_changed_ = true;
  after_commit([reply = std::move(reply), card = std::move(card)](const ApiError* e) mutable {
    if (e) reply(*e);
    else reply(std::move(card));
  });
}

ApiResult<AgentCard> Engine::peer_card(std::string_view peer_id) {
  if (peer_id.empty()) return invalid("peer_id is required");
  auto pid = parse_peer(peer_id);
  if (!pid) return invalid("invalid peer_id: " + pid.what());
  if (*pid == cfg_.self && card_) return *card_;
  auto c = store_.cards->peer(pid->to_base58());
  if (!c) return internal_error(c.error());
  AgentCard card;
  if (!*c || !card.decode(**c)) return ApiError{ApiCode::not_found, "no card for peer " + std::string(peer_id)};
  return card;
}

void Engine::on_card_received(const p2p::PeerId& peer, const AgentCard& card) {
  if (auto st = store_.cards->put_peer(peer.to_base58(), card.encode(), unix_now()); !st) poison(st.error());
}

// The new task as SendTask answers it, once the turn committed.
void Engine::reply_submitted(const store::TaskRow& row, Message message, int64_t t, Reply<Task> reply) {
  Task task;
  task.task_id = row.task_id;
  task.context_id = row.context_id;
  task.status = S::TASK_STATUS_SUBMITTED;
  task.messages.push_back(std::move(message));
  task.created_at = timestamp_from_unix_ns(t);
  task.updated_at = task.created_at;
  task.target_skill_id = row.target_skill_id;
  task.originator_peer_id = row.originator_peer_id;
  after_commit([reply = std::move(reply), task = std::move(task)](const ApiError* err) mutable {
    if (err) reply(*err);
    else reply(std::move(task));
  });
}

// ---------------------------------------------------------------- group commit

bool Engine::has_pending() const {
  return poisoned_ || store_.batch.open() || !after_commit_.empty() || !pending_acks_.empty() ||
         !pending_untracked_.empty() || !pump_peers_.empty() || !staged_updates_.empty() ||
         !staged_incoming_.empty() || !staged_resume_.empty() || card_changed_;
}

void Engine::flush() {
  metrics::offline_queue(outbox_.size());
  // Replies and subscribers may call back into the engine; their work is
  // picked up by the next round (bounded: the loop calls flush every turn).
  for (int round = 0; round < 8 && has_pending(); ++round) {
    net::Status st;
    if (poisoned_) {
      store_.batch.rollback();
      st = poison_;
      poisoned_ = false;
    } else if (store_.batch.open()) {
      st = store_.batch.commit();
      if (st) ++stats_.commits;
    }
    std::vector<AfterCommit> after;
    after.swap(after_commit_);
    if (!st) {
      ++stats_.commit_failures;
      AAC_LOG(cfg_.log, error, "a2a", "commit failed; the turn is rolled back", {{"error", st.what()}});
      ApiError err = internal_error(st.error());
      pending_acks_.clear();
      pending_untracked_.clear();
      staged_updates_.clear();
      staged_incoming_.clear();
      pump_peers_.clear();
      card_changed_ = false;
      if (auto r = load(); !r)
        AAC_LOG(cfg_.log, error, "a2a", "reloading the engine state failed", {{"error", r.what()}});
      for (auto& f : after) f(&err);
      continue;
    }
    for (auto& f : after) f(nullptr);
    give_back(after, after_commit_);
    publish_staged();
    std::vector<SubId> resumes;
    resumes.swap(staged_resume_);
    for (SubId id : resumes) resume(id);
    std::vector<std::pair<p2p::PeerId, std::string>> acks;
    acks.swap(pending_acks_);
    for (auto& [peer, id] : acks) {
      Envelope e = make_envelope(ET::ENVELOPE_TYPE_ACK);
      e.mutable_ack().acknowledged_envelope_id = id;
      ++stats_.acks_sent;
      transport_.send_envelope(peer, e.encode(), 0);
    }
    give_back(acks, pending_acks_);
    std::vector<std::pair<p2p::PeerId, net::Bytes>> untracked;
    untracked.swap(pending_untracked_);
    for (auto& [peer, b] : untracked) transport_.send_envelope(peer, std::move(b), 0);
    give_back(untracked, pending_untracked_);
    std::set<std::string> pumps;
    pumps.swap(pump_peers_);
    for (const auto& p : pumps) pump(p);
    fresh_.clear();
    if (card_changed_) {
      card_changed_ = false;
      transport_.card_changed();
    }
  }
}

void Engine::shutdown() {
  ApiError bye{ApiCode::unavailable, "daemon is shutting down"};
  updates_.end_all(bye);
  incoming_.end_all(bye);
  streams_.end_all(bye);
  std::vector<PendingGet> gets;
  gets.swap(gets_);
  for (auto& g : gets) g.reply(bye);
  std::vector<WriterId> ws;
  for (auto& [id, w] : writers_) ws.push_back(id);
  for (WriterId id : ws) close_artifact_writer(id, true);
  flush();
}

std::vector<p2p::PeerId> Engine::peers_with_queue() const {
  std::vector<p2p::PeerId> out;
  for (const auto& [k, ps] : peers_)
    if (outbox_.peer_count(k) > 0) out.push_back(ps.id);
  return out;
}

}  // namespace a2a
