// p2p/identify/identify_limits.hpp — every constant and limit of identify
// and identify push. Sources: specs.md §6 (libp2p/specs identify/README.md),
// go-libp2p p2p/protocol/identify/id.go (0d90292), rust-libp2p
// protocols/identify/src/protocol.rs (6348a0b), js @libp2p/identify 4.1.14
// (consts.js, utils.js), hardening.md rows 5 and 7. "spec" marks values the
// spec fixes; "impl" what go/rust/js do; "ours" our policy. Limits holds the
// runtime-tunable ones, these as defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"
#include "p2p/multistream/multistream_limits.hpp"

namespace p2p::identify {

inline constexpr std::string_view kProtocolId = "/ipfs/id/1.0.0";           // spec
inline constexpr std::string_view kPushProtocolId = "/ipfs/id/push/1.0.0";  // spec
// spec: "the current protocol version is ipfs/0.1.0" (go LibP2PVersion, js
// PROTOCOL_VERSION; both still send it).
inline constexpr std::string_view kProtocolVersion = "ipfs/0.1.0";
// ours: agentVersion is "agentanycastd/<version>" (see default_agent_version()).
inline constexpr std::string_view kAgentName = "agentanycastd";

// impl (go signedIDSize, js MAX_IDENTIFY_MESSAGE_SIZE): each length-prefixed
// message we read is at most 8 KiB, refused as soon as its prefix is read.
// (go's 2 KiB legacyIDSize is only the size above which go's *writer* moves
// the signed record into a second message; go, js and we read every message
// with the 8 KiB limit.)
inline constexpr size_t kMaxMessageLen = 8 * 1024;
// impl (go maxMessages, js MAX_IDENTIFY_MESSAGES): messages merged from one
// stream; an 11th is an error (go "too many parts").
inline constexpr size_t kMaxMessages = 10;

// impl (go maxOwnIdentifyMsgSize, rust MAX_MESSAGE_SIZE_BYTES): the one
// message we send is at most 4 KiB, because rust reads exactly one message
// of at most 4096 bytes. Our addresses are dropped (lowest value first)
// rather than exceed it.
inline constexpr size_t kMaxOwnMessageLen = 4 * 1024;
// impl (go updateSnapshot "256 bytes of buffer"): room kept in that budget
// for the per-connection observedAddr. An observed address that does not fit
// is left out of the message.
inline constexpr size_t kObservedAddrReserve = 256;

// ours (= go peerstore MaxAddrsPerPeer 64): listen addresses kept from one
// identify; the rest are dropped and counted (hardening.md row 5).
inline constexpr size_t kMaxListenAddrs = 64;
// ours (go 0.49 maxPeerProtocols is 1024, hardening.md row 7): protocols
// kept from one identify; the rest are dropped and counted.
inline constexpr size_t kMaxProtocols = 256;
// spec-derived: a protocol id we could never negotiate (multistream lines
// are at most 1024 bytes with their '\n') is skipped.
inline constexpr size_t kMaxProtocolIdLen = multistream::kMaxProtocolIdLen;

// ours (go DefaultTimeout and js timeout are 5 s; go's StreamReadTimeout was
// 60 s): the whole answer must arrive within this after the stream opens.
inline constexpr uint64_t kTimeoutNs = 10 * net::kSecond;

struct Limits {
  size_t max_message_len = kMaxMessageLen;
  size_t max_messages = kMaxMessages;
  size_t max_listen_addrs = kMaxListenAddrs;
  size_t max_protocols = kMaxProtocols;
  uint64_t timeout_ns = kTimeoutNs;
};

}  // namespace p2p::identify
