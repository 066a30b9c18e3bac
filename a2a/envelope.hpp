// a2a/envelope.hpp — A2AEnvelope helpers: decoding with limits and the
// checks the engine relies on, ids, timestamps (upstream.md §1.3, §3.4).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "proto/agentanycast/v1/a2a_models.pb.hpp"

namespace a2a {

using Envelope = pb::agentanycast::v1::A2AEnvelope;
using EnvelopeType = pb::agentanycast::v1::EnvelopeType;
using Timestamp = pb::google::protobuf::Timestamp;

// "SEND_TASK", "ACK", ... ("UNSPECIFIED" for 0, "TYPE_<n>" for unknown).
std::string envelope_type_name(EnvelopeType t);

// Tracked types are ACKed by the receiver, retried by the sender and
// de-duplicated (SEND_TASK .. TASK_CANCEL: what the original's AckTracker
// tracks, plus TASK_CANCEL, which it never sent).
bool is_tracked_type(EnvelopeType t);
bool is_stream_type(EnvelopeType t);

// RFC 4122 version 4 text ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") from 16
// random bytes.
std::string uuid_v4(std::span<const uint8_t, 16> random);
// RFC 9562 §5.7 UUIDv7: 48 bits of unix milliseconds, then (method 3 of
// §6.2) 12 bits of the sub-millisecond fraction, then 62 random bits. The
// ids the engine makes (task and envelope ids) are v7 so that they sort by
// creation time: the store's indexes on them (tasks, offline queue, dedup)
// then append near their right edge instead of dirtying a random page per
// insert, and each commit writes a few pages, not one per row. To every
// peer they are opaque UUID strings, as v4 ids are.
std::string uuid_v7(int64_t unix_ns, std::span<const uint8_t, 16> random);

Timestamp timestamp_from_unix_ns(int64_t ns);
int64_t unix_ns_from_timestamp(const Timestamp& t);

// Decodes an envelope received from a peer and checks what the engine
// relies on; Err::proto with the reason:
//   "envelope: <protobuf error>"
//   "envelope: type SEND_TASK carries payload task_fail"
//   "envelope: envelope_id of 300 bytes exceeds 256"
//   "envelope: task_id of 300 bytes exceeds 256"
// An unknown type (12+) or UNSPECIFIED decodes fine: the caller ignores it.
net::Status decode_envelope(net::BytesView bytes, Envelope& out);

// The envelope as one a2a frame (frame.hpp: 4-byte length, then the
// protobuf), encoded in place: an artifact chunk is copied once, not again
// to put the length in front.
net::Bytes encode_framed(const Envelope& e);

// The payload case a type must carry (PayloadCase::none for unknown types).
Envelope::PayloadCase payload_case_for(EnvelopeType t);

// The task_id an envelope refers to ("" for ACK and unknown types).
std::string_view envelope_task_id(const Envelope& e);

}  // namespace a2a
