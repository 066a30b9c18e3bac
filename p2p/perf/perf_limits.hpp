// p2p/perf/perf_limits.hpp — every constant and limit of perf. Sources:
// specs.md §14 (libp2p/specs perf/perf.md r0), rust-libp2p protocols/perf.
// "spec" marks values the spec fixes; "impl" what go/rust/js do; "ours" our
// policy. The spec warns that perf lets clients make a server do work, so
// it SHOULD NOT be on by default (ours: enable_perf / -enable-perf).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"

namespace p2p::perf {

inline constexpr std::string_view kProtocolId = "/perf/1.0.0";  // spec
inline constexpr size_t kHeaderLen = 8;                         // spec: u64 big-endian
// spec: a timed download asks for 2^64-1 bytes and closes when its timer ends.
inline constexpr uint64_t kUnlimited = UINT64_MAX;

// ours: the largest finite download a server agrees to send (about 20 s at
// the loopback TCP limit measured here); asking for more is refused before
// the upload is read (Err::limit). kUnlimited is always accepted.
inline constexpr uint64_t kMaxSendBytes = 64ull * 1024 * 1024 * 1024;
// ours: a server stops sending (and closes) this long after it started, so
// a timed download, or a client that never reads, ends.
inline constexpr uint64_t kMaxSendNs = 120 * net::kSecond;
// ours: a server whose client sent nothing for this long while uploading
// gives up (Err::timeout).
inline constexpr uint64_t kIdleTimeoutNs = 30 * net::kSecond;

// ours: pending_output() hands out views of one static zero buffer of this
// size (the "fixed pattern" of the spec), so upload and download data cost
// no allocation and no fill; the driver loops until its transport pushes
// back.
inline constexpr size_t kChunkLen = 64 * 1024;

// ours: a client gives up when the whole run takes longer than this.
inline constexpr uint64_t kClientTimeoutNs = 10 * 60 * net::kSecond;

struct Limits {
  uint64_t max_send_bytes = kMaxSendBytes;
  uint64_t max_send_ns = kMaxSendNs;
  uint64_t idle_timeout_ns = kIdleTimeoutNs;
};

}  // namespace p2p::perf
