// net/clock.hpp — time for drivers. Cores never read a clock: they are handed
// an Instant (STYLE.md §2).
#pragma once

#include <cstdint>
#include <ctime>

namespace net {

using Instant = uint64_t;  // monotonic nanoseconds, like ngtcp2_tstamp
inline constexpr Instant kNever = UINT64_MAX;
inline constexpr uint64_t kMillisecond = 1'000'000;
inline constexpr uint64_t kSecond = 1'000'000'000;

inline Instant monotonic_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kSecond + static_cast<uint64_t>(ts.tv_nsec);
}

// Wall clock, for timestamps that leave the process (protobuf Timestamp).
inline uint64_t unix_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kSecond + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace net
