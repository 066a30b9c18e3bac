// p2p/yamux/yamux_limits.hpp — every constant and limit of yamux. Sources:
// specs.md §5 (hashicorp/yamux spec.md, libp2p/specs yamux/README.md),
// hardening.md (§1 go/rust/js yamux defaults, rows 1, 2, 6, 10), DESIGN.md
// §Limits. "spec" marks values the spec fixes; "impl" what go/rust/js do;
// "ours" our policy. Limits holds the runtime-tunable ones, these as defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"

namespace p2p::yamux {

inline constexpr std::string_view kProtocolId = "/yamux/1.0.0";  // spec
inline constexpr uint8_t kVersion = 0;                           // spec
inline constexpr size_t kHeaderLen = 12;                         // spec

// GoAway codes (spec).
inline constexpr uint32_t kGoAwayNormal = 0;
inline constexpr uint32_t kGoAwayProtocolError = 1;
inline constexpr uint32_t kGoAwayInternalError = 2;

// spec: every stream starts with this window in both directions.
inline constexpr uint32_t kInitialWindow = 256 * 1024;
// impl (go MaxStreamWindowSize, js maxStreamWindowSize) = ours: a receive
// window grows (doubling, RTT-driven) up to this. Also the largest DATA frame
// we accept from anyone: no window of ours is ever larger.
inline constexpr uint32_t kMaxStreamWindow = 16 * 1024 * 1024;
// ours (= go-libp2p's per-connection memory scope, 32 MiB; rust caps the same
// sum with max_connection_receive_window): windows grow only while the sum of
// all stream receive windows of the session stays within this. The initial
// 256 KiB of each stream is always granted (the spec promises it).
inline constexpr uint64_t kMaxSessionWindow = 32 * 1024 * 1024;
// impl (go): grow the window when the previous update went out less than
// this many RTTs ago (rust uses 2).
inline constexpr uint32_t kWindowGrowthRtts = 4;

// ours (= rust-yamux max_num_streams, hardening.md proposal): a SYN beyond
// this many open inbound streams gets a RST; the session goes on.
inline constexpr size_t kMaxInboundStreams = 512;
// ours (js maxOutboundStreams 1000): open_stream() fails past this.
inline constexpr size_t kMaxOutboundStreams = 1024;
// spec (libp2p addition, SHOULD): at most 256 outbound streams awaiting ACK.
inline constexpr size_t kMaxAckBacklog = 256;

// ours: the largest DATA payload we emit. Measured with
// test/bench/yamux_core_bench (two cores in memory, 1 GiB on one stream):
// 16 KiB 4.1-5.0 GiB/s, 32 KiB 3.7-4.1, 65507 (header + payload = one full
// Noise message of 65519 plaintext bytes) 2.4-2.8, 64 KiB 2.7: the two copies
// per byte (write -> output, feed -> stream buffer) stay in L1/L2 with small
// frames, and the 12-byte header costs 0.07 %. Noise chunks our output into
// 65519-byte messages whatever the frame size, so frames need not align with
// them. Same as rust-yamux split_send_size; go/js emit up to 64 KiB.
inline constexpr uint32_t kMaxFramePayload = 16 * 1024;

// ours: write() accepts application bytes only while the session's pending
// output (frames not yet taken by the driver) stays under this; the rest
// waits for a StreamWritable event. The core never buffers more than that.
inline constexpr size_t kMaxOutputBuffered = 256 * 1024;
// ours: room beyond kMaxOutputBuffered for control frames (ACK, FIN, RST,
// window updates, ping replies). A peer that stops reading while making us
// answer fills it; crossing it ends the session (hardening.md row 10).
inline constexpr size_t kMaxControlBuffered = 64 * 1024;

// impl (go/js KeepAliveInterval, go MeasureRTTInterval): a ping every 30 s,
// which also measures the RTT used for window growth.
inline constexpr uint64_t kKeepAliveIntervalNs = 30 * net::kSecond;
// impl (go ConnectionWriteTimeout): no answer to a ping within 10 s ends the
// session (Err::timeout).
inline constexpr uint64_t kPingTimeoutNs = 10 * net::kSecond;

// ours (hardening.md row 10, HTTP/2 CVE-2019-9512/9514/9518, CVE-2023-44487):
// frames that cost us work but carry no data and no window credit — ping
// requests, unsolicited ping replies, empty DATA/WINDOW_UPDATE frames without
// flags, RSTs and refused SYNs from the peer, repeated GoAways — draw from a token bucket of
// this burst, refilled at this rate. An empty bucket ends the session with
// GoAway protocol error.
inline constexpr uint32_t kControlFrameBurst = 1000;
inline constexpr uint32_t kControlFramesPerSecond = 100;

struct Limits {
  uint32_t max_stream_window = kMaxStreamWindow;
  uint64_t max_session_window = kMaxSessionWindow;
  size_t max_inbound_streams = kMaxInboundStreams;
  size_t max_outbound_streams = kMaxOutboundStreams;
  size_t max_ack_backlog = kMaxAckBacklog;
  uint32_t max_frame_payload = kMaxFramePayload;
  size_t max_output_buffered = kMaxOutputBuffered;
  size_t max_control_buffered = kMaxControlBuffered;
  bool keepalive = true;  // ping at start (RTT) and every keepalive_interval_ns
  uint64_t keepalive_interval_ns = kKeepAliveIntervalNs;
  uint64_t ping_timeout_ns = kPingTimeoutNs;
  uint32_t control_frame_burst = kControlFrameBurst;
  uint32_t control_frames_per_second = kControlFramesPerSecond;
};

// ours: events waiting for poll_event(); each stream has at most a few
// pending at a time, so this is only crossed by an application that stopped
// polling (the session then ends with GoAway internal error).
inline constexpr size_t max_pending_events(const Limits& l) {
  return 4 * (l.max_inbound_streams + l.max_outbound_streams) + 64;
}

}  // namespace p2p::yamux
