// frontends/cli/duration.hpp — Go time.ParseDuration, for config values and
// flags such as "24h", "30s", "1h30m", "500ms", "1.5h", "0".
//
// The original daemon stores durations as strings parsed by Go's
// time.ParseDuration (upstream.md §7), so we accept exactly that grammar:
//   [-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+   or "0" (also "-0", "+0")
// The result is in nanoseconds and fits int64 (±292 years), like Go's Duration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace frontends::cli {

inline constexpr int64_t kNanosecond = 1;
inline constexpr int64_t kMicrosecond = 1000 * kNanosecond;
inline constexpr int64_t kMillisecond = 1000 * kMicrosecond;
inline constexpr int64_t kSecond = 1000 * kMillisecond;
inline constexpr int64_t kMinute = 60 * kSecond;
inline constexpr int64_t kHour = 60 * kMinute;

// Parses a Go duration string into nanoseconds. Errors (Err::invalid) carry
// Go's own messages, e.g. `time: unknown unit "x" in duration "1x"`,
// `time: missing unit in duration "10"`, `time: invalid duration "1.h.5"`.
net::Result<int64_t> parse_go_duration(std::string_view s);

// Formats nanoseconds compactly so that parse_go_duration reads it back:
// 86400e9 -> "24h", 5400e9 -> "1h30m", 1.5e9 -> "1.5s", 500e6 -> "500ms", 0 -> "0".
// (Go's Duration.String would print "24h0m0s"; ours drops zero parts.)
std::string format_duration(int64_t ns);

// Quotes s the way Go's time package does in its errors: "..." with `"` and
// `\` escaped and every byte < 0x20 or >= 0x80 written as \xNN, so the result
// is printable ASCII on one line whatever s holds. Config errors use it too.
std::string go_quote(std::string_view s);

}  // namespace frontends::cli
