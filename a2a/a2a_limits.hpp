// a2a/a2a_limits.hpp — every constant and limit of the A2A engine and its two
// libp2p protocols. "spec" = the original daemon's wire behaviour
// (upstream.md §3, node:internal/node/protocols.go, internal/a2a/*.go);
// "ours" = our policy (DESIGN.md §Limits). EngineLimits holds the
// runtime-tunable ones (tests shrink them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"

namespace a2a {

// ---- protocols (spec) ----
inline constexpr std::string_view kCardProtocol = "/agentanycast/card/1.0";
inline constexpr std::string_view kA2aProtocol = "/agentanycast/a2a/1.0";
// Frame = 4-byte big-endian length + protobuf payload; a payload of exactly
// kMaxFrameLen is accepted, one byte more is refused (Go: length > 16 MiB).
inline constexpr size_t kFrameHeaderLen = 4;
inline constexpr size_t kMaxFrameLen = 16 * 1024 * 1024;
// Card exchange: one frame each way within this time (spec: 5 s context).
inline constexpr uint64_t kCardExchangeTimeoutNs = 5 * net::kSecond;
// ours: an AgentCard larger than this is refused (the spec allows a 16 MiB
// frame; a card is names, skills and schemas — kilobytes).
inline constexpr size_t kMaxCardLen = 1024 * 1024;
// ours: an inbound a2a stream that delivers nothing for this long is reset
// (the original's older read deadline was 30 s).
inline constexpr uint64_t kStreamIdleTimeoutNs = 30 * net::kSecond;

// Peer ids the engine keeps parsed (text -> PeerId); when full it starts
// again from empty.
inline constexpr size_t kParsedPeerIds = 256;

// ---- reliability (spec) ----
// Receiver de-duplication window: the last 1024 non-ACK envelope ids.
inline constexpr size_t kDedupWindow = 1024;
// AckTracker: first retry 2 s after the send, then gaps doubling: retries
// at 2 s, 6 s, 14 s; at 30 s without ACK the envelope goes to the offline
// queue (waits for the peer to connect).
inline constexpr uint64_t kAckFirstRetryNs = 2 * net::kSecond;
inline constexpr uint32_t kAckMaxRetries = 3;
// Offline queue TTL default (config offline_queue_ttl; 0 = never expires).
inline constexpr uint64_t kDefaultOfflineQueueTtlNs = 24ull * 3600 * net::kSecond;

// ---- outbox / offline queue bounds (ours) ----
inline constexpr size_t kMaxQueuedPerPeer = 10000;          // envelopes not yet ACKed, per peer
inline constexpr size_t kMaxQueuedTotal = 100000;           // all peers
inline constexpr uint64_t kMaxQueuedBytesPerPeer = 256ull << 20;
inline constexpr uint64_t kMaxQueuedBytesTotal = 1ull << 30;
// Envelopes awaiting an ACK per peer at once; the rest wait in the queue and
// go out as ACKs arrive (a flush of 10 000 queued envelopes does not open
// 10 000 streams).
inline constexpr size_t kMaxInFlightPerPeer = 128;
// Queue housekeeping: TTL sweep, re-dial of peers with queued envelopes.
inline constexpr uint64_t kSweepIntervalNs = 60 * net::kSecond;
// After a failed dial, new envelopes for that peer are queued without
// dialing again for this long (connect events still flush at once).
inline constexpr uint64_t kOfflineBackoffNs = 30 * net::kSecond;

// ---- tasks (ours) ----
// Ids and short strings from clients and peers (task_id, context_id,
// target_skill_id, envelope_id, artifact_id).
inline constexpr size_t kMaxIdLen = 256;
// Messages + artifacts stored per task (bytes of their encodings).
inline constexpr uint64_t kMaxTaskItemsLen = 64ull << 20;
// Incoming tasks replayed to a new SubscribeIncomingTasks subscriber (those
// that arrived while no agent was subscribed).
inline constexpr size_t kMaxUndispatchedReplay = 1024;
// Incoming tasks handed to an agent but still SUBMITTED, remembered in memory
// instead of an UPDATE each (Engine::dispatched_); beyond this many the flag
// is written at once. Well under kMaxUndispatchedReplay, so a replay's query
// always has room for tasks that truly wait.
inline constexpr size_t kDispatchedInMemory = 256;

// ---- subscriptions (ours) ----
inline constexpr size_t kMaxSubscribers = 4096;               // all kinds together
inline constexpr size_t kMaxUpdateSubscribersPerTask = 64;
// A subscriber whose queue would exceed either bound is ended with
// RESOURCE_EXHAUSTED (never a silent hole). The byte bound exceeds one
// maximal event (a 16 MiB envelope's artifacts).
inline constexpr size_t kSubscriberQueueEvents = 256;
inline constexpr size_t kSubscriberQueueBytes = 48ull << 20;

// ---- artifact streaming (ours) ----
// Chunk events queued per stream subscriber before the producer is paused
// (back-pressure, not loss).
inline constexpr size_t kStreamSubscriberChunks = 16;
// ... or once this many bytes are queued (at most one chunk more gets in):
// 16 chunks of the largest size would hold 64 MiB per subscriber.
inline constexpr size_t kStreamSubscriberBytes = 4 * 1024 * 1024;
// A stream subscriber that stays full this long is ended with
// RESOURCE_EXHAUSTED so the others continue.
inline constexpr uint64_t kStreamStallTimeoutNs = 30 * net::kSecond;
// StreamChunk.data bytes. A chunk rides in one envelope and reaches the
// client as one SubscribeTaskStream message, which gRPC clients refuse above
// their default 4 MiB: 4 KiB are left for the ids and framing around the
// data (a chunk of exactly 4 MiB made a 4 194 357-byte message).
inline constexpr size_t kMaxChunkDataLen = 4 * 1024 * 1024 - 4 * 1024;
inline constexpr size_t kMaxArtifactStreams = 256;             // open at once
// Outbound frames buffered per outgoing artifact stream beyond what the
// libp2p stream accepted.
inline constexpr size_t kStreamOutBufferedFrames = 2;

// ---- GET_TASK (ours) ----
inline constexpr uint64_t kGetTaskTimeoutNs = 10 * net::kSecond;
inline constexpr size_t kMaxPendingGets = 256;

// ---- binding (ours) ----
// Envelope streams opened at once per peer; further sends wait in memory.
inline constexpr size_t kMaxSendStreamsPerPeer = 64;
inline constexpr size_t kMaxPendingSendsPerPeer = 4096;
// Bytes of partial inbound frames buffered, per peer and in total: a stream
// reserves its frame's declared length before buffering it, so a reader
// never waits on memory held by a frame that cannot complete.
inline constexpr size_t kMaxAssemblyPerPeer = 32ull << 20;
inline constexpr size_t kMaxAssemblyTotal = 256ull << 20;
// Peers re-dialed at start (most recently seen first), besides every peer
// with queued envelopes.
inline constexpr size_t kRedialOnStart = 32;

struct EngineLimits {
  uint64_t offline_queue_ttl_ns = kDefaultOfflineQueueTtlNs;  // 0 = never expires
  size_t max_queued_per_peer = kMaxQueuedPerPeer;
  size_t max_queued_total = kMaxQueuedTotal;
  uint64_t max_queued_bytes_per_peer = kMaxQueuedBytesPerPeer;
  uint64_t max_queued_bytes_total = kMaxQueuedBytesTotal;
  size_t max_in_flight_per_peer = kMaxInFlightPerPeer;
  size_t max_subscribers = kMaxSubscribers;
  size_t subscriber_queue_events = kSubscriberQueueEvents;
  size_t subscriber_queue_bytes = kSubscriberQueueBytes;
  size_t stream_subscriber_chunks = kStreamSubscriberChunks;
  size_t stream_subscriber_bytes = kStreamSubscriberBytes;
  uint64_t stream_stall_timeout_ns = kStreamStallTimeoutNs;
  size_t dedup_window = kDedupWindow;
  size_t dispatched_in_memory = kDispatchedInMemory;
  uint64_t sweep_interval_ns = kSweepIntervalNs;
};

}  // namespace a2a
