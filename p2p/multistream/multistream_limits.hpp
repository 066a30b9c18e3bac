// p2p/multistream/multistream_limits.hpp — every constant and limit of
// multistream-select 1.0.0. Sources: specs.md §3 (multiformats/
// multistream-select README, libp2p/specs connections/), hardening.md row 15,
// go-multistream (1024-byte messages). "spec" marks values the spec fixes;
// "impl" marks what go/rust/js do; "ours" marks our policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"

namespace p2p::multistream {

inline constexpr std::string_view kProtocolId = "/multistream/1.0.0";  // spec: the header line
inline constexpr std::string_view kNa = "na";                          // spec: reject
inline constexpr std::string_view kLs = "ls";                          // spec: list request (legacy)

// impl (go-multistream lpReadBuf, js MAX_PROTOCOL_LENGTH): a message whose
// length prefix (which counts the trailing '\n') exceeds 1024 is refused
// before its body is read.
inline constexpr size_t kMaxMessageLen = 1024;
// So a protocol id may have at most 1023 bytes (its message adds '\n').
inline constexpr size_t kMaxProtocolIdLen = kMaxMessageLen - 1;
// A length prefix up to 1024 needs 2 uvarint bytes; a longer prefix is
// refused as soon as it is complete, so at most this many bytes are buffered.
inline constexpr size_t kMaxBufferedLen = 2 + kMaxMessageLen;

// ours (hardening.md row 15: "endless ls / na loops"): a responder answers at
// most this many proposals or `ls` requests on one stream; an initiator
// proposes at most this many protocols.
inline constexpr size_t kMaxRounds = 16;

// ours = go basichost DefaultNegotiationTimeout / js protocol negotiation
// timeout: the whole negotiation must end within this after the core starts.
inline constexpr uint64_t kNegotiationTimeoutNs = 10 * net::kSecond;

}  // namespace p2p::multistream
