// a2a/engine.hpp — the A2A task engine: the task model and state machine,
// the envelope protocol between daemons (upstream.md §3), durable tasks,
// the outbox / offline queue, subscriptions and artifact streaming. The API
// the frontends (gRPC NodeService, HTTP bridge, MCP) are written against.
//
// Shape. The engine owns no socket and no timer: the network is a Transport
// (P2pBinding over p2p::Host; fakes in tests), time comes from a Clock, and
// the driver calls flush() once per loop turn (before sleeping), on_timeout()
// at next_deadline(), and the on_* methods for what the network delivers.
// Everything runs on the loop thread.
//
// Durability (group commit). Every write of a loop turn goes into one sqlite
// transaction. Nothing leaves the engine before the transaction that
// produced it committed: flush() commits, and only then runs the replies of
// that turn (SendTask's response, CompleteTask's ...), sends the ACKs of
// the envelopes received in that turn, sends the new envelopes and hands the
// new events to subscribers. So a task whose SendTask response or ACK went
// out survives kill -9, and throughput does not pay one fsync-free commit
// per task but one per turn. A failed commit rolls the turn back: its
// replies get INTERNAL, its ACKs are not sent (the peers retry), and the
// in-memory indexes are reloaded from the store.
//
// Replies. Calls that change state take a Reply<T> called exactly once:
// synchronously for a request refused before anything changed (invalid
// argument, unknown task, illegal transition, full queue), otherwise from
// flush() right after the commit. Queries (get_task, peer_card) answer
// directly.
//
// Envelope mapping (upstream.md §3.5), per side of a task:
//   client side (originator "local", remote_peer = the agent's daemon)
//     send_task      -> SEND_TASK{task_id, context_id, message, target_skill_id}
//     cancel_task    -> TASK_CANCEL{task_id}
//     <- TASK_STATUS_UPDATE / TASK_COMPLETE / TASK_FAIL / TASK_CANCEL from
//        remote_peer only: transition, store message/artifacts, notify
//   agent side (originator = the client's daemon)
//     <- SEND_TASK: task SUBMITTED with the sender's task_id, incoming event
//     update_status  -> TASK_STATUS_UPDATE{task_id, status, message}
//     complete_task  -> TASK_COMPLETE{task_id, artifacts, message}
//     fail_task      -> TASK_FAIL{task_id, error_message}
//     cancel_task    -> TASK_CANCEL{task_id} (the original sent TASK_FAIL
//                       "canceled by local node"; a Go originator maps
//                       TASK_CANCEL to CANCELED, so the client sees what
//                       happened)
//     <- TASK_CANCEL from the originator only: CANCELED, notify
//   local (send_task to our own peer id, upstream.md §11 item 12): one task
//     row, originator "local", remote_peer = us; delivered straight to the
//     local agents (no libp2p dial to ourselves); both sides see it.
//
// Reliability (upstream.md §3.4, §3.6). Tracked envelopes (SEND_TASK ..
// TASK_CANCEL) are written to the outbox when created, sent after the
// commit, retried 2 s, 6 s and 14 s after the send, and after 30 s without
// ACK left waiting in the outbox (the offline queue) — one row, never queued
// twice — until the peer connects again (flush on connect, after the card
// exchange), the periodic sweep, or their TTL. A send that cannot reach the
// peer (dial failure) leaves the envelope queued and the RPC still succeeds
// with the task SUBMITTED: the original answered INTERNAL while also
// queueing, so the Python SDK retried and the peer got the task twice.
// Received tracked envelopes are de-duplicated over the last 1024 (sender,
// envelope id) pairs — a window persisted with the task, so exactly once
// holds across a restart — and a duplicate is ACKed again (the original
// dropped it silently, so a lost ACK made the sender retry for 30 s and
// queue it) but not applied again. A SEND_TASK for a task id we already hold
// from that sender is a duplicate too.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "a2a/a2a_limits.hpp"
#include "a2a/ack_tracker.hpp"
#include "a2a/api_status.hpp"
#include "a2a/dedup.hpp"
#include "a2a/envelope.hpp"
#include "a2a/fanout.hpp"
#include "a2a/outbox.hpp"
#include "a2a/task_state.hpp"
#include "a2a/transport.hpp"
#include "net/log.hpp"
#include "net/small_function.hpp"
#include "net/text_map.hpp"
#include "p2p/peer_id.hpp"
#include "proto/agentanycast/v1/node_service.pb.hpp"
#include "store/a2a_store.hpp"

namespace a2a {

namespace v1 = pb::agentanycast::v1;
using Task = v1::Task;
using Message = v1::Message;
using Artifact = v1::Artifact;
using AgentCard = v1::AgentCard;
using TaskUpdate = v1::SubscribeTaskUpdatesResponse;      // {task_id, status, message, artifacts}
using IncomingTask = v1::SubscribeIncomingTasksResponse;  // {task, sender_card}
using StreamEvent = v1::SubscribeTaskStreamResponse;      // oneof start / chunk / end
using StreamRequest = v1::SendStreamingArtifactRequest;   // the same oneof, client side

template <class T>
using Reply = net::SmallFn<void(ApiResult<T>)>;

// Originator of the tasks our own clients send (upstream.md §1.4).
inline constexpr std::string_view kLocalOriginator = "local";

struct SendTaskArgs {
  std::string peer_id;  // base58 or CID text of the agent's daemon; ours = local delivery
  Message message;
  std::string context_id;       // carried (the original dropped it)
  std::string target_skill_id;  // carried (the original dropped it on direct sends)
  // "traceparent" / "tracestate" (W3C, as the Python SDK sets them) ride in
  // the envelope's trace_parent / trace_state; the rest is not sent.
  std::map<std::string, std::string> metadata;
};

struct EngineConfig {
  p2p::PeerId self;
  const Clock* clock = nullptr;  // required
  EngineLimits limits;
  // Random bytes for ids; default: crypto::random_public_bytes. Fuzzers seed their own.
  std::function<void(std::span<uint8_t>)> random;
  net::Log* log = nullptr;
};

struct EngineStats {
  uint64_t envelopes_in = 0;        // frames decoded
  uint64_t envelopes_bad = 0;       // undecodable / unknown type (not ACKed)
  uint64_t duplicates = 0;          // re-ACKed, not applied
  uint64_t rejected = 0;            // ACKed, not applied (wrong sender, illegal transition, unknown task)
  uint64_t acks_sent = 0;
  uint64_t acks_received = 0;
  uint64_t sent = 0;                // tracked envelopes sent (first sends and flushes)
  uint64_t retries = 0;
  uint64_t gave_up = 0;             // 30 s without ACK: left in the queue
  uint64_t send_failures = 0;
  uint64_t expired = 0;             // dropped by the TTL
  uint64_t commits = 0;
  uint64_t commit_failures = 0;
  uint64_t stream_events_dropped = 0;  // no subscriber
  uint64_t subscribers_ended = 0;   // RESOURCE_EXHAUSTED
};

class Engine {
 public:
  // Loads our card, the dedup window and the outbox index from the store.
  // Errors: Err::io from the store; Err::invalid without a clock or self.
  static net::Result<std::unique_ptr<Engine>> create(store::A2aStore& store, Transport& transport,
                                                     EngineConfig cfg);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ================= client side =================
  // SendTask by peer id. INVALID_ARGUMENT "peer_id is required",
  // "invalid peer_id: <why>", "context_id of 300 bytes exceeds 256", ...;
  // RESOURCE_EXHAUSTED when the peer's offline queue is full. The reply's
  // task: task_id (new UUID), context_id, SUBMITTED, messages = [message],
  // target_skill_id, originator "local", timestamps. Succeeds whether or not
  // the peer is reachable now (the envelope waits in the queue).
  void send_task(SendTaskArgs args, Reply<Task> reply);
  // The whole task: messages and artifacts included (the original returned
  // neither). INVALID_ARGUMENT "task_id is required"; NOT_FOUND
  // "task not found: <id>".
  ApiResult<Task> get_task(std::string_view task_id);
  // -> CANCELED, and TASK_CANCEL to the other side (the agent's daemon for a
  // task we sent, the originator for a task we run). NOT_FOUND for an
  // unknown task; FAILED_PRECONDITION for an illegal transition (nothing is
  // sent then). Replies with the whole task.
  void cancel_task(std::string_view task_id, Reply<Task> reply);
  // Asks the daemon on the other side of the task for its copy (GET_TASK);
  // UNAVAILABLE "peer <id> did not answer GET_TASK within 10 s" (a Go peer
  // never answers). Our copy is not changed.
  void fetch_remote_task(std::string_view task_id, Reply<Task> reply);

  // ================= routing by URL (engine_url.cpp) =================
  // The task of a SendTask{url}; frontends/a2a_client (UrlRouter) does the
  // HTTP side. Stored as send_task stores a task, originator "local", no
  // remote peer (nothing is queued for libp2p). Returns the new task id, or
  // "" when refused (the reply has run); else the reply follows the commit.
  std::string send_task_url(SendTaskArgs args, Reply<Task> reply);
  // The external agent's report on such a task, applied as a peer's
  // STATUS_UPDATE / COMPLETE / FAIL is (remote_transition_allowed; terminal
  // states from any non-terminal state): status, message and
  // artifacts stored, subscribers told after the commit. false: refused.
  bool apply_url_status(std::string_view task_id, TaskStatus to, const Message* msg,
                        const std::vector<Artifact>* arts);

  // ================= agent side =================
  // For tasks this daemon runs (received from a peer, or sent to ourselves).
  // FAILED_PRECONDITION with the state machine's message (task_state.hpp),
  // "task not found: <id>" (as the original: its engine error), or
  // "task <id> runs on peer <peer>: its status comes from there" for a task
  // we sent away.
  void update_status(std::string_view task_id, TaskStatus status, std::optional<Message> message,
                     Reply<void> reply);
  void complete_task(std::string_view task_id, std::vector<Artifact> artifacts, std::optional<Message> message,
                     Reply<void> reply);
  // The error text is also kept in the task as an agent message (the
  // original lost it) and given to update subscribers.
  void fail_task(std::string_view task_id, std::string error_message, Reply<void> reply);

  // ================= subscriptions =================
  // Updates of one task: every status change, with the message and
  // artifacts it carried. If the task already moved past SUBMITTED, the
  // first event is its current state (closes the race of a client that
  // subscribes after a fast agent finished). Never ends on its own (as the
  // original); RESOURCE_EXHAUSTED when the subscriber falls behind.
  // INVALID_ARGUMENT "task_id is required"; NOT_FOUND "task not found: <id>";
  // RESOURCE_EXHAUSTED "too many subscribers (4096)".
  ApiResult<SubId> subscribe_updates(std::string_view task_id, Sink<TaskUpdate> sink);
  // Every task that arrives for our agents (fan-out to all subscribers),
  // starting with those that arrived while no agent was subscribed.
  ApiResult<SubId> subscribe_incoming(Sink<IncomingTask> sink);
  // Streamed artifacts of one task (from the agent's daemon, or local).
  // Back-pressure reaches the producer; a subscriber stalled for 30 s is
  // ended with RESOURCE_EXHAUSTED. Events arriving with no subscriber are
  // dropped (as the original).
  ApiResult<SubId> subscribe_stream(std::string_view task_id, Sink<StreamEvent> sink);
  // The sink can take more (gRPC on_writable).
  void resume(SubId id);
  // The client went away. No callback follows.
  void unsubscribe(SubId id);
  // Claims incoming tasks before the subscribers see them (e.g. the MCP
  // proxy's skills): return true to take the task.
  using IncomingHandler = std::function<bool(const IncomingTask&)>;
  void set_incoming_handler(IncomingHandler h) { incoming_handler_ = std::move(h); }
  // Offers the tasks still waiting for an agent (arrived while nobody
  // listened, or not started before a restart) to the incoming handler
  // again: the MCP proxy calls it once it knows its tools, so tasks for
  // them that came earlier are claimed instead of waiting for a gRPC
  // agent. Returns how many were claimed.
  size_t reoffer_undispatched();

  // ================= artifact streaming (SendStreamingArtifact) =================
  // A writer carries STREAM_START, STREAM_CHUNK..., STREAM_END events (one
  // artifact at a time, several in sequence) to the task's client: over the
  // network when the task came from a peer, else to local subscribers.
  using WriterId = uint64_t;
  ApiResult<WriterId> open_artifact_writer(net::SmallFn<void()> on_writable);
  // ready: more welcome. blocked: taken; wait for on_writable before the next
  // write. full: NOT taken (written while blocked); write it again later.
  // INVALID_ARGUMENT "task_id is required", "stream chunk of N bytes exceeds
  // 4194304", "event is required"; FAILED_PRECONDITION "no active stream for
  // task <id>" (chunk/end without start), "artifact <id> of task <id> is
  // still open" (start while open); UNAVAILABLE "stream to peer <id> failed:
  // <why>". After an error the writer is closed.
  ApiResult<Flow> write_artifact(WriterId w, StreamRequest ev);
  // The client half-closed (aborted = cancelled: an open artifact ends with
  // reason CANCELED, else an open artifact ends with reason ERROR).
  void close_artifact_writer(WriterId w, bool aborted);

  // ================= cards =================
  // Forces p2p_extension.peer_id (our id) and did_key, persists it
  // ('card:self'), replies with the stored card, and pushes it to every
  // connected peer. INVALID_ARGUMENT "card of N bytes exceeds 1048576".
  void set_card(AgentCard card, Reply<AgentCard> reply);
  const std::optional<AgentCard>& card() const { return card_; }
  // INVALID_ARGUMENT "peer_id is required", "invalid peer_id: <why>";
  // NOT_FOUND "no card for peer <id>".
  ApiResult<AgentCard> peer_card(std::string_view peer_id);

  // ================= from the binding =================
  // One frame of inbound a2a stream `inbound_id` from `from`. Returns false
  // when the stream must pause (its artifact stream's subscribers are full):
  // the binding stops reading it until Transport::resume_inbound(inbound_id).
  bool on_frame(const p2p::PeerId& from, uint64_t inbound_id, net::BytesView envelope);
  // The inbound stream ended (clean = EOF at a frame boundary).
  void on_inbound_closed(uint64_t inbound_id, bool clean);
  void on_send_result(uint64_t token, const net::Status& st);
  // The peer connected and the card exchange finished (or failed): flush
  // its queue.
  void on_peer_connected(const p2p::PeerId& peer);
  void on_peer_disconnected(const p2p::PeerId& peer);
  // A card the binding received (decoded, checked).
  void on_card_received(const p2p::PeerId& peer, const AgentCard& card);
  void on_out_stream_writable(uint64_t id);
  void on_out_stream_closed(uint64_t id, const net::Error& why);

  // ================= driving =================
  void on_timeout();
  net::Instant next_deadline() const;
  // Commits the turn, then releases what waited for it (see the header).
  void flush();
  bool has_pending() const;
  // Ends every subscription (UNAVAILABLE "daemon is shutting down"), fails
  // pending replies, commits.
  void shutdown();

  // ================= introspection =================
  const EngineStats& stats() const { return stats_; }
  const p2p::PeerId& self() const { return cfg_.self; }
  size_t queued_for(const p2p::PeerId& peer) const { return outbox_.peer_count(key(peer)); }
  size_t queued_total() const { return outbox_.size(); }
  std::vector<p2p::PeerId> peers_with_queue() const;
  size_t subscriber_count() const { return updates_.size() + incoming_.size() + streams_.size(); }
  size_t stream_bytes_buffered() const { return streams_.queued_bytes(); }
  store::A2aStore& store() { return store_; }

 private:
  struct PeerState {
    p2p::PeerId id;
    net::Instant offline_until = 0;
  };
  struct PendingGet {
    std::string peer;  // key
    std::string task_id;
    net::Instant deadline;
    Reply<Task> reply;
  };
  struct Writer {
    net::SmallFn<void()> on_writable;
    std::string task_id, artifact_id;  // the open artifact ("" = none)
    bool open = false;
    bool remote = false;
    bool blocked = false;
    bool failed = false;
    std::string error;
    p2p::PeerId peer;
    uint64_t out_stream = 0;
  };
  struct Inbound {  // an inbound a2a stream carrying an artifact
    std::string peer;
    std::string task_id, artifact_id;
    bool open = false;
  };
  using AfterCommit = net::SmallFn<void(const ApiError*)>;

  Engine(store::A2aStore& s, Transport& t, EngineConfig cfg);
  net::Status load();

  static std::string key(const p2p::PeerId& p) { return std::string(net::as_chars(p.bytes())); }
  PeerState& peer_state(const p2p::PeerId& p);
  // PeerId::parse, remembered: each step of a task parses the same peers'
  // text ids (task rows, client requests), and base58 decoding is quadratic
  // in the text (1 % of the CPU on the task path).
  net::Result<p2p::PeerId> parse_peer(std::string_view text);
  template <class V>
  static void give_back(V& used, V& live);
  std::string new_id();
  int64_t unix_now() const { return cfg_.clock->unix_ns(); }
  net::Instant now() const { return cfg_.clock->now(); }
  void poison(const net::Error& e);
  void after_commit(AfterCommit f) { after_commit_.push_back(std::move(f)); }

  // tasks
  ApiResult<Task> build_task(const store::TaskRow& row);
  bool runs_here(const store::TaskRow& row) const;
  ApiStatus check_local_change(std::string_view task_id, TaskStatus to, store::TaskRow& row);
  net::Status store_items(const std::string& task_id, const Message* msg, const std::vector<Artifact>* arts);
  void stage_update(const std::string& task_id, TaskStatus st, const Message* msg,
                    const std::vector<Artifact>* arts);
  void stage_incoming(const store::TaskRow& row, const Message* msg);
  void agent_change(std::string_view task_id, TaskStatus to, std::optional<Message> message,
                    std::vector<Artifact> artifacts, std::string error_message, v1::EnvelopeType type,
                    Reply<void> reply);
  std::optional<std::string> originator_of_remote(const store::TaskRow& row) const;

  // envelopes out
  Envelope make_envelope(v1::EnvelopeType t);
  // Checks size and queue bounds; returns the encoded envelope.
  ApiResult<net::Bytes> prepare_tracked(const p2p::PeerId& to, const Envelope& e);
  net::Status enqueue_tracked(const p2p::PeerId& to, const std::string& envelope_id, net::Bytes bytes);
  void send_untracked(const p2p::PeerId& to, const Envelope& e);
  void pump(const std::string& peer_key);
  void give_up(const std::string& envelope_id);
  void sweep();

  // envelopes in
  void on_envelope(const p2p::PeerId& from, Envelope& e);
  void handle_send_task(const p2p::PeerId& from, Envelope& e);
  void handle_remote_status(const p2p::PeerId& from, Envelope& e);
  void handle_cancel(const p2p::PeerId& from, Envelope& e);
  void handle_ack(const p2p::PeerId& from, const Envelope& e);
  void handle_get_task(const p2p::PeerId& from, const Envelope& e);
  void handle_get_task_response(const p2p::PeerId& from, Envelope& e);
  bool handle_stream(const p2p::PeerId& from, uint64_t inbound_id, Envelope& e);

  // streams
  void publish_stream(const std::string& task_id, StreamEvent ev);
  void on_stream_room(const std::string& task_id);
  void fail_writer(Writer& w, std::string error);

  // publishing
  void publish_staged();
  void mark_dispatched(const std::string& task_id);
  // Every status change goes through here: it also writes a delivery that
  // so far lived only in dispatched_ (one UPDATE for both).
  net::Status write_status(const std::string& task_id, TaskStatus to);
  // Handed to an agent, still SUBMITTED, and not replayed again.
  bool dispatched(std::string_view task_id) const;
  // The IncomingTask event of a stored task (sender card attached).
  std::shared_ptr<IncomingTask> incoming_event(const store::TaskRow& row);
  // Arrived this turn: offered at the commit (publish_staged), not replayed.
  bool staged_incoming(const std::string& task_id) const;
  void reply_submitted(const store::TaskRow& row, Message message, int64_t t, Reply<Task> reply);

  store::A2aStore& store_;
  Transport& transport_;
  EngineConfig cfg_;
  std::string self_text_;
  std::optional<AgentCard> card_;

  DedupWindow dedup_;
  Outbox outbox_;
  AckTracker tracker_;
  std::unordered_map<std::string, PeerState> peers_;
  net::TextMap<p2p::PeerId> parsed_peers_;  // parse_peer's memory, bounded by kParsedPeerIds
  std::unordered_map<uint64_t, std::string> token_envelope_;  // tracked send -> envelope id
  uint64_t next_token_ = 1;
  std::unordered_map<std::string, net::Bytes> fresh_;  // envelopes created this turn
  // Incoming tasks handed to an agent whose `dispatched` column is not
  // written yet: it is written with the task's next status change (the
  // agent acting on a task changes its status, usually within a turn or
  // two), saving an UPDATE per task. Safe across a crash: at start every
  // task still SUBMITTED is offered again whatever the column says
  // (Engine::create). Bounded by limits.dispatched_in_memory; emptied by
  // load(), as the UPDATEs of a rolled-back turn were.
  std::set<std::string, std::less<>> dispatched_;
  net::Instant next_sweep_ = 0;

  // waiting for the commit
  std::vector<AfterCommit> after_commit_;
  std::vector<std::pair<p2p::PeerId, std::string>> pending_acks_;
  std::vector<std::pair<p2p::PeerId, net::Bytes>> pending_untracked_;
  std::set<std::string> pump_peers_;
  std::vector<std::pair<std::string, std::shared_ptr<const TaskUpdate>>> staged_updates_;
  std::vector<std::shared_ptr<const IncomingTask>> staged_incoming_;
  std::vector<SubId> staged_resume_;
  bool card_changed_ = false;
  bool poisoned_ = false;
  net::Error poison_;

  // subscriptions
  Fanout<TaskUpdate> updates_;
  Fanout<IncomingTask> incoming_;
  Fanout<StreamEvent> streams_;
  enum class SubKind : uint8_t { update, incoming, stream };
  std::unordered_map<SubId, SubKind> sub_kind_;
  SubId next_sub_ = 1;
  IncomingHandler incoming_handler_;

  // streaming
  std::unordered_map<WriterId, Writer> writers_;
  std::unordered_map<uint64_t, WriterId> out_stream_writer_;
  WriterId next_writer_ = 1;
  std::unordered_map<uint64_t, Inbound> inbound_;
  std::unordered_map<std::string, std::vector<uint64_t>> paused_inbound_;  // task -> inbound ids
  std::unordered_map<std::string, std::vector<WriterId>> blocked_writers_;  // task -> local writers

  std::vector<PendingGet> gets_;

  EngineStats stats_;
};

}  // namespace a2a
